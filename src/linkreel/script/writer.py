"""Script writers: the offline template writer, and the splitter for a user's own script.

`TemplateWriter` fills a style's phrases (`styles.py`) with facts from the `Brief` and fits the
spoken length to the video: the voice gets `length_s - END_CARD_S` seconds at the language's
speech rate (`SPEECH_RATES`). Required beats (hook, intro, CTA) are always spoken; optional beats
(features, rating, price, quote) are added by priority while they fit; generic padding lines fill
what is left. Variants are picked from a hash of the product, so the same product always gets the
same script and two products get different ones. Nothing is invented: a phrase that needs a fact
the brief lacks (a price, a rating) is never spoken. Numbered lines ("Step two", "Reason three")
are counted after fitting, so a dropped step leaves no gap; a style whose required lines cannot
fit even with shorter features and name speaks its short form (`ScriptStyle.short_beats`).
`target_platform` adds where the link is to the CTA, `target_audience` a line and the tone
(`targeting.py`).
"""

import hashlib
import itertools
import re
import string
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal, Protocol

from babel.numbers import format_currency, format_decimal, get_decimal_symbol

from linkreel.errors import InputError
from linkreel.languages import get_language
from linkreel.scrape.brief import Brief
from linkreel.script.model import Scene, SceneRole, Script
from linkreel.script.styles import DEFAULT_STYLE, Beat, PhraseBank, get_bank, get_style, phrases
from linkreel.script.targeting import Audience, Platform, find_audience, find_platform
from linkreel.voice.normalize import normalize_for_speech

END_CARD_S = 2.5  # the CTA end card holds the logo and price silently at the end
VIDEO_LENGTHS = (15, 30, 45, 60)  # the contract's lengths; other lengths work too
MIN_LENGTH_S, MAX_LENGTH_S = 5, 600


# --- speech rate -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SpeechRate:
    per_s: float  # units per second at espeak-ng's default speed, pauses not included
    unit: Literal["letter", "mora", "syllable"]  # letter: alphabetic scripts and Hangul; mora: ja; syllable: zh


# espeak-ng 1.52 at its default 175 wpm, on the text the narration speaks (numbers written out by
# `normalize_for_speech`), plus PAUSE_S at each , . ! ? and their CJK forms. Letters predict speech
# time far better than words (per-scene error ±4-11 % against ±13-25 %: "Moisturizer" takes longer
# than "a"). Measured on ~2,000 scenes of this writer per language (en es de fr it ja nl pt), and on
# the 30 s scripts of 13 styles x 2 products per language for the others ("# scenes" marks both).
SPEECH_RATES: dict[str, SpeechRate] = {
    "ar": SpeechRate(10.5, "letter"),  # scenes
    "bg": SpeechRate(12.2, "letter"),  # scenes
    "cs": SpeechRate(14.6, "letter"),  # scenes
    "da": SpeechRate(17.5, "letter"),  # scenes
    "de": SpeechRate(17.2, "letter"),  # scenes
    "el": SpeechRate(13.8, "letter"),  # scenes
    "en": SpeechRate(16.6, "letter"),  # scenes (~3.0 words/s with pauses)
    "es": SpeechRate(16.3, "letter"),  # scenes
    "fi": SpeechRate(14.9, "letter"),  # scenes
    "fr": SpeechRate(20.1, "letter"),  # scenes: French writes many silent letters
    "hi": SpeechRate(11.8, "letter"),  # scenes
    "hr": SpeechRate(12.2, "letter"),  # scenes
    "id": SpeechRate(14.1, "letter"),  # scenes
    "it": SpeechRate(16.2, "letter"),  # scenes
    "ja": SpeechRate(9.6, "mora"),  # scenes
    "ko": SpeechRate(7.2, "letter"),  # scenes; a Hangul block is one syllable
    "ms": SpeechRate(11.5, "letter"),  # scenes
    "nl": SpeechRate(16.2, "letter"),  # scenes
    "pl": SpeechRate(14.2, "letter"),  # scenes
    "pt": SpeechRate(15.2, "letter"),  # scenes
    "ro": SpeechRate(14.1, "letter"),  # scenes
    "ru": SpeechRate(17.0, "letter"),  # scenes
    "sk": SpeechRate(15.0, "letter"),  # scenes
    "sv": SpeechRate(14.0, "letter"),  # scenes
    "ta": SpeechRate(13.9, "letter"),  # scenes
    "tl": SpeechRate(11.4, "letter"),  # scenes (the id voice)
    "tr": SpeechRate(13.1, "letter"),  # scenes
    "uk": SpeechRate(13.7, "letter"),  # scenes
    "zh": SpeechRate(3.8, "syllable"),  # scenes
}
PAUSE_S = 0.3  # espeak's pause at a comma or a full stop

