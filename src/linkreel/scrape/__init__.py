"""Scraping: a product page (a link, or a page saved from a browser) in, a `Brief` out.

with Fetcher(settings) as fetcher:
    brief, page_path = scrape("https://shop.example/p/1", fetcher=fetcher)
    brief = download_images(brief, fetcher, work_dir / "images", page_path=page_path)
"""

from __future__ import annotations

import codecs
import gzip
import re
import zlib
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from linkreel.errors import InputError, NoProductError
from linkreel.scrape.brief import Brief
from linkreel.scrape.fetch import Fetcher, decode_html
from linkreel.scrape.generic import Page
from linkreel.scrape.sites import extractor_for

__all__ = ["Scraped", "scrape", "load_saved_page"]

_PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz", ".xhtml.gz")
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml", "")


class Scraped(NamedTuple):
    brief: Brief
    page_path: Path | None  # the saved page, for download_images' offline fallbacks; None for a link


def _is_link(source: str) -> bool:
    return bool(re.match(r"^https?://", source.strip(), re.I))


def _looks_binary(content: bytes) -> bool:
    """NUL bytes or mostly control characters at the start: an image, an archive, not a page."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False  # UTF-16 text is full of NUL bytes
    head = content[:4096]
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return b"\x00" in head or controls > len(head) // 20


def load_saved_page(path: Path, max_bytes: int) -> str:
    """The HTML of a saved page (.html or .html.gz), decompressed with a size cap."""
    name = path.name.lower()
    if not name.endswith(_PAGE_SUFFIXES):
        raise InputError(f"unsupported file {path.name!r}: expected a saved web page (.html or .html.gz)")
    try:
        if name.endswith(".gz"):
            with gzip.open(path, "rb") as fh:
                content = fh.read(max_bytes + 1)
        else:
            with path.open("rb") as fh:
                content = fh.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"could not read {path}: {exc}") from None
    if len(content) > max_bytes:
        raise InputError(f"{path} is larger than {max_bytes // (1024 * 1024)} MB")
    if _looks_binary(content):
        raise InputError(f"{path} is binary data, not a saved web page")
    return decode_html(content)


def scrape(
    source: str, *, page_url: str | None = None, fetcher: Fetcher, language: str | None = None
) -> Scraped:
    """Scrape a product page: an http(s) link, or a saved page file (.html / .html.gz).

    `page_url` is the address a saved page came from: relative links resolve against it and it
    picks the site extractor. `language` is the ad's language, asked of the shop (Accept-Language).
    Raises InputError (bad source), FetchError, NoProductError.
    """
    source = source.strip()
    if _is_link(source):
        result = fetcher.get(source, language=language)
        sniffed = re.match(rb"\s*(<!doctype html|<html|<head|<meta)", result.content[:512], re.I)
        if result.content_type not in _HTML_TYPES and not sniffed:
            raise NoProductError(
                f"no product found on {result.url}: it is {result.content_type}, not a web page"
            )
        if not result.content.strip():
            raise NoProductError(f"no product found on {result.url}: the page is empty")
        if not sniffed and _looks_binary(result.content):
            raise NoProductError(f"no product found on {result.url}: it is binary data, not a web page")
        brief = extractor_for(result.url).extract(result.text, result.url)
        return Scraped(brief, None)

    if page_url is not None and not _is_link(page_url):
        raise InputError(f"the page URL must start with http:// or https://, got {page_url!r}")
    path = Path(unquote(urlsplit(source).path)) if source.lower().startswith("file://") else Path(source)
    path = path.expanduser()
    if not path.is_file():
        if re.match(r"^[\w-]+(\.[\w-]+)+(/|$)", source) and not source.lower().endswith(_PAGE_SUFFIXES):
            raise InputError(f"{source!r} is not a link or a file: links start with https://")
        raise InputError(f"no such file: {source}")
    # Generous cap: saved pages inline images and styles, so they run larger than the live page.
    html = load_saved_page(path, max_bytes=4 * fetcher.settings.fetch_max_bytes)
    # Without page_url, relative links resolve to files next to the saved page (file:// URLs that
    # download_images reads only from that folder) and the page's own canonical link names the site.
    base = page_url or path.resolve().as_uri()
    site_url = page_url or Page(html, None).url
    brief = extractor_for(site_url).extract(html, base)
    return Scraped(brief, path)
