"""Shopify stores (any domain, /products/<handle>): the theme's product JSON.

Shopify themes embed the product as JSON for their own scripts: `<script type="application/json"
data-product-json>` or `id="ProductJson-…"` (Liquid's `product | json`: title, vendor, prices in
cents, images, variants with sku and `available`), and `var meta = {"product": …}` for
ShopifyAnalytics. Field names from Shopify's documented Liquid `product` object and Ajax
`/products/<handle>.js` API. Checked on a fixture (tests/pages/), not on a saved live store.
"""

from __future__ import annotations

import json
import re
from typing import Any

from linkreel.scrape.brief import Brief
from linkreel.scrape.embedded import assigned_json, dig
from linkreel.scrape.generic import Page
from linkreel.scrape.sites import SiteExtractor, register

_PRODUCT_JSON = re.compile(
    r"<script\b[^>]*(?:data-product-json|id=[\"']ProductJson[^\"']*[\"'])[^>]*>(.*?)</script>", re.I | re.S
)


def product_json(html: str) -> dict[str, Any] | None:
    for m in _PRODUCT_JSON.finditer(html):
        try:
            data = json.loads(m.group(1))
        except (ValueError, RecursionError):
            continue
        data = data.get("product", data) if isinstance(data, dict) else None
        if isinstance(data, dict) and data.get("title"):
            return data
    return None


def _cents(value: Any) -> str | None:
    # Liquid's JSON gives integer cents; the Ajax API too. A string with a dot is already units.
    if isinstance(value, int):
        return f"{value / 100:.2f}"
    return str(value) if value not in (None, "") else None


@register
class Shopify(SiteExtractor):
    name = "shopify"
    patterns = (r"^https?://[^/]+/(?:[a-z]{2}(?:-[a-z]{2})?/)?(?:collections/[^/]+/)?products/[^/?#]+",)

    def refine(self, brief: Brief, page: Page) -> Brief:
        html = page.html
        if "cdn.shopify.com" not in html and "Shopify.shop" not in html and "ShopifyAnalytics" not in html:
            return brief  # another shop that happens to use /products/ URLs
        product = product_json(html)
        meta = dig(assigned_json(html, "var meta"), "product")
        variants = (product or {}).get("variants") or (meta or {}).get("variants") or []
        first = variants[0] if variants and isinstance(variants[0], dict) else {}
        currency = dig(assigned_json(html, "Shopify.currency"), "active") or page.first_meta(
            "og:price:currency", "product:price:currency"
        )
        available = None
        if variants:
            available = "InStock" if any(v.get("available") for v in variants if isinstance(v, dict)) else None
            if available is None and all("available" in v for v in variants if isinstance(v, dict)):
                available = "OutOfStock"
        images = [i if isinstance(i, str) else dig(i, "src") for i in (product or {}).get("images") or []]
        return self.merged(
            brief,
            page,
            images=[i for i in images if i],
            title=(product or {}).get("title"),
            brand=(product or {}).get("vendor") or (meta or {}).get("vendor"),
            sku=first.get("sku") or None,
            price=_cents(first.get("price", (product or {}).get("price"))),
            currency=currency,
            availability=available,
        )