_PAUSE = re.compile(r"[.!?,;:…؟،।]+(?=\s|$)|[。、！？，；：]+")
_SMALL_KANA = frozenset("ゃゅょぁぃぅぇぉゎャュョァィゥェォヮ")  # part of the previous mora
# In ja and zh, Latin-script names stay in the text: the ja voice spells them letter by letter
# (~0.25 s a letter), the zh voice reads them as English (~0.06 s a letter).
_LATIN_LETTER_UNITS = {"mora": 2.4, "syllable": 0.26}


@lru_cache(maxsize=8192)
def _spoken(text: str, language: str) -> str:
    return normalize_for_speech(text, language)


def speech_units(text: str, language: str) -> float:
    """How much there is to say, in the unit of the language's speech rate (pauses aside)."""
    unit = SPEECH_RATES[language].unit
    spoken = _spoken(text, language)
    if unit == "letter":
        return sum(unicodedata.category(c)[0] in "LMN" for c in spoken)  # letters, marks, digits
    units = 0.0
    for ch in spoken:
        if ch.isascii():
            units += _LATIN_LETTER_UNITS[unit] if ch.isalnum() else 0
        elif ch.isalnum() and ch not in _SMALL_KANA:
            # a kanji is read with about two morae; a hanzi is one syllable
            ideograph = unicodedata.name(ch, "").startswith("CJK UNIFIED")
            units += 2 if ideograph and unit == "mora" else 1
    return units


def estimate_seconds(text: str, language: str) -> float:
    """Spoken duration of `text` at the default speech rate of the language, pauses included."""
    pauses = len(_PAUSE.findall(_spoken(text, language)))
    return speech_units(text, language) / SPEECH_RATES[language].per_s + PAUSE_S * pauses


def speech_budget_s(length_s: int) -> float:
    """Seconds of voice-over in a video of `length_s` seconds (the end card is silent)."""
    return max(1.0, length_s - END_CARD_S)


# --- the seam --------------------------------------------------------------------------------


class Writer(Protocol):
    def write(
        self, brief: Brief, style: str, language: str, length_s: int,
        platform: str | None = None, audience: str | None = None,
    ) -> Script:
        """A script in `style` and `language` whose voice-over fits a `length_s` video; `platform`
        and `audience` are the contract's free-text targeting (they change the tone and the CTA)."""
        ...


# --- facts from the brief ----------------------------------------------------------------------

_TITLE_SEPARATORS = (" - ", " – ", " — ", " | ", "|", "｜", ", ", "、", ": ", "：", " (", "（", " / ")
_FEATURE_SEPARATORS = ("; ", " - ", " – ", " — ", ", ", " (", "、", "（", "。")
_BRACKETED = re.compile(r"[【\[][^】\]]*[】\]]")  # "【公式】", "[NEW]"
_BULLET = "•·-–—*✓✔►▶→ \t"
_TRAILING = " .;:,!、。，；："
# Words a cut phrase should not end on (en es de fr pt it nl): "30 hours of battery life with" -> "...life".
_CONNECTORS = frozenset(
    """a an the and or with for of to in on by at from y o con para de del la el los las en por un una
    und oder mit für von der die das zu im am ein eine et ou avec pour du des le les au aux e com da
    do dos per di il lo gli een het van voor met op that which without so into your its is are sin que
    sans qui que ohne dass senza che sem que zonder dat die""".split()  # noqa: SIM905 (a word list reads better)
)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+|(?<=[。！？])")  # for descriptions and reviews
_MODEL_NUMBER = re.compile(r"(?=.*\d)(?=.*[^\W\d_])[\w./-]+")  # "WH-1000XM5", "S24", "X100V"
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")

NAME_MAX_WORDS, NAME_MAX_CHARS = 5, 20  # spaced scripts / CJK titles
SCREEN_MAX_WORDS, SCREEN_MAX_CHARS = 5, 12
QUOTE_MAX_WORDS, QUOTE_SCREEN_WORDS = 16, 6
MAX_FEATURES = 6


