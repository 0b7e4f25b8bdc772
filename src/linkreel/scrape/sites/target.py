"""Target items (/p/<slug>/-/A-<tcin>): the TCIN is the SKU; `data-test` attributes name the parts.

Target's product pages mark their parts with `data-test` attributes (`product-title`,
`product-price`, gallery items, shipping/pickup buttons) that its own UI tests use; written from
memory of those pages, not verified against a saved one: checked on a fixture (tests/pages/) only.
"""

from __future__ import annotations

import re

from linkreel.scrape.brief import Brief
from linkreel.scrape.generic import Page, img_url, node_text
from linkreel.scrape.sites import SiteExtractor, register


@register
class Target(SiteExtractor):
    name = "target"
    patterns = (r"^https?://(?:www\.)?target\.com/p/",)

    def refine(self, brief: Brief, page: Page) -> Brief:
        tree = page.tree
        m = re.search(r"/A-(\d{6,10})", page.url or "")
        images = [img_url(n) for n in tree.css('[data-test="image-gallery-item"] img, [data-test*="gallery"] img')]
        out_of_stock = tree.css_first('[data-test="soldOutBlock"], [data-test="outOfStockMessage"]')
        buy = tree.css_first(
            '[data-test="shippingButton"], [data-test="orderPickupButton"], [data-test="addToCartButton"]'
        )
        return self.merged(
            brief,
            page,
            images=[u for u in images if u],
            title=node_text(tree.css_first('[data-test="product-title"]')),
            price=node_text(tree.css_first('[data-test="product-price"]')) or None,
            currency="USD",  # target.com sells in the US only
            sku=m.group(1) if m else None,
            availability="OutOfStock" if out_of_stock is not None else ("InStock" if buy is not None else None),
        )
