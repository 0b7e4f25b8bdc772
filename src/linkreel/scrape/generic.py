"""The generic product extractor: structured data first, the DOM as a fallback.

Order of trust, per field: schema.org data (JSON-LD, microdata, RDFa) about the product, then
OpenGraph / `product:*` meta tags, then DOM heuristics around the product title. Site
extractors (`linkreel.scrape.sites`) build on the helpers here for shops that need more.
"""

from __future__ import annotations

import base64
import html as html_lib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from price_parser import Price
from selectolax.lexbor import LexborHTMLParser, LexborNode

from linkreel.errors import NoProductError
from linkreel.scrape.blocked import MAX_DEPTH, too_deep
from linkreel.scrape.brief import Brief, ProductImage, Review
from linkreel.scrape.microdata import microdata_items, rdfa_items

# ----------------------------------------------------------------------------- text helpers

_TAG = re.compile(r"<[^>]+>")
_WS = re.compile(r"\s+")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def clean_text(value: Any) -> str:
    """Text from a structured-data value or HTML snippet: entities decoded, tags dropped."""
    if value is None:
        return ""
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or ""
    if isinstance(value, list):
        value = next((v for v in value if clean_text(v)), "")
        return clean_text(value)
    text = str(value)
    for _ in range(2):  # some shops escape twice ("&amp;amp;")
        if "&" not in text:
            break
        text = html_lib.unescape(text)
    text = _PRIVATE_USE.sub("", _TAG.sub(" ", text))  # icon-font glyphs render as boxes
    return _WS.sub(" ", text).strip()


def node_text(node: LexborNode | None) -> str:
    if node is None:
        return ""
    return _WS.sub(" ", _PRIVATE_USE.sub("", node.text(deep=True, separator=" ", strip=True))).strip()


def _attrs_text(node: LexborNode) -> str:
    attrs = node.attributes
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower()


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if len(w) > 1}


def _similar(a: str, b: str) -> float:
    """Share of a's words found in b (0..1): cheap title matching."""
    wa, wb = _words(a), _words(b)
    return len(wa & wb) / len(wa) if wa else 0.0


# ----------------------------------------------------------------------------- structured data

_SCHEMA_PREFIX = re.compile(r"^(?:https?://schema\.org/|schema:|sdo:)", re.I)
PRODUCT_TYPES = {
    "product",
    "productgroup",
    "productmodel",
    "individualproduct",
    "someproducts",
    "vehicle",
    "car",
}
_SKIP_KEYS = {"@context"}
# Products under these keys are other products (accessories, "customers also bought").
_RELATED_KEYS = {
    "isrelatedto",
    "issimilarto",
    "isaccessoryorsparepartfor",
    "isconsumablefor",
    "itemlistelement",
}


@dataclass
class Item:
    """One schema.org item from any syntax, as a compact JSON-LD-like dict."""

    data: dict[str, Any]
    types: set[str]
    source: str  # jsonld | microdata | rdfa
    depth: int  # 0 = top level; products nested in other items are usually not the page's
    order: int
    related: bool = False  # found under isRelatedTo & co.


@dataclass
class StructuredData:
    items: list[Item] = field(default_factory=list)
    ids: dict[str, dict[str, Any]] = field(default_factory=dict)

    def deref(self, value: Any) -> Any:
        """Follow a JSON-LD {"@id": ...} reference to the full item, when we have it."""
        if isinstance(value, dict) and "@id" in value and len(value) <= 2:
            return self.ids.get(str(value["@id"]), value)
        return value

    def get(self, data: dict[str, Any], *keys: str) -> Any:
        for key in keys:
            value = data.get(key)
            if value not in (None, "", [], {}):
                if isinstance(value, list):
                    return [self.deref(v) for v in value]
                return self.deref(value)
        return None


def _short_type(t: Any) -> str:
    return _SCHEMA_PREFIX.sub("", str(t)).rsplit("/", 1)[-1].rsplit("#", 1)[-1].lower()


def _add_items(
    sd: StructuredData, obj: Any, source: str, depth: int = 0, related: bool = False, level: int = 0
) -> None:
    if level > 30:  # real product data is a few levels deep; hostile nesting is not followed
        return
    if isinstance(obj, list):
        for value in obj:
            _add_items(sd, value, source, depth, related, level + 1)
        return
    if not isinstance(obj, dict):
        return
    data = {_SCHEMA_PREFIX.sub("", str(k)): v for k, v in obj.items() if k not in _SKIP_KEYS}
    if "@graph" in data:  # a JSON-LD graph is a list of top-level items
        _add_items(sd, data.pop("@graph"), source, depth, related, level + 1)
    raw_types = data.get("@type") or data.get("type") or []
    types = {_short_type(t) for t in (raw_types if isinstance(raw_types, list) else [raw_types]) if t}
    if types or len(data) > 1:
        if "@id" in data and len(data) > 2:
            sd.ids.setdefault(str(data["@id"]), data)
        if types:
            sd.items.append(Item(data, types, source, depth, len(sd.items), related))
    for key, value in data.items():
        if isinstance(value, dict | list) and not key.startswith("@"):
            _add_items(sd, value, source, depth + 1, related or key.lower() in _RELATED_KEYS, level + 1)


_JSON_COMMENT = re.compile(r"^\s*(//.*|<!--.*?-->)\s*$", re.M)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


def _load_json_ld(text: str) -> Any:
    """Parse one JSON-LD script leniently: shops ship comments, CDATA and trailing commas."""
    text = text.strip()
    try:
        return json.loads(text, strict=False)
    except ValueError:
        pass
    except RecursionError:
        return None
    text = text.replace("<![CDATA[", "").replace("]]>", "")
    text = _TRAILING_COMMA.sub(r"\1", _JSON_COMMENT.sub("", text))
    try:
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):
        return None