def _is_cjk(text: str) -> bool:
    """True for text written without spaces between words (ja, zh)."""
    return len(_CJK_CHAR.findall(text)) * 2 > len(text.replace(" ", ""))


def _cut_at_separator(text: str, separators: Iterable[str], min_head: int = 2) -> str:
    """The part before the first separator, if that part is still a phrase of `min_head` words."""
    cuts = [i for sep in separators if (i := text.find(sep)) > 0]
    if not cuts:
        return text
    head = text[: min(cuts)].strip()
    size = len(head) // 3 if _is_cjk(head) else len(head.split())  # ~3 CJK chars per word
    return head if size >= min_head else text


def _cut_words(words: list[str], n: int) -> list[str]:
    """The first `n` words, cut before a connector where one leaves a phrase of 2+ words
    ("Fragrance-free and suitable for sensitive skin" -> "Fragrance-free and suitable"), and never
    ending on a bare number: cutting "up to 30 hours of use" after "30" would change its meaning."""
    head = words[:n]
    at = [i for i, w in enumerate(words[: n + 1]) if i >= 2 and w.lower() in _CONNECTORS]
    if at and n < len(words):
        head = words[: at[-1]]
    while len(head) > 1 and (head[-1].lower() in _CONNECTORS or any(c.isdigit() for c in head[-1])):
        head.pop()
    return head


def _clip_words(text: str, max_words: int, max_chars: int) -> tuple[str, bool]:
    """At most `max_words` words (or `max_chars` characters for CJK): on-screen text and names.
    Returns (text, whether it was cut)."""
    if _is_cjk(text):
        if len(text) <= max_chars:
            return text, False
        if " " in text:  # whole space-separated parts: "ソニー ワイヤレス…" -> "ソニー"
            parts = text.split()
            n = max(1, max(i for i in range(len(parts) + 1) if len(" ".join(parts[:i])) <= max_chars))
            return " ".join(parts[:n]), True
        return text[:max_chars].rstrip(_TRAILING), True
    words = text.split()
    if len(words) <= max_words:
        return text, False
    return " ".join(_cut_words(words, max_words)).rstrip(_TRAILING), True


def _clip_speech(text: str, max_s: float, language: str) -> tuple[str, bool]:
    """The longest leading part of `text` that is spoken within `max_s` seconds.
    Returns (text, whether it was cut)."""
    if estimate_seconds(text, language) <= max_s:
        return text, False
    text = _cut_at_separator(text, _FEATURE_SEPARATORS)  # prefer a whole clause
    if _is_cjk(text):
        n = next((i for i in range(len(text), 0, -1) if estimate_seconds(text[:i], language) <= max_s), 1)
        return text[:n].rstrip(_TRAILING), True
    words = text.split()
    n = next((i for i in range(len(words), 0, -1) if estimate_seconds(" ".join(words[:i]), language) <= max_s), 1)
    return " ".join(_cut_words(words, n)).rstrip(_TRAILING), True


def product_name(title: str, brand: str | None = None) -> str:
    """A speakable name from a (possibly long SEO) title: cut at the first separator, stop after an
    early model number, keep at most a few words.
    "Sony WH-1000XM5 Wireless Noise Canceling Headphones, Black" -> "Sony WH-1000XM5"."""
    title = " ".join(_BRACKETED.sub(" ", title).split()) or title.strip()
    lead = ""
    if brand and title.lower().startswith(brand.lower() + " "):
        # keep the brand out of the separator search: "Acme, Inc. Pro 3" should not cut after "Acme"
        lead, title = title[: len(brand)], _clean(title[len(brand) :])
    name = _cut_at_separator(title, _TITLE_SEPARATORS, min_head=1)
    words = name.split()
    if len(words) > NAME_MAX_WORDS:
        model = next((i for i, w in enumerate(words[:3]) if _MODEL_NUMBER.fullmatch(w)), None)
        name = " ".join(words[: model + 1]) if model is not None else name
    name = _clip_words(name, NAME_MAX_WORDS, NAME_MAX_CHARS)[0].strip(_TRAILING + "'\"")
    return f"{lead} {name}".strip() or title


