"""Word-timed captions: group spoken words into short lines, write them as ASS for libass.

Each spoken word gets one ASS event showing its whole line with that word highlighted, so the
highlight follows the voice exactly (timings come from the TTS word events).
"""

import math

from linkreel.languages import get_language
from linkreel.media.fonts import family_for_text
from linkreel.media.timeline import SIZES, Box, CaptionLine, CaptionTrack, CaptionWord
from linkreel.voice.speech import Speech

MAX_LINE_CHARS = 20  # fits the narrowest frame (9x16) at the default size
MAX_LINE_CHARS_CJK = 11
MAX_LINE_WORDS = 4
PAUSE_BREAK_MS = 550
_SENTENCE_END = tuple(".!?。！？…؟")


def display_words(speech: Speech, no_spaces: bool) -> list[CaptionWord]:
    """The words as shown: each word event widened to its attached punctuation."""
    text, words = speech.text, speech.words
    out: list[CaptionWord] = []
    prev_end = 0
    for i, w in enumerate(words):
        nxt = words[i + 1].char_start if i + 1 < len(words) else len(text)
        if no_spaces:
            shown = text[w.char_start:nxt].strip()
        else:
            start = w.char_start
            while start > prev_end and not text[start - 1].isspace():
                start -= 1
            end = w.char_end
            while end < nxt and not text[end].isspace():
                end += 1
            prev_end = end
            shown = text[start:end]
        if shown:
            out.append(CaptionWord(text=shown, start_ms=w.start_ms, end_ms=w.end_ms))
    return out


def _sentences(words: list[CaptionWord]) -> list[list[CaptionWord]]:
    """Runs of words ending at sentence punctuation or at a long pause."""
    runs: list[list[CaptionWord]] = []
    cur: list[CaptionWord] = []
    for w in words:
        if cur and w.start_ms - cur[-1].end_ms > PAUSE_BREAK_MS:
            runs.append(cur)
            cur = []
        cur.append(w)
        if w.text.endswith(_SENTENCE_END):
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return runs


def _balanced(run: list[CaptionWord], limit: int, joiner_len: int, max_words: int) -> list[list[CaptionWord]]:
    """Split one sentence into the fewest lines within the limits, as even as possible (no orphans)."""
    total = sum(len(w.text) for w in run) + joiner_len * (len(run) - 1)
    n = max(math.ceil(total / limit), math.ceil(len(run) / max_words), 1)
    target = total / n
    lines: list[list[CaptionWord]] = []
    cur: list[CaptionWord] = []
    length = 0
    for w in run:
        remaining_lines = n - len(lines)
        grow = len(w.text) + (joiner_len if cur else 0)
        full = len(cur) >= max_words or (cur and length + grow > target + len(w.text) / 2)
        if cur and full and remaining_lines > 1:
            lines.append(cur)
            cur, length, grow = [], 0, len(w.text)
        cur.append(w)
        length += grow
    lines.append(cur)
    return lines


def group_lines(words: list[CaptionWord], no_spaces: bool) -> list[list[CaptionWord]]:
    limit = MAX_LINE_CHARS_CJK if no_spaces else MAX_LINE_CHARS
    joiner_len = 0 if no_spaces else 1
    # Unspaced scripts are timed per character or mora, so only the length limits a line there.
    max_words = limit if no_spaces else MAX_LINE_WORDS
    return [line for run in _sentences(words) for line in _balanced(run, limit, joiner_len, max_words)]


def separator(left: str, right: str, joiner: str) -> str:
    """What goes between two caption words; in unspaced scripts Latin neighbours still get a space."""
    if joiner:
        return joiner
    latin = left[-1:].isascii() and left[-1:].isalnum() and right[:1].isascii() and right[:1].isalnum()
    return " " if latin else ""


def join_words(texts: list[str], joiner: str) -> str:
    return "".join((separator(texts[i - 1], t, joiner) if i else "") + t for i, t in enumerate(texts))


