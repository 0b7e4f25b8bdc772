"""Images (size variants collapsed, same photo recognised by its pixels, banners dropped, ranking),
videos, logo and language, on small pages served from loopback."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from linkreel.config import Settings
from linkreel.scrape import scrape
from linkreel.scrape.brief import Brief, ProductImage
from linkreel.scrape.fetch import Fetcher
from linkreel.scrape.generic import extract
from linkreel.scrape.image_variants import collapse_variants, dhash, hamming, variant_key
from linkreel.scrape.images import download_images
from tests.helpers import serve_dir


def photo(path: Path, size: tuple[int, int], seed: int, quality: int = 90) -> None:
    """A textured picture (smooth random blobs): different seeds are different photos."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, (6, 6, 3), dtype=np.uint8)
    Image.fromarray(small).resize(size, Image.Resampling.BICUBIC).save(path, quality=quality)


def test_variant_keys_strip_sizes() -> None:
    assert variant_key("https://cdn.shop/s/p/shoe_1024x1024.jpg?v=3") == ("https://cdn.shop/s/p/shoe.jpg", 1024)
    assert variant_key("https://cdn.shop/s/p/shoe_grande.jpg")[0] == "https://cdn.shop/s/p/shoe.jpg"
    assert variant_key("https://shop.ex/up/tee-300x300.jpg") == ("https://shop.ex/up/tee.jpg", 300)
    assert variant_key("https://img.ex/p.jpg?width=300&color=red") == ("https://img.ex/p.jpg?color=red", 300)
    assert variant_key("https://i.ebayimg.com/g/abc/s-l1600.jpg")[1] == 1600
    # different pictures keep different keys
    assert variant_key("https://img.ex/a.jpg?w=300")[0] != variant_key("https://img.ex/b.jpg?w=300")[0]
    images = [
        ProductImage(url="https://cdn.shop/p/shoe_small.jpg", source="jsonld"),
        ProductImage(url="https://cdn.shop/p/bag.jpg", source="gallery"),
        ProductImage(url="https://cdn.shop/p/shoe_1024x1024.jpg", source="gallery"),
    ]
    collapsed = collapse_variants(images)
    assert [(i.url, i.source) for i in collapsed] == [
        ("https://cdn.shop/p/shoe_1024x1024.jpg", "jsonld"),  # largest variant, first place and rank
        ("https://cdn.shop/p/bag.jpg", "gallery"),
    ]


def test_dhash_matches_reencoded_copies(tmp_path: Path) -> None:
    photo(tmp_path / "a.jpg", (800, 800), seed=1)
    photo(tmp_path / "b.jpg", (500, 500), seed=1, quality=40)  # same photo, smaller, worse
    photo(tmp_path / "c.jpg", (800, 800), seed=2)
    a, b, c = (dhash(Image.open(tmp_path / n)) for n in ("a.jpg", "b.jpg", "c.jpg"))
    assert hamming(a, b) <= 6 < hamming(a, c)


