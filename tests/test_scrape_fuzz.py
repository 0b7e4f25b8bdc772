"""Hostile and broken pages, served from loopback: each ends with one clear error (or a sane brief)
and the scraper stops reading early instead of swallowing the whole thing.

Bounds are checked on what the server saw (bytes it managed to send, requests it got), not on
wall time; pytest-timeout turns a hang into a failure."""

from __future__ import annotations

import os
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from linkreel.config import Settings
from linkreel.errors import FetchError, InputError, LinkreelError, NoProductError
from linkreel.scrape import scrape
from linkreel.scrape.fetch import Fetcher
from linkreel.scrape.images import download_images

MB = 1024 * 1024
CHUNK = 64 * 1024


def _gzip_bomb(inflated: int) -> bytes:
    """`inflated` bytes of zeros, gzip-compressed (about 1000:1)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(MB)
    return b"".join([*(comp.compress(zeros) for _ in range(inflated // MB)), comp.flush()])


class HostileShop:
    def __init__(self) -> None:
        self.sent: dict[str, int] = {}  # path -> body bytes written before the client went away
        self.hits: list[str] = []
        shop = self
        bomb = _gzip_bomb(200 * MB)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _send(self, body: bytes, content_type: str = "text/html; charset=utf-8", **headers: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for key, value in headers.items():
                    self.send_header(key.replace("_", "-"), value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802
                shop.hits.append(self.path)
                path = self.path.split("?")[0]
                if path == "/empty":
                    self._send(b"")
                elif path == "/binary":
                    self._send(os.urandom(256 * 1024), "text/html")
                elif path == "/bomb":
                    self._send(bomb, Content_Encoding="gzip")
                elif path == "/huge":  # 50 MB, no Content-Length: the client has to count
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    chunk = b"<p>" + b"a" * (CHUNK - 7) + b"</p>"
                    sent = 0
                    try:
                        while sent < 50 * MB:
                            self.wfile.write(chunk)
                            sent += len(chunk)
                    except OSError:
                        pass
                    shop.sent[path] = sent
                    self.close_connection = True
                elif path == "/loop":
                    self.send_response(302)
                    self.send_header("Location", "/loop?again")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif path in PAGES:
                    self._send(PAGES[path].encode())
                else:
                    self.send_error(404)

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                pass  # clients hanging up on the bomb and the 50 MB body is the point

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _nested(depth: int) -> str:
    return ("<html><head><title>Deep Lamp</title></head><body>" + "<div><span>x</span>" * depth
            + "<h1>Deep Lamp</h1>" + "</div>" * depth + "</body></html>")


PAGES = {
    "/deep": _nested(200_000),  # 4 MB; a parser would take hours over it (quadratic in depth)
    "/nested": _nested(1_000),  # deep for a real page, still read
    "/broken-jsonld": """<html><head><meta property="og:title" content="Desk Fan">
        <meta property="og:image" content="/fan.jpg">
        <script type="application/ld+json">{"@type": "Product", "name": "Desk Fan", "offers": {"price": </script>
        <script type="application/ld+json">[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[</script>
        </head><body><h1>Desk Fan</h1><span class="price">€ 19,99</span></body></html>""",
    "/broken-jsonld-only": """<html><head>
        <script type="application/ld+json">{"@type": "Product", "name": "Desk Fan", "offers": {"price": </script>
        </head><body></body></html>""",
    "/many-images": "<html><head><title>Poster Set</title></head><body><h1>Poster Set</h1>"
    + "".join(f'<div class="gallery"><img src="/img/{i}.jpg" width="800" height="800" alt="Poster Set"></div>'
              for i in range(5000))
    + "</body></html>",
    "/captcha": """<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>
        <div id="challenge-running">Checking if the site connection is secure</div>
        <script src="/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1"></script></body></html>""",
    "/datadome": """<html><head><title>shop.example</title></head><body>
        <iframe src="https://geo.captcha-delivery.com/captcha/?initialCid=x"></iframe></body></html>""",
    "/not-found": "<html><head><title>404 Not Found</title></head><body><h1>Page not found</h1></body></html>",
}  # fmt: skip


@pytest.fixture(scope="module")
def shop() -> Iterator[HostileShop]:
    server = HostileShop()
    yield server
    server.close()


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(Settings(allow_private_urls=True, fetch_timeout_s=5)) as f:
        yield f


def _error(shop: HostileShop, fetcher: Fetcher, path: str) -> LinkreelError:
    with pytest.raises(LinkreelError) as err:
        scrape(shop.url + path, fetcher=fetcher)
    message = str(err.value)
    assert "\n" not in message and "Traceback" not in message
    return err.value


@pytest.mark.timeout(60)
def test_empty_body(shop: HostileShop, fetcher: Fetcher) -> None:
    err = _error(shop, fetcher, "/empty")
    assert isinstance(err, NoProductError) and "the page is empty" in str(err)


@pytest.mark.timeout(60)
def test_binary_body_labelled_html(shop: HostileShop, fetcher: Fetcher) -> None:
    err = _error(shop, fetcher, "/binary")
    assert isinstance(err, NoProductError) and "binary data, not a web page" in str(err)


@pytest.mark.timeout(120)
def test_50_mb_body_is_cut_off_at_the_limit(shop: HostileShop, fetcher: Fetcher) -> None:
    err = _error(shop, fetcher, "/huge")
    assert isinstance(err, FetchError) and "larger than 10 MB" in str(err)
    # The client hung up near the 10 MB limit: the server could not push the other 40 MB.
    # (Generous margin for socket buffers; it would be 50 MB if the fetcher read everything.)
    for _ in range(100):
        if "/huge" in shop.sent:
            break
        threading.Event().wait(0.05)
    assert shop.sent["/huge"] < 20 * MB


@pytest.mark.timeout(120)
def test_gzip_bomb(shop: HostileShop, fetcher: Fetcher) -> None:
    err = _error(shop, fetcher, "/bomb")  # 200 KB on the wire, 200 MB inflated
    assert isinstance(err, FetchError) and "larger than 10 MB" in str(err)


@pytest.mark.timeout(60)
def test_infinite_redirect(shop: HostileShop, fetcher: Fetcher) -> None:
    before = len(shop.hits)
    err = _error(shop, fetcher, "/loop")
    assert isinstance(err, FetchError) and "too many redirects" in str(err)
    assert len(shop.hits) - before == Settings().fetch_max_redirects + 1


@pytest.mark.timeout(120)
def test_deeply_nested_html(shop: HostileShop, fetcher: Fetcher) -> None:
    err = _error(shop, fetcher, "/deep")
    assert isinstance(err, NoProductError) and "nest more than 4,000 deep" in str(err)
    brief, _ = scrape(shop.url + "/nested", fetcher=fetcher)
    assert brief.title == "Deep Lamp"


@pytest.mark.timeout(60)
def test_broken_json_ld(shop: HostileShop, fetcher: Fetcher) -> None:
    brief, _ = scrape(shop.url + "/broken-jsonld", fetcher=fetcher)  # the rest of the page still counts
    assert (brief.title, brief.price, brief.currency) == ("Desk Fan", "19.99", "EUR")
    assert brief.images[0].url == shop.url + "/fan.jpg"
    err = _error(shop, fetcher, "/broken-jsonld-only")  # nothing else on the page
    assert isinstance(err, NoProductError) and "no product name or title" in str(err)


@pytest.mark.timeout(120)
def test_5000_images(shop: HostileShop, fetcher: Fetcher, tmp_path: Path) -> None:
    brief, _ = scrape(shop.url + "/many-images", fetcher=fetcher)
    assert brief.title == "Poster Set" and 0 < len(brief.images) <= 40
    before = len(shop.hits)
    done = download_images(brief, fetcher, tmp_path)  # every one of them is a 404
    assert done.images == []
    assert len(shop.hits) - before <= 24  # tries a bounded number, not 5,000


@pytest.mark.timeout(60)
@pytest.mark.parametrize("path", ["/captcha", "/datadome"])
def test_bot_check_pages(shop: HostileShop, fetcher: Fetcher, path: str) -> None:
    err = _error(shop, fetcher, path)
    assert isinstance(err, NoProductError)
    assert "instead of the product page" in str(err) and ("bot check" in str(err) or "captcha" in str(err))


@pytest.mark.timeout(60)
def test_not_found_page(shop: HostileShop, fetcher: Fetcher) -> None:
    err = _error(shop, fetcher, "/not-found")
    assert isinstance(err, NoProductError) and "the page says 'Page not found'" in str(err)


def test_saved_binary_file(tmp_path: Path, fetcher: Fetcher) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(os.urandom(10_000))
    with pytest.raises(InputError, match="binary data, not a saved web page"):
        scrape(str(path), fetcher=fetcher)
