"""Rakuten Ichiba items (item.rakuten.co.jp/<shop>/<item code>/): shop item pages with little markup.

Markup (`span.item_name`, `.price2` / `[data-price]`, the item code in the URL and in
`input[name="item_id"]`, images on image.rakuten.co.jp / thumbnail.image.rakuten.co.jp with a
`_ex=128x128` size parameter) written from memory of Rakuten's public item pages, not verified
against a saved one: checked on a fixture (tests/pages/) only.
"""

from __future__ import annotations

import re

from linkreel.scrape.brief import Brief
from linkreel.scrape.generic import Page, img_url, node_text
from linkreel.scrape.sites import SiteExtractor, register


def _full_size(url: str) -> str:
    return re.sub(r"[?&]_ex=\d+x\d+", "", url)


@register
class Rakuten(SiteExtractor):
    name = "rakuten"
    patterns = (r"^https?://item\.rakuten\.co\.jp/[^/]+/[^/]+",)

    def refine(self, brief: Brief, page: Page) -> Brief:
        tree = page.tree
        m = re.search(r"item\.rakuten\.co\.jp/([^/]+)/([^/?#]+)", page.url or "")
        price_node = tree.css_first("[data-price], .price2, #priceCalculationConfig")
        price = None
        if price_node is not None:
            price = price_node.attributes.get("data-price") or node_text(price_node)
        images = [
            _full_size(u)
            for n in tree.css("img")
            if (u := img_url(n)) and "image.rakuten.co.jp" in u and "/cabinet/" in u
        ]
        return self.merged(
            brief,
            page,
            images=images[:8],
            title=node_text(tree.css_first("span.item_name, h1.item_name")),
            price=price,
            currency="JPY",
            sku=m.group(2) if m else None,
            site_name=m.group(1) if m else None,
        )
