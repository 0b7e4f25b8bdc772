"""IPA phonemes -> visemes: the 15 mouth classes of the usual lip-sync set, each with its mouth shape.

    viseme_of("ˈaɪ")      -> ["aa", "I"]   (a diphthong glides through two shapes)
    VISEMES["PP"].shape   -> MouthShape(open=0.0, ...)

The table goes by IPA symbol, not by language, so every language espeak speaks is covered: stress
and length marks and diacritics are stripped, affricates and a few clusters are looked up whole,
then each remaining symbol is classed on its own. Unknown symbols fall back to a neutral half-open
mouth rather than failing.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class MouthShape:
    open: float  # jaw/lip opening, 0 closed .. 1 wide open
    wide: float  # lip spread, 0 narrow .. 1 spread (as in "ee")
    round: float  # lip rounding/protrusion, 0 .. 1 (as in "oo")


@dataclass(frozen=True)
class Viseme:
    name: str
    shape: MouthShape
    # How strongly this sound imposes its shape on its neighbours' time (coarticulation): lips must
    # close for p/b/m, while k/h borrow the surrounding vowel's shape.
    dominance: float


VISEMES: dict[str, Viseme] = {v.name: v for v in (
    Viseme("sil", MouthShape(0, 0.45, 0.0), 0.6),
    Viseme("PP", MouthShape(0, 0.45, 0.1), 8.0),
    Viseme("FF", MouthShape(0.06, 0.5, 0.0), 3.0),
    Viseme("TH", MouthShape(0.12, 0.5, 0.0), 1.5),
    Viseme("DD", MouthShape(0.1, 0.5, 0.0), 0.7),
    Viseme("kk", MouthShape(0.08, 0.5, 0.0), 0.5),
    Viseme("CH", MouthShape(0.14, 0.25, 0.65), 2.0),
    Viseme("SS", MouthShape(0.06, 0.75, 0.0), 1.5),
    Viseme("nn", MouthShape(0.08, 0.5, 0.0), 0.7),
    Viseme("RR", MouthShape(0.18, 0.3, 0.5), 1.0),
    Viseme("aa", MouthShape(0.95, 0.55, 0.0), 1.6),
    Viseme("E", MouthShape(0.7, 0.7, 0.0), 1.3),
    Viseme("I", MouthShape(0.55, 0.9, 0.0), 1.3),
    Viseme("O", MouthShape(0.78, 0.2, 0.8), 1.5),
    Viseme("U", MouthShape(0.5, 0.1, 1.0), 1.6),
)}

# Multi-symbol units looked up before single symbols (affricates, clusters espeak emits as one event).
_CLUSTERS: dict[str, str] = {
    "tʃ": "CH", "dʒ": "CH", "tɕ": "CH", "dʑ": "CH", "tʂ": "CH", "dʐ": "CH",
    "ts": "SS", "dz": "SS", "pf": "FF",
}

_SYMBOLS: dict[str, str] = {}
for _names, _viseme in (
    ("pbmɓʙɸβ", "PP"),
    ("fvɱʋ", "FF"),
    ("θð", "TH"),
    ("tdɗʈɖɾɽʄ", "DD"),
    ("kgɡŋxɣqɢχʁħʕhɦʔcɟçʝɠ", "kk"),
    ("ʃʒɕʑʂʐ", "CH"),
    ("sz", "SS"),
    ("nɲɳɴlɫɭʎʟɬɮ", "nn"),
    ("rɹɻʀɺʁ", "RR"),
    ("aäɑɒæɐʌ", "aa"),
    ("eɛəɜɘɚɝ", "E"),
    ("iɪɨj", "I"),
    ("oɔɵøœɞɤ", "O"),
    ("uʊɯwyʉʏɥɰ", "U"),
    ("_", "sil"),
):
    for _ch in _names:
        _SYMBOLS.setdefault(_ch, _viseme)

_VOWEL_VISEMES = frozenset({"aa", "E", "I", "O", "U"})
_FALLBACK = "DD"


def _clean(ipa: str) -> str:
    """Drop stress/length marks, combining diacritics and modifier letters (ˈ ˌ ː ̞ ᵝ ʰ ʲ ...)."""
    out = []
    for ch in unicodedata.normalize("NFD", ipa):
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Lm", "Sk"):
            continue
        out.append(ch)
    return "".join(out)


def viseme_of(ipa: str) -> list[str]:
    """The visemes one phoneme event passes through, in order (one for most, two for diphthongs).

    Empty for an event that only modifies the previous sound (espeak reports Russian palatalisation
    `ʲ` as an event of its own): the mouth keeps the previous shape.
    """
    if ipa in ("", "_"):
        return ["sil"]
    text = _clean(ipa)
    if not text:
        return []
    out: list[str] = []
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        if pair in _CLUSTERS:
            out.append(_CLUSTERS[pair])
            i += 2
            continue
        out.append(_SYMBOLS.get(text[i], _FALLBACK))
        i += 1
    # A glide inside one event (aɪ, aʊ, əl): keep distinct steps only.
    steps = [v for k, v in enumerate(out) if k == 0 or v != out[k - 1]]
    return steps[:3]


def is_vowel(viseme: str) -> bool:
    return viseme in _VOWEL_VISEMES
