"""Scraping: the generic extractor on real saved pages and on small inline pages, the site
registry, `scrape()` for links and saved files, and image download with its offline fallbacks."""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
import socket
import threading
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image

from linkreel.config import Settings
from linkreel.errors import InputError, NoProductError
from linkreel.scrape import scrape
from linkreel.scrape.brief import Brief, ProductImage
from linkreel.scrape.fetch import Fetcher
from linkreel.scrape.generic import extract, format_price
from linkreel.scrape.images import download_images
from linkreel.scrape.sites import GenericExtractor, extractor_for, site_extractors
from linkreel.scrape.sites.amazon import Amazon

DEV_PAGES = Path("/work/shared/pages/dev")


# --------------------------------------------------------------------------- helpers


def png_bytes(
    width: int, height: int, color: tuple[int, int, int] = (200, 30, 30), fmt: str = "PNG"
) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, fmt)
    return buf.getvalue()


def data_uri(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode()


def offline_fetcher() -> Fetcher:
    """A fetcher whose DNS answers nothing: every remote URL fails fast, as on a plane."""

    def resolver(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "offline")

    return Fetcher(Settings(), resolver=resolver)


class LocalServer:
    """Serves a dict of path -> (content type, body) on 127.0.0.1."""

    def __init__(self, files: dict[str, tuple[str, bytes]]) -> None:
        self.files = files
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                server.hits.append(self.path)
                entry = server.files.get(self.path)
                if entry is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", entry[0])
                self.send_header("Content-Length", str(len(entry[1])))
                self.end_headers()
                self.wfile.write(entry[1])

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def shop() -> Iterator[LocalServer]:
    server = LocalServer({})
    yield server
    server.close()


# --------------------------------------------------------------------------- the 50 real pages


def _number(value: str) -> Decimal | str:
    try:
        return Decimal(value.replace(",", "").strip()).normalize()
    except InvalidOperation:
        return value.strip()


@pytest.fixture(scope="module")
def dev_results() -> list[tuple[str, dict, Brief | None]]:
    if not (DEV_PAGES / "ground-truth.json").is_file():
        pytest.skip(f"saved product pages not found in {DEV_PAGES} (shared test data, not in the repo)")
    truth = json.loads((DEV_PAGES / "ground-truth.json").read_text())
    results = []
    for key, expected in truth.items():
        html = gzip.decompress((DEV_PAGES / f"{key}.html.gz").read_bytes()).decode("utf-8", "replace")
        try:
            brief: Brief | None = extractor_for(expected["url"]).extract(html, expected["url"])
        except NoProductError:
            brief = None
        results.append((key, expected, brief))
    return results


def test_dev_pages_titles(dev_results: list[tuple[str, dict, Brief | None]]) -> None:
    found = [key for key, _, brief in dev_results if brief is not None and len(brief.title) >= 3]
    print(f"\ntitle found on {len(found)}/{len(dev_results)} pages")
    assert len(found) >= 45


def test_dev_pages_prices(dev_results: list[tuple[str, dict, Brief | None]]) -> None:
    with_price = [(k, e, b) for k, e, b in dev_results if e.get("price")]
    right = [
        k
        for k, e, b in with_price
        if b is not None and b.price and _number(b.price) in {_number(p) for p in e["price"]}
    ]
    print(f"\nprice right on {len(right)}/{len(with_price)} pages")
    # Measured 42/48. Of the misses, 2 are auctions whose JSON-LD holds the opening bid, 2 are
    # Chilean prices the annotators read as 3.34 for "$3.340" (3340 CLP, which we return).
    assert len(right) >= 40


def test_dev_pages_images_and_urls(dev_results: list[tuple[str, dict, Brief | None]]) -> None:
    briefs = [b for _, _, b in dev_results if b is not None]
    with_images = [b for b in briefs if b.images]
    assert len(with_images) >= 48
    for brief in briefs:
        for image in brief.images:
            assert image.url.startswith(("https://", "http://", "data:image/")), image.url


# --------------------------------------------------------------------------- structured data


GRAPH_PAGE = """<html lang="en-GB"><head>
<title>Trail Runner 2 | Shoe Shop</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "Organization", "@id": "#org", "name": "Shoe Shop",
   "logo": {"@type": "ImageObject", "url": "/logo.png"}},
  {"@type": "BreadcrumbList", "itemListElement": []},
  {"@type": "Product", "name": "Trail Runner 2", "sku": "TR-2", "brand": {"@type": "Brand", "name": "Stride"},
   "description": "Light shoe.<ul><li>Grippy outsole for wet rock</li><li>Breathable mesh upper</li></ul>",
   "image": ["https://cdn.shop.example/tr2-side.jpg",
             {"@type": "ImageObject", "contentUrl": "/img/tr2-top.jpg"}],
   "offers": {"@type": "Offer", "price": "89.9", "priceCurrency": "gbp",
              "availability": "https://schema.org/InStock"},
   "aggregateRating": {"@type": "AggregateRating", "ratingValue": "9", "bestRating": "10",
                       "reviewCount": "31"},
   "review": [{"@type": "Review", "reviewBody": "Great grip on wet rocks.",
               "author": {"@type": "Person", "name": "Ana"},
               "reviewRating": {"@type": "Rating", "ratingValue": 5}}],
   "isRelatedTo": {"@type": "Product", "name": "Socks", "offers": {"@type": "Offer", "price": "5"}}}
]}
</script></head><body><h1>Trail Runner 2</h1></body></html>"""


def test_json_ld_graph() -> None:
    brief = extract(GRAPH_PAGE, "https://shop.example/p/tr2")
    assert brief.title == "Trail Runner 2"
    assert (brief.price, brief.currency) == ("89.90", "GBP")
    assert (brief.brand, brief.sku, brief.availability) == ("Stride", "TR-2", "InStock")
    assert (brief.rating, brief.review_count) == (4.5, 31)  # 9/10 on a five-star scale
    assert brief.reviews[0].text == "Great grip on wet rocks." and brief.reviews[0].author == "Ana"
    assert brief.features == ["Grippy outsole for wet rock", "Breathable mesh upper"]
    assert brief.description.startswith("Light shoe.")
    assert [i.url for i in brief.images[:2]] == [
        "https://cdn.shop.example/tr2-side.jpg",
        "https://shop.example/img/tr2-top.jpg",
    ]
    assert brief.images[0].source == "jsonld"
    assert brief.logo == "https://shop.example/logo.png"
    assert brief.language == "en"
    assert brief.url == "https://shop.example/p/tr2"


PRODUCT_GROUP_PAGE = """<html><head><script type="application/ld+json">
{"@context": "https://schema.org/", "@type": "ProductGroup", "name": "Wool Sweater", "productGroupID": "WS",
 "brand": "Knitco", "variesBy": ["https://schema.org/size"],
 "hasVariant": [
   {"@type": "Product", "name": "Wool Sweater S", "sku": "WS-S", "image": "https://shop.example/ws-s.jpg",
    "offers": {"@type": "Offer", "price": 59, "priceCurrency": "EUR", "availability": "https://schema.org/OutOfStock"}},
   {"@type": "Product", "name": "Wool Sweater M", "sku": "WS-M", "image": "https://shop.example/ws-m.jpg",
    "offers": {"@type": "Offer", "price": 59, "priceCurrency": "EUR", "availability": "https://schema.org/InStock"}}
 ]}
</script></head><body><h1>Wool Sweater</h1></body></html>"""


def test_product_group() -> None:
    brief = extract(PRODUCT_GROUP_PAGE, "https://shop.example/ws")
    assert brief.title == "Wool Sweater"
    assert (brief.price, brief.currency, brief.brand) == ("59", "EUR", "Knitco")
    assert brief.availability == "InStock"  # one size is in stock
    assert [i.url for i in brief.images] == ["https://shop.example/ws-s.jpg", "https://shop.example/ws-m.jpg"]


def test_microdata_product() -> None:
    html = """<html><body><div itemscope itemtype="https://schema.org/Product">
      <h1 itemprop="name">Desk Lamp</h1><img itemprop="image" src="/lamp.jpg">
      <div itemprop="offers" itemscope itemtype="https://schema.org/Offer">
        <meta itemprop="priceCurrency" content="USD"><span itemprop="price" content="24.50">$24.50</span>
        <link itemprop="availability" href="https://schema.org/PreOrder">
      </div></div></body></html>"""
    brief = extract(html, "https://lamps.example/desk")
    assert (brief.title, brief.price, brief.currency, brief.availability) == (
        "Desk Lamp",
        "24.50",
        "USD",
        "PreOrder",
    )
    assert brief.images[0].url == "https://lamps.example/lamp.jpg"


def test_lenient_json_ld() -> None:
    """A broken script is skipped; comments and trailing commas are forgiven."""
    html = """<html><head>
    <script type="application/ld+json">{"@type": "Organization", "name": </script>
    <script type="application/ld+json">
      // product data
      {"@type": "Product", "name": "Mug", "offers": {"price": "7.5", "priceCurrency": "EUR",},}
    </script></head><body></body></html>"""
    brief = extract(html, "https://mugs.example/m")
    assert (brief.title, brief.price) == ("Mug", "7.50")


# --------------------------------------------------------------------------- meta tags and DOM


def test_opengraph_only_page() -> None:
    html = """<html lang="fr"><head>
      <meta property="og:type" content="product">
      <meta property="og:title" content="Sac cabas en toile">
      <meta property="og:site_name" content="Maison Toile">
      <meta property="og:description" content="Un grand sac solide.">
      <meta property="og:image" content="/media/sac.jpg">
      <meta property="product:price:amount" content="35.00">
      <meta property="product:price:currency" content="EUR">
      <meta property="product:availability" content="in stock">
    </head><body><p>Bienvenue</p></body></html>"""
    brief = extract(html, "https://toile.example/sacs/cabas")
    assert brief.title == "Sac cabas en toile"
    assert (brief.price, brief.currency, brief.availability) == ("35", "EUR", "InStock")
    assert brief.description == "Un grand sac solide."
    assert brief.site_name == "Maison Toile"
    assert brief.language == "fr"
    assert [(i.url, i.source) for i in brief.images] == [("https://toile.example/media/sac.jpg", "og")]


def test_dom_fallbacks() -> None:
    """No structured data: title from <h1>, price near it, bullets under it, big gallery images."""
    html = """<html lang="de-AT"><head><title>Kaffeemühle Classic – Mühlenhaus</title>
      <meta name="description" content="Handmühle aus Holz."></head><body>
      <header><img src="/static/logo.svg" alt="Mühlenhaus"><ul><li><a href="/a">Alle Produkte ansehen</a></li>
        <li><a href="/b">Über uns und unsere Geschichte</a></li></ul></header>
      <div class="recommended"><span class="price">€ 9,99</span></div>
      <main><div class="product-gallery">
        <img src="img/muehle-1.jpg" width="800" height="800" alt="Kaffeemühle Classic">
        <img src="/icons/sprite.png"><img src="https://track.example/pixel.gif" width="1" height="1"></div>
      <h1>Kaffeemühle Classic</h1>
      <p class="price-old"><del>€ 59,00</del></p><span class="product-price">€ 1.049,50</span>
      <ul class="features"><li>Mahlwerk aus Keramik, stufenlos einstellbar</li>
        <li>Gehäuse aus geölter Buche</li><li>Fasst 40 g Bohnen</li></ul>
      </main><footer><ul><li>Impressum und Datenschutz</li><li>Versand und Rückgabe</li></ul></footer>
    </body></html>"""
    brief = extract(html, "https://muehlen.example/shop/classic")
    assert brief.title == "Kaffeemühle Classic"
    assert (brief.price, brief.currency) == ("1049.50", "EUR")
    assert brief.features == ["Mahlwerk aus Keramik, stufenlos einstellbar", "Gehäuse aus geölter Buche",
                              "Fasst 40 g Bohnen"]  # fmt: skip
    assert brief.description == "Handmühle aus Holz."
    assert [i.url for i in brief.images] == ["https://muehlen.example/shop/img/muehle-1.jpg"]
    assert brief.language == "de"


def test_relative_image_urls_and_base_tag() -> None:
    html = """<html><head><base href="https://cdn.shop.example/assets/">
      <meta property="og:title" content="Kettle"><meta property="og:image" content="kettle.jpg">
      <meta name="twitter:image" content="//img.shop.example/kettle-2.jpg"></head><body></body></html>"""
    brief = extract(html, "https://shop.example/kettle")
    assert [i.url for i in brief.images] == [
        "https://cdn.shop.example/assets/kettle.jpg",
        "https://img.shop.example/kettle-2.jpg",
    ]


def test_data_uri_images() -> None:
    photo = data_uri(png_bytes(400, 400, fmt="JPEG"), "image/jpeg")
    placeholder = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
    html = f"""<html><head><meta property="og:title" content="Teapot"></head><body>
      <h1>Teapot</h1><div class="gallery"><img src="{placeholder}" data-src="{photo}" alt="Teapot">
      <img src="{placeholder}" alt="Teapot"></div></body></html>"""
    brief = extract(html, None)
    assert [(i.url, i.source) for i in brief.images] == [(photo, "embedded")]


def test_no_product() -> None:
    with pytest.raises(NoProductError, match="no product found on https://shop.example/x"):
        extract("<html><head></head><body><div></div></body></html>", "https://shop.example/x")
    with pytest.raises(NoProductError, match="the page says 'Not Found'"):
        extract("<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>",
                "https://shop.example/gone")  # fmt: skip
    with pytest.raises(NoProductError):
        extract("<html><head><title>Robot Check</title></head><body>captcha</body></html>", None)


@pytest.mark.parametrize(
    ("amount", "text"), [("13.4", "13.40"), ("450.00", "450"), ("0.5", "0.50"), ("9.999", "9.999")]
)
def test_format_price(amount: str, text: str) -> None:
    assert format_price(Decimal(amount)) == text


# --------------------------------------------------------------------------- registry


def test_registry() -> None:
    assert isinstance(extractor_for("https://www.amazon.co.uk/dp/B07C8KMQQ6"), Amazon)
    assert isinstance(extractor_for("https://shop.example/p/1"), GenericExtractor)
    assert isinstance(extractor_for(None), GenericExtractor)
    for cls in site_extractors():
        assert cls.patterns and cls.name != "generic"


# --------------------------------------------------------------------------- scrape()


def test_scrape_saved_gzip_page() -> None:
    page = DEV_PAGES / "0666abebc0d5f964.html.gz"
    if not page.is_file():
        pytest.skip(f"{page} not found (shared test data, not in the repo)")
    url = "https://www.ikea.com/gb/en/p/moeckelby-table-oak-00293772/"
    brief, page_path = scrape(str(page), page_url=url, fetcher=offline_fetcher())
    assert brief.title.startswith("MÖCKELBY")
    assert (brief.price, brief.currency) == ("450", "GBP")
    assert brief.url == url
    assert page_path == page


def test_scrape_bad_sources(tmp_path: Path) -> None:
    fetcher = offline_fetcher()
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(InputError, match="unsupported file"):
        scrape(str(tmp_path / "notes.txt"), page_url=None, fetcher=fetcher)
    with pytest.raises(InputError, match="no such file"):
        scrape(str(tmp_path / "missing.html"), page_url=None, fetcher=fetcher)
    with pytest.raises(InputError, match="not a link or a file"):
        scrape("shop.example/p/1", page_url=None, fetcher=fetcher)
    (tmp_path / "p.html").write_text("<h1>x</h1>")
    with pytest.raises(InputError, match="page URL"):
        scrape(str(tmp_path / "p.html"), page_url="ftp://shop.example/", fetcher=fetcher)


def test_scrape_link_and_download_images(shop: LocalServer, tmp_path: Path) -> None:
    big = png_bytes(800, 600, fmt="JPEG")
    shop.files.update({
        "/p/kettle": ("text/html; charset=utf-8", b"""<html><head>
            <meta property="og:title" content="Steel Kettle">
            <meta property="og:image" content="/img/kettle.jpg">
            </head><body><h1>Steel Kettle</h1><div class="gallery">
            <img src="/img/kettle-copy.jpg" width="800" height="600" alt="Steel Kettle">
            <img src="/img/thumb.png" width="400" height="400" alt="Steel Kettle">
            <img src="/img/broken.jpg" width="400" height="400" alt="Steel Kettle">
            <img src="/img/missing.jpg" width="400" height="400" alt="Steel Kettle">
            </div></body></html>"""),
        "/img/kettle.jpg": ("image/jpeg", big),
        "/img/kettle-copy.jpg": ("image/jpeg", big),  # same bytes: kept once
        "/img/thumb.png": ("image/png", png_bytes(120, 120)),  # too small while there are big ones
        "/img/broken.jpg": ("image/jpeg", b"<html>not an image</html>"),
    })  # fmt: skip
    fetcher = Fetcher(Settings(allow_private_urls=True))
    brief, page_path = scrape(shop.url + "/p/kettle", page_url=None, fetcher=fetcher)
    assert page_path is None
    assert brief.title == "Steel Kettle" and brief.url == shop.url + "/p/kettle"
    assert brief.images[0].url == shop.url + "/img/kettle.jpg"

    done = download_images(brief, fetcher, tmp_path / "images")
    assert [(i.url, i.width, i.height, i.source) for i in done.images] == [
        (shop.url + "/img/kettle.jpg", 800, 600, "og")
    ]
    saved = Path(done.images[0].path or "")
    assert saved.is_file() and saved.suffix == ".jpg"
    with Image.open(saved) as img:
        assert img.size == (800, 600)


def test_scrape_link_that_is_not_html(shop: LocalServer) -> None:
    shop.files["/img.png"] = ("image/png", png_bytes(10, 10))
    with pytest.raises(NoProductError, match="image/png, not a web page"):
        scrape(shop.url + "/img.png", page_url=None, fetcher=Fetcher(Settings(allow_private_urls=True)))


def test_saved_page_images_offline(tmp_path: Path) -> None:
    """Offline: the remote image comes from "<page>_files/", the relative one from beside the page,
    the embedded one from its data: URI; a transparent PNG stays PNG."""
    files = tmp_path / "Kettle - Shop_files"
    files.mkdir()
    (files / "kettle-main.jpg").write_bytes(png_bytes(900, 900, fmt="JPEG"))
    (tmp_path / "side.png").write_bytes(png_bytes(500, 400))
    buf = io.BytesIO()
    Image.frombytes("RGBA", (600, 600), os.urandom(600 * 600 * 4)).save(buf, "PNG")
    html = f"""<html><head><meta property="og:title" content="Kettle">
      <meta property="og:image" content="https://cdn.shop.example/media/kettle-main.jpg?v=3"></head>
      <body><h1>Kettle</h1><div class="gallery"><img src="side.png" width="500" height="400" alt="Kettle">
      <img src="{data_uri(buf.getvalue())}" alt="Kettle"></div></body></html>"""
    page = tmp_path / "Kettle - Shop.html"
    page.write_text(html)
    fetcher = offline_fetcher()
    brief, page_path = scrape(str(page), page_url=None, fetcher=fetcher)
    done = download_images(brief, fetcher, tmp_path / "out", page_path=page_path)
    got = [(i.source, i.width, i.height, Path(i.path or "").suffix) for i in done.images]
    assert got == [("local", 900, 900, ".jpg"), ("local", 500, 400, ".jpg"), ("embedded", 600, 600, ".png")]


def test_download_images_nothing_works(tmp_path: Path) -> None:
    brief = Brief(title="Kettle", images=[ProductImage(url="https://cdn.shop.example/k.jpg", source="og")])
    done = download_images(brief, offline_fetcher(), tmp_path / "out")
    assert done.images == [] and done.title == "Kettle"


def test_download_images_keeps_small_ones_when_nothing_else(tmp_path: Path) -> None:
    small, tiny = png_bytes(200, 150), png_bytes(16, 16)
    brief = Brief(title="Pin", images=[ProductImage(url=data_uri(tiny)), ProductImage(url=data_uri(small))])
    done = download_images(brief, offline_fetcher(), tmp_path / "out")
    assert [(i.width, i.height) for i in done.images] == [(200, 150)]  # the 16 px icon is never kept


def test_local_files_outside_the_page_folder_are_ignored(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(png_bytes(500, 500))
    page_dir = tmp_path / "page"
    page_dir.mkdir()
    brief = Brief(title="x", images=[ProductImage(url=secret.as_uri())])
    done = download_images(brief, offline_fetcher(), tmp_path / "out", page_path=page_dir / "p.html")
    assert done.images == []


def test_unreachable_image_host_is_tried_once(tmp_path: Path) -> None:
    lookups: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        lookups.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "offline")

    urls = [f"https://cdn.shop.example/{i}.jpg" for i in range(6)]
    brief = Brief(title="x", images=[ProductImage(url=u) for u in urls])
    fetcher = Fetcher(Settings(), resolver=resolver)
    assert download_images(brief, fetcher, tmp_path / "out").images == []
    assert len(lookups) <= 4  # at most one per worker thread that started before the first failure
