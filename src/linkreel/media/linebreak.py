"""Where text may break, per script: spaces, CJK between characters (kinsoku), never inside a
grapheme cluster (Thai and Indic vowel signs, viramas, combining marks, ZWJ sequences).
"""

import unicodedata
from collections.abc import Callable

import pyphen

# Kinsoku shori: characters a line must not start with (closing brackets, punctuation, small
# kana, the prolonged sound mark, iteration marks) and must not end with (opening brackets).
NO_START = frozenset(
    "、。，．・：；？！‼⁇⁈⁉ー‐゠–〜～ゝゞヽヾ々〻」』）〕］｝〉》】〙〗〟’”»)]}>,.!?:;%"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ…‥"
)
NO_END = frozenset("「『（〔［｛〈《【〘〖〝‘“«([{<")

_VIRAMA = 9  # canonical combining class of Indic viramas: the next consonant joins the cluster
_JOINERS = {0x200C, 0x200D}


def _extends(prev: str, ch: str) -> bool:
    if ord(ch) in _JOINERS or ord(prev) == 0x200D:
        return True
    if unicodedata.category(ch) in ("Mn", "Mc", "Me") or 0xFE00 <= ord(ch) <= 0xFE0F:
        return True
    if ch in "\u0e33\u0eb3":  # Thai/Lao SARA AM is a letter (Lo) but never starts a cluster
        return True
    return unicodedata.combining(prev) == _VIRAMA and unicodedata.category(ch) == "Lo"


def clusters(text: str) -> list[str]:
    """User-perceived characters, close enough to UAX #29 for the scripts we caption."""
    out: list[str] = []
    for ch in text:
        if out and _extends(out[-1][-1], ch):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def can_break(left: str, right: str) -> bool:
    """Whether a line may end after `left` and the next start with `right` (CJK kinsoku rules)."""
    if not left or not right:
        return True
    return right[0] not in NO_START and left[-1] not in NO_END


def is_wide(ch: str) -> bool:
    """CJK ideographs, kana, hangul, fullwidth forms: text that breaks between characters, no hyphen."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _break_positions(word: str, language: str) -> list[int]:
    """Offsets inside `word` where it may be cut: hyphenation points where the language has a
    dictionary (pyphen), else between grapheme clusters, obeying kinsoku."""
    hyphenator = pyphen.Pyphen(lang=language) if language in pyphen.LANGUAGES else None
    if hyphenator is not None and not any(is_wide(c) for c in word):
        found = hyphenator.positions(word)
        if found:
            return list(found)
    out, pos = [], 0
    parts = clusters(word)
    for left, right in zip(parts, parts[1:], strict=False):
        pos += len(left)
        if can_break(left, right):
            out.append(pos)
    return out


def split_to_fit(word: str, width: Callable[[str], float], limit: float, language: str = "en") -> list[str]:
    """An over-long word cut into the fewest, most even pieces no wider than `limit` (where possible).

    Pieces of alphabetic words end in a hyphen; CJK pieces do not."""
    cuts = [0, *_break_positions(word, language), len(word)]

    def piece(a: int, b: int) -> str:
        text = word[a:b]
        return text if b == len(word) or is_wide(text[-1]) else text + "-"

    # best[j]: (pieces, widest piece) for word[:cuts[j]], and where its last piece starts
    best: list[tuple[int, float, int]] = [(0, 0.0, 0)] + [(10**9, float("inf"), 0)] * (len(cuts) - 1)
    for j in range(1, len(cuts)):
        for i in range(j):
            w = width(piece(cuts[i], cuts[j]))
            over = w > limit
            cand = (best[i][0] + 1 + (1000 if over else 0), max(best[i][1], w), i)
            if (cand[0], cand[1]) < (best[j][0], best[j][1]):
                best[j] = cand
    pieces, j = [], len(cuts) - 1
    while j > 0:
        i = best[j][2]
        pieces.append(piece(cuts[i], cuts[j]))
        j = i
    return pieces[::-1]
