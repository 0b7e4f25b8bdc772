"""Site extractors: a registry of small classes, the generic extractor as the fallback.

Like yt-dlp's extractors: each class names the URLs it handles with regular expressions and turns
a page into a `Brief`. Most shops need nothing but the generic extractor (schema.org data,
OpenGraph, DOM heuristics); a site class exists for shops whose pages carry no structured data
or carry it wrong, and usually refines what the generic extractor found.

    @register
    class ShopExample(SiteExtractor):
        name = "shop.example"
        patterns = (r"^https?://(?:www\\.)?shop\\.example/p/",)

        def refine(self, brief: Brief, page: Page) -> Brief:
            return brief.model_copy(update={"brand": "Example"})
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from price_parser import Price

from linkreel.scrape import generic
from linkreel.scrape.brief import Brief, ProductImage
from linkreel.scrape.generic import Page


class SiteExtractor:
    """Base class, and the generic extractor itself (no patterns: used when nothing else matches)."""

    name: ClassVar[str] = "generic"
    patterns: ClassVar[tuple[str, ...]] = ()  # regular expressions matched against the page URL

    @classmethod
    def suitable(cls, url: str | None) -> bool:
        return bool(url) and any(re.search(p, url or "", re.I) for p in cls.patterns)

    def extract(self, html: str, base_url: str | None) -> Brief:
        page = Page(html, base_url)
        return self.refine(generic.extract_page(page), page)

    def refine(self, brief: Brief, page: Page) -> Brief:
        """Fix or add fields after the generic pass; the default keeps the brief as it is."""
        return brief

    @staticmethod
    def merged(brief: Brief, page: Page, images: list[Any] | None = None, **fields: Any) -> Brief:
        """`brief` with each given field that has a value: texts cleaned, `price` any amount
        (number or page text), `images` URLs put first (the site's own gallery order)."""
        update: dict[str, Any] = {}
        for name, value in fields.items():
            if name == "price":
                amount = generic.to_decimal(value)
                if amount is not None:
                    update["price"] = generic.format_price(amount)
                    written = fields.get("currency") or Price.fromstring(str(value)).currency or brief.currency
                    update["currency"] = generic.currency_code(written, generic.page_country(page.url))
            elif name == "currency":
                continue  # set with the price
            elif name == "availability":
                update[name] = generic.availability_name(value) or brief.availability
            elif isinstance(value, str):
                if generic.clean_text(value):
                    update[name] = generic.clean_text(value)
            elif value not in (None, [], ""):
                update[name] = value
        urls = [page.absolute(str(u)) for u in images or [] if isinstance(u, str) and u.strip()]
        if urls:
            own = [ProductImage(url=u, source="gallery") for u in dict.fromkeys(u for u in urls if u)]
            seen = {i.url for i in own}
            update["images"] = own + [i for i in brief.images if i.url not in seen]
        return brief.model_copy(update=update)


class GenericExtractor(SiteExtractor):
    pass


_REGISTRY: list[type[SiteExtractor]] = []


def register(cls: type[SiteExtractor]) -> type[SiteExtractor]:
    """Class decorator: add a site extractor to the registry (first match wins)."""
    if not cls.patterns:
        raise ValueError(f"site extractor {cls.__name__} has no URL patterns")
    _REGISTRY.append(cls)
    return cls


def site_extractors() -> list[type[SiteExtractor]]:
    """All registered site classes (for tests and `linkreel --list-extractors`-style listings)."""
    return list(_REGISTRY)


def extractor_for(url: str | None) -> SiteExtractor:
    """The site extractor for a page URL, or the generic one."""
    for cls in _REGISTRY:
        if cls.suitable(url):
            return cls()
    return GenericExtractor()


# Site modules register themselves on import.
from linkreel.scrape.sites import (  # noqa: E402, F401
    aliexpress,
    amazon,
    ebay,
    etsy,
    ikea,
    mercadolibre,
    rakuten,
    shopify,
    target,
    walmart,
    zalando,
)
