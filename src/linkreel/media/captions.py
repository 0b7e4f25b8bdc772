"""Word-timed captions: group spoken words into lines that fit, write them as ASS for libass.

Each spoken word gets its own events showing its whole line with that word marked by the
look's effect (media/caption_styles.py), so the effect follows the voice exactly (timings come
from the TTS word events). Lines are measured in pixels with the same font files and metrics
libass uses, broken per script (spaces; CJK between characters with kinsoku; never inside a
grapheme cluster), shrunk if a word alone is too wide, and kept inside the platform safe area.

libass draws one weight of a variable font (see media/fonts.py), so bold looks draw the text
twice: the styled layer, and a fill layer on top whose outline, in the fill colour, thickens the
strokes. Box looks add a box layer below.
"""

import math
from collections.abc import Iterator
from dataclasses import dataclass

from linkreel.languages import get_language
from linkreel.media.caption_styles import CAPTION_STYLES, VISUAL_STYLE_LOOK, CaptionLook, accent_for
from linkreel.media.css import RGBA, ass_color, ass_tag_alpha, ass_tag_color
from linkreel.media.fonts import ass_metrics_font, covers, family_for_text, font_face
from linkreel.media.linebreak import can_break, split_to_fit
from linkreel.media.templates.layouts import SAFE_AREAS
from linkreel.media.timeline import SIZES, Box, CaptionLine, CaptionTrack, CaptionWord, cue_s
from linkreel.voice.speech import Speech

MAX_LINE_WORDS = 4
PAUSE_BREAK_MS = 550
_SENTENCE_END = tuple(".!?。！？…؟")

# At one point size some scripts look smaller than Latin (Noto Sans Arabic notably): even them out.
_SCRIPT_SCALE = {"Noto Sans Arabic": 1.25, "Noto Sans Devanagari": 1.1, "Noto Sans Tamil": 1.05}
# Landscape and square frames sit further from the eye than a phone held upright: smaller text.
_ASPECT_SCALE = {"9x16": 1.0, "1x1": 0.86, "16x9": 0.86}
# Joined scripts clog when thickened as much as Latin: their strokes are thinner and closer.
_THICKEN = {"Noto Sans Arabic": 0.55, "Noto Sans Devanagari": 0.7, "Noto Sans Tamil": 0.7}
_EFFECT_GROWTH = {"highlight": 1.1, "pop": 1.18, "bounce": 1.2}  # the spoken word's largest scale
_SHRINK_BEFORE_SPLIT = 0.8  # a single word shrinks this far to fit before it is hyphenated


# --- the look carried by the track ---------------------------------------------------------------

def track_look(track: CaptionTrack) -> CaptionLook:
    """The look stored in a track (`CaptionTrack.style` holds a preset name or the look as JSON)."""
    if track.style in CAPTION_STYLES:
        return CAPTION_STYLES[track.style]
    if track.style.startswith("{"):
        return CaptionLook.model_validate_json(track.style)
    return VISUAL_STYLE_LOOK


def _look_ref(look: CaptionLook) -> str:
    return look.name if CAPTION_STYLES.get(look.name) == look else look.model_dump_json()


# --- measuring -----------------------------------------------------------------------------------

def word_family(text: str, look: CaptionLook, caption_font: str, language: str) -> str:
    """The family a word is drawn in: the look's font where it has the glyphs, else its script's face."""
    if covers(look.font, text):
        return look.font
    if covers(caption_font, text):
        return caption_font
    return family_for_text(text, language)


def fat_px(look: CaptionLook, family: str, size: float) -> float:
    """Stroke thickening that turns a variable face's default instance into the look's weight."""
    face = font_face(family)
    if not face.variable:
        return 0.0
    default = 100 if family.startswith("Noto Sans CJK") else 400
    return size * _THICKEN.get(family, 1.0) * min(0.04, 0.00009 * max(0, look.weight - default))


