"""Values printed under a label in the page's specification table: "Brand: Sony",
`<td>Kaubamärk</td><td>Bosch</td>`, `<span>Manufacturer :</span><span>Mack Avenue</span>`.

The label is an element's whole text (or its start, "make / manufacturer: Indesit"); the value is
the rest of that text, else the next element's text. Short values only: a label in running text
is followed by a sentence, not a name.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from linkreel.scrape.generic import Page, in_page_chrome, node_text

BRAND_LABELS = (
    r"brand name|brand|make\s*/\s*manufacturer|make|manufacturer|marke|hersteller|marque|fabricant|marca|"
    r"fabricante|produttore|merk|fabrikant|märke|tillverkare|mærke|merke|valmistaja|tuotemerkki|producent|"
    r"značka|výrobce|gyártó|márka|kaubamärk|tootja|zīmols|ražotājs|prekės ženklas|gamintojas|marka|"
    r"üretici|бренд|марка|производитель|виробник|μάρκα|κατασκευαστής|ブランド|メーカー|品牌|制造商|브랜드|"
    r"제조사|thương hiệu|ยี่ห้อ|แบรนด์|merek|العلامة التجارية|מותג"
)
_MAX_VALUE = 60
_TAGS = "th, td, dt, dd, span, b, strong, label, li, p, div"
_NO_VALUE = re.compile(r"^(n/?a|-|none|unknown|does not apply|\d+)$", re.I)


def _value(text: str) -> str | None:
    text = text.strip(" :：-|")
    if not text or len(text) > _MAX_VALUE or _NO_VALUE.match(text):
        return None
    return text


def _next_element(node: LexborNode) -> LexborNode | None:
    sibling = node.next
    while sibling is not None and sibling.tag in ("-text", "-comment") and not (sibling.text() or "").strip():
        sibling = sibling.next
    return sibling


def _own_text(node: LexborNode) -> str:
    """The element's own text, or its first child's when it has none (`<td><b>Brand</b></td>`)."""
    own = (node.text(deep=False) or "").strip()
    if own:
        return own
    child = node.child
    while child is not None and child.tag in ("-text", "-comment"):
        child = child.next
    return (child.text(deep=False) or "").strip() if child is not None else ""


def labelled_value(page: Page, labels: str) -> str | None:
    """The first value printed under one of `labels` (a regex alternation), outside page chrome."""
    pattern = re.compile(rf"^\s*(?:{labels})\s*(?:([:：])\s*(.*)|$)", re.I)
    start = re.compile(rf"^\s*(?:{labels})\b", re.I)
    for node in page.tree.css(_TAGS):
        # The label is the element's own text: a cheap test first, so a deep page is not read
        # once per ancestor.
        if node.child is None or not start.match(_own_text(node)):
            continue
        text = node_text(node)
        if len(text) > _MAX_VALUE + 30:
            continue
        m = pattern.match(text)
        if m is None or in_page_chrome(node):
            continue
        rest = (m.group(2) or "").strip()
        # "Manufacturer : Mack Avenue Records" in one element (after a colon: "Make it yours"
        # is no label), or the label alone and the value in the next element
        if rest:
            value = _value(rest)
        else:
            sibling = _next_element(node)
            value = _value(node_text(sibling)) if sibling is not None else None
        if value and not pattern.match(value):  # a list of labels ("Brand", "Marke") is a menu
            return value
    return None
