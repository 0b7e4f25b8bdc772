"""Zalando articles (/<slug>-<sku>.html): the article SKU from the URL, full-size packshots.

Checked on the three saved Zalando IE pages of the dev set: class names are obfuscated, but
JSON-LD carries the product and images come from img01.ztat.net with an `imwidth` parameter.
"""

from __future__ import annotations

import re

from linkreel.scrape.brief import Brief
from linkreel.scrape.generic import Page
from linkreel.scrape.sites import SiteExtractor, register

_IMAGE = re.compile(r"https://img01\.ztat\.net/article/spp-media-p1/[0-9a-f]{32}/[0-9a-f]{32}\.jpg")


@register
class Zalando(SiteExtractor):
    name = "zalando"
    patterns = (r"^https?://(?:www\.|en\.)?zalando\.(?:[a-z]{2}|co\.uk|com)/[^?#]+-[a-z0-9]{9}-[a-z0-9]{3}\.html",)

    def refine(self, brief: Brief, page: Page) -> Brief:
        m = re.search(r"-([a-z0-9]{9}-[a-z0-9]{3})\.html", page.url or "", re.I)
        # The page lists this article's packshots first, then other articles' (colours, outfits).
        own = brief.images[0].url if brief.images else ""
        images = [u + "?imwidth=1800" for u in dict.fromkeys(_IMAGE.findall(page.html))]
        if own and (first := _IMAGE.search(own)):
            images = [first.group(0) + "?imwidth=1800"] + [u for u in images if not u.startswith(first.group(0))]
        return self.merged(brief, page, images=images[:8], sku=m.group(1).upper() if m else None)