@dataclass(frozen=True)
class Measure:
    """Pixel widths of caption text at one size, as libass lays it out."""

    look: CaptionLook
    caption_font: str
    language: str
    size: float

    def shown(self, text: str) -> str:
        return text.upper() if self.look.uppercase else text

    def width(self, text: str) -> float:
        text = self.shown(text)
        family = word_family(text, self.look, self.caption_font, self.language)
        font = ass_metrics_font(family, round(self.size, 1))
        return font.getlength(text) + self.look.letter_spacing * len(text)

    def space(self) -> float:
        return self.width(" ")

    def edge(self) -> float:
        """How far ink reaches beyond the glyphs on each side (outline, thickening, box, halo, shadow)."""
        look = self.look
        fat = fat_px(look, self.caption_font, self.size)
        ring = max(look.outline_px + fat, look.box_pad if (look.box or look.effect == "box") else 0.0)
        if look.glow:
            ring += look.outline_px
        if look.shadow:
            ring += max(abs(look.shadow.dx), abs(look.shadow.dy)) + look.shadow.blur
        return ring


# --- grouping words into lines -------------------------------------------------------------------

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


def _balanced(run: list[CaptionWord], widths: list[float], gap: float, limit: float,
              max_words: int) -> list[list[CaptionWord]]:
    """Split one sentence into the fewest lines within `limit` px, as even as possible (no orphans),
    never breaking where kinsoku forbids it."""
    total = sum(widths) + gap * (len(run) - 1)
    n = max(math.ceil(total / limit), math.ceil(len(run) / max_words), 1)
    target = total / n
    lines: list[list[CaptionWord]] = []
    cur: list[CaptionWord] = []
    length = 0.0
    for w, width in zip(run, widths, strict=True):
        grow = width + (gap if cur else 0.0)
        over = length + grow > limit
        full = len(cur) >= max_words or over or length + grow > target + width / 2
        if cur and full and (len(lines) < n - 1 or over) and can_break(cur[-1].text, w.text):
            lines.append(cur)
            cur, length, grow = [], 0.0, width
        cur.append(w)
        length += grow
    lines.append(cur)
    return lines


def group_lines(words: list[CaptionWord], no_spaces: bool, measure: Measure | None = None,
                limit: float = 900.0) -> list[list[CaptionWord]]:
    measure = measure or Measure(VISUAL_STYLE_LOOK, "Noto Sans", "en", VISUAL_STYLE_LOOK.size)
    gap = 0.0 if no_spaces else measure.space()
    # Unspaced scripts are timed per character or mora, so only the width limits a line there.
    max_words = 10_000 if no_spaces else MAX_LINE_WORDS
    lines = []
    for run in _sentences(words):
        lines += _balanced(run, [measure.width(w.text) for w in run], gap, limit, max_words)
    return lines


def separator(left: str, right: str, joiner: str) -> str:
    """What goes between two caption words; in unspaced scripts Latin neighbours still get a space."""
    if joiner:
        return joiner
    latin = left[-1:].isascii() and left[-1:].isalnum() and right[:1].isascii() and right[:1].isalnum()
    return " " if latin else ""


def join_words(texts: list[str], joiner: str) -> str:
    return "".join((separator(texts[i - 1], t, joiner) if i else "") + t for i, t in enumerate(texts))


# --- per aspect geometry -------------------------------------------------------------------------

@dataclass(frozen=True)
class Frame:
    """Where and how big captions are in one aspect."""

    width: int
    height: int
    size: float  # ASS font size (px)
    limit: float  # widest a line may be, glyphs only (px)
    centre: tuple[float, float]  # wanted centre of the caption block
    safe: tuple[int, int, int, int]  # x, y, w, h


def frame_for(look: CaptionLook, aspect: str, box: Box, caption_font: str, language: str) -> Frame:
    width, height = SIZES[aspect]
    unit = min(width, height) / 1080  # "px at a 1080 px frame width": our frames are 1080 on the short side
    size = look.size * unit * _SCRIPT_SCALE.get(caption_font, 1.0)
    if look.name in CAPTION_STYLES or look.name == VISUAL_STYLE_LOOK.name:
        size *= _ASPECT_SCALE[aspect]
    bx, by, bw, bh = box.pixels(width, height)
    sx, sy, sw, sh = SAFE_AREAS[aspect].pixels(width, height)
    edge = Measure(look, caption_font, language, size).edge()
    avail = min(look.max_width * unit if look.max_width else bw, sw)
    if look.offset is not None:
        centre = (width / 2 + look.offset[0] * width, height / 2 + look.offset[1] * height)
    else:
        centre = (bx + bw / 2, by + bh / 2)
    return Frame(width=width, height=height, size=size, limit=max(size, avail - 2 * edge), centre=centre,
                 safe=(sx, sy, sw, sh))


