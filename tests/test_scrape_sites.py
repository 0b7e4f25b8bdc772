"""Site extractors: the registry picks them by URL, and each reads its shop's markup — on saved
real pages where we have them (the dev set: Amazon, eBay, IKEA, Zalando) and on fixtures built
from the shop's markup otherwise (tests/pages/README.md)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from linkreel.scrape.sites import GenericExtractor, extractor_for, site_extractors

PAGES = Path(__file__).parent / "pages"
DEV_PAGES = Path("/work/shared/pages/dev")

FIXTURES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "ebay-2023": ("ebay", "https://www.ebay.com/itm/285012345678", {
        "title": "Sony WH-1000XM4 Wireless Headphones Black", "price": "179.99", "currency": "USD",
        "brand": "Sony", "sku": "285012345678", "availability": "InStock",
        "image0": "https://i.ebayimg.com/images/g/AbCAAOSwx1/s-l1600.jpg"}),
    "etsy": ("etsy", "https://www.etsy.com/uk/listing/1234567890/handmade-ceramic-mug", {
        "title": "Handmade Ceramic Mug, Speckled Blue", "price": "26", "currency": "GBP", "sku": "1234567890",
        "brand": "ClayCornerStudio", "image0": "https://i.etsystatic.com/123/r/il/abc/111/il_fullxfull.111.jpg"}),
    "shopify": ("shopify", "https://haus-linde.de/products/leinen-kissenbezug", {
        "title": "Leinen-Kissenbezug", "price": "34.90", "currency": "EUR", "sku": "HL-KB-SAND",
        "brand": "Haus Linde", "availability": "InStock",
        "image0": "https://cdn.shopify.com/s/files/1/0001/products/kissen-sand.jpg?v=1"}),
    "aliexpress": ("aliexpress", "https://www.aliexpress.com/item/1005001234567890.html", {
        "title": "USB C Cable 3A Fast Charging Braided 2m", "price": "2.35", "currency": "USD",
        "sku": "1005001234567890", "availability": "InStock", "rating": 4.8,
        "image0": "https://ae01.alicdn.com/kf/Habc123.jpg"}),
    "walmart": ("walmart", "https://www.walmart.com/ip/Mainstays-Coffee-Maker/55126783", {
        "title": "Mainstays 12-Cup Coffee Maker, Black", "price": "19.88", "currency": "USD", "sku": "55126783",
        "brand": "Mainstays", "availability": "InStock", "description": "Brews 12 cups with pause and serve.",
        "image0": "https://i5.walmartimages.com/asr/aaa.jpeg"}),
    "target": ("target", "https://www.target.com/p/stoneware-dinner-plate/-/A-81234567", {
        "title": "Stoneware Dinner Plate 10.5\" - Threshold\u2122", "price": "6", "currency": "USD",
        "sku": "81234567", "availability": "InStock"}),
    "mercadolibre": ("mercadolibre", "https://articulo.mercadolibre.com.ar/MLA-1398765432-auriculares", {
        "title": "Auriculares Inalámbricos Bluetooth 5.3 Con Estuche", "price": "12499.90", "currency": "ARS",
        "sku": "MLA1398765432", "availability": "InStock",
        "image0": "https://http2.mlstatic.com/D_NQ_NP_2X_111-F.webp"}),
    "rakuten": ("rakuten", "https://item.rakuten.co.jp/dashi/konbu-100/", {
        "title": "北海道産 日高昆布 100g 送料無料", "price": "1280", "currency": "JPY", "sku": "konbu-100",
        "image0": "https://thumbnail.image.rakuten.co.jp/@0_mall/dashi/cabinet/konbu01.jpg"}),
}  # fmt: skip


@pytest.mark.parametrize("fixture", sorted(FIXTURES))
def test_site_fixture(fixture: str) -> None:
    name, url, expected = FIXTURES[fixture]
    extractor = extractor_for(url)
    assert extractor.name == name
    brief = extractor.extract((PAGES / f"{fixture}.html").read_text(encoding="utf-8"), url)
    got = brief.model_dump()
    if brief.images:
        got["image0"] = brief.images[0].url
    for key, value in expected.items():
        assert got.get(key) == value, f"{fixture}: {key} = {got.get(key)!r}, expected {value!r}"


def test_every_fixture_beats_the_generic_extractor_somewhere() -> None:
    """Each site class earns its place: on its page, it gets a field the generic extractor misses."""
    for fixture, (_, url, expected) in FIXTURES.items():
        html = (PAGES / f"{fixture}.html").read_text(encoding="utf-8")
        site, generic = extractor_for(url).extract(html, url), GenericExtractor().extract(html, url)
        fields = [k for k in expected if k != "image0"]
        better = [k for k in fields if getattr(site, k) == expected[k] != getattr(generic, k)]
        if "image0" in expected and site.images and (not generic.images or generic.images[0].url != expected["image0"]):
            better.append("image0")
        assert better, f"{fixture}: the generic extractor already gets everything"


def test_registry_routes_by_url() -> None:
    names = {cls.name for cls in site_extractors()}
    assert {"amazon", "ebay", "etsy", "shopify", "aliexpress", "walmart", "target", "ikea", "zalando",
            "mercadolibre", "rakuten"} <= names  # fmt: skip
    assert extractor_for("https://www.ebay.de/itm/123456789012").name == "ebay"
    assert extractor_for("https://www.ikea.com/de/de/p/billy-regal-weiss-00263850/").name == "ikea"
    assert extractor_for("https://www.zalando.de/esprit-chinos-camel-es122e05o-b11.html").name == "zalando"
    assert extractor_for("https://shop.example/cart").name == "generic"
    assert extractor_for(None).name == "generic"


def test_shopify_class_leaves_other_shops_alone() -> None:
    """/products/ URLs are common; without Shopify's markers the generic result stands."""
    html = '<html><head><meta property="og:title" content="Book"></head><body><h1>Book</h1></body></html>'
    url = "https://books.example/products/123/book"
    assert extractor_for(url).extract(html, url) == GenericExtractor().extract(html, url)