def structured_data(page: Page) -> StructuredData:
    sd = StructuredData()
    base_url = page.base
    for script in page.json_ld:
        data = _load_json_ld(script)
        if data is not None:
            _add_items(sd, data, "jsonld")
    # Both read the tree `Page` already parsed (scripts and styles stripped); each returns at once
    # when the page has no itemscope / no typeof or vocab.
    _add_items(sd, microdata_items(page.tree, base_url), "microdata")
    _add_items(sd, rdfa_items(page.tree, base_url), "rdfa")
    return sd


# ----------------------------------------------------------------------------- money

# Symbols that name one currency. Ambiguous ones ($, ¥, kr, R...) go through the country.
_SYMBOLS = {
    "£": "GBP", "€": "EUR", "₹": "INR", "₩": "KRW", "₽": "RUB", "руб": "RUB", "₺": "TRY", "₴": "UAH",
    "грн": "UAH", "₪": "ILS", "฿": "THB", "₫": "VND", "₱": "PHP", "zł": "PLN", "kč": "CZK", "ft": "HUF",
    "kn": "HRK", "lei": "RON", "лв": "BGN", "r$": "BRL", "us$": "USD", "c$": "CAD", "ca$": "CAD",
    "a$": "AUD", "au$": "AUD", "nz$": "NZD", "hk$": "HKD", "s$": "SGD", "nt$": "TWD", "chf": "CHF",
    "fr.": "CHF", "rm": "MYR", "rp": "IDR", "s/": "PEN", "₦": "NGN", "₸": "KZT", "₾": "GEL", "₼": "AZN",
}  # fmt: skip
_TLD_COUNTRY = {"uk": "GB"}


@lru_cache(maxsize=256)
def _country_symbols(country: str) -> tuple[str | None, frozenset[str]]:
    """The country's currency and how its locales write it."""
    from babel.localedata import locale_identifiers
    from babel.numbers import get_currency_symbol, get_territory_currencies

    try:
        currencies = get_territory_currencies(country, tender=True)
    except Exception:  # unknown territory
        return None, frozenset()
    if not currencies:
        return None, frozenset()
    code = currencies[0]
    symbols = {code.lower(), get_currency_symbol(code, "en").lower()}
    for ident in locale_identifiers():
        if ident.endswith("_" + country):
            try:
                symbols.add(get_currency_symbol(code, ident).lower())
            except Exception:
                continue
    return code, frozenset(symbols)


def page_country(url: str | None, language: str | None = None) -> str | None:
    """Country from the ccTLD ("shop.co.uk" -> GB) or from a regional language tag ("en-CA")."""
    if url:
        host = urlsplit(url).hostname or ""
        tld = host.rsplit(".", 1)[-1]
        if len(tld) == 2 and tld.isalpha():
            return _TLD_COUNTRY.get(tld, tld.upper())
    if language and re.match(r"^[a-z]{2,3}[-_][A-Za-z]{2}$", language):
        return language[-2:].upper()
    return None


def currency_code(symbol: str | None, country: str | None = None) -> str | None:
    """ISO 4217 code for a currency as written on a page; the symbol itself if unknown."""
    if not symbol:
        return None
    s = symbol.strip()
    if re.fullmatch(r"[A-Za-z]{3}", s):
        return s.upper()
    code = _SYMBOLS.get(s.lower())
    if code:
        return code
    if country:
        local, symbols = _country_symbols(country)
        if local and s.lower() in symbols:
            return local
    return s