def test_download_dedupes_drops_banners_and_ranks(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    photo(site / "main.jpg", (900, 900), seed=1)
    photo(site / "main-copy.jpg", (500, 500), seed=1, quality=50)  # same photo re-encoded, smaller
    photo(site / "side.jpg", (1000, 800), seed=3)
    photo(site / "gallery.jpg", (600, 450), seed=4)
    photo(site / "banner.jpg", (1600, 300), seed=5)  # a banner: 5.3:1
    photo(site / "thumb.jpg", (150, 150), seed=6)  # too small while big ones exist
    with serve_dir(site) as base:
        brief = Brief(
            title="Lamp",
            images=[
                ProductImage(url=f"{base}/main-copy.jpg", source="gallery"),
                ProductImage(url=f"{base}/gallery.jpg", source="gallery"),
                ProductImage(url=f"{base}/main.jpg", source="jsonld"),
                ProductImage(url=f"{base}/banner.jpg", source="img"),
                ProductImage(url=f"{base}/side.jpg", source="jsonld"),
                ProductImage(url=f"{base}/thumb.jpg", source="img"),
            ],
        )
        done = download_images(brief, Fetcher(Settings(allow_private_urls=True)), tmp_path / "out")
    got = [(Path(i.url).name, i.width, i.height) for i in done.images]
    # JSON-LD first (the 900 px copy wins over the 500 px one found earlier), then the gallery
    assert got == [("main.jpg", 900, 900), ("side.jpg", 1000, 800), ("gallery.jpg", 600, 450)]
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["image-00.jpg", "image-01.jpg", "image-02.jpg"]  # no leftovers
    for image in done.images:
        with Image.open(image.path or "") as img:
            assert img.size == (image.width, image.height) and min(img.size) >= 400


VIDEO_PAGE = """<html><head><title>Blender X</title>
<link rel="icon" href="/icon-32.png" sizes="32x32"><link rel="icon" href="/icon-192.png" sizes="192x192">
<meta property="og:video" content="https://cdn.shop.example/v/blender.mp4">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Product", "name": "Blender X",
 "brand": {"@type": "Brand", "name": "Mixo", "logo": "https://cdn.shop.example/mixo-logo.png"},
 "video": {"@type": "VideoObject", "name": "Blender X in action",
           "embedUrl": "https://www.youtube.com/embed/abc123", "thumbnailUrl": "https://cdn.shop.example/t.jpg"},
 "offers": {"@type": "Offer", "price": "59", "priceCurrency": "EUR"}}</script></head>
<body><h1>Blender X</h1>
<video poster="/v/poster.jpg"><source src="/v/demo.webm" type="video/webm"><source src="/v/demo.mp4"></video>
<video src="https://tracker.example/pixel"></video>
</body></html>"""


def test_videos_logo_and_declared_language() -> None:
    brief = extract(VIDEO_PAGE.replace("<html>", '<html lang="de-AT">'), "https://shop.example/p/blender")
    assert [(v.url, v.source, v.embed) for v in brief.videos] == [
        ("https://www.youtube.com/embed/abc123", "jsonld", True),
        ("https://cdn.shop.example/v/blender.mp4", "og", False),
        ("https://shop.example/v/demo.webm", "video", False),
        ("https://shop.example/v/demo.mp4", "video", False),
    ]
    assert brief.videos[0].poster == "https://cdn.shop.example/t.jpg"
    assert brief.logo == "https://cdn.shop.example/mixo-logo.png"  # the brand's logo
    assert brief.language == "de"
    plain = extract(VIDEO_PAGE.replace('"logo": "https://cdn.shop.example/mixo-logo.png"', '"x": 1'), None)
    assert plain.logo is None  # no base URL: relative icons cannot be resolved
    with_base = extract(VIDEO_PAGE.replace('"logo": "https://cdn.shop.example/mixo-logo.png"', '"x": 1'),
                        "https://shop.example/p")  # fmt: skip
    assert with_base.logo == "https://shop.example/icon-192.png"  # the largest icon


def test_language_detected_from_text_when_undeclared() -> None:
    def page(text: str) -> str:
        return f"<html><head><title>Produkt</title></head><body><h1>Tischlampe Nordlicht</h1><p>{text}</p></body>"

    de = page("Die Lampe aus Eichenholz spendet warmes Licht und passt auf jeden Schreibtisch. Sie ist "
              "leicht, stabil und wird mit einem langen Kabel geliefert.")  # fmt: skip
    fr = page("Cette lampe en bois de chêne donne une lumière chaude et trouve sa place sur chaque bureau. "
              "Elle est légère, stable et livrée avec un long câble.")  # fmt: skip
    assert extract(de, "https://shop.example/p").language == "de"
    assert extract(fr, "https://shop.example/p").language == "fr"
    assert extract(page("ok"), "https://shop.example/p").language is None  # too little text to tell


def test_scrape_link_lists_videos(tmp_path: Path) -> None:
    (tmp_path / "p.html").write_text(VIDEO_PAGE)
    with serve_dir(tmp_path) as base:
        brief, _ = scrape(f"{base}/p.html", fetcher=Fetcher(Settings(allow_private_urls=True)))
    assert brief.title == "Blender X" and brief.videos


def test_colour_variants_are_different_pictures(tmp_path: Path) -> None:
    """The same shot in graphite and in teal looks alike in greyscale; both stay."""
    site = tmp_path / "site"
    site.mkdir()
    shop_images = Path(__file__).resolve().parent.parent / "examples" / "aerobottle" / "img"
    for name in ("aero-graphite.jpg", "aero-teal.jpg"):
        (site / name).write_bytes((shop_images / name).read_bytes())
    with Image.open(site / "aero-teal.jpg") as img:  # and a re-encoded, smaller copy of one of them
        img.resize((600, 600)).save(site / "teal-small.jpg", quality=45)
    with serve_dir(site) as base:
        brief = Brief(title="Bottle", images=[ProductImage(url=f"{base}/{n}", source="jsonld")
                                              for n in ("aero-graphite.jpg", "teal-small.jpg", "aero-teal.jpg")])
        done = download_images(brief, Fetcher(Settings(allow_private_urls=True)), tmp_path / "out")
    assert [(Path(i.url).name, i.width) for i in done.images] == [("aero-graphite.jpg", 1200), ("aero-teal.jpg", 1200)]


def test_video_on_a_saved_real_page() -> None:
    """Argos (dev set): a <video> whose <source> has no file extension, only type="video/mp4"."""
    page = Path("/work/shared/pages/dev/25910052eef824e2.html.gz")
    if not page.is_file():
        pytest.skip("shared dev pages not available")
    html = gzip.decompress(page.read_bytes()).decode("utf-8", "replace")
    brief = extract(html, "https://www.argos.co.uk/product/4667999")
    assert [(v.url, v.embed) for v in brief.videos] == [
        ("https://media.4rgos.it/v/Argos/4667999_R_Video001/mp4_480p?protocol=https", False)
    ]
    assert brief.videos[0].poster == "https://media.4rgos.it/v/Argos/4667999_R_Video001"


def test_link_needs_an_image_or_a_video(tmp_path: Path) -> None:
    from linkreel.jobs.links import LinkFailed, scrape_link

    site = tmp_path / "site"
    site.mkdir()
    (site / "video.html").write_text('<html><head><title>Kite</title></head><body><h1>Red Kite</h1>'
                                     '<video><source src="/kite.mp4" type="video/mp4"></video></body></html>')
    (site / "bare.html").write_text("<html><head><title>Kite</title></head><body><h1>Red Kite</h1></body></html>")
    with serve_dir(site) as base, Fetcher(Settings(allow_private_urls=True)) as fetcher:
        content = scrape_link(f"{base}/video.html", fetcher, tmp_path / "img1")
        assert content.image_urls == [] and content.video_urls == [f"{base}/kite.mp4"]
        with pytest.raises(LinkFailed, match=r"^Link must have at least one image or one video\.$"):
            scrape_link(f"{base}/bare.html", fetcher, tmp_path / "img2")


def test_flat_placeholder_dropped_when_photos_exist(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    Image.new("RGB", (800, 800), (238, 238, 238)).save(site / "placeholder.jpg")
    photo(site / "real.jpg", (800, 800), seed=7)
    with serve_dir(site) as base:
        urls = [f"{base}/placeholder.jpg", f"{base}/real.jpg"]
        brief = Brief(title="Vase", images=[ProductImage(url=u, source="jsonld") for u in urls])
        done = download_images(brief, Fetcher(Settings(allow_private_urls=True)), tmp_path / "out")
        only_flat = download_images(brief.model_copy(update={"images": brief.images[:1]}),
                                    Fetcher(Settings(allow_private_urls=True)), tmp_path / "out2")  # fmt: skip
    assert [Path(i.url).name for i in done.images] == ["real.jpg"]
    assert [Path(i.url).name for i in only_flat.images] == ["placeholder.jpg"]  # better than nothing
