"""IKEA products (/xx/yy/p/<name>-<article number>/): the article number as IKEA prints it, the
gallery. (Names come right from JSON-LD; the header's descriptor classes also mark the
recommended products, so they are not read.)

Checked on the three saved IKEA GB pages of the dev set (2020 "range-revamp-" class prefix);
IKEA's later pages use the same names with a "pip-" prefix, read as well.
"""

from __future__ import annotations

import re

from linkreel.scrape.brief import Brief
from linkreel.scrape.generic import Page, img_url, node_text
from linkreel.scrape.sites import SiteExtractor, register


def _css(kind: str) -> str:
    return ", ".join(f".{prefix}-{kind}" for prefix in ("range-revamp", "pip"))


@register
class Ikea(SiteExtractor):
    name = "ikea"
    patterns = (r"^https?://(?:www\.)?ikea\.[a-z.]+/[a-z]{2}/[a-z]{2}/p/",)

    def refine(self, brief: Brief, page: Page) -> Brief:
        tree = page.tree
        number = node_text(
            tree.css_first(_css("product-identifier__number") + ", " + _css("product-identifier__value"))
        )
        if not number:  # "...-00293772/" -> "002.937.72", how IKEA prints it
            m = re.search(r"-s?(\d{8})/?(?:[?#]|$)", page.url or "")
            number = f"{m.group(1)[:3]}.{m.group(1)[3:6]}.{m.group(1)[6:]}" if m else ""
        images = [img_url(n) for n in tree.css(_css("media-grid__media-image") + " img")]
        images += [img_url(n) for n in tree.css(_css("media-grid__media-image")) if n.tag == "img"]
        return self.merged(
            brief,
            page,
            images=[u for u in images if u],
            sku=number or None,
            brand="IKEA",
        )
