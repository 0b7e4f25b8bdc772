"""The SSRF-safe fetcher: a real local HTTP server for the happy paths, no other network."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from linkreel.config import Settings
from linkreel.errors import FetchError
from linkreel.scrape.fetch import Fetcher, blocked_reason, decode_html
from linkreel.scrape.fetch import _system_resolver as socket_resolver

# --------------------------------------------------------------------------- local server

Route = Callable[[BaseHTTPRequestHandler], None]


class LocalServer:
    """ThreadingHTTPServer on 127.0.0.1 with a dict of routes; records what it was asked."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path.split("?")[0])
                if route is None:
                    self.send_error(404)
                    return
                route(self)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def reply(
    body: bytes, content_type: str = "text/html; charset=utf-8", status: int = 200, **headers: str
) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            h.send_header(key.replace("_", "-"), value)
        h.end_headers()
        h.wfile.write(body)

    return route


def redirect(location: str, status: int = 302) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return route


def stream_without_length(total: int, sent: list[int] | None = None) -> Route:
    """A body with no Content-Length (HTTP/1.0, ends at close): only counting can stop it.

    `sent` (if given) receives how many bytes the server managed to write before the client hung up."""

    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.end_headers()
        chunk = b"x" * 65536
        written = 0
        try:
            for _ in range(total // len(chunk)):
                h.wfile.write(chunk)
                written += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading: that is the point
        if sent is not None:
            sent.append(written)

    return route


PAGE = b"<html><head><title>Hello</title></head><body><h1>Hello</h1></body></html>"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        srv.routes["/page.html"] = reply(PAGE)
        yield srv


def local_settings(**kw: object) -> Settings:
    return Settings(allow_private_urls=True, **kw)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- happy paths


def test_get_page(server: LocalServer) -> None:
    with Fetcher(local_settings()) as f:
        result = f.get(server.url + "/page.html")
    assert result.status == 200
    assert result.content_type == "text/html"
    assert result.url == server.url + "/page.html"
    assert result.content == PAGE
    assert "<h1>Hello</h1>" in result.text


def test_sends_browser_headers(server: LocalServer) -> None:
    with Fetcher(local_settings()) as f:
        f.get(server.url + "/page.html", accept="image/*")
    _, headers = server.requests[-1]
    assert headers["user-agent"].startswith("Mozilla/5.0")
    assert "en" in headers["accept-language"]
    assert headers["accept"] == "image/*"


def test_accept_language_follows_the_requested_language(server: LocalServer) -> None:
    with Fetcher(local_settings()) as f:
        f.get(server.url + "/page.html", language="pt-BR")
        f.get(server.url + "/page.html", language="de")
        f.get(server.url + "/page.html")
    sent = [headers["accept-language"] for _, headers in server.requests[-3:]]
    assert sent == ["pt-BR,pt;q=0.9,en;q=0.5", "de,en;q=0.5", "en-US,en;q=0.9"]


def test_follows_redirects_and_reports_final_url(server: LocalServer) -> None:
    server.routes["/a"] = redirect("/b", 301)
    server.routes["/b"] = redirect(server.url + "/page.html", 307)
    with Fetcher(local_settings()) as f:
        result = f.get(server.url + "/a")
    assert result.url == server.url + "/page.html"
    assert [p for p, _ in server.requests] == ["/a", "/b", "/page.html"]


def test_redirect_limit(server: LocalServer) -> None:
    server.routes["/loop"] = redirect("/loop")
    with (
        Fetcher(local_settings(fetch_max_redirects=3)) as f,
        pytest.raises(FetchError, match="too many redirects"),
    ):
        f.get(server.url + "/loop")
    assert len(server.requests) == 4  # the first request and three redirects


def test_exactly_max_redirects_is_fine(server: LocalServer) -> None:
    server.routes["/r1"] = redirect("/r2")
    server.routes["/r2"] = redirect("/page.html")
    with Fetcher(local_settings(fetch_max_redirects=2)) as f:
        assert f.get(server.url + "/r1").status == 200


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("text/html; charset=iso-8859-1", "<p>café</p>".encode("latin-1"), "café"),
        ("text/html", '<meta charset="windows-1251"><p>Привет</p>'.encode("cp1251"), "Привет"),
        ("text/html", "<p>naïve ☃</p>".encode(), "naïve ☃"),
        ("text/html", "<p>déjà</p>".encode("cp1252"), "déjà"),  # undeclared, not UTF-8
    ],
)
def test_text_charset(server: LocalServer, content_type: str, body: bytes, expected: str) -> None:
    server.routes["/cs"] = reply(body, content_type)
    with Fetcher(local_settings()) as f:
        assert expected in f.get(server.url + "/cs").text