def caption_track(speech: Speech, language: str, offset_ms: int, box: dict[str, Box],
                  look: CaptionLook | None = None) -> CaptionTrack:
    look = look or VISUAL_STYLE_LOOK
    lang = get_language(language)
    words = [
        CaptionWord(text=w.text, start_ms=w.start_ms + offset_ms, end_ms=w.end_ms + offset_ms)
        for w in display_words(speech, lang.no_spaces)
    ]
    # One grouping serves every aspect: measure at the base size against the tightest aspect.
    frames = [frame_for(look, a, b, lang.font, language) for a, b in box.items()]  # type: ignore[arg-type]
    base = look.size * _SCRIPT_SCALE.get(lang.font, 1.0)
    limit = min(f.limit * base / f.size for f in frames) if frames else 900.0
    measure = Measure(look, lang.font, language, base)
    joiner = "" if lang.no_spaces else " "
    return CaptionTrack(
        style=_look_ref(look),
        font=lang.font,
        rtl=lang.rtl,
        lines=[CaptionLine(words=ws, joiner=joiner) for ws in group_lines(words, lang.no_spaces, measure, limit)],
        box=box,
    )


# --- ASS -----------------------------------------------------------------------------------------

LINE_HOLD_MS = 1500  # the longest a line stays after its last word starts (pauses, the ending)
EMOJI_FONT = "Noto Emoji"


def _ts(ms: int, fps: int | None = None) -> str:
    """An ASS time (centiseconds); with `fps`, placed between frames (`cue_s`)."""
    cs = max(0, round(cue_s(ms, fps) * 100)) if fps else max(0, ms) // 10
    return f"{cs // 360000}:{cs // 6000 % 60:02d}:{cs // 100 % 60:02d}.{cs % 100:02d}"


def _escape(text: str) -> str:
    return text.replace("\\", "/").replace("{", "(").replace("}", ")").replace("\n", " ")


@dataclass(frozen=True)
class Token:
    """A piece of a caption row: a whole word, part of a split word, or an emoji accent (word -1)."""

    word: int
    text: str
    sep: str  # what goes before it on its row


def _rows(line: CaptionLine, accent: str | None, measure: Measure, limit: float) -> list[list[Token]]:
    """The line's tokens in rows: one row, unless a word alone is too wide even shrunk."""
    plain = [w.text for w in line.words]
    seps = [""] + [separator(a, b, line.joiner) for a, b in zip(plain, plain[1:], strict=False)]
    rows: list[list[Token]] = [[]]
    for i, (text, sep) in enumerate(zip(plain, seps, strict=True)):
        if measure.width(text) * _SHRINK_BEFORE_SPLIT > limit:
            pieces = split_to_fit(measure.shown(text), measure.width, limit, measure.language)
            for j, piece in enumerate(pieces):
                if j and rows[-1]:
                    rows.append([])
                rows[-1].append(Token(i, piece, sep if j == 0 and rows[-1] else ""))
            continue
        rows[-1].append(Token(i, text, sep if rows[-1] else ""))
    if accent:
        rows[-1].append(Token(-1, accent, " "))
    return [r for r in rows if r]


def _row_width(row: list[Token], measure: Measure) -> float:
    return sum(measure.width(t.sep) + (measure.width(t.text) if t.word >= 0 else measure.size * 1.05) for t in row)


def _fill(look: CaptionLook, word: int, current: int, highlight: RGBA) -> RGBA:
    """The fill colour of `word` while `current` is spoken."""
    if word < 0:  # emoji accents take the highlight colour
        return highlight
    if word == current and look.effect in ("highlight", "pop", "bounce", "reveal", "box"):
        return highlight if look.effect != "box" else look.text
    if look.effect == "karaoke" and word < current:
        return highlight
    if look.alternate and word % 2 == 1:
        return look.alternate
    return look.text


