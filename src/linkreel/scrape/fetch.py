"""The one fetcher for user-supplied URLs, with an SSRF guard.

Every URL a user gives us (the product page, then its images) is fetched through `Fetcher.get`.
The guard:

* only http and https;
* the host is resolved with getaddrinfo and *every* address must be public: private, loopback,
  link-local, multicast, reserved, unspecified, shared (CGNAT) and cloud-metadata addresses are
  refused, also when they hide inside IPv6 (IPv4-mapped, 6to4, NAT64, Teredo);
* the socket connects to the address that was checked (a guarded httpcore network backend), so
  a DNS answer that changes between check and connect (DNS rebinding) cannot slip through;
* redirects are followed by hand, each hop checked again, at most `fetch_max_redirects`;
* the body is streamed and counted *after* decompression, so neither a huge body nor a gzip
  bomb gets past `fetch_max_bytes`; connect/read timeouts plus an overall deadline.

`Settings.allow_private_urls=True` switches the address check off (tests, local demos).
`Settings.fetch_allow` (`LINKREEL_FETCH_ALLOW`, comma-separated host names and IPs/CIDRs) exempts
just those hosts or networks (an intranet shop, a test server); everything else stays guarded.
Every failure is a `FetchError` with a one-line message meant for the user.
"""

from __future__ import annotations

import codecs
import ipaddress
import re
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import httpcore
import httpx

from linkreel.config import Settings
from linkreel.errors import FetchError

HTML_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
IMAGE_ACCEPT = "image/avif,image/webp,image/apng,image/png,image/jpeg,image/*;q=0.8,*/*;q=0.5"

_REDIRECTS = {301, 302, 303, 307, 308}
# Cloud instance-metadata endpoints (AWS/GCP/Azure/OpenStack, AWS IPv6, ECS, Alibaba). Most are
# link-local or private anyway; they are named so the error message says what was hit.
_METADATA_IPS = {
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

Resolver = Callable[[str, int], list[str]]


class HostUnreachable(FetchError):
    """The host could not be resolved, connected to, or did not answer: other URLs on the same
    host will fail the same way (callers fetching many images skip them)."""


# --------------------------------------------------------------------------- address checks


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address tunnels to, if any (a classic guard bypass)."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def blocked_reason(address: str) -> str | None:
    """Why connecting to `address` is refused ("a private address"), or None if it is public."""
    try:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            reason = blocked_reason(str(inner))
            return f"{reason} ({inner} inside IPv6)" if reason else None
    if ip in _METADATA_IPS:
        return "a cloud metadata address"
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
    )
    for name, hit in checks:
        if hit:
            return f"a {name} address"
    if not ip.is_global:  # e.g. 100.64.0.0/10 (carrier-grade NAT), which is_private misses
        return "a non-public address"
    return None


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        addr = str(sockaddr[0])
        if addr not in seen:
            seen.append(addr)
    return seen


def parse_allow(spec: str) -> tuple[frozenset[str], tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]]:
    """`LINKREEL_FETCH_ALLOW` ("intranet.local, 10.1.0.0/16, ::1") → (host names, networks)."""
    hosts: set[str] = set()
    networks = []
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item.strip("[]"), strict=False))
        except ValueError:
            hosts.add(item.lower().rstrip("."))
    return frozenset(hosts), tuple(networks)


class _AddressGuard:
    """Resolves a host and returns only addresses we may connect to (or raises FetchError)."""

    def __init__(self, allow_private: bool, resolver: Resolver, allow: str = "") -> None:
        self.allow_private = allow_private
        self._resolver = resolver
        self._allowed_hosts, self._allowed_networks = parse_allow(allow)

    def _exempt(self, host: str, addr: str) -> bool:
        if host.lower().rstrip(".") in self._allowed_hosts:
            return True
        try:
            ip = ipaddress.ip_address(addr.split("%")[0])
        except ValueError:
            return False
        return any(ip in net for net in self._allowed_networks if net.version == ip.version)

    def resolve(self, host: str, port: int) -> list[str]:
        host = host.strip("[]")
        try:
            ipaddress.ip_address(host.split("%")[0])
            addresses = [host]  # an IP literal is its own answer (no resolver involved)
        except ValueError:
            addresses = None
        try:
            addresses = addresses or self._resolver(host, port)
        except (socket.gaierror, UnicodeError, OSError) as exc:
            raise HostUnreachable(f"could not resolve {host}: {_gai_message(exc)}") from None
        if not addresses:
            raise HostUnreachable(f"could not resolve {host}: no addresses")
        if not self.allow_private:
            # Any blocked address refuses the host: a name that answers with one public and one
            # private address is a rebinding trick, not a shop.
            for addr in addresses:
                reason = None if self._exempt(host, addr) else blocked_reason(addr)
                if reason:
                    if addr == host:
                        raise FetchError(f"blocked: {addr} is {reason}")
                    raise FetchError(f"blocked: {host} resolves to {addr}, {reason}")
        return addresses