def format_price(price: str | None, currency: str | None, locale: str) -> str | None:
    """The price as written in the language's locale ("49,99 €" in de), or None if there is none.

    The amount is never rounded (a "49.999" JPY price stays as is). A currency written as a
    symbol stays that symbol, placed where the locale puts currency signs."""
    if not price:
        return None
    try:
        amount = Decimal(price)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount <= 0:
        return None
    code = (currency or "").strip()
    if not code:
        text = format_decimal(amount, locale=locale, decimal_quantization=False)
    elif re.fullmatch(r"[A-Z]{3}", code):
        text = format_currency(amount, code, locale=locale, decimal_quantization=False)
    else:  # "XXX" (no currency) formats with the generic sign ¤; put the page's own sign there
        text = format_currency(amount, "XXX", locale=locale, decimal_quantization=False).replace("¤", code)
    if amount == amount.to_integral_value():  # "$129", not "$129.00"
        text = re.sub(re.escape(get_decimal_symbol(locale)) + r"0+(?!\d)", "", text)
    return text


def _clean(text: str) -> str:
    return " ".join(text.split()).lstrip(_BULLET).rstrip(_TRAILING)


def _features(brief: Brief, same_language: bool) -> list[str]:
    """Feature bullets, then short description sentences, without duplicates."""
    found: list[str] = []
    seen: set[str] = set()
    sentences = _SENTENCE_BREAK.split(brief.description) if same_language else []
    for raw in [*brief.features, *sentences]:
        text = _clean(raw)
        if len(text) < 3 or text.lower() in seen or text.lower() == brief.title.lower():
            continue
        seen.add(text.lower())
        found.append(text)
    return found[:MAX_FEATURES]


def _quote(brief: Brief, language: str) -> str | None:
    """The first sentence of the best review, as the reviewer wrote it (maybe shortened)."""
    reviews = sorted((r for r in brief.reviews if r.text.strip()), key=lambda r: (-(r.rating or 0), len(r.text)))
    for review in reviews:
        first = _SENTENCE_BREAK.split(" ".join(review.text.split()))[0].strip()
        if len(first) < 3:
            continue
        text, cut = _clip_words(first, QUOTE_MAX_WORDS, QUOTE_MAX_WORDS * 3)
        if cut:
            return text + "…"
        return text if text[-1] in ".!?…。！？" else text + ("。" if get_language(language).no_spaces else ".")
    return None


@dataclass(frozen=True)
class _Facts:
    values: dict[str, str]  # placeholder -> text, only for facts the brief really holds
    features: list[str]


def _names(brief: Brief) -> list[str]:
    """The product name, then shorter forms of it for when a short ad has no time for all of it
    (in ja, espeak spells a Latin-script name letter by letter)."""
    name = product_name(brief.title, brief.brand)
    if not name:
        raise InputError("the product has no title to write a script about")
    words = name.split()
    return [name] + [" ".join(words[:n]) for n in (3, 2) if n < len(words)]


FEATURE_SCALES = (1.0, 0.7, 0.5)  # a feature's time, as a share of its usual time, when a short ad overruns


def _facts(brief: Brief, bank: PhraseBank, length_s: int, name: str, feature_scale: float = 1.0) -> _Facts:
    locale = bank.locale
    # A page in another language is still used for features, but not for quotes and the
    # description, which would be read out in the wrong language.
    same_language = brief.language is None or brief.language.split("-")[0] == bank.language
    values = {"name": name, "scale": "5"}
    if brief.brand and brief.brand.lower() not in name.lower():
        values["brand"] = brief.brand.strip()
    if (price := format_price(brief.price, brief.currency, locale)) is not None:
        values["price"] = price
    if brief.rating is not None and 0 < brief.rating <= 5:
        values["rating"] = format_decimal(round(brief.rating, 1), format="0.#", locale=locale)
        if brief.review_count is not None and brief.review_count >= 2:  # "1 reviews" reads wrong
            values["count"] = format_decimal(brief.review_count, locale=locale)
    if same_language and (quote := _quote(brief, bank.language)):
        values["quote"] = quote
        values["quote_short"] = _clip_words(quote.rstrip(_TRAILING + "…?!？！"), QUOTE_SCREEN_WORDS, 14)[0]
    # A feature is spoken in about 1.5 s + 5 % of the video: ~6 words in a 15 s ad, ~12 in 60 s.
    feature_s = (1.5 + length_s / 20) * feature_scale
    clipped = [_clip_speech(f, feature_s, bank.language) for f in _features(brief, same_language)]
    # Whole features first: a short ad says "Reef-friendly formula" rather than half a long one.
    features = [text for text, cut in sorted(clipped, key=lambda fc: fc[1])]
    return _Facts(values, features)


