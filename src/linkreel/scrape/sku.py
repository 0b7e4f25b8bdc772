"""The product's SKU: the identifier the shop uses for it, found where the shop puts it.

In order: the SKU the page shows under a label ("Product code: 287807", "Bestellnummer 106606",
"Артикул: 123") when structured data gives one that the shopper never sees (shops put internal
variant ids there); structured data (sku, productID, GTINs, MPN); `product:retailer_item_id` and
`data-sku` attributes; and last the long number in the page's own address ("/itm/123808916008",
"?pid=260591"), which is how classifieds and marketplaces name an item.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from linkreel.scrape.generic import Page, StructuredData, clean_text

STRUCTURED_KEYS = ("sku", "productID", "gtin13", "gtin", "gtin14", "gtin12", "gtin8", "mpn")
_PREFIX = re.compile(r"^(?:sku|isbn|mpn|gtin\d*|ean|upc)\s*[:#]\s*", re.I)

# Labels shops print before the product's code, in the languages we serve. Not "Model": a model
# number is part of the product's name, not the shop's identifier for it.
_LABELS = (
    r"sku|product\s+(?:code|no\.?|number|id)|item\s+(?:code|no\.?|number|id|#)|article\s+(?:no\.?|number|code)|"
    r"style\s+(?:no\.?|number|code)|post\s+id|listing\s+id|ad\s+(?:id|no\.?)|"
    r"art\.?\s*-?\s*nr\.?|artikel\s*-?\s*(?:nr\.?|nummer)|artikelnummer|bestellnummer|best\.?\s*-?\s*nr\.?|"
    r"anzeige(?:nnummer)?|produktnummer|varenummer|varenr\.?|tuotenumero|artikelnr\.?|"
    r"r[ée]f[ée]rence|r[ée]f\.|code\s+article|n°\s+d'article|c[óo]digo(?:\s+(?:de\s+)?(?:producto|produto|art[íi]culo))?|"
    r"referencia|ref\.|codice(?:\s+(?:articolo|prodotto))?|cod\.|"
    r"kod\s+produktu|numer\s+katalogowy|k[óo]d\s+produktu|katalogové\s+číslo|cikkszám|termékkód|"
    r"ürün\s+kodu|stok\s+kodu|артикул|код\s+товара|код|"
    r"商品編號|商品编号|商品番号|商品コード|品番|货号|상품\s*번호|상품코드|รหัสสินค้า|mã\s+sản\s+phẩm|"
    r"رمز\s+المنتج|מק\"ט|kode\s+produk|sku\s+no\.?"
)
_LABELLED = re.compile(rf"(?<![\w-])(?:{_LABELS})\s*(?:[:#：]|-(?=\s))?\s*([A-Za-z0-9][A-Za-z0-9./_-]{{2,30}})", re.I)
_URL_QUERY_KEYS = {"pid", "sku", "itemid", "item_id", "productid", "product_id", "id", "item", "skuid"}
_URL_ID = re.compile(r"^[A-Za-z]?\d{6,}$")


def _plain(value: str) -> str:
    return re.sub(r"[^0-9a-z]", "", value.lower())


def _is_code(value: str) -> bool:
    return bool(re.search(r"\d", value)) and 3 <= len(value) <= 40


def structured_sku(sd: StructuredData, datas: list[dict[str, Any]]) -> str | None:
    for key in STRUCTURED_KEYS:
        for data in datas:
            value = clean_text(sd.get(data, key))
            if value:
                return _PREFIX.sub("", value).strip() or None
    return None


def labelled_sku(text: str) -> str | None:
    """The first code printed under an SKU-like label in the page's text."""
    for m in _LABELLED.finditer(text):
        value = m.group(1).rstrip("./-_")
        if _is_code(value):
            return value
    return None


def _attribute_sku(page: Page) -> str | None:
    value = page.first_meta("product:retailer_item_id", "product:sku", "og:product_id")
    if value and _is_code(value):
        return value
    for node in page.tree.css("[data-sku], [data-product-sku]"):
        value = (node.attributes.get("data-sku") or node.attributes.get("data-product-sku") or "").strip()
        if _is_code(value) and " " not in value:
            return value
    return None


def url_sku(url: str | None) -> str | None:
    """The item number in a product URL: `?pid=260591`, `/itm/123808916008`, `…-1609583.html`."""
    if not url:
        return None
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query):
        if key.lower() in _URL_QUERY_KEYS and _URL_ID.match(value):
            return value
    segments = [s for s in parts.path.split("/") if s]
    for segment in reversed(segments[-2:]):
        stem = re.sub(r"\.\w{2,5}$", "", segment)
        for token in reversed(re.split(r"[-_.,]", stem)):
            if _URL_ID.match(token):
                return token
    return None


def find_sku(page: Page, sd: StructuredData, datas: list[dict[str, Any]]) -> str | None:
    structured = structured_sku(sd, datas)
    text = page.text
    labelled = labelled_sku(text)
    if structured and labelled and _plain(structured) != _plain(labelled):
        # Structured ids the shopper never sees are often internal (a variant's id); the code
        # printed on the page is the one people search for.
        return structured if _plain(structured) in _plain(text) else labelled
    return structured or labelled or _attribute_sku(page) or url_sku(page.url)