def _gai_message(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror) and exc.errno in (
        socket.EAI_NONAME,
        getattr(socket, "EAI_NODATA", -5),
    ):
        return "no such host"
    return str(getattr(exc, "strerror", None) or exc) or type(exc).__name__


class _GuardedBackend(httpcore.NetworkBackend):
    """httpcore network backend that connects only to addresses the guard has approved.

    httpcore hands us the host name; we resolve it once, check it, and connect to that very
    address. TLS still uses the host name for SNI and certificate checks (httpcore passes the
    origin host as server_hostname), so nothing else changes.
    """

    def __init__(self, guard: _AddressGuard) -> None:
        self._guard = guard
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        last: Exception | None = None
        for addr in self._guard.resolve(host, port):
            try:
                return self._inner.connect_tcp(
                    addr, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise FetchError("blocked: unix sockets are not allowed")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport, with its connection pool rebuilt on the guarded network backend.

    httpx does not take a network backend as an argument, so we replace its (private) `_pool`;
    the assertion makes an httpx upgrade that renames it fail loudly instead of silently
    dropping the DNS-rebinding protection (the per-hop pre-check in `Fetcher.get` would remain).
    """

    def __init__(self, guard: _AddressGuard, limits: httpx.Limits) -> None:
        super().__init__(trust_env=False, limits=limits)
        assert isinstance(getattr(self, "_pool", None), httpcore.ConnectionPool), "httpx internals changed"
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_GuardedBackend(guard),
        )


# --------------------------------------------------------------------------- results


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _known_codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("'\"")).name
    except LookupError:
        return None


def decode_html(content: bytes, content_type: str | None = None) -> str:
    """Bytes of an HTML page to text: BOM, then HTTP charset, then <meta charset>, then sniffing."""
    for bom, name in _BOMS:
        if content.startswith(bom):
            return content[len(bom) :].decode(name, errors="replace")
    charset = None
    if content_type:
        m = re.search(r"charset\s*=\s*([^;\s]+)", content_type, re.I)
        charset = _known_codec(m.group(1)) if m else None
    if charset is None:
        m = _META_CHARSET.search(content[:8192])
        charset = _known_codec(m.group(1).decode("ascii")) if m else None
    if charset in ("ascii", "latin-1", "iso8859-1"):
        charset = "cp1252"  # what browsers do (WHATWG): latin-1 labels mean windows-1252
    if charset:
        return content.decode(charset, errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        # Undeclared and not UTF-8: windows-1252, the web's historical default (statistical
        # detectors guess wildly on short pages).
        pass
    return content.decode("cp1252", errors="replace")


@dataclass(frozen=True)
class FetchResult:
    url: str  # final URL, after redirects
    status: int
    content_type: str  # media type without parameters, lower case ("text/html")
    content: bytes
    headers: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def text(self) -> str:
        return decode_html(self.content, self.headers.get("content-type") or self.content_type)


# --------------------------------------------------------------------------- the fetcher


def _human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g} MB"
    if n >= 1024:
        return f"{n / 1024:g} KB"
    return f"{n} bytes"


def _check_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        raise FetchError(f"not a valid URL: {url!r}") from None
    if not parsed.scheme:
        raise FetchError(f"not a valid URL: {url!r} (links start with http:// or https://)")
    if parsed.scheme not in ("http", "https"):
        scheme = parsed.scheme
        raise FetchError(
            f"unsupported URL scheme {scheme!r} in {url!r}: only http and https links are fetched"
        )
    if not parsed.host:
        raise FetchError(f"not a valid URL (no host): {url!r}")
    return parsed


def accept_language(language: str) -> str:
    """An Accept-Language header for a language code: "pt-BR" -> "pt-BR,pt;q=0.9,en;q=0.5"."""
    tag = language.strip().replace("_", "-")
    base = tag.split("-")[0].lower()
    parts = [tag] if tag.lower() == base else [tag, f"{base};q=0.9"]
    if base != "en":
        parts.append("en;q=0.5")
    return ",".join(parts)


class Fetcher:
    """GET with the SSRF guard. One instance can be shared; it keeps a connection pool.

    `transport` replaces the network layer (tests). `resolver(host, port) -> [ip, ...]` replaces
    getaddrinfo (tests); the address check applies to its answers as well.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        transport: httpx.BaseTransport | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        self.settings = settings or Settings()
        s = self.settings
        self._guard = _AddressGuard(s.allow_private_urls, resolver or _system_resolver, s.fetch_allow)
        limits = httpx.Limits(max_connections=16, max_keepalive_connections=8)
        self._client = httpx.Client(
            transport=transport or _GuardedTransport(self._guard, limits),
            timeout=httpx.Timeout(s.fetch_timeout_s, connect=min(s.fetch_timeout_s, 10.0)),
            follow_redirects=False,  # done by hand so every hop is checked
            trust_env=False,  # no proxies from the environment: the guard must see the real peer
            headers={
                "User-Agent": s.user_agent,
                "Accept-Language": "en-US,en;q=0.9",
                # httpx would also offer br/zstd when those packages happen to be installed
                "Accept-Encoding": "gzip, deflate",
            },
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self, url: str, *, max_bytes: int | None = None, accept: str = HTML_ACCEPT, language: str | None = None
    ) -> FetchResult:
        """GET under the guard. `language` ("de", "pt-BR") asks the shop for that language's page."""
        limit = max_bytes or self.settings.fetch_max_bytes
        headers = {"Accept": accept}
        if language:
            headers["Accept-Language"] = accept_language(language)
        # Per-operation timeouts do not stop a server that drips one byte every few seconds.
        deadline = time.monotonic() + 4 * self.settings.fetch_timeout_s
        current = url
        for _hop in range(self.settings.fetch_max_redirects + 1):
            parsed = _check_url(current)
            # Checked here for a clear message before any request; checked again at connect time.
            host = parsed.raw_host.decode("ascii")  # IDNA-encoded, as DNS sees it
            self._guard.resolve(host, parsed.port or (443 if parsed.scheme == "https" else 80))
            result = self._get_once(parsed, limit, headers, deadline)
            if isinstance(result, FetchResult):
                return result
            current = result  # a redirect target
        raise FetchError(
            f"too many redirects (more than {self.settings.fetch_max_redirects}) starting at {url}"
        )

    def check(self, url: str) -> None:
        """Refuse a URL the guard would refuse (scheme, host, resolved addresses), without fetching it.

        For URLs stored now and fetched later (webhooks, music): the 400 comes at request time. The
        guard runs again on every real request, so a DNS change in between gains nothing.
        """
        parsed = _check_url(url)
        host = parsed.raw_host.decode("ascii")
        self._guard.resolve(host, parsed.port or (443 if parsed.scheme == "https" else 80))

    def post(self, url: str, content: bytes, headers: dict[str, str], timeout_s: float = 10.0) -> int:
        """POST to a user-supplied URL (webhooks) under the same guard; returns the HTTP status.

        Redirects are not followed (a receiver that redirects has not received), the answer's body
        is never read, and the whole exchange is bounded by `timeout_s`.
        """
        parsed = _check_url(url)
        self.check(url)
        host = parsed.host
        try:
            with self._client.stream("POST", parsed, content=content, headers=headers,
                                     timeout=httpx.Timeout(timeout_s)) as resp:
                return resp.status_code
        except httpx.TimeoutException:
            raise HostUnreachable(f"{host} did not answer within {timeout_s:g} s") from None
        except httpx.ConnectError as exc:
            raise HostUnreachable(f"could not reach {host}: {_connect_message(exc)}") from None
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError, ValueError) as exc:
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise FetchError(f"could not post to {url}: {detail}") from None

    def _get_once(
        self, url: httpx.URL, limit: int, headers: dict[str, str], deadline: float
    ) -> FetchResult | str:
        host = url.host
        try:
            with self._client.stream("GET", url, headers=headers) as resp:
                if resp.status_code in _REDIRECTS and "location" in resp.headers:
                    return urljoin(str(url), resp.headers["location"].strip())
                if resp.status_code >= 400:
                    phrase = resp.reason_phrase.lower() if resp.reason_phrase else "error"
                    raise FetchError(f"{host} answered HTTP {resp.status_code} ({phrase}) for {url}")
                declared = resp.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise FetchError(f"{url} is larger than {_human_size(limit)}")
                chunks: list[bytes] = []
                size = 0
                # iter_bytes yields *decompressed* data, so counting here also stops gzip bombs.
                # One network read (64 KB) can still inflate to ~64 MB before we see it; that
                # bounded spike is the price of letting httpx decode.
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise FetchError(f"{url} is larger than {_human_size(limit)}")
                    if time.monotonic() > deadline:
                        raise FetchError(
                            f"{host} is too slow: gave up after {4 * self.settings.fetch_timeout_s:g} s"
                        )
                    chunks.append(chunk)
                content_type = resp.headers.get("content-type", "")
                return FetchResult(
                    url=str(url),
                    status=resp.status_code,
                    content_type=content_type.split(";")[0].strip().lower(),
                    content=b"".join(chunks),
                    headers={k.lower(): v for k, v in resp.headers.items()},
                )
        except FetchError:
            raise
        except httpx.TimeoutException:
            raise HostUnreachable(
                f"{host} did not answer within {self.settings.fetch_timeout_s:g} s"
            ) from None
        except httpx.ConnectError as exc:
            raise HostUnreachable(f"could not reach {host}: {_connect_message(exc)}") from None
        except httpx.DecodingError:
            raise FetchError(f"{host} sent a body that could not be decompressed ({url})") from None
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError, ValueError) as exc:
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise FetchError(f"could not fetch {url}: {detail}") from None


def _connect_message(exc: BaseException) -> str:
    text = str(exc)
    lowered = text.lower()
    if "refused" in lowered:
        return "connection refused"
    if "certificate" in lowered or "ssl" in lowered:
        return f"TLS error ({text.splitlines()[0][:120]})"
    if "unreachable" in lowered:
        return "network unreachable"
    return text.splitlines()[0][:160] if text else type(exc).__name__