# --- choosing phrases --------------------------------------------------------------------------


# Words a language contracts before a vowel ("de {name}" + "AeroBottle" -> "d'AeroBottle"): applied
# to the template where a fact is inserted, never to the fact itself (a quote stays verbatim).
_ELISIONS: dict[str, re.Pattern[str]] = {
    "fr": re.compile(r"\b(?P<word>[Qq]ue|[DdJjLlMmNnSsTt]e|[Ll]a) \{(?P<field>\w+)\}"),
}
_VOWEL_START = re.compile(r"[AEIOUYÀÂÆÉÈÊËÎÏÔŒÙÛÜaeiouyàâæéèêëîïôœùûü]")


def _elide(template: str, known: Mapping[str, str], language: str) -> str:
    pattern = _ELISIONS.get(language)
    if pattern is None:
        return template

    def contract(m: re.Match[str]) -> str:
        if _VOWEL_START.match(known.get(m["field"], "")):
            return f"{m['word'][:-1]}'{{{m['field']}}}"
        return m.group(0)

    return pattern.sub(contract, template)


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def _usable(variants: Iterable[str], known: Mapping[str, str]) -> list[str]:
    return [v for v in variants if _placeholders(v) <= known.keys()]


class _Picker:
    """Deterministic choices from a hash of the product (never Python's salted `hash`)."""

    def __init__(self, brief: Brief) -> None:
        key = "\n".join([brief.url or "", brief.title, brief.brand or "", brief.sku or ""])
        self._seed = hashlib.sha256(key.encode()).digest()

    def index(self, slot: str, n: int, k: int = 0) -> int:
        """Variant index for `slot`; k-th use of the same slot gets the next variant (no repeats)."""
        h = int.from_bytes(hashlib.sha256(self._seed + slot.encode()).digest()[:8], "big")
        return (h + k) % n

    def rotation(self, slot: str, items: list[str]) -> list[str]:
        start = self.index(slot, len(items)) if items else 0
        return items[start:] + items[:start]


@dataclass(frozen=True)
class _Draft:
    role: SceneRole
    spoken: str
    on_screen: str
    priority: int
    shortest: str  # the shortest usable variant, to squeeze a too-long required beat
    host: bool  # padding lines may be appended to this scene
    # A numbered beat ("Step two: ..."): its variants in order and the facts to fill them, so the
    # steps that make it into the ad can be counted again without gaps.
    ordinals: tuple[str, ...] = ()
    known: Mapping[str, str] | None = None


# The estimate aims inside this window around the speech budget (the narration then adjusts the
# voice's rate, by -15 % to +50 %, to hit it exactly).
FIT_LOW, FIT_HIGH = 0.95, 1.03
AUDIENCE_PRIORITY = 2  # said in most 30 s ads, dropped from the shortest
MAX_PADS_PER_SCENE = 3


def _drafts(beats: Iterable[Beat], bank: PhraseBank, facts: _Facts, pick: _Picker) -> Iterator[_Draft]:
    for beat in beats:
        features: list[str | None] = list(facts.features[: beat.max_features]) if beat.per_feature else [None]
        for k, feature in enumerate(features):
            known = dict(facts.values)
            if feature is not None:
                known["feature"] = feature
                known["feature_short"] = _clip_words(feature, SCREEN_MAX_WORDS, SCREEN_MAX_CHARS)[0]
            slot, variants = next(((s, v) for s in beat.slots if (v := _usable(phrases(bank, s), known))), ("", []))
            if not variants:
                continue  # the brief lacks the fact this beat is about
            variants = [_elide(v, known, bank.language) for v in variants]
            at = k % len(variants) if beat.numbered else pick.index(slot, len(variants), k)
            spoken = variants[at].format_map(known)
            screens = _usable(phrases(bank, beat.screen), known) or [""]
            yield _Draft(
                role=beat.role,
                spoken=spoken,
                on_screen=screens[pick.index(beat.screen, len(screens), k)].format_map(known),
                priority=beat.priority + beat.feature_step * k,
                # numbered variants are not interchangeable: "Step two" stays "Step two"
                shortest=spoken if beat.numbered else min((v.format_map(known) for v in variants), key=len),
                host=beat.pad_host,
                ordinals=tuple(variants) if beat.numbered else (),
                known=known if beat.numbered else None,
            )


