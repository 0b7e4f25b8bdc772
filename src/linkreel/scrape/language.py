"""The page's language: what it declares (`<html lang>`, Content-Language, og:locale), else what
its text is written in (py3langid, on the title, description and visible text)."""

from __future__ import annotations

import re

from linkreel.scrape.generic import Page, node_text

_TAG = re.compile(r"\s*([A-Za-z]{2,3})(?:[-_]|$|\s)")
MIN_TEXT = 40  # characters: less than a sentence is not enough to tell


def declared_language(page: Page) -> str | None:
    html_tag = page.tree.css_first("html")
    raw = (html_tag.attributes.get("lang") or html_tag.attributes.get("xml:lang")) if html_tag is not None else None
    raw = raw or page.first_meta("content-language", "og:locale")
    if raw is None:
        http_equiv = page.tree.css_first('meta[http-equiv="content-language" i]')
        raw = http_equiv.attributes.get("content") if http_equiv is not None else None
    m = _TAG.match(raw or "")
    return m.group(1).lower() if m else None


def detected_language(text: str) -> str | None:
    text = " ".join(text.split())[:4000]
    if len(re.findall(r"\w", text)) < MIN_TEXT:
        return None
    import py3langid  # loads its model on first use (~0.5 s), only for pages that declare nothing

    code, _ = py3langid.classify(text)
    return code or None


def page_language(page: Page, title: str, description: str) -> str | None:
    declared = declared_language(page)
    if declared:
        return declared
    main = page.tree.css_first("main") or page.tree.body
    text = node_text(main)[:3000]
    return detected_language(f"{description}. {text}" if title in text else f"{title}. {description}. {text}")