def _word_tags(look: CaptionLook, layer: str, word: int, current: int, highlight: RGBA, dur_ms: int,
               scale: float, family: str, fat: float) -> str:
    """The full override state of one token in one layer ("box", "text" or "fill").

    Every token states font, scale, colours and alphas itself (no `\\r`, which would also drop the
    event's position, blur and shadow), so one word's effect never leaks into the next."""
    fill = _fill(look, word, current, highlight)
    hidden = look.effect == "reveal" and word > current
    invisible = "&HFF&"
    s = scale * 100
    tags = [f"\\fn{family}\\fscx{s:.1f}\\fscy{s:.1f}"]
    if layer == "box":  # one box around the row (BorderStyle 4), in the box colour
        box = look.box or (0, 0, 0, 0)
        tags.append(f"\\bord{look.box_pad:.1f}\\1a{invisible}\\3a{invisible}"
                    f"\\4c{ass_tag_color(box)}\\4a{ass_tag_alpha(box)}")
    elif layer == "wordbox":  # a box behind the spoken word only (BorderStyle 3)
        alpha = ass_tag_alpha(highlight) if word == current else invisible
        tags.append(f"\\bord{look.box_pad:.1f}\\3c{ass_tag_color(highlight)}\\3a{alpha}"
                    f"\\1a{invisible}\\4a{invisible}")
    else:
        stroke = look.outline if layer == "text" and look.outline_px > 0 else fill
        shadow = look.shadow.color if (look.shadow and layer == "text") else (0, 0, 0, 0)
        # The outline goes around the thickened strokes; the fill layer's outline is the thickening.
        bord = look.outline_px + fat if layer == "text" and look.outline_px > 0 else fat
        tags.append(f"\\bord{bord:.2f}\\c{ass_tag_color(fill)}\\3c{ass_tag_color(stroke)}")
        if hidden:
            tags.append(f"\\1a{invisible}\\3a{invisible}\\4a{invisible}")
        else:
            tags.append(f"\\1a{ass_tag_alpha(fill)}\\3a{ass_tag_alpha(stroke)}\\4a{ass_tag_alpha(shadow)}")
    if word == current and not hidden:
        if look.effect == "karaoke" and layer in ("text", "fill"):
            # The sweep: SecondaryColour (unsung) → PrimaryColour (sung) across the word.
            tags.append(f"\\2c{ass_tag_color(look.text)}\\c{ass_tag_color(highlight)}\\kf{max(1, dur_ms // 10)}")
        elif look.effect == "highlight" and not look.box:  # a grown word would break the line's box
            tags.append(f"\\fscx{s * 1.1:.1f}\\fscy{s * 1.1:.1f}")
        elif look.effect == "pop":
            tags.append(f"\\fscx{s * 0.8:.1f}\\fscy{s * 0.8:.1f}\\t(0,90,\\fscx{s * 1.22:.1f}\\fscy{s * 1.22:.1f})"
                        f"\\t(90,190,\\fscx{s * 1.12:.1f}\\fscy{s * 1.12:.1f})")
        elif look.effect == "bounce":
            tags.append(f"\\t(0,80,\\fscx{s * 1.12:.1f}\\fscy{s * 1.24:.1f})"
                        f"\\t(80,220,\\fscx{s * 1.06:.1f}\\fscy{s * 1.06:.1f})")
        elif look.effect == "reveal" and layer in ("text", "fill"):
            tags.append(f"\\1a{invisible}\\t(0,140,\\1a{ass_tag_alpha(fill)})")
    return "{" + "".join(tags) + "}"


def _row_text(row: list[Token], look: CaptionLook, layer: str, current: int, highlight: RGBA, dur_ms: int,
              measure: Measure, scale: float) -> str:
    out = []
    for t in row:
        shown = t.text if t.word < 0 else measure.shown(t.text)
        family = EMOJI_FONT if t.word < 0 else word_family(shown, look, measure.caption_font, measure.language)
        fat = fat_px(look, family, measure.size)
        out.append(_escape(t.sep) + _word_tags(look, layer, t.word, current, highlight, dur_ms, scale, family, fat)
                   + _escape(shown))
    return "".join(out)


