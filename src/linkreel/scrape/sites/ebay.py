"""eBay listings (/itm/<id>): the item number is the SKU, "Item specifics" hold brand and MPN.

Markup checked on saved eBay pages of the dev set (ebay.ca, ebay.ie, 2020 layout: `#itemTitle`,
`#prcIsum`, `.itemAttr td.attrLabels`) and, for the 2022+ layout (`h1.x-item-title__mainTitle`,
`.x-price-primary`, `.ux-labels-values`), a fixture in tests/pages/ built from that markup.
"""

from __future__ import annotations

import re

from linkreel.scrape.brief import Brief
from linkreel.scrape.generic import Page, clean_text, img_url, node_text
from linkreel.scrape.sites import SiteExtractor, register

_PRICE = ("#prcIsum", "#mm-saleDscPrc", "#prcIsum_bidPrice", ".x-price-primary", ".x-bin-price__content")
_BRAND_LABELS = {"brand", "marke", "marque", "marca", "merk", "marka", "manufacturer", "hersteller", "make"}
_DOLLARS = {"US": "USD", "AU": "AUD", "C": "CAD", "CA": "CAD", "NZ": "NZD", "HK": "HKD", "S": "SGD"}


def item_specifics(page: Page) -> dict[str, str]:
    """{"brand": "Unbranded", "mpn": ...}: labels lower-cased, without the colon."""
    out: dict[str, str] = {}
    for label in page.tree.css("td.attrLabels"):  # 2020 layout: label cell, value cell
        value = label.next
        while value is not None and value.tag != "td":
            value = value.next
        if value is not None:
            out.setdefault(node_text(label).rstrip(":").strip().lower(), node_text(value))
    for row in page.tree.css(".ux-labels-values"):  # 2022+ layout
        label, value = row.css_first(".ux-labels-values__labels"), row.css_first(".ux-labels-values__values")
        if label is not None and value is not None:
            out.setdefault(node_text(label).rstrip(":").strip().lower(), node_text(value))
    return out


def _full_size(url: str) -> str:
    return re.sub(r"/s-l\d+\.", "/s-l1600.", url)


@register
class Ebay(SiteExtractor):
    name = "ebay"
    patterns = (r"^https?://(?:www\.|m\.)?ebay\.(?:com|co\.uk|de|fr|it|es|ca|com\.au|ie|at|ch|nl|be|pl|com\.sg|"
                r"com\.my|ph|in|com\.hk)/itm/",)  # fmt: skip

    def refine(self, brief: Brief, page: Page) -> Brief:
        tree = page.tree
        title = tree.css_first("h1.x-item-title__mainTitle, #itemTitle")
        title_text = node_text(title)
        if title is not None and title.css_first(".g-hdn") is not None:  # "Details about  " prefix
            title_text = title_text.removeprefix(node_text(title.css_first(".g-hdn"))).strip()
        specifics = item_specifics(page)
        brand = next((v for k, v in specifics.items() if k in _BRAND_LABELS and v), None)
        m = re.search(r"/itm/(?:[^/?#]+/)?(\d{9,15})", page.url or "")
        price = next((t for sel in _PRICE if (t := node_text(tree.css_first(sel)))), None)
        images = [
            _full_size(u)
            for node in tree.css("#icImg, .ux-image-carousel-item img, #vi_main_img_fs img")
            if (u := node.attributes.get("data-zoom-src") or img_url(node)) and not u.startswith("data:")
        ]
        dollar = re.match(r"\s*([A-Z]{1,2})\s?\$", price or "")  # "US $179.99", "AU $20", "C $15"
        currency = _DOLLARS.get(dollar.group(1)) if dollar else None
        return self.merged(brief, page, images=images, title=clean_text(title_text), brand=brand,
                           sku=m.group(1) if m else None, price=price, currency=currency)  # fmt: skip