def to_decimal(value: Any) -> Decimal | None:
    """A price from structured data or page text; None unless it is a positive amount."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        amount: Decimal | None = Decimal(str(value))
    else:
        text = clean_text(value)
        # schema.org prices use a dot: parse those exactly, page text with price-parser
        amount = Decimal(text) if re.fullmatch(r"\d+(\.\d+)?", text) else Price.fromstring(text).amount
    try:
        return amount if amount is not None and amount.is_finite() and amount > 0 else None
    except InvalidOperation:
        return None


def format_price(amount: Decimal) -> str:
    """ "450" for whole amounts, otherwise two or more decimals ("13.40")."""
    if amount == amount.to_integral_value():
        return str(amount.quantize(Decimal(1)))
    text = format(amount.normalize(), "f")
    return text + "0" if len(text.split(".")[1]) == 1 else text


# ----------------------------------------------------------------------------- availability

_AVAILABILITY = {
    "instock": "InStock", "in stock": "InStock", "available": "InStock", "outofstock": "OutOfStock",
    "out of stock": "OutOfStock", "oos": "OutOfStock", "soldout": "SoldOut", "sold out": "SoldOut",
    "preorder": "PreOrder", "pre-order": "PreOrder", "presale": "PreSale", "backorder": "BackOrder",
    "discontinued": "Discontinued", "limitedavailability": "LimitedAvailability",
    "onlineonly": "OnlineOnly", "instoreonly": "InStoreOnly", "madetoorder": "MadeToOrder",
    "reserved": "Reserved", "pending": "PreOrder", "available for order": "BackOrder",
}  # fmt: skip


def availability_name(value: Any) -> str | None:
    text = clean_text(value)
    if not text:
        return None
    key = _SCHEMA_PREFIX.sub("", text).rsplit("/", 1)[-1].strip().lower().replace("_", " ")
    return _AVAILABILITY.get(key) or _AVAILABILITY.get(key.replace(" ", ""))


# ----------------------------------------------------------------------------- page wrapper


class Page:
    """The parsed page plus what every extractor needs: base URL, meta tags, the title anchor."""

    def __init__(self, html: str, base_url: str | None) -> None:
        if too_deep(html):
            where = base_url if base_url and base_url.startswith(("http://", "https://")) else "the page"
            raise NoProductError(
                f"no product found on {where}: its elements nest more than {MAX_DEPTH:,} deep (not a real page)"
            )
        self.html = html
        self.tree = LexborHTMLParser(html)
        # JSON-LD is read before scripts are dropped; without scripts and styles, element text
        # is what a visitor sees (no inline JS inside a "feature" list item).
        self.json_ld = [
            n.text(deep=True) or "" for n in self.tree.css('script[type="application/ld+json" i]')
        ]
        self.tree.strip_tags(["script", "style", "template"])
        self.meta: dict[str, list[str]] = {}
        for tag in self.tree.css("meta"):
            attrs = tag.attributes
            key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
            content = attrs.get("content")
            if key and content and content.strip():
                self.meta.setdefault(key.strip().lower(), []).append(content.strip())
        self.url = base_url if base_url and base_url.startswith(("http://", "https://")) else None
        if self.url is None:  # a saved page: its own canonical address is the best guess
            self.url = self._canonical()
        self.base = base_url or self.url
        base_tag = self.tree.css_first("base[href]")
        if base_tag is not None:
            href = (base_tag.attributes.get("href") or "").strip()
            if href and not href.startswith(("javascript:", "data:")):
                self.base = urljoin(self.base or "", href) or self.base
        self._order: dict[int, int] | None = None

    @cached_property
    def text(self) -> str:
        """The visible text of the body, whitespace collapsed (scripts and styles are gone)."""
        body = self.tree.body
        return node_text(body) if body is not None else ""

    def _canonical(self) -> str | None:
        link = self.tree.css_first('link[rel="canonical" i][href]')
        for value in [link.attributes.get("href") if link else None, *self.meta.get("og:url", [])]:
            if value and value.strip().startswith(("http://", "https://")):
                return value.strip()
        return None

    def first_meta(self, *keys: str) -> str | None:
        for key in keys:
            for value in self.meta.get(key, []):
                if clean_text(value):
                    return clean_text(value)
        return None

    def absolute(self, url: str | None) -> str | None:
        if not url:
            return None
        url = url.strip()
        if url.startswith("data:"):
            return url
        if url.startswith("//"):
            scheme = urlsplit(self.base or "").scheme or "https"
            return f"{scheme if scheme in ('http', 'https') else 'https'}:{url}"
        absolute = urljoin(self.base or "", url)
        scheme = urlsplit(absolute).scheme
        # file: only for a saved page's own neighbours; a live page must not point at local files
        if scheme in ("http", "https") or (scheme == "file" and (self.base or "").startswith("file:")):
            return absolute
        return None

    def order(self, node: LexborNode) -> int:
        """Position of an element in document order (for "near the title" heuristics)."""
        if self._order is None:
            self._order = {}
            body = self.tree.body or self.tree.root
            if body is not None:
                for i, n in enumerate(body.traverse(include_text=False)):
                    self._order[n.mem_id] = i
        return self._order.get(node.mem_id, -1)


_CHROME_TAGS = {"header", "footer", "nav", "aside", "form", "noscript", "template", "script", "style"}
_CHROME_WORDS = re.compile(
    # distinctive words match anywhere ("navFooterLine"); short ones only as whole class words
    r"footer|navbar|navigation|megamenu|breadcrumb|sidebar|cookie|newsletter|recommend|upsell|cross-?sell|"
    r"(^|[\s_-])(header|nav|menu|related|similar|also|recently|viewed|reviews?|cart|basket|minicart|"
    r"account|login|search|filters?|social|share|banner|promo|ads?)([\s_-]|$)",
    re.I,
)


def in_page_chrome(node: LexborNode, levels: int = 12) -> bool:
    """Inside navigation, footers, "related products" and the like: not about this product."""
    parent = node.parent
    for _ in range(levels):
        if parent is None or parent.tag in ("body", "html", "main"):
            return False
        if parent.tag in _CHROME_TAGS or _CHROME_WORDS.search(_attrs_text(parent)):
            return True
        if (parent.attributes.get("role") or "") in ("navigation", "banner", "contentinfo"):
            return True
        parent = parent.parent
    return False


# ----------------------------------------------------------------------------- product choice


def _offers(sd: StructuredData, data: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    raw = sd.get(data, "offers")
    for offer in raw if isinstance(raw, list) else [raw]:
        offer = sd.deref(offer)
        if not isinstance(offer, dict):
            continue
        out.append(offer)
        nested = sd.get(offer, "offers")  # AggregateOffer.offers
        if nested:
            out.extend(o for o in (nested if isinstance(nested, list) else [nested]) if isinstance(o, dict))
    return out


def _variants(sd: StructuredData, data: dict[str, Any]) -> list[dict[str, Any]]:
    raw = sd.get(data, "hasVariant", "model")
    return [v for v in (raw if isinstance(raw, list) else [raw]) if isinstance(v, dict)]


def _offer_price(sd: StructuredData, offer: dict[str, Any]) -> tuple[Decimal | None, str | None]:
    amount = to_decimal(sd.get(offer, "price"))
    currency = clean_text(sd.get(offer, "priceCurrency")) or None
    if amount is None:
        specs = sd.get(offer, "priceSpecification")
        for spec in specs if isinstance(specs, list) else [specs]:
            if not isinstance(spec, dict):
                continue
            kind = clean_text(spec.get("priceType")).lower()
            if any(w in kind for w in ("list", "strikethrough", "msrp", "srp", "invoice")):
                continue  # the crossed-out price, not what it costs
            amount = to_decimal(spec.get("price")) or to_decimal(spec.get("minPrice"))
            currency = currency or clean_text(spec.get("priceCurrency")) or None
            if amount is not None:
                break
    if amount is None:
        amount = to_decimal(sd.get(offer, "lowPrice"))
    return amount, currency


@dataclass
class ProductData:
    """The product item chosen on the page, plus items that describe the same product."""

    main: Item
    same: list[Item]  # main first, then matching items from other syntaxes

    def datas(self) -> list[dict[str, Any]]:
        return [i.data for i in self.same]


def choose_product(sd: StructuredData, page: Page, heading: str) -> ProductData | None:
    candidates = [i for i in sd.items if (i.types & PRODUCT_TYPES or "offers" in i.data) and not i.related]
    if not candidates:
        return None
    variant_ids = {id(v) for c in candidates for v in _variants(sd, c.data)}

    def score(item: Item) -> float:
        data = item.data
        name = clean_text(sd.get(data, "name"))
        s = 10.0 if item.types & PRODUCT_TYPES else 0.0
        s += 4.0 if item.depth == 0 else 0.0
        s += 3.0 if any(_offer_price(sd, o)[0] for o in _offers(sd, data)) else 0.0
        s += 3.0 * _similar(heading, name) if heading and name else 0.0
        s += 2.0 if name else -5.0
        s += {"jsonld": 1.0, "microdata": 0.5}.get(item.source, 0.0)
        s -= 6.0 if id(data) in variant_ids else 0.0  # a variant: the group is the product
        url = clean_text(sd.get(data, "url"))
        if url and page.url and url.split("#")[0].rstrip("/") == page.url.split("#")[0].rstrip("/"):
            s += 2.0
        return s

    ranked = sorted(candidates, key=lambda i: (-score(i), i.order))
    main = ranked[0]
    main_name = clean_text(sd.get(main.data, "name")).lower()
    same = [main] + [
        i
        for i in ranked[1:]
        if i.source != main.source
        and i.depth == 0
        and (
            not clean_text(sd.get(i.data, "name")) or clean_text(sd.get(i.data, "name")).lower() == main_name
        )
    ]
    return ProductData(main, same)


# ----------------------------------------------------------------------------- the extractor


@dataclass
class Extraction:
    """What the field extractors share: the page, its structured data, the product, its heading."""

    page: Page
    sd: StructuredData
    product: ProductData | None
    heading_node: LexborNode | None


def _first_h1(page: Page, hint: str) -> LexborNode | None:
    """The <h1> that names the product (pages often have several: logo, category, product)."""
    best, best_score = None, 0.0
    for i, h1 in enumerate(page.tree.css("h1")):
        text = node_text(h1)
        if not text or len(text) > 300:
            continue
        s = (_similar(text, hint) if hint else 0.0) + (0.5 if not in_page_chrome(h1) else 0.0) - i * 0.01
        if best is None or s > best_score:
            best, best_score = h1, s
    return best


_SEPARATORS = re.compile(r"\s+[|–—·•»:-]\s+|\s*[|–—]\s*")


def _strip_site(title: str, site_names: list[str]) -> str:
    """ "Red Shoes | Shop.example" -> "Red Shoes"; drops parts that just name the site."""
    parts = [p.strip() for p in _SEPARATORS.split(title) if p.strip()]
    if len(parts) < 2:
        return title
    sites = [s.lower() for s in site_names if s]

    def is_site(part: str) -> bool:
        p = part.lower()
        return any(p == s or p in s or s in p for s in sites)

    kept = [p for p in parts if not is_site(p)]
    if not kept:
        return title
    return max(kept, key=len) if len(kept) > 1 and not sites else " - ".join(kept)


_BAD_TITLE = re.compile(
    r"^(40[0-9]|50[0-9])\b|page not found|not found|access denied|forbidden|robot check|captcha|"
    r"just a moment|attention required|are you a (human|robot)|security check|service unavailable|"
    r"^error\b|^untitled|^home( page)?$|^index$",
    re.I,
)


def _title(ex: Extraction, site_names: list[str]) -> str:
    page, sd = ex.page, ex.sd
    h1 = node_text(ex.heading_node)
    og_title = page.first_meta("og:title", "twitter:title")
    doc_title = clean_text(node_text(page.tree.css_first("title")))
    if ex.product:
        for item in ex.product.same:
            name = clean_text(sd.get(item.data, "name"))
            if name and item.source != "jsonld":
                # Microdata names are element text and can carry UI words ("Details about ...",
                # button labels). A page title found inside the name is the clean version.
                for whole in (og_title, doc_title):
                    for candidate in (whole, _strip_site(whole or "", site_names)):
                        if (
                            candidate
                            and 0.6 * len(name) <= len(candidate) < len(name)
                            and candidate.lower() in name.lower()
                        ):
                            return candidate
            if name:
                return name
    for whole in (og_title, doc_title):
        if h1 and whole and h1.lower() in whole.lower():
            return h1  # the heading without the shop's decoration
    for candidate in (og_title, h1, doc_title):
        if candidate:
            return _strip_site(candidate, site_names)
    return ""


def _site_names(page: Page, sd: StructuredData) -> list[str]:
    names = [page.first_meta("og:site_name", "application-name", "apple-mobile-web-app-title") or ""]
    for item in sd.items:
        if item.types & {"organization", "website", "store", "onlinestore"}:
            names.append(clean_text(sd.get(item.data, "name")))
    host = urlsplit(page.url or "").hostname or ""
    if host:
        names.append(host.removeprefix("www."))
        names.append(host.removeprefix("www.").split(".")[0])
    return [n for n in names if n]


# --- price from the DOM -------------------------------------------------------------------

_PRICE_ATTR = re.compile(r"price|preis|prix|prezzo|precio|preco|cena|hinta|amount", re.I)
_PRICE_BAD_WORDS = (
    "old|was|before|list|regular|save|per|unit|tax|vat|label|title|info|note|desc|hint|badge|"
    "range|month|filter|through|cent"
)
_PRICE_BAD = re.compile(
    # long words anywhere; short ones as class words or glued to "price" ("oldprice", "price-was")
    r"strike|crossed|rrp|msrp|uvp|compare|original|discount|reduc|saving|shipping|delivery|instal|"
    r"tooltip|popup|lightbox|overlay|percent|fraction|decimal|symbol|currency|"
    rf"(?:^|[^a-z])(?:{_PRICE_BAD_WORDS})(?:[^a-z]|$)|(?:{_PRICE_BAD_WORDS})price|price(?:{_PRICE_BAD_WORDS})",
    re.I,
)
_PRICE_GOOD = re.compile(
    r"current|sale|now|final|actual|special|our|offer|main|big|large|primary|product|buybox", re.I
)


def _price_text(node: LexborNode) -> str:
    attrs = node.attributes
    for key in ("content", "data-price", "data-price-amount", "value"):
        value = attrs.get(key)
        if value and re.search(r"\d", value):
            return value
    return node_text(node)


def dom_price(ex: Extraction) -> tuple[Decimal | None, str | None]:
    """The most prominent price near the product title, when structured data has none."""
    page = ex.page
    for node in page.tree.css('[itemprop="price"]'):
        amount = to_decimal(_price_text(node))
        if amount and not in_page_chrome(node):
            currency_node = page.tree.css_first('[itemprop="priceCurrency"]')
            currency = None
            if currency_node is not None:
                currency = currency_node.attributes.get("content") or node_text(currency_node)
            return amount, currency or Price.fromstring(node_text(node)).currency

    anchor = page.order(ex.heading_node) if ex.heading_node is not None else -1
    best: tuple[float, int, Decimal, str | None] | None = None
    for node in page.tree.css("[class], [id]"):
        attrs = _attrs_text(node)
        if (
            not _PRICE_ATTR.search(attrs)
            or _PRICE_BAD.search(attrs)
            or node.tag in ("script", "style", "input")
        ):
            continue
        text = _price_text(node)
        if not text or len(text) > 40 or not re.search(r"\d", text):
            continue
        parsed = Price.fromstring(text)
        if parsed.amount is None or parsed.amount <= 0:
            continue
        if node.parent is not None and node.parent.tag in ("del", "s", "strike") or node.tag in ("del", "s"):
            continue
        s = 0.0
        s += 2.0 if parsed.currency else -1.0
        s += 1.5 if "price" in (node.attributes.get("id") or "").lower() else 0.0
        s += 1.0 if _PRICE_GOOD.search(attrs) else 0.0
        s -= 4.0 if in_page_chrome(node) else 0.0
        order = page.order(node)
        if anchor >= 0 and order >= 0:
            distance = order - anchor
            if 0 <= distance < 400:
                s += 3.0 * (1 - distance / 400)
            elif distance < 0:
                s -= 1.0 if distance > -300 else 2.0
        if best is None or s > best[0] or (s == best[0] and order < best[1]):
            best = (s, order, parsed.amount, parsed.currency)
    if best is not None and best[0] >= 1.0:
        return best[2], best[3]
    return None, None


# --- features ---------------------------------------------------------------------------------

_LIST_GOOD = re.compile(
    r"feature|bullet|highlight|benefit|key|usp|spec|detail|descr|about|selling|point", re.I
)
_LIST_BAD = re.compile(
    r"availab|delivery|shipping|stock|action|rating|compare|size|colou?r|variant|swatch|option|tab|"
    r"pagination|step|payment|language|country|store",
    re.I,
)
_HAS_PRICE = re.compile(r"[$€£¥₹]\s?\d|\d\s?[$€£¥₹]|\d[.,]\d\d\b")
_BULLET_LINE = re.compile(r"^\s*(?:[•·▪●◦‣∙*✓✔-]|\d+[.)])\s+(.+)$")


def shorten(text: str, limit: int = 140) -> str:
    """One short feature line: the first sentence, or cut at a word boundary."""
    text = text.strip().rstrip(".;,")
    if len(text) <= limit:
        return text
    first = re.split(r"(?<=[.!?;])\s", text, maxsplit=1)[0].rstrip(".;")
    if 20 <= len(first) <= limit:
        return first
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:-") + "…"


def _good_feature(text: str) -> bool:
    return 8 <= len(text) <= 400 and bool(re.search(r"[^\W\d_]{3}", text))


def features_from_description(raw: Any) -> list[str]:
    text = raw if isinstance(raw, str) else clean_text(raw)
    if not text:
        return []
    if "<li" in text.lower():
        items = [node_text(li) for li in LexborHTMLParser(text).css("li")]
    else:
        items = [
            m.group(1)
            for line in re.split(r"<br\s*/?>|\n", text)
            if (m := _BULLET_LINE.match(clean_text(line) or line))
        ]
    items = [i for i in (clean_text(x) for x in items) if _good_feature(i) and not _HAS_PRICE.search(i)]
    return [shorten(i) for i in items] if len(items) >= 2 else []


def dom_features(ex: Extraction) -> list[str]:
    """Bullet points near the product title: a list of short sentences, not links or menus."""
    page = ex.page
    anchor = page.order(ex.heading_node) if ex.heading_node is not None else -1
    best: tuple[float, list[str]] | None = None
    for lst in page.tree.css("ul, ol"):
        items = [li for li in lst.iter() if li.tag == "li"]
        if not 2 <= len(items) <= 20 or in_page_chrome(lst):
            continue
        texts = [node_text(li) for li in items]
        good = [t for t in texts if _good_feature(t) and len(t) <= 300 and not _HAS_PRICE.search(t)]
        if len(good) < max(2, len(texts) // 2):
            continue  # mostly prices or empty: product tiles, a size picker
        if sum(1 for li in items if li.css_first("img")) > len(items) / 2:
            continue  # pictures in most items: product tiles or a gallery
        links = sum(
            1
            for li in items
            if (a := li.css_first("a")) is not None and len(node_text(a)) >= 0.8 * len(node_text(li))
        )
        if links > len(items) / 3:  # a list of links is navigation
            continue
        attrs = _attrs_text(lst) + " " + (_attrs_text(lst.parent) if lst.parent is not None else "")
        if _LIST_BAD.search(attrs):
            continue
        s = 2.0 if _LIST_GOOD.search(attrs) else 0.0
        order = page.order(lst)
        if anchor >= 0:
            distance = order - anchor
            if distance < 0:
                continue
            s += 3.0 * max(0.0, 1 - distance / 800)
        s += min(len(good), 6) * 0.1
        s += 0.5 if sum(map(len, good)) / len(good) >= 25 else 0.0  # sentences, not labels
        if s >= 1.0 and (best is None or s > best[0]):
            best = (s, good)
    return [shorten(t) for t in best[1]] if best else []


# --- images -----------------------------------------------------------------------------------

_IMG_JUNK = re.compile(
    r"icon|sprite|logo|pixel|spacer|blank|placeholder|loading|loader|badge|flag|avatar|rating|stars?[._-]|"
    r"transparent|1x1|tracking|beacon|analytics|/ads?/|payment|paypal|visa|mastercard|klarna|trustpilot|"
    r"facebook|twitter|instagram|pinterest|youtube|whatsapp|\.svg(\?|$)|\.ico(\?|$)|\.gif(\?|$)",
    re.I,
)
_LAZY_ATTRS = (
    "data-old-hires", "data-zoom-image", "data-zoom", "data-large_image", "data-large", "data-full",
    "data-hires", "data-original", "data-lazy-src", "data-src", "src",
)  # fmt: skip
_GALLERY = re.compile(
    r"gallery|product[-_]?(image|img|photo|media|picture)|pdp|zoom|main[-_]?image|hero|carousel|"
    r"slider|swiper|slick|photo|media|image",
    re.I,
)


def _largest_from_srcset(srcset: str) -> str | None:
    best, best_w = None, -1.0
    for part in srcset.split(","):
        bits = part.strip().split()
        if not bits:
            continue
        width = 1.0
        if len(bits) > 1:
            m = re.match(r"([\d.]+)([wx])", bits[1])
            width = float(m.group(1)) if m else 1.0
        if width > best_w:
            best, best_w = bits[0], width
    return best


def img_url(node: LexborNode) -> str | None:
    """The best URL of an <img>: zoom/hi-res attributes, then srcset, then lazy-load, then src."""
    attrs = node.attributes
    dynamic = attrs.get("data-a-dynamic-image")  # {"url": [w, h], ...}: take the largest
    if dynamic:
        try:
            sizes = json.loads(dynamic)
            return max(sizes, key=lambda u: sizes[u][0] * sizes[u][1])
        except (ValueError, TypeError, IndexError, KeyError):
            pass
    for key in _LAZY_ATTRS[:6]:
        if attrs.get(key):
            return attrs[key]
    for key in ("srcset", "data-srcset"):
        if attrs.get(key) and not attrs[key].startswith("data:"):
            found = _largest_from_srcset(attrs[key])
            if found:
                return found
    for key in _LAZY_ATTRS[6:]:
        value = attrs.get(key)
        if value and not (key == "src" and value.startswith("data:") and len(value) < 2000):
            return value
    return None


def _data_uri_ok(uri: str) -> bool:
    """Embedded images worth keeping: raster, and bigger than a placeholder."""
    head = uri[:60].lower()
    if not head.startswith("data:image/") or "svg" in head:
        return False
    try:
        payload = uri.split(",", 1)[1]
        size = (
            len(base64.b64decode(payload[:8000] + "=" * (-len(payload[:8000]) % 4)))
            if ";base64" in head
            else len(unquote(payload))
        )
    except (IndexError, ValueError):
        return False
    return size >= 2000


def _dim(value: str | None) -> int | None:
    m = re.match(r"\s*(\d+)", value or "")
    return int(m.group(1)) if m else None


def image_candidates(ex: Extraction, title: str) -> list[ProductImage]:
    page, sd = ex.page, ex.sd
    found: list[ProductImage] = []

    def add(url: Any, source: str) -> None:
        for u in url if isinstance(url, list) else [url]:
            u = sd.deref(u)
            if isinstance(u, dict):  # ImageObject
                u = u.get("contentUrl") or u.get("url") or u.get("@id")
            if not isinstance(u, str):
                continue
            absolute = page.absolute(clean_text(u) if not u.startswith("data:") else u.strip())
            if absolute:
                found.append(ProductImage(url=absolute, source=source))

    if ex.product:
        for data in ex.product.datas():
            add(sd.get(data, "image", "photo"), "jsonld")
        for variant in _variants(sd, ex.product.main.data)[:8]:
            add(sd.get(variant, "image"), "jsonld")
    for key in ("og:image:secure_url", "og:image", "og:image:url", "twitter:image", "twitter:image:src"):
        add(page.meta.get(key, []), "og")
    link = page.tree.css_first('link[rel="image_src"][href]')
    if link is not None:
        add(link.attributes.get("href"), "og")
    found.extend(_dom_images(ex, title))

    seen: set[str] = set()
    out: list[ProductImage] = []
    for img in found:
        key = img.url.split("#")[0]
        if key in seen:
            continue
        seen.add(key)
        if img.url.startswith("data:"):
            if not _data_uri_ok(img.url):
                continue
        elif _IMG_JUNK.search(urlsplit(img.url).path):  # the path: queries are often just sizes
            continue
        out.append(img)
    return out


def _dom_images(ex: Extraction, title: str) -> list[ProductImage]:
    """Large <img> in the product's part of the page: gallery containers, alt text like the title."""
    page = ex.page
    near: set[int] = set()
    if ex.heading_node is not None:  # the smallest block around the title that holds pictures
        block = ex.heading_node.parent
        for _ in range(6):
            if block is None or block.tag in ("body", "html"):
                break
            imgs = block.css("img")
            if imgs:
                near = {i.mem_id for i in imgs}
                break
            block = block.parent
    scored: list[tuple[float, int, ProductImage]] = []
    for img in page.tree.css("img"):
        url = img_url(img)
        if not url:
            continue
        attrs = img.attributes
        width, height = _dim(attrs.get("width")), _dim(attrs.get("height"))
        if (width is not None and width < 100) or (height is not None and height < 100):
            continue
        if in_page_chrome(img):
            continue
        s = 0.0
        ancestors, parent = "", img.parent
        for _ in range(5):
            if parent is None:
                break
            ancestors += " " + _attrs_text(parent)
            parent = parent.parent
        s += 2.0 if _GALLERY.search(ancestors + " " + _attrs_text(img)) else 0.0
        s += 2.0 if img.mem_id in near else 0.0
        s += 2.0 if title and _similar(title, attrs.get("alt") or "") >= 0.5 else 0.0
        s += 1.0 if (width or 0) >= 300 or (height or 0) >= 300 else 0.0
        s += (
            1.0
            if any(k in attrs for k in ("data-old-hires", "data-zoom-image", "data-a-dynamic-image"))
            else 0.0
        )
        if s < 2.0:
            continue
        source = "embedded" if url.startswith("data:") else "gallery"
        absolute = page.absolute(url)
        if absolute:
            scored.append((s, page.order(img), ProductImage(url=absolute, source=source)))
    scored.sort(key=lambda t: (-t[0], t[1]))
    return [p for _, _, p in scored[:12]]


