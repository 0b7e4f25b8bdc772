"""Mercado Libre / Mercado Livre items (/MLA-123…, produto.mercadolivre.com.br/MLB-…).

Markup (`h1.ui-pdp-title`, `.ui-pdp-price__second-line .andes-money-amount__fraction` /
`__cents`, `meta[itemprop=price]`, `figure.ui-pdp-gallery__figure img[data-zoom]`,
`.ui-pdp-stock-information__title`) as open-source Mercado Libre scrapers read it (e.g.
faculb271/mlscraping, heitornolla/WebScraping-MercadoLivre). Checked on a fixture only.
"""

from __future__ import annotations

import re

from linkreel.scrape.availability import text_availability
from linkreel.scrape.brief import Brief
from linkreel.scrape.generic import Page, node_text
from linkreel.scrape.sites import SiteExtractor, register

# Country by site: Mercado Libre writes every currency as "$" (or R$, S/).
_CURRENCY = {"com.ar": "ARS", "com.mx": "MXN", "com.br": "BRL", "cl": "CLP", "com.co": "COP", "com.uy": "UYU",
             "com.pe": "PEN", "com.ve": "VES", "com.ec": "USD", "co.cr": "CRC", "com.do": "DOP"}  # fmt: skip


@register
class MercadoLibre(SiteExtractor):
    name = "mercadolibre"
    patterns = (r"^https?://(?:[a-z]+\.)?mercadoli[bv]re\.[a-z.]+/",)

    def refine(self, brief: Brief, page: Page) -> Brief:
        tree = page.tree
        m = re.search(r"\b(ML[A-Z])-?(\d{6,12})\b", page.url or "")
        price_node = tree.css_first(".ui-pdp-price__second-line")
        fraction = node_text(price_node.css_first(".andes-money-amount__fraction")) if price_node else ""
        cents = node_text(price_node.css_first(".andes-money-amount__cents")) if price_node else ""
        meta_price = tree.css_first('meta[itemprop="price"]')
        # the fraction uses "." for thousands ("$ 12.499"): digits only, cents apart
        price = (re.sub(r"\D", "", fraction) + (f".{cents}" if cents else "")) if fraction else None
        if price is None and meta_price is not None:
            price = meta_price.attributes.get("content")
        site = re.search(r"mercadoli[bv]re\.([a-z.]+?)/", page.url or "")
        images = [
            n.attributes.get("data-zoom") or n.attributes.get("src")
            for n in tree.css("figure.ui-pdp-gallery__figure img")
        ]
        stock = node_text(tree.css_first(".ui-pdp-stock-information__title, .ui-pdp-buybox__quantity__available"))
        return self.merged(
            brief,
            page,
            images=[u for u in images if u and not u.startswith("data:")],
            title=node_text(tree.css_first("h1.ui-pdp-title")),
            price=price,
            currency=_CURRENCY.get(site.group(1)) if site else None,
            sku=f"{m.group(1)}{m.group(2)}" if m else None,
            availability=text_availability(stock) if stock else None,
        )