def caption_track(speech: Speech, language: str, offset_ms: int, box: dict[str, Box]) -> CaptionTrack:
    lang = get_language(language)
    words = [
        CaptionWord(text=w.text, start_ms=w.start_ms + offset_ms, end_ms=w.end_ms + offset_ms)
        for w in display_words(speech, lang.no_spaces)
    ]
    joiner = "" if lang.no_spaces else " "
    return CaptionTrack(
        font=lang.font,
        rtl=lang.rtl,
        lines=[CaptionLine(words=ws, joiner=joiner) for ws in group_lines(words, lang.no_spaces)],
        box=box,
    )


# --- ASS -------------------------------------------------------------------------------------

LINE_HOLD_MS = 1500  # the longest a line stays after its last word starts (pauses, the ending)


def _ts(ms: int) -> str:
    cs = max(0, ms) // 10
    return f"{cs // 360000}:{cs // 6000 % 60:02d}:{cs // 100 % 60:02d}.{cs % 100:02d}"


def _ass_color(rgb: tuple[int, int, int], alpha: int = 0) -> str:
    r, g, b = rgb
    return f"&H{alpha:02X}{b:02X}{g:02X}{r:02X}"


def _escape(text: str) -> str:
    return text.replace("\\", "/").replace("{", "(").replace("}", ")").replace("\n", " ")


# At one point size some scripts look smaller than Latin (Noto Sans Arabic notably): even them out.
_SCALE = {"Noto Sans Arabic": 1.25, "Noto Sans Devanagari": 1.1}


def _word(text: str, style_font: str, highlight: str | None) -> str:
    """One word as ASS: in another script's font where the caption font lacks it, highlighted if current.

    libass has no font fallback list, so e.g. a Latin product name inside Arabic captions is switched
    to Noto Sans explicitly (CJK fonts carry Latin glyphs, so their captions need no switch)."""
    family = family_for_text(text)
    switch = family != style_font and not style_font.startswith("Noto Sans CJK")
    tags = (f"\\c{highlight}\\fscx112\\fscy112" if highlight else "") + (f"\\fn{family}" if switch else "")
    if not tags:
        return _escape(text)
    end = "{\\r}" if highlight else f"{{\\fn{style_font}}}"
    return f"{{{tags}}}{_escape(text)}{end}"


def to_ass(track: CaptionTrack, aspect: str, highlight: tuple[int, int, int] = (255, 214, 0)) -> str:
    width, height = SIZES[aspect]
    x, y, w, h = track.box[aspect].pixels(width, height)  # type: ignore[index]
    size = round(min(width, height) * (0.076 if aspect == "9x16" else 0.062) * _SCALE.get(track.font, 1.0))
    cx, cy = x + w // 2, y + h // 2
    header = "\n".join([
        "[Script Info]",
        "ScriptType: v4.00+",
        f"PlayResX: {width}",
        f"PlayResY: {height}",
        "WrapStyle: 0",
        "ScaledBorderAndShadow: yes",
        "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, "
        "Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, "
        "Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
        f"Style: Caption,{track.font},{size},{_ass_color((255, 255, 255))},{_ass_color(highlight)},"
        f"{_ass_color((0, 0, 0))},{_ass_color((0, 0, 0), 0x60)},1,0,0,0,100,100,0,0,1,"
        f"{max(3, size // 14)},{max(1, size // 30)},5,{x},{width - x - w},0,1",
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ])
    hi = _ass_color(highlight)
    events = []
    for li, line in enumerate(track.lines):
        next_start = track.lines[li + 1].start_ms if li + 1 < len(track.lines) else None
        for k, word in enumerate(line.words):
            if k + 1 < len(line.words):
                end = line.words[k + 1].start_ms
            else:
                end = min(word.end_ms, word.start_ms + LINE_HOLD_MS)
                if next_start is not None:
                    end = min(end, next_start)
            parts = [_word(x.text, track.font, hi if j == k else None) for j, x in enumerate(line.words)]
            plain = [x.text for x in line.words]
            seps = [""] + [separator(a, b, line.joiner) for a, b in zip(plain, plain[1:], strict=False)]
            text = f"{{\\pos({cx},{cy})}}" + "".join(sep + part for sep, part in zip(seps, parts, strict=True))
            events.append(f"Dialogue: 0,{_ts(word.start_ms)},{_ts(max(end, word.start_ms + 10))},"
                          f"Caption,,0,0,0,,{text}")
    return header + "\n" + "\n".join(events) + "\n"
