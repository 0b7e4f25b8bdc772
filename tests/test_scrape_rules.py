"""The general rules behind price, SKU, availability and brand, each on a small page of its own."""

from __future__ import annotations

import pytest

from linkreel.scrape.availability import text_availability
from linkreel.scrape.generic import extract
from linkreel.scrape.sku import labelled_sku, url_sku

URL = "https://shop.example/p/lamp"


def page(head: str = "", body: str = "") -> str:
    return f"<html><head><title>Desk Lamp</title>{head}</head><body><h1>Desk Lamp</h1>{body}</body></html>"


def offer(price: str, availability: str = "InStock", sku: str | None = None) -> str:
    extra = f', "sku": "{sku}"' if sku else ""
    return ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Product", '
            f'"name": "Desk Lamp"{extra}, "offers": {{"@type": "Offer", "price": "{price}", '
            f'"priceCurrency": "EUR", "availability": "https://schema.org/{availability}"}}}}</script>')  # fmt: skip


# --------------------------------------------------------------------------- price


def test_sale_price_shown_beats_the_regular_price_in_markup() -> None:
    html = page(offer("219.99"), '<div class="price-box"><span class="price old-price">EUR219.99</span>'
                '<span class="badge">-50%</span><span class="price current-price">EUR110.00</span></div>')  # fmt: skip
    assert extract(html, URL).price == "110"


def test_markup_price_stands_when_the_page_shows_it_as_the_price() -> None:
    html = page(offer("49.90"), '<span class="price">€ 49,90</span><span class="price-per-unit">€ 9,98 / kg</span>')
    assert extract(html, URL).price == "49.90"


def test_auction_current_bid_beats_the_starting_price() -> None:
    html = page(offer("150"), '<div class="bidding"><div class="status"><span class="price">$200</span>'
                '<span class="count">2 bids</span></div><span>Starting Price $150</span></div>')  # fmt: skip
    assert extract(html, URL).price == "200"


# --------------------------------------------------------------------------- SKU


@pytest.mark.parametrize(
    ("text", "sku"),
    [
        ("Product code: 287807 Video", "287807"),
        ("PRODUCT SPECIFICATION Product Code - 39139301 Brand - GANT", "39139301"),
        ("Umstandskleid Bestellnummer 106606 Was für ein", "106606"),
        ("Артикул: AB-1234 Цвет", "AB-1234"),
        ("商品編號：M67296549 規格", "M67296549"),
        ("Référence : 12-ABC-9 Livraison", "12-ABC-9"),
        ("Reference our guide to find the model", None),  # a word, not a code
        ("Model: XR-200", None),  # a model number is not the shop's SKU
    ],
)
def test_labelled_sku(text: str, sku: str | None) -> None:
    assert labelled_sku(text) == sku


@pytest.mark.parametrize(
    ("url", "sku"),
    [
        ("https://www.ebay.ie/itm/223820586800", "223820586800"),
        ("https://www.gomaji.com/store/122725?pid=260591", "260591"),
        ("https://dom.1k.by/kitchen/taller/TalleR_TR_1047-1609583.html", "1609583"),
        ("https://www.pcstore.com.tw/pchome24h/M67296549.htm?pc=promo", "M67296549"),
        ("https://shop.example/products/blue-lamp", None),
    ],
)
def test_url_sku(url: str, sku: str | None) -> None:
    assert url_sku(url) == sku


def test_visible_code_beats_a_hidden_structured_id() -> None:
    shown = page(offer("10", sku="10206131"), "<p>Product code: 287807</p>")
    assert extract(shown, URL).sku == "287807"
    both_shown = page(offer("10", sku="10206131"), "<p>Product code: 287807</p><p>Ref 10206131</p>")
    assert extract(both_shown, URL).sku == "10206131"  # the shop prints its own id too: trust the markup
    assert extract(page(offer("10")), "https://shop.example/p/lamp-8815952953").sku == "8815952953"


# --------------------------------------------------------------------------- availability


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("Actuellement indisponible.", "OutOfStock"),
        ("Nicht lieferbar", "OutOfStock"),
        ("在庫切れ", "OutOfStock"),
        ("немає в наявності", "OutOfStock"),
        ("Disponibile presso questi venditori.", "InStock"),
        ("Auf Lager, Lieferung in 2 Tagen", "InStock"),
        ("Free delivery", None),
    ],
)
def test_text_availability(text: str, state: str | None) -> None:
    assert text_availability(text) == state


def test_live_buy_button_beats_out_of_stock_markup() -> None:
    html = page(offer("10", "OutOfStock"), '<form><button id="add-to-basket-button">Add to your basket</button></form>')
    assert extract(html, URL).availability == "InStock"
    recommended = page(offer("10", "OutOfStock"),
                       '<div class="product-card"><button>Add to basket</button></div>')  # fmt: skip
    assert extract(recommended, URL).availability == "OutOfStock"  # another product's button


def test_disabled_buy_button_means_out_of_stock_unless_a_size_is_to_be_chosen() -> None:
    button = '<button name="addToBasket" disabled>Do košíka</button>'
    assert extract(page(offer("10"), button), URL).availability == "OutOfStock"
    picker = '<select name="size"><option>S</option><option>M</option></select>'
    assert extract(page(offer("10"), picker + button), URL).availability == "InStock"


def test_availability_line_when_markup_is_silent() -> None:
    html = page(body='<span class="price">€ 12,00</span><p class="availability">Nicht lieferbar</p>')
    assert extract(html, URL).availability == "OutOfStock"
    hidden = page(body='<span class="price">€ 12,00</span><div class="popup back-in-stock">Ausverkauft</div>'
                       '<button class="btn add-to-cart">In den Warenkorb</button>')  # fmt: skip
    assert extract(hidden, URL).availability == "InStock"


# --------------------------------------------------------------------------- brand


@pytest.mark.parametrize(
    "table",
    [
        "<table><tr><td>Kaubamärk</td><td>Bosch</td></tr></table>",
        '<p class="attrgroup"><span>make / manufacturer: <b>Bosch</b></span></p>',
        '<ul><li><span class="bold">Manufacturer : </span><span>Bosch</span></li></ul>',
        "<dl><dt>Marke</dt><dd>Bosch</dd></dl>",
    ],
)
def test_brand_from_a_labelled_value(table: str) -> None:
    assert extract(page(body=table), URL).brand == "Bosch"


def test_brand_label_in_running_text_is_not_a_brand() -> None:
    html = page(body="<p>Brand new condition, barely used, comes with the original box and charger.</p>")
    assert extract(html, URL).brand is None


def test_label_words_in_sentences_are_not_labels() -> None:
    html = page(body="<ul><li>Make it yours today</li><li>Brand</li><li>Marke</li></ul>")
    assert extract(html, URL).brand is None
