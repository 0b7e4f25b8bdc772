"""When the price the page shows beats the one in its structured data.

Two cases where markup lags behind the page (Zyte's benchmark notes both as the main source of
price errors):

* a sale: the offer still carries the regular price, which the page shows crossed out or
  labelled "original", next to the lower current price;
* an auction: the offer carries the starting bid, the page shows the current bid next to the
  number of bids ("$200 · 2 bids", "12,50 € 3 Gebote").
"""

from __future__ import annotations

import re
from decimal import Decimal

from price_parser import Price

from linkreel.scrape.generic import _PRICE_ATTR, _PRICE_BAD, Extraction, _attrs_text, in_page_chrome, node_text

_BID_COUNT = re.compile(
    r"^\d[\d,.]*\s*(bids?|gebote?|enchères?|offerte|pujas?|ofertas?|biedingen|bud|bids placed|入札|出价|次出價|"
    r"ставок|ставки)$",
    re.I,
)
_BID_WORDS = re.compile(
    r"\d\s*(?:bids?|gebote?|enchères?|offerte|pujas?|ofertas?|biedingen|bud|入札|出价|出價|ставок|ставки)\b", re.I
)


def auction_price(ex: Extraction) -> tuple[Decimal, str | None] | None:
    """The current bid: the price in the small box that also counts the bids."""
    if not _BID_WORDS.search(ex.page.text):  # most pages: no need to walk the tree
        return None
    for node in ex.page.tree.css("span, div, a, p, strong, b"):
        if node.child is None or not _BID_COUNT.match(node_text(node)):
            continue
        box = node.parent
        for _ in range(2):
            if box is None:
                break
            text = node_text(box)
            head = text[: text.rfind(node_text(node))].strip() if node_text(node) in text else ""
            parsed = Price.fromstring(head) if 0 < len(head) <= 40 else None
            if parsed is not None and parsed.amount and parsed.amount > 0:
                return parsed.amount, parsed.currency
            box = box.parent
    return None


def _is_old(node_attrs: str, node_tag: str, parent_tag: str | None) -> bool:
    return bool(_PRICE_BAD.search(node_attrs)) or node_tag in ("del", "s", "strike") or parent_tag in ("del", "s")


def discounted_price(ex: Extraction, structured: Decimal) -> tuple[Decimal, str | None] | None:
    """The page's current price when it shows the structured price only as the old one: the
    lower price shown nearest to the crossed-out one."""
    page = ex.page
    old_at: list[int] = []
    current: list[tuple[int, Decimal, str | None]] = []
    for node in page.tree.css("[class], [id]"):
        attrs = _attrs_text(node)
        if not _PRICE_ATTR.search(attrs):
            continue
        text = node_text(node)
        if not text or len(text) > 40 or len(re.findall(r"\d[\d.,]*", text)) != 1:
            continue  # one price per node: a block holding old and new price says nothing
        if in_page_chrome(node):
            continue
        parsed = Price.fromstring(text)
        if parsed.amount is None or parsed.amount <= 0:
            continue
        parent = node.parent.tag if node.parent is not None else None
        if _is_old(attrs, node.tag, parent):
            if parsed.amount == structured:
                old_at.append(page.order(node))
        elif parsed.amount == structured:
            return None  # the page shows it as the price: the markup is right
        elif structured / 10 < parsed.amount < structured:
            current.append((page.order(node), parsed.amount, parsed.currency))
    if not old_at or not current:
        return None
    _, amount, currency = min(current, key=lambda c: min(abs(c[0] - o) for o in old_at))
    return amount, currency
