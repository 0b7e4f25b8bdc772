"""Etsy listings (/listing/<id>/...): the listing id is the SKU; the buy box has the shown price.

Markup as Etsy's public listing pages carried it (JSON-LD Product with an AggregateOffer range,
`[data-buy-box-region="price"]` for the price shown, carousel images with `data-src-zoom-image`),
written from memory of those pages, not verified against a saved one: checked on a small
fixture (tests/pages/) only.
"""

from __future__ import annotations

import re

from linkreel.scrape.brief import Brief
from linkreel.scrape.generic import Page, node_text
from linkreel.scrape.sites import SiteExtractor, register


@register
class Etsy(SiteExtractor):
    name = "etsy"
    patterns = (r"^https?://(?:www\.)?etsy\.com/(?:[a-z]{2}(?:-[a-z]{2})?/)?listing/\d+",)

    def refine(self, brief: Brief, page: Page) -> Brief:
        tree = page.tree
        m = re.search(r"/listing/(\d+)", page.url or "")
        price = node_text(tree.css_first('[data-buy-box-region="price"] p, [data-selector="price-only"]'))
        images = [
            n.attributes.get("data-src-zoom-image") or n.attributes.get("src")
            for n in tree.css("[data-carousel-pane] img, ul.carousel-pane-list img, img.carousel-image")
        ]
        title = node_text(tree.css_first('h1[data-buy-box-listing-title="true"], h1'))
        shop = node_text(tree.css_first('[data-shop-name], a[href*="/shop/"] span'))
        return self.merged(brief, page, images=images, title=title, sku=m.group(1) if m else None,
                           price=price or None, brand=brief.brand or shop or None)  # fmt: skip