def _styles(look: CaptionLook, frame: Frame, caption_font: str, rtl: bool, highlight: RGBA) -> list[str]:
    size = frame.size
    fat = fat_px(look, caption_font, size)
    encoding = -1 if rtl else 1  # -1: libass picks the paragraph direction from the text (RTL for Arabic)
    bold, italic = int(look.weight >= 700), int(look.italic)
    shadow = look.shadow
    back = ass_color(shadow.color if shadow else (0, 0, 0, 0))
    outline = look.outline_px + fat if look.outline_px > 0 else fat
    shad = 0.0  # per-event \xshad/\yshad carry the CSS offsets

    def style(name: str, border_style: int, outline_colour: RGBA, border: float, back_colour: str) -> str:
        return (f"Style: {name},{caption_font},{size:.1f},{ass_color(look.text)},{ass_color(look.text)},"
                f"{ass_color(outline_colour)},{back_colour},{bold},{italic},0,0,100,100,{look.letter_spacing:g},0,"
                f"{border_style},{border:.2f},{shad:g},5,0,0,0,{encoding}")

    return [
        style("CaptionBox", 4, (0, 0, 0, 0), look.box_pad, ass_color(look.box or (0, 0, 0, 0))),
        style("CaptionWordBox", 3, highlight, look.box_pad, ass_color((0, 0, 0, 0))),
        style("Caption", 1, look.outline, outline, back),
        style("CaptionFill", 1, look.text, fat, ass_color((0, 0, 0, 0))),
    ]


def _layers(look: CaptionLook, fat: float) -> list[tuple[int, str, str]]:
    """(layer, style, role) for the layers this look draws."""
    out = []
    if look.box:
        out.append((0, "CaptionBox", "box"))
    if look.effect == "box":
        out.append((0, "CaptionWordBox", "wordbox"))
    out.append((1, "Caption", "text"))
    if fat > 0 and look.outline_px > 0:
        out.append((2, "CaptionFill", "fill"))
    return out


def _event_prefix(look: CaptionLook, role: str, pos: tuple[float, float], first: bool) -> str:
    x, y = pos
    tags = [f"\\an5\\pos({x:.0f},{y:.0f})"]
    if look.effect == "bounce" and first:
        tags = [f"\\an5\\move({x:.0f},{y + 0.6 * look.size:.0f},{x:.0f},{y:.0f},0,140)"]
    if role == "text":
        if look.glow:
            tags.append(f"\\blur{look.outline_px * 0.8:.1f}")
        if look.shadow:
            tags.append(f"\\xshad{look.shadow.dx:g}\\yshad{look.shadow.dy:g}")
            if look.shadow.blur and not look.glow:
                tags.append(f"\\blur{look.shadow.blur / 2:.1f}")
    return "{" + "".join(tags) + "}"


def _placed(frame: Frame, widths: list[float], row_h: float, edge: float) -> tuple[float, float]:
    """The block centre: where the look or the style wants it, moved inside the safe area."""
    sx, sy, sw, sh = frame.safe
    half_w = max(widths) / 2 + edge
    half_h = row_h * len(widths) / 2 + edge
    cx = min(max(frame.centre[0], sx + half_w), sx + sw - half_w) if 2 * half_w <= sw else sx + sw / 2
    cy = min(max(frame.centre[1], sy + half_h), sy + sh - half_h) if 2 * half_h <= sh else sy + sh / 2
    return cx, cy


@dataclass(frozen=True)
class LineLayout:
    """How one caption line is drawn in one aspect: its rows, scale, block centre and event times."""

    rows: list[list[Token]]
    measure: Measure
    scale: float
    row_h: float
    edge: float
    centre: tuple[float, float]
    half: tuple[float, float]  # half width and half height of the block, ink edge included
    ends: list[int]  # when each word's event ends (the last one is when the line leaves)


def _line_layout(track: CaptionTrack, look: CaptionLook, frame: Frame, language: str, index: int,
                 accents: dict[int, str]) -> LineLayout:
    line = track.lines[index]
    measure = Measure(look, track.font, language, frame.size)
    rows = _rows(line, accents.get(index), measure, frame.limit)
    growth = _EFFECT_GROWTH.get(look.effect, 1.0)
    biggest = max(measure.width(w.text) for w in line.words)
    widths = [_row_width(r, measure) for r in rows]
    # Shrink the line if it (with the spoken word grown) is wider than the limit in this aspect.
    grown = [w + biggest * (growth - 1) for w in widths]
    scale = min(1.0, frame.limit / max(grown))
    row_h = frame.size * look.line_height * scale
    edge = measure.edge()
    scaled = [w * scale for w in grown]
    centre = _placed(frame, scaled, row_h, edge)
    next_start = track.lines[index + 1].start_ms if index + 1 < len(track.lines) else None
    ends = []
    for k, word in enumerate(line.words):
        if k + 1 < len(line.words):
            end = line.words[k + 1].start_ms
        else:
            end = min(word.end_ms, word.start_ms + LINE_HOLD_MS)
            if next_start is not None:
                end = min(end, next_start)
        ends.append(max(end, word.start_ms + 10))
    half = (max(scaled) / 2 + edge, row_h * len(rows) / 2 + edge)
    return LineLayout(rows=rows, measure=measure, scale=scale, row_h=row_h, edge=edge, centre=centre, half=half,
                      ends=ends)


