"""Pages that are not the product page: a bot check, a captcha, an "access denied" wall.

Shops and their CDNs (Cloudflare, Akamai, PerimeterX, DataDome, Amazon's own robot check)
answer scripted visitors with a challenge page, often with HTTP 200. Scraping it would make an ad
about "Just a moment...". The markers below are the challenge pages' own: their titles, and
the scripts/forms that run the challenge.
"""

from __future__ import annotations

import re

_TITLES = re.compile(
    r"^\s*(just a moment|attention required|access denied|robot check|are you a (human|robot)|"
    r"security check|pardon our interruption|please verify you are a human|verify you are human|"
    r"captcha|bot verification|one more step|request blocked|access to this page has been denied|"
    r"you have been blocked|checking your browser|ddos-guard|sorry, you have been blocked)\b",
    re.I,
)
_MARKERS = (
    "cf-challenge", "cf_chl_opt", "challenge-platform", "/cdn-cgi/challenge", "g-recaptcha", "h-captcha",
    "px-captcha", "_pxcaptcha", "captcha-delivery.com", "geo.captcha-delivery", "/errors/validatecaptcha",
    "distil_r_captcha", "ak_bmsc", "sec-if-cpt", "verify you are a human",
)  # fmt: skip


def blocked_reason(html: str, title: str, text_chars: int) -> str | None:
    """Why this is a challenge page instead of the product ("a captcha"), or None. `text_chars`
    is the length of the page's visible text."""
    if _TITLES.search(title or ""):
        return f"the shop answered with a bot check ({title.strip()[:60]!r}) instead of the product page"
    head = html[:200_000].lower()
    marker = next((m for m in _MARKERS if m in head), None)
    # Markers alone: real product pages embed reCAPTCHA in their review forms; a challenge page
    # has almost no text besides the challenge.
    if marker and text_chars < 1500:
        kind = "captcha" if "captcha" in marker else "bot check"
        return f"the shop answered with a {kind} page instead of the product page"
    return None


# Elements that never nest (void) or whose end tag may be left out (</p>, </li>): not counted.
_FLAT = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
    "wbr", "p", "li", "td", "tr", "th", "option", "optgroup", "dt", "dd", "tbody", "thead", "tfoot",
    "colgroup", "caption", "rt", "rp",
}  # fmt: skip
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)[^>]*>")
MAX_DEPTH = 4000  # real pages nest a few hundred deep at most; HTML parsers slow down quadratically


def too_deep(html: str, limit: int = MAX_DEPTH) -> bool:
    """Whether elements nest deeper than `limit` (an estimate from the tags, before parsing: a
    hostile page nested 100,000 deep would keep the parser busy for minutes)."""
    if html.count("<") < limit:
        return False
    depth = 0
    for tag in _TAG.finditer(html):
        if tag.group(2).lower() in _FLAT or tag.group(0).endswith("/>"):
            continue
        if tag.group(1):
            depth = depth - 1 if depth else 0
        else:
            depth += 1
            if depth > limit:
                return True
    return False
