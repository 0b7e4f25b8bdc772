"""Whether the product can be bought, from what the page shows, in the languages we serve.

Structured data says InStock or OutOfStock; the page says it too, and shops forget to update
one of them. What the shopper sees decides:

* a live buy button ("Add to basket", "In den Warenkorb", "カートに入れる") on the product, not
  on a recommended product's tile, means it can be bought, whatever the markup claims;
* a buy button rendered disabled, on a page with no size or colour to choose first, means it
  cannot (buttons that wait for a size choice are disabled too, so pickers veto the rule);
* an availability line ("Nicht lieferbar", "Actuellement indisponible", "在庫切れ") is read
  with the phrases below when the markup says nothing.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from linkreel.scrape.generic import Page, in_page_chrome, node_text

# Out-of-stock phrases are tried first: many contain an in-stock phrase ("indisponible").
_OUT = (
    "out of stock", "sold out", "currently unavailable", "not available", "unavailable", "no longer available",
    "ausverkauft", "nicht verfügbar", "nicht lieferbar", "nicht auf lager", "vergriffen", "épuisé", "indisponible",
    "rupture de stock", "agotado", "sin stock", "no disponible", "esgotado", "indisponível", "sem estoque",
    "esaurito", "non disponibile", "uitverkocht", "niet op voorraad", "niet leverbaar", "slutsåld",
    "ej i lager", "utsolgt", "ikke på lager", "udsolgt", "loppuunmyyty", "ei varastossa", "niedostępny",
    "brak w magazynie", "wyprzedany", "vyprodáno", "není skladem", "vypredané", "nie je skladom",
    "elfogyott", "nincs raktáron", "stoc epuizat", "indisponibil", "tükendi", "stokta yok", "нет в наличии",
    "распродано", "немає в наявності", "εξαντλήθηκε", "μη διαθέσιμο", "在庫切れ", "売り切れ", "品切れ",
    "缺货", "售完", "无货", "無庫存", "품절", "재고 없음", "hết hàng", "สินค้าหมด", "stok habis",
    "غير متوفر", "نفذت الكمية", "אזל מהמלאי", "स्टॉक में नहीं",
)  # fmt: skip
_IN = (
    "in stock", "available", "auf lager", "lieferbar", "sofort verfügbar", "en stock", "disponible",
    "en existencia", "disponibile", "in magazzino", "op voorraad", "em estoque", "disponível", "i lager",
    "på lager", "varastossa", "dostępny", "w magazynie", "skladem", "na sklade", "raktáron", "în stoc",
    "stokta", "в наличии", "є в наявності", "διαθέσιμο", "在庫あり", "有货", "有現貨", "재고 있음",
    "còn hàng", "มีสินค้า", "tersedia", "متوفر", "במלאי", "स्टॉक में",
)  # fmt: skip
_BUY_TEXT = re.compile(
    r"add to (cart|basket|bag|trolley)|add to your (basket|bag|cart)|buy now|buy it now|in den warenkorb|"
    r"ajouter au panier|añadir al carrito|añadir a la cesta|agregar al carrito|aggiungi al carrello|"
    r"in winkelwagen|adicionar ao carrinho|do koszyka|do košíka|do košíku|kosárba|sepete ekle|в корзину|"
    r"у кошик|カートに入れる|加入购物车|加入購物車|장바구니 담기|lägg i varukorg|læg i kurv|legg i handlekurv|"
    r"lisää ostoskoriin|thêm vào giỏ|أضف إلى السلة|הוסף לסל|masukkan keranjang|ใส่ตะกร้า",
    re.I,
)
_BUY_ATTR = re.compile(r"add[-_ ]?to[-_ ]?(cart|basket|bag|trolley)|addtocart|buy[-_]?now|btn[-_]cart", re.I)
_TILE = re.compile(r"product[-_]?(card|tile|item|list)|tile|carousel|recommend|similar|related|upsell", re.I)
_PICKER = re.compile(
    r"size|variant|option|swatch|colou?r|taille|größe|groesse|talla|taglia|tamanho|rozmiar|maat|storlek|"
    r"velikost|méret|beden|размер|サイズ|尺码|尺寸",
    re.I,
)
_AVAILABILITY_ATTR = re.compile(r"availab|stock|lager|dispon|delivery-status", re.I)
# Messages kept in the page for later ("notify me when back in stock" pop-ups), not shown now.
_HIDDEN = re.compile(r"popup|dialog|modal|layer|overlay|notify|back-?in-?stock|hidden|template", re.I)


def text_availability(text: str) -> str | None:
    lowered = " ".join(text.lower().split())
    if any(p in lowered for p in _OUT):
        return "OutOfStock"
    if any(p in lowered for p in _IN):
        return "InStock"
    return None


def _attrs(node: LexborNode) -> str:
    a = node.attributes
    keys = ("id", "class", "name", "data-test", "data-testid", "data-cy", "value")
    return " ".join(a.get(k) or "" for k in keys)


def _in_tile(node: LexborNode, levels: int = 8) -> bool:
    parent = node.parent
    for _ in range(levels):
        if parent is None or parent.tag in ("body", "main"):
            return False
        if _TILE.search(f"{parent.attributes.get('class') or ''} {parent.attributes.get('id') or ''}"):
            return True
        parent = parent.parent
    return False


def _in_layout(node: LexborNode) -> bool:
    """Inside the site's header, footer, navigation or a sidebar (the mini-cart's button lives there)."""
    parent = node.parent
    while parent is not None and parent.tag not in ("body", "html"):
        if parent.tag in ("header", "footer", "nav", "aside") or parent.attributes.get("role") in (
            "navigation",
            "banner",
            "contentinfo",
            "dialog",
        ):
            return True
        parent = parent.parent
    return False


def buy_buttons(page: Page) -> list[LexborNode]:
    """The product's own buy buttons: not in navigation, the mini-cart or a recommended tile."""
    found = []
    for node in page.tree.css("button, input[type=submit], input[type=button], a[role=button]"):
        label = node_text(node) or node.attributes.get("value") or ""
        if len(label) > 60 or not (_BUY_TEXT.search(label) or _BUY_ATTR.search(_attrs(node))):
            continue
        if _in_layout(node) or _in_tile(node):
            continue
        found.append(node)
    return found


def _disabled(node: LexborNode) -> bool:
    a = node.attributes
    return "disabled" in a or (a.get("aria-disabled") or "").lower() == "true"


def _has_picker(page: Page) -> bool:
    for node in page.tree.css("select, input[type=radio]"):
        if _PICKER.search(_attrs(node)) and not in_page_chrome(node):
            return True
    return False


def _availability_line(page: Page) -> str | None:
    for node in page.tree.css("[class], [id]"):
        a = node.attributes
        attrs = f"{a.get('class') or ''} {a.get('id') or ''}"
        if not _AVAILABILITY_ATTR.search(attrs) or _HIDDEN.search(attrs):
            continue
        text = node_text(node)
        if 3 <= len(text) <= 160 and not in_page_chrome(node):
            found = text_availability(text)
            if found:
                return found
    return None


def page_availability(page: Page, structured: str | None) -> str | None:
    """The availability to report, given what structured data said (None when it said nothing)."""
    buttons = buy_buttons(page)
    live = any(not _disabled(b) for b in buttons)
    dead = bool(buttons) and not live and not _has_picker(page)
    if structured in ("OutOfStock", "SoldOut", "Discontinued") and live:
        return "InStock"
    if structured == "InStock" and dead:
        return "OutOfStock"
    if structured:
        return structured
    if live:
        return "InStock"
    return _availability_line(page) or ("OutOfStock" if dead else None)