def _line_events(track: CaptionTrack, look: CaptionLook, frame: Frame, highlight: RGBA, language: str,
                 index: int, accents: dict[int, str], fps: int | None) -> Iterator[str]:
    line = track.lines[index]
    lay = _line_layout(track, look, frame, language, index, accents)
    measure, rows, (cx, cy) = lay.measure, lay.rows, lay.centre
    fat = max(fat_px(look, word_family(measure.shown(w.text), look, track.font, language), frame.size)
              for w in line.words)
    for k, (word, end) in enumerate(zip(line.words, lay.ends, strict=True)):
        for r, row in enumerate(rows):
            y = cy + (r - (len(rows) - 1) / 2) * lay.row_h
            for layer, style, role in _layers(look, fat):
                text = _event_prefix(look, role, (cx, y), k == 0) + _row_text(
                    row, look, role, k, highlight, end - word.start_ms, measure, lay.scale)
                yield f"Dialogue: {layer},{_ts(word.start_ms, fps)},{_ts(end, fps)},{style},,0,0,0,,{text}"


@dataclass(frozen=True)
class LineBlock:
    """Where and when one caption line is on screen in one aspect (pixels of the full-size frame)."""

    start_ms: int
    end_ms: int
    box: tuple[float, float, float, float]  # left, top, right, bottom of the ink, outline and box included
    safe: tuple[int, int, int, int]  # the aspect's safe area: x, y, w, h


def line_blocks(track: CaptionTrack, aspect: str, language: str = "en") -> list[LineBlock]:
    """Each line's block as `to_ass` places it (same geometry), for checking a render without its pixels."""
    look = track_look(track)
    frame = frame_for(look, aspect, track.box[aspect], track.font, language)  # type: ignore[index]
    accents = _accents(track, look)
    out = []
    for i, line in enumerate(track.lines):
        lay = _line_layout(track, look, frame, language, i, accents)
        (cx, cy), (hw, hh) = lay.centre, lay.half
        out.append(LineBlock(start_ms=line.start_ms, end_ms=lay.ends[-1], box=(cx - hw, cy - hh, cx + hw, cy + hh),
                             safe=frame.safe))
    return out


def _accents(track: CaptionTrack, look: CaptionLook) -> dict[int, str]:
    """Emoji accents: after the last line of each sentence, for looks that have them."""
    out: dict[int, str] = {}
    sentence: list[str] = []
    for i, line in enumerate(track.lines):
        sentence += [w.text for w in line.words]
        if line.words[-1].text.endswith(_SENTENCE_END) or i + 1 == len(track.lines):
            emoji = accent_for(" ".join(sentence), look, len(out))
            if emoji:
                out[i] = emoji
            sentence = []
    return out


def to_ass(track: CaptionTrack, aspect: str, highlight: tuple[int, int, int] = (255, 214, 0),
           language: str = "en", fps: int | None = None) -> str:
    """The track as an ASS file for one aspect; `highlight` (the visual style's accent) is used when the
    look has no highlight colour of its own. With `fps`, event times fall between frames (see `_ts`)."""
    look = track_look(track)
    hl: RGBA = look.highlight or (*highlight, 255)
    frame = frame_for(look, aspect, track.box[aspect], track.font, language)  # type: ignore[index]
    header = "\n".join([
        "[Script Info]",
        "ScriptType: v4.00+",
        f"PlayResX: {frame.width}",
        f"PlayResY: {frame.height}",
        "WrapStyle: 2",  # we break lines ourselves
        "ScaledBorderAndShadow: yes",
        "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, "
        "Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, "
        "Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
        *_styles(look, frame, track.font, track.rtl, hl),
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ])
    accents = _accents(track, look)
    events = [e for i in range(len(track.lines))
              for e in _line_events(track, look, frame, hl, language, i, accents, fps)]
    return header + "\n" + "\n".join(events) + "\n"
