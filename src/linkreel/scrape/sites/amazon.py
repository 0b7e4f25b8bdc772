"""Amazon product pages: no schema.org data at all, but stable element ids."""

from __future__ import annotations

import re

from price_parser import Price

from linkreel.scrape.availability import text_availability
from linkreel.scrape.brief import Brief, ProductImage
from linkreel.scrape.generic import (
    Page,
    clean_text,
    currency_code,
    format_price,
    img_url,
    node_text,
    shorten,
    to_decimal,
)
from linkreel.scrape.sites import SiteExtractor, register

_PRICE_SELECTORS = (
    "#corePrice_feature_div .a-offscreen",
    "#corePriceDisplay_desktop_feature_div .a-offscreen",
    "#priceblock_dealprice",
    "#priceblock_ourprice",
    "#price_inside_buybox",
    "#newBuyBoxPrice",
    "#kindle-price",
    "#apex_desktop .a-price .a-offscreen",
    # books, music, films: the selected format's price in the format table
    "#tmmSwatches .swatchElement.selected .a-color-price",
    "#twister .dp-price-col .a-color-price",
)
# "Brand: X", "Marque : X", "Visit the X Store", "Besuchen Sie den X-Store", "Visita lo Store di X"
_BYLINE = (
    re.compile(r"^[^:]{2,20}:\s*(.+)$"),
    re.compile(r"^Visit the (.+?) Store$", re.I),
    re.compile(r"^Besuchen Sie den (.+?)-Store$", re.I),
    re.compile(r"^Visitez la boutique (.+)$", re.I),
    re.compile(r"^Visita lo Store di (.+)$", re.I),
    re.compile(r"^Visita la tienda de (.+)$", re.I),
)
# Size/crop modifiers in image names: ".../I/41Qzh85s5+L._AC_US40_.jpg" -> ".../I/41Qzh85s5+L.jpg"
_IMAGE_MODIFIERS = re.compile(r"\._[^/]*?_(?=\.\w+$)")


def full_size(url: str) -> str:
    return _IMAGE_MODIFIERS.sub("", url)


@register
class Amazon(SiteExtractor):
    name = "amazon"
    patterns = (r"^https?://(?:www\.|smile\.)?amazon\.(?:com|ca|com\.mx|com\.br|co\.uk|de|fr|it|es|nl|se|pl|"
                r"com\.be|com\.tr|ae|sa|eg|in|co\.jp|com\.au|sg)/",)  # fmt: skip

    def refine(self, brief: Brief, page: Page) -> Brief:
        tree = page.tree
        update: dict[str, object] = {}

        title = node_text(tree.css_first("#productTitle"))
        if title:
            update["title"] = title

        asin = tree.css_first("input#ASIN")
        asin_value = asin.attributes.get("value") if asin is not None else None
        if not asin_value and page.url:
            m = re.search(r"/(?:dp|gp/product)/([A-Z0-9]{10})", page.url)
            asin_value = m.group(1) if m else None
        if asin_value:
            update["sku"] = asin_value

        byline = clean_text(node_text(tree.css_first("#bylineInfo")))
        for pattern in _BYLINE:
            m = pattern.match(byline)
            if m:
                update["brand"] = m.group(1).strip()
                break

        # Without a buy-box price Amazon sells nothing itself: other numbers on the page are
        # shipping, other sellers' offers or accessories, so no price beats a wrong one.
        update["price"] = update["currency"] = None
        texts = (node_text(node) for selector in _PRICE_SELECTORS for node in tree.css(selector))
        for text in texts:
            amount = to_decimal(text) if text else None
            if amount is not None:
                parsed = Price.fromstring(text)
                update["price"] = format_price(amount)
                update["currency"] = currency_code(parsed.currency or brief.currency, _country(page.url))
                break

        stated = text_availability(node_text(tree.css_first("#availability")))
        if tree.css_first("#add-to-cart-button, #buy-now-button") is not None:
            update["availability"] = "InStock"
        elif tree.css_first("#outOfStock") is not None:
            update["availability"] = "OutOfStock"
        elif stated:  # "Disponibile presso questi venditori": other sellers have it
            update["availability"] = stated

        bullets = [
            clean_text(node_text(li)) for li in tree.css("#feature-bullets li:not(#replacementPartsFitmentBullet)")
        ]
        bullets = [b for b in bullets if len(b) >= 8]
        if bullets:
            update["features"] = [shorten(b) for b in bullets[:6]]

        images: list[ProductImage] = []
        for node in tree.css("#landingImage, #imgBlkFront, #ebooksImgBlkFront, #altImages img"):
            url = img_url(node)
            if url and not url.startswith("data:"):
                absolute = page.absolute(full_size(url))
                if absolute and "/images/I/" in absolute and all(i.url != absolute for i in images):
                    images.append(ProductImage(url=absolute, source="gallery"))
        if images:
            seen = {i.url for i in images}
            rest = [i for i in brief.images if full_size(i.url) not in seen and "/images/I/" in i.url]
            update["images"] = images + rest[:4]
        return brief.model_copy(update=update)


def _country(url: str | None) -> str | None:
    m = re.search(r"amazon\.(?:com?\.)?([a-z]{2})/", url or "")
    return {"uk": "GB"}.get(m.group(1), m.group(1).upper()) if m else None