def _fit(drafts: list[_Draft], bank: PhraseBank, pick: _Picker, budget_s: float) -> list[_Draft]:
    """Keep required beats, add optional ones by priority while they fit, then pad to the budget."""
    lang = bank.language

    def seconds(d: _Draft) -> float:
        return estimate_seconds(d.spoken, lang)

    keep = {i for i, d in enumerate(drafts) if d.priority == 0}
    if sum(seconds(drafts[i]) for i in keep) > budget_s * FIT_HIGH:  # a 15 s ad: say it the short way
        drafts = [replace(d, spoken=d.shortest) if i in keep else d for i, d in enumerate(drafts)]
    total = sum(seconds(drafts[i]) for i in keep)
    for i in sorted(set(range(len(drafts))) - keep, key=lambda i: (drafts[i].priority, i)):
        if total + seconds(drafts[i]) <= budget_s * FIT_HIGH:
            keep.add(i)
            total += seconds(drafts[i])
    chosen: list[_Draft] = []
    for d in (d for i, d in enumerate(drafts) if i in keep):
        if d.role == SceneRole.OFFER and chosen and chosen[-1].role == SceneRole.OFFER:
            total -= seconds(d)  # a price recap right after the price says nothing new
            continue
        chosen.append(d)
    chosen = _renumbered(chosen)
    return _pad(chosen, bank, pick, budget_s, sum(seconds(d) for d in chosen))


def _renumbered(drafts: list[_Draft]) -> list[_Draft]:
    """Steps and reasons counted in the order they are said: when a long first step did not fit, the
    next one is "Step two", not "Step three"."""
    out: list[_Draft] = []
    counts: dict[tuple[str, ...], int] = {}
    for d in drafts:
        if d.ordinals and d.known is not None:
            k = counts.get(d.ordinals, 0)
            counts[d.ordinals] = k + 1
            d = replace(d, spoken=d.ordinals[k % len(d.ordinals)].format_map(d.known))
        out.append(d)
    return out


def _pad(chosen: list[_Draft], bank: PhraseBank, pick: _Picker, budget_s: float, total: float) -> list[_Draft]:
    """Append generic lines (no facts in them) to the middle scenes until the time is filled, evenly
    and at most MAX_PADS_PER_SCENE per scene; then a new scene (the next image) takes the rest."""
    pads = {i: 0 for i, d in enumerate(chosen) if d.host}  # host scene -> lines added
    sep = "" if get_language(bank.language).no_spaces else " "
    name = next((d.on_screen for d in chosen if d.role in (SceneRole.HOOK, SceneRole.INTRO)), "")
    for line in pick.rotation("pad", list(phrases(bank, "pad"))):
        if total >= budget_s * FIT_LOW:
            break
        line_s = estimate_seconds(line, bank.language)
        if total + line_s > budget_s * FIT_HIGH:
            continue
        if all(n >= MAX_PADS_PER_SCENE for n in pads.values()):
            # a new scene after the last host (before price and CTA); later scenes move one on
            at = max(pads, default=0) + 1
            chosen.insert(at, _Draft(SceneRole.BENEFIT, "", name, 1, "", True))
            pads[at] = 0
        i = min(pads, key=lambda i: (pads[i], i))
        chosen[i] = replace(chosen[i], spoken=f"{chosen[i].spoken}{sep}{line}".strip())
        pads[i] += 1
        total += line_s
    return chosen