def test_decode_html_bom() -> None:
    assert decode_html(b"\xef\xbb\xbf<p>\xc3\xa9</p>", "text/html; charset=latin-1") == "<p>é</p>"


def test_gzip_body_is_decompressed(server: LocalServer) -> None:
    server.routes["/gz"] = reply(gzip.compress(PAGE), Content_Encoding="gzip")
    with Fetcher(local_settings()) as f:
        assert f.get(server.url + "/gz").content == PAGE


def test_resolver_answer_is_the_address_connected_to(server: LocalServer) -> None:
    """The guarded backend connects to the address the guard checked, and keeps the host name."""
    resolved: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        resolved.append(host)
        return ["127.0.0.1"]

    with Fetcher(local_settings(), resolver=resolver) as f:
        result = f.get(f"http://shop.test:{server.port}/page.html")
    assert result.content == PAGE
    assert server.requests[-1][1]["host"] == f"shop.test:{server.port}"
    assert resolved == ["shop.test", "shop.test"]  # checked before the request and at connect


# --------------------------------------------------------------------------- the SSRF guard


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8000/admin",
        "http://[::1]/",
        "http://10.0.0.5/",
        "http://192.168.1.1:8080/",
        "http://172.16.3.4/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://0.0.0.0/",
        "http://[::ffff:127.0.0.1]/",
        "http://2130706433/",  # 127.0.0.1 as a decimal number
        "http://0x7f.1/",  # and in hex shorthand
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://224.0.0.1/",
    ],
)
def test_default_settings_block_non_public_addresses(url: str) -> None:
    with Fetcher(Settings()) as f, pytest.raises(FetchError, match=r"^blocked: "):
        f.get(url)


def test_blocked_before_any_request(server: LocalServer) -> None:
    with (
        Fetcher(Settings()) as f,
        pytest.raises(FetchError, match="blocked: 127.0.0.1 is a loopback address"),
    ):
        f.get(server.url + "/page.html")
    assert server.requests == []


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://shop.example/x", "gopher://shop.example/", "javascript:alert(1)",
            "data:text/html,<h1>x</h1>", "shop.example/product"],
)  # fmt: skip
def test_only_http_and_https(url: str) -> None:
    with Fetcher(Settings()) as f, pytest.raises(FetchError, match="unsupported URL scheme|not a valid URL"):
        f.get(url)


def test_metadata_message() -> None:
    with Fetcher(Settings()) as f, pytest.raises(FetchError) as err:
        f.get("http://169.254.169.254/")
    assert str(err.value) == "blocked: 169.254.169.254 is a cloud metadata address"


def test_name_resolving_to_mixed_addresses_is_refused() -> None:
    resolver = lambda host, port: ["93.184.216.34", "10.0.0.1"]  # noqa: E731
    with Fetcher(Settings(), resolver=resolver) as f, pytest.raises(FetchError) as err:
        f.get("http://shop.example/")
    assert str(err.value) == "blocked: shop.example resolves to 10.0.0.1, a private address"


def test_dns_rebinding_between_check_and_connect_is_refused() -> None:
    """First answer public (the pre-check passes), second private: the connect-time check stops it."""
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])
    with (
        Fetcher(Settings(), resolver=lambda host, port: next(answers)) as f,
        pytest.raises(FetchError, match="blocked: shop.example resolves to 127.0.0.1"),
    ):
        f.get("http://shop.example/")


@pytest.mark.parametrize(
    "location",
    ["http://10.0.0.5/admin", "http://localhost/", "http://169.254.169.254/latest/", "file:///etc/passwd"],
)
def test_redirect_to_a_blocked_address_is_refused(location: str) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": location})

    def resolver(host: str, port: int) -> list[str]:  # shop.example is "public", the rest is real
        return ["93.184.216.34"] if host == "shop.example" else socket_resolver(host, port)

    with (
        Fetcher(Settings(), transport=httpx.MockTransport(handler), resolver=resolver) as f,
        pytest.raises(FetchError, match="blocked|unsupported URL scheme"),
    ):
        f.get("http://shop.example/p/1")
    assert seen == ["http://shop.example/p/1"]  # the redirect target was never requested


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("8.8.8.8", None),
        ("2606:4700::1111", None),
        ("10.1.2.3", "a private address"),
        ("127.0.0.1", "a loopback address"),
        ("169.254.1.1", "a link-local address"),
        ("169.254.169.254", "a cloud metadata address"),
        ("fd00:ec2::254", "a cloud metadata address"),
        ("::", "an unspecified address"),
        ("ff02::1", "a multicast address"),
        ("2002:a00:1::", "a private address (10.0.0.1 inside IPv6)"),  # 6to4
        ("64:ff9b::7f00:1", "a loopback address (127.0.0.1 inside IPv6)"),  # NAT64
    ],
)
def test_blocked_reason(address: str, reason: str | None) -> None:
    got = blocked_reason(address)
    assert got == reason or (reason and got and got.replace("an ", "a ") == reason.replace("an ", "a "))


