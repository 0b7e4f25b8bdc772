"""Walmart items (/ip/<slug>/<id>): Next.js state in `<script id="__NEXT_DATA__">`.

Path props.pageProps.initialData.data.product (name, brand, usItemId, priceInfo.currentPrice,
imageInfo.allImages, availabilityStatus, shortDescription), as open-source Walmart scrapers read
it (e.g. itsneeku/Nookies-Pings for walmart.ca). Checked on a fixture (tests/pages/) only.
"""

from __future__ import annotations

from linkreel.scrape.brief import Brief
from linkreel.scrape.embedded import dig, script_json
from linkreel.scrape.generic import Page
from linkreel.scrape.sites import SiteExtractor, register

_STATUS = {"IN_STOCK": "InStock", "OUT_OF_STOCK": "OutOfStock", "LIMITED_STOCK": "LimitedAvailability"}


@register
class Walmart(SiteExtractor):
    name = "walmart"
    patterns = (r"^https?://(?:www\.)?walmart\.(?:com|ca|com\.mx)/(?:[a-z]{2}/)?ip/",)

    def refine(self, brief: Brief, page: Page) -> Brief:
        product = dig(script_json(page.html, "__NEXT_DATA__"), "props", "pageProps", "initialData", "data", "product")
        if not isinstance(product, dict):
            return brief
        current = dig(product, "priceInfo", "currentPrice") or {}
        status = dig(product, "availabilityStatus")
        return self.merged(
            brief,
            page,
            images=[dig(i, "url") for i in dig(product, "imageInfo", "allImages") or []],
            title=product.get("name"),
            brand=product.get("brand"),
            sku=str(product.get("usItemId") or "") or None,
            price=current.get("price") if current.get("price") is not None else current.get("priceString"),
            currency=current.get("currencyUnit"),
            availability=_STATUS.get(str(status).upper()) if status else None,
            description=product.get("shortDescription"),
        )