# --- the rest -------------------------------------------------------------------------------


def _rating(sd: StructuredData, value: Any) -> float | None:
    value = sd.deref(value)
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, dict):
        return None
    raw = to_decimal(clean_text(value.get("ratingValue")).replace(",", "."))
    if raw is None:
        return None
    best = to_decimal(clean_text(value.get("bestRating")).replace(",", ".")) or Decimal(5)
    rating = float(raw) * 5 / float(best) if best and best != 5 else float(raw)
    return round(rating, 2) if 0 < rating <= 5 else None


def _reviews(sd: StructuredData, raw: Any) -> list[Review]:
    out: list[Review] = []
    for review in raw if isinstance(raw, list) else [raw]:
        review = sd.deref(review)
        if not isinstance(review, dict):
            continue
        text = clean_text(sd.get(review, "reviewBody", "description", "text"))
        if not text:
            continue
        author = clean_text(sd.get(review, "author")) or None
        out.append(
            Review(text=text[:1000], author=author, rating=_rating(sd, sd.get(review, "reviewRating")))
        )
    return out[:10]


def _logo(page: Page, sd: StructuredData, datas: list[dict[str, Any]]) -> str | None:
    """The shop's (or the brand's) logo: schema.org Organization/Brand, a logo image in the
    header, else the site's touch icon or largest declared icon."""
    owners = [sd.deref(sd.get(d, "brand")) for d in datas]
    owners = [o for o in owners if isinstance(o, dict)] + [
        i.data for i in sd.items if i.types & {"organization", "corporation", "store", "onlinestore", "brand"}
    ]
    for data in owners:
        if data:
            logo = sd.get(data, "logo")
            if isinstance(logo, list):
                logo = logo[0]
            if isinstance(logo, dict):
                logo = logo.get("url") or logo.get("contentUrl")
            if isinstance(logo, str) and page.absolute(logo):
                return page.absolute(logo)
    for img in page.tree.css("header img, [class*='logo' i] img, img[class*='logo' i], img[id*='logo' i]"):
        url = img_url(img)
        looks_like_logo = "logo" in (f"{url} {_attrs_text(img)} {img.attributes.get('alt') or ''}").lower()
        if url and looks_like_logo and page.absolute(url):
            return page.absolute(url)
    link = page.tree.css_first(
        'link[rel="apple-touch-icon"][href], link[rel="apple-touch-icon-precomposed"][href]'
    )
    if link is not None:
        return page.absolute(link.attributes.get("href"))
    icons = [
        (_dim((n.attributes.get("sizes") or "").split("x")[0]) or 0, n.attributes.get("href"))
        for n in page.tree.css('link[rel~="icon" i][href]')
    ]
    icons = [(size, href) for size, href in icons if href and not href.lower().split("?")[0].endswith(".ico")]
    return page.absolute(max(icons, key=lambda t: t[0])[1]) if icons else None


