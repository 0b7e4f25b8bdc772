"""AliExpress items (/item/<id>.html): the page's `window.runParams = {data: {...}}` state.

Module names (titleModule.subject, priceModule.formatedActivityPrice / minAmount, imageModule.
imagePathList, storeModule.storeName, quantityModule.totalAvailQuantity, actionModule.productId)
as open-source AliExpress scrapers read them (e.g. fadiuwk/aliExpressScrapper). AliExpress
answers scripted fetches with a captcha, so this is checked on a fixture (tests/pages/) only.
"""

from __future__ import annotations

import json
import re
from typing import Any

from linkreel.scrape.brief import Brief
from linkreel.scrape.embedded import MAX_JSON_CHARS, dig
from linkreel.scrape.generic import Page
from linkreel.scrape.sites import SiteExtractor, register


def run_params(html: str) -> dict[str, Any] | None:
    """`data` of `window.runParams = {data: {...}, ...}` (the outer object is JavaScript, not JSON)."""
    start = html.find("runParams")
    m = re.compile(r"\bdata\s*:\s*(?=\{)").search(html, start) if start >= 0 else None
    if m is None or m.start() - start > 2000:
        return None
    try:
        data, _ = json.JSONDecoder().raw_decode(html[m.end() : m.end() + MAX_JSON_CHARS])
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


@register
class AliExpress(SiteExtractor):
    name = "aliexpress"
    patterns = (r"^https?://(?:[a-z]{2,3}\.)?aliexpress\.(?:com|us|ru)/item/",)

    def refine(self, brief: Brief, page: Page) -> Brief:
        data = run_params(page.html)
        if data is None:
            return brief
        price = dig(data, "priceModule", "minActivityAmount", "value") or dig(data, "priceModule", "minAmount", "value")
        currency = dig(data, "priceModule", "minAmount", "currency") or dig(data, "webEnv", "currency")
        quantity = dig(data, "quantityModule", "totalAvailQuantity")
        rating = dig(data, "titleModule", "feedbackRating", "averageStar")
        return self.merged(
            brief,
            page,
            images=dig(data, "imageModule", "imagePathList") or [],
            title=dig(data, "titleModule", "subject"),
            price=price if price is not None else dig(data, "priceModule", "formatedActivityPrice"),
            currency=currency,
            sku=str(dig(data, "actionModule", "productId") or "") or None,
            brand=dig(data, "storeModule", "storeName"),
            availability=None if quantity is None else ("InStock" if quantity > 0 else "OutOfStock"),
            rating=float(rating) if isinstance(rating, int | float | str) and str(rating)[:1].isdigit() else None,
        )