# --------------------------------------------------------------------------- saved real pages

REAL = {  # dev-set key -> fields the site class must get (ground truth, or read off the page)
    "361022ee4199f02c": {"sku": "123808916008", "brand": "Unbranded", "price": "11.19"},  # eBay 2020
    "5cea6e89b1694a96": {"sku": "114532738197", "brand": "BMW", "price": "5100"},
    "0666abebc0d5f964": {"sku": "002.937.72", "brand": "IKEA", "price": "450"},  # IKEA
    "6d4840415e8bab0c": {"sku": "804.023.81", "brand": "IKEA", "price": "50"},
    "fed7b69722e04f4a": {"sku": "ES122E05O-B11", "brand": "Esprit", "price": "39.30"},  # Zalando
    "4ff590718c188a4d": {"sku": "B00P17Y73I", "availability": "OutOfStock", "price": None},  # Amazon, unavailable
    "b03d8c978c416ec5": {"sku": "B081ZQK4BZ", "price": "9.49"},  # Amazon, music format table
}


@pytest.mark.parametrize("key", sorted(REAL))
def test_site_class_on_saved_real_page(key: str) -> None:
    if not (DEV_PAGES / "ground-truth.json").is_file():
        pytest.skip("shared dev pages not available")
    url = json.loads((DEV_PAGES / "ground-truth.json").read_text())[key]["url"]
    html = gzip.decompress((DEV_PAGES / f"{key}.html.gz").read_bytes()).decode("utf-8", "replace")
    extractor = extractor_for(url)
    assert extractor.name != "generic"
    brief = extractor.extract(html, url)
    for field, value in REAL[key].items():
        assert getattr(brief, field) == value, f"{key} ({extractor.name}): {field} = {getattr(brief, field)!r}"
    assert brief.images and all(i.url.startswith("https://") for i in brief.images)