def _brand(sd: StructuredData, datas: list[dict[str, Any]], page: Page) -> str | None:
    for data in datas:
        value = sd.get(data, "brand", "manufacturer")
        name = clean_text(sd.deref(value[0]) if isinstance(value, list) and value else value)
        if name:
            return name
    from linkreel.scrape.labels import BRAND_LABELS, labelled_value  # builds on this module's helpers

    value = page.first_meta("product:brand", "og:brand", "brand")
    if value:
        return value
    return _itemprop(page, "brand") or labelled_value(page, BRAND_LABELS)


def _itemprop(page: Page, name: str) -> str | None:
    """A microdata property outside any item (`microdata_items` only sees properties inside itemscope)."""
    node = page.tree.css_first(f'[itemprop="{name}"]')
    if node is None:
        return None
    value = clean_text(node.attributes.get("content") or node.attributes.get("href") or node_text(node))
    return value[:120] or None


def _price(ex: Extraction) -> tuple[Decimal | None, str | None, str | None]:
    """(amount, currency as written, availability): the product's offers (or its variants'),
    then `product:*` meta tags, corrected by what the page shows (a sale, an auction's current
    bid); the DOM alone when there is no markup."""
    from linkreel.scrape.availability import page_availability  # these build on this module's helpers
    from linkreel.scrape.shown_price import auction_price, discounted_price

    page, sd, product = ex.page, ex.sd, ex.product
    datas = product.datas() if product else []
    offers = [o for d in datas for o in _offers(sd, d)]
    if product and not offers:
        offers = [o for v in _variants(sd, product.main.data) for o in _offers(sd, v)]
    states = [availability_name(sd.get(o, "availability")) for o in offers]
    # One offer per size or colour: the product is in stock when any of them is.
    availability = "InStock" if "InStock" in states else next((a for a in states if a), None)
    availability = (
        availability
        or availability_name(page.first_meta("product:availability", "og:availability"))
        or availability_name(_itemprop(page, "availability"))
    )
    availability = page_availability(page, availability)

    amount, currency = next(
        ((a, c) for o in offers for a, c in [_offer_price(sd, o)] if a is not None), (None, None)
    )
    if amount is None:
        amount = to_decimal(
            page.first_meta("product:price:amount", "og:price:amount", "product:sale_price:amount")
        )
        currency = page.first_meta("product:price:currency", "og:price:currency")
    if amount is None:
        amount, currency = dom_price(ex)
        return amount, currency, availability
    shown = auction_price(ex) or discounted_price(ex, amount)
    if shown is not None:
        return shown[0], currency or shown[1], availability
    return amount, currency, availability