class TemplateWriter:
    """The offline default `Writer`: style phrase banks filled from the brief."""

    name = "template"

    def write(
        self, brief: Brief, style: str = DEFAULT_STYLE, language: str = "en", length_s: int = 30,
        platform: str | None = None, audience: str | None = None,
    ) -> Script:
        _check_length(length_s)
        script_style = get_style(style)
        bank = get_bank(language)
        pick = _Picker(brief)
        budget_s = speech_budget_s(length_s)
        target_platform, target_audience = find_platform(platform), find_audience(audience)
        forms = [b for b in (script_style.beats, script_style.short_beats) if b is not None]
        # The style's full form with the full name and whole features, unless even the shortest
        # required lines overrun: then shorter features, a shorter name, and last the short form.
        for beats, name, feature_scale in itertools.product(forms, _names(brief), FEATURE_SCALES):
            facts = _facts(brief, bank, length_s, name, feature_scale)
            drafts = list(_drafts(_for_audience(beats, target_audience), bank, facts, pick))
            required = sum(estimate_seconds(d.shortest, language) for d in drafts if d.priority == 0)
            if required <= budget_s * FIT_HIGH:
                break
        if target_platform is not None:
            drafts = _with_where(drafts, bank, target_platform)
        drafts = _fit(drafts, bank, pick, budget_s)
        n_images = len(brief.images)
        scenes = [
            Scene(role=d.role, spoken=d.spoken, on_screen=d.on_screen, image=i % n_images if n_images else None)
            for i, d in enumerate(drafts)
        ]
        return Script(
            language=language, style=style, length_s=length_s, scenes=scenes,
            tone=target_audience.tone if target_audience else script_style.tone,
            platform=target_platform.key if target_platform else None,
            audience=target_audience.key if target_audience else None,
        )


def _for_audience(beats: tuple[Beat, ...], audience: Audience | None) -> tuple[Beat, ...]:
    """The style's beats with the audience line ("Made for busy families.") before the features."""
    if audience is None:
        return beats
    at = next((i for i, b in enumerate(beats) if b.per_feature), 1)
    line = Beat(SceneRole.BENEFIT, (audience.line_slot,), "screen.none", priority=AUDIENCE_PRIORITY)
    return (*beats[:at], line, *beats[at:])


def _with_where(drafts: list[_Draft], bank: PhraseBank, platform: Platform) -> list[_Draft]:
    """The CTA followed by where the link is on the platform; a short ad keeps the bare CTA."""
    if not drafts or drafts[-1].role != SceneRole.CTA:
        return drafts
    sep = "" if get_language(bank.language).no_spaces else " "
    cta = drafts[-1]
    where = phrases(bank, platform.where_slot)[0]
    return [*drafts[:-1], replace(cta, spoken=f"{cta.spoken}{sep}{where}")]


def _check_length(length_s: int) -> None:
    if not MIN_LENGTH_S <= length_s <= MAX_LENGTH_S:
        raise InputError(f"video length must be {MIN_LENGTH_S}-{MAX_LENGTH_S} s (usually one of {VIDEO_LENGTHS})")


# --- override_script ---------------------------------------------------------------------------

# A sentence ends after . ! ? … (and Arabic/Hindi marks) followed by space, or after 。！？ anywhere.
_SENTENCE_END = re.compile(r"[.!?…؟।]+[\"'”’»)]*(?=\s)|[。！？]+[」』）]*")
SCENE_TARGET_S = 4.0  # about one image per 4 s of narration


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `text`, whitespace around it excluded."""
    spans, start = [], 0
    for m in [*_SENTENCE_END.finditer(text), None]:
        end = m.end() if m else len(text)
        chunk = text[start:end]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            spans.append((start + lead, start + len(chunk.rstrip())))
        start = end
    return spans


def split_script(text: str, language: str, length_s: int, n_images: int = 0) -> Script:
    """A user's own voice-over, spoken verbatim, cut into scenes at sentence ends.

    Each scene's `spoken` is an exact slice of `text`. Short sentences are grouped so a scene lasts
    about `SCENE_TARGET_S`. Roles: hook first, CTA last (when there are two or more scenes), intro
    second, benefits between. `length_s` only labels the script: the narration sets the length."""
    get_language(language)
    _check_length(length_s)
    spans = _sentence_spans(text)
    if not spans:
        raise InputError("override_script is empty")
    groups: list[tuple[int, int]] = []
    for start, end in spans:
        if groups and estimate_seconds(text[groups[-1][0] : groups[-1][1]], language) < SCENE_TARGET_S:
            groups[-1] = (groups[-1][0], end)
        else:
            groups.append((start, end))
    roles = [SceneRole.BENEFIT] * len(groups)
    roles[0] = SceneRole.HOOK
    if len(groups) > 2:
        roles[1] = SceneRole.INTRO
    if len(groups) > 1:
        roles[-1] = SceneRole.CTA
    scenes = [
        Scene(role=role, spoken=text[start:end], image=i % n_images if n_images else None)
        for i, (role, (start, end)) in enumerate(zip(roles, groups, strict=True))
    ]
    return Script(language=language, style="override", length_s=length_s, scenes=scenes)