# --------------------------------------------------------------------------- limits and failures


def test_declared_oversized_body_is_refused(server: LocalServer) -> None:
    server.routes["/big"] = reply(b"x" * 300_000)
    with (
        Fetcher(local_settings(fetch_max_bytes=100_000)) as f,
        pytest.raises(FetchError, match="larger than"),
    ):
        f.get(server.url + "/big")


def test_undeclared_oversized_body_is_cut_off(server: LocalServer) -> None:
    sent: list[int] = []
    server.routes["/stream"] = stream_without_length(50 * 1024 * 1024, sent)
    with Fetcher(local_settings()) as f, pytest.raises(FetchError, match="larger than 1 MB"):
        f.get(server.url + "/stream", max_bytes=1024 * 1024)
    for _ in range(100):  # the server thread notices the closed connection shortly after
        if sent:
            break
        threading.Event().wait(0.05)
    # The client hung up after about 1 MB: the server could not push the 50 MB (socket buffers aside).
    assert sent and sent[0] < 20 * 1024 * 1024


def test_gzip_bomb_is_refused(server: LocalServer) -> None:
    bomb = gzip.compress(b"\0" * (30 * 1024 * 1024), compresslevel=9)  # ~30 KB on the wire
    server.routes["/bomb"] = reply(bomb, Content_Encoding="gzip")
    with (
        Fetcher(local_settings(fetch_max_bytes=1024 * 1024)) as f,
        pytest.raises(FetchError, match="larger than 1 MB"),
    ):
        f.get(server.url + "/bomb")


def test_max_bytes_argument_overrides_settings(server: LocalServer) -> None:
    with Fetcher(local_settings()) as f, pytest.raises(FetchError, match="larger than 10 bytes"):
        f.get(server.url + "/page.html", max_bytes=10)


def test_http_error_status(server: LocalServer) -> None:
    with Fetcher(local_settings()) as f, pytest.raises(FetchError, match="answered HTTP 404"):
        f.get(server.url + "/missing")


def test_connection_refused() -> None:
    with socket.socket() as s:  # a port that was free a moment ago
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Fetcher(local_settings()) as f, pytest.raises(FetchError) as err:
        f.get(f"http://127.0.0.1:{port}/")
    assert str(err.value) == "could not reach 127.0.0.1: connection refused"


def test_timeout(server: LocalServer) -> None:
    def slow(h: BaseHTTPRequestHandler) -> None:
        time.sleep(1.5)
        reply(PAGE)(h)

    server.routes["/slow"] = slow
    with (
        Fetcher(local_settings(fetch_timeout_s=0.3)) as f,
        pytest.raises(FetchError, match="did not answer within"),
    ):
        f.get(server.url + "/slow")


def test_unresolvable_host() -> None:
    def resolver(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with Fetcher(Settings(), resolver=resolver) as f, pytest.raises(FetchError) as err:
        f.get("https://shop.invalid/p/1")
    assert str(err.value) == "could not resolve shop.invalid: no such host"


def test_error_messages_are_one_line(server: LocalServer) -> None:
    with Fetcher(local_settings(fetch_max_redirects=0)) as f:
        server.routes["/r"] = redirect("/page.html")
        for url in (server.url + "/r", server.url + "/missing", "ftp://x/", "http://[::1"):
            with pytest.raises(FetchError) as err:
                f.get(url)
            assert "\n" not in str(err.value) and str(err.value)


def test_https_goes_through_the_guard_with_sni_and_verification(tmp_path: Path) -> None:
    """TLS runs over the guarded connection: SNI carries the host name and the certificate is
    verified (a self-signed one is refused)."""
    import shutil
    import ssl
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl command not installed (needed to make a test certificate)")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=shop.test", "-addext", "subjectAltName=DNS:shop.test"],
        check=True, capture_output=True,
    )  # fmt: skip
    sni: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: sni.append(name)  # type: ignore[assignment,misc]
    with LocalServer() as srv:
        srv.httpd.socket = context.wrap_socket(srv.httpd.socket, server_side=True)
        srv.routes["/"] = reply(PAGE)
        resolver = lambda host, port: ["127.0.0.1"]  # noqa: E731
        with (
            Fetcher(local_settings(), resolver=resolver) as f,
            pytest.raises(
                FetchError, match="could not reach shop.test: TLS error .*CERTIFICATE_VERIFY_FAILED"
            ),
        ):
            f.get(f"https://shop.test:{srv.port}/")
    assert sni == ["shop.test"]
