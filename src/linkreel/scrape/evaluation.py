"""Measuring the scraper on annotated saved pages, the way the Zyte product extraction benchmark does.

    pages = load_annotated(Path("../shared/pages/dev"))
    scores = evaluate(pages, extract=lambda page: extractor_for(page.url).extract(page.html, page.url))
    print(format_table(scores))

A prediction is right when it equals any annotated value after normalisation (prices as decimals,
currencies as ISO codes, SKUs and brands trimmed and case-folded). Per page and field: right is a
true positive; wrong is a false positive *and* a false negative; missing where a value was
annotated is a false negative; a value where none was annotated is a false positive. As in the
benchmark, an availability we could not tell counts as InStock ("availability" row); the
"availability (found)" row scores only what the scraper actually stated.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from linkreel.errors import LinkreelError
from linkreel.scrape.brief import Brief
from linkreel.scrape.generic import currency_code, page_country

FIELDS = ("price", "currency", "sku", "availability", "availability (found)", "brand")
_OUT_OF_STOCK = {"OutOfStock", "SoldOut", "Discontinued"}


@dataclass(frozen=True)
class AnnotatedPage:
    key: str
    url: str
    html: str
    truth: dict[str, list[str]]


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    support: int = 0
    errors: list[str] = field(default_factory=list)  # "key: predicted != expected", for --errors

    @property
    def precision(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    scores: dict[str, Score]
    pages: int
    failed: list[str]  # pages where extraction raised (no brief at all)
    seconds: float

    @property
    def seconds_per_page(self) -> float:
        return self.seconds / self.pages if self.pages else 0.0


def load_annotated(folder: Path) -> list[AnnotatedPage]:
    """The pages of a folder with `ground-truth.json` (Zyte's format: key -> field -> [values])."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key, entry in sorted(truth.items()):
        html = gzip.decompress((folder / f"{key}.html.gz").read_bytes()).decode("utf-8", "replace")
        values = {k: [str(x) for x in v] for k, v in entry.items() if k != "url" and isinstance(v, list)}
        pages.append(AnnotatedPage(key, entry["url"], html, values))
    return pages


# --------------------------------------------------------------------------- normalisation


def _decimal(value: str) -> Decimal | str:
    text = value.strip().replace(",", "")
    try:
        return Decimal(text).normalize()
    except InvalidOperation:
        return text


def _text(value: str) -> str:
    return " ".join(value.split()).casefold()


def _availability(value: str | None) -> str | None:
    if value is None:
        return None
    return "OutOfStock" if value in _OUT_OF_STOCK else "InStock"


def _predicted(brief: Brief | None, name: str) -> str | None:
    if brief is None:
        return "InStock" if name == "availability" else None
    if name == "availability":
        return _availability(brief.availability) or "InStock"
    if name == "availability (found)":
        return _availability(brief.availability)
    return getattr(brief, name)


def _truth(page: AnnotatedPage, name: str) -> list[str]:
    return page.truth.get("availability" if name.startswith("availability") else name, [])


def _normalise(name: str, value: str, page: AnnotatedPage) -> object:
    if name == "price":
        return _decimal(value)
    if name == "currency":
        return currency_code(value, page_country(page.url)) or value
    if name == "sku":  # the benchmark allowed "123/123" for "123123"
        return re.sub(r"[\W_]", "", value).casefold()
    if name == "brand":
        return _text(value)
    return value


@lru_cache(maxsize=64)
def currency_symbols(code: str) -> frozenset[str]:
    """How a currency is written in any locale ("CAD" -> "CA$", "$", ...): an annotated "$" is
    right for a Canadian page we call CAD."""
    from babel.localedata import locale_identifiers
    from babel.numbers import get_currency_symbol

    symbols = {code}
    for ident in locale_identifiers():
        try:
            symbol = get_currency_symbol(code, ident)
        except Exception:  # a locale Babel lists but cannot load
            continue
        symbols.update({symbol, re.sub(r"[A-Za-z]", "", symbol) or symbol})
    return frozenset(symbols)


# --------------------------------------------------------------------------- scoring


def score_page(scores: dict[str, Score], page: AnnotatedPage, brief: Brief | None) -> None:
    for name in FIELDS:
        score = scores[name]
        expected = {_normalise(name, v, page) for v in _truth(page, name) if v.strip()}
        predicted = _predicted(brief, name)
        score.support += bool(expected)
        if predicted is None:
            score.fn += bool(expected)
            if expected:
                score.errors.append(f"{page.key}: missing, expected {_truth(page, name)}")
        elif _normalise(name, predicted, page) in expected or (
            name == "currency" and any(written in currency_symbols(predicted) for written in expected)
        ):
            score.tp += 1
        else:
            score.fp += 1
            score.fn += bool(expected)
            score.errors.append(f"{page.key}: {predicted!r}, expected {_truth(page, name)}")


def evaluate(pages: Iterable[AnnotatedPage], extract: Callable[[AnnotatedPage], Brief]) -> Evaluation:
    scores = {name: Score() for name in FIELDS}
    failed: list[str] = []
    count = 0
    seconds = 0.0
    for page in pages:
        count += 1
        started = time.perf_counter()  # extraction only, not scoring
        try:
            brief: Brief | None = extract(page)
        except LinkreelError:
            brief = None
            failed.append(page.key)
        seconds += time.perf_counter() - started
        score_page(scores, page, brief)
    return Evaluation(scores, count, failed, seconds)


def format_table(ev: Evaluation, title: str = "") -> str:
    lines = [title] if title else []
    lines.append(f"{'field':<22}{'F1':>7}{'P':>7}{'R':>7}{'TP':>5}{'FP':>5}{'FN':>5}{'support':>9}")
    for name, s in ev.scores.items():
        lines.append(
            f"{name:<22}{s.f1:>7.3f}{s.precision:>7.3f}{s.recall:>7.3f}{s.tp:>5}{s.fp:>5}{s.fn:>5}{s.support:>9}"
        )
    failed = f", no product on {len(ev.failed)}" if ev.failed else ""
    lines.append(f"{ev.pages} pages, {ev.seconds_per_page:.3f} s/page{failed}")
    return "\n".join(lines)