def extract(html: str, base_url: str | None) -> Brief:
    """A Brief from one product page. Raises NoProductError when there is no usable title."""
    return extract_page(Page(html, base_url))


def extract_page(page: Page) -> Brief:
    """`extract` on an already parsed page (site extractors parse once and refine the result)."""
    # These build on this module's helpers.
    from linkreel.scrape.blocked import blocked_reason
    from linkreel.scrape.language import declared_language, page_language
    from linkreel.scrape.sku import find_sku
    from linkreel.scrape.videos import video_candidates

    base_url = page.base
    sd = structured_data(page)
    hint = page.first_meta("og:title") or node_text(page.tree.css_first("title"))
    structured = [i for i in sd.items if i.types & PRODUCT_TYPES and not i.related]
    if structured:
        hint = clean_text(sd.get(structured[0].data, "name")) or hint
    heading = _first_h1(page, hint)
    product = choose_product(sd, page, node_text(heading) or hint)
    ex = Extraction(page, sd, product, heading)
    datas = product.datas() if product else []
    site_names = _site_names(page, sd)

    where = page.url or base_url or "the page"
    if product is None:
        blocked = blocked_reason(page.html, node_text(page.tree.css_first("title")), len(page.text))
        if blocked:
            raise NoProductError(f"no product found on {where}: {blocked}")
    title = _title(ex, site_names)
    if not title or len(title) < 2:
        raise NoProductError(f"no product found on {where}: the page has no product name or title")
    product_signals = bool(product) or "product" in (page.first_meta("og:type") or "")
    if not product_signals and _BAD_TITLE.search(title):
        raise NoProductError(f"no product found on {where}: the page says {title[:80]!r}")

    amount, currency, availability = _price(ex)
    language = declared_language(page)
    country = page_country(page.url, language)
    currency = currency_code(currency, country) if amount is not None else None
    if amount is not None and currency is None and country:
        currency = _country_symbols(country)[0]  # a price without a symbol is in the shop's own currency

    raw_description = next((d.get("description") for d in datas if clean_text(d.get("description"))), None)
    description = (
        clean_text(raw_description)
        or page.first_meta("og:description", "description", "twitter:description")
        or ""
    )
    features = features_from_description(raw_description) or dom_features(ex)

    sku = find_sku(page, sd, datas) or _itemprop(page, "sku")

    rating = review_count = None
    reviews: list[Review] = []
    for data in datas:
        agg = sd.deref(sd.get(data, "aggregateRating"))
        if isinstance(agg, dict) and rating is None:
            rating = _rating(sd, agg)
            count = to_decimal(sd.get(agg, "reviewCount", "ratingCount"))
            review_count = int(count) if count is not None else None
        reviews = reviews or _reviews(sd, sd.get(data, "review", "reviews"))

    return Brief(
        url=page.url,
        title=title[:300],
        description=description[:3000],
        features=features[:6],
        price=format_price(amount) if amount is not None else None,
        currency=currency,
        brand=_brand(sd, datas, page),
        sku=sku,
        availability=availability,
        rating=rating,
        review_count=review_count,
        reviews=reviews,
        images=image_candidates(ex, title),
        videos=video_candidates(page, sd, datas),
        logo=_logo(page, sd, datas),
        site_name=page.first_meta("og:site_name") or (site_names[0] if site_names else None),
        language=language or page_language(page, title, description),
    )
