"""Captions: line grouping, the ASS file libass renders, caption styles and caption_setting."""

import math
import re

import pytest

from linkreel.errors import InputError
from linkreel.media.caption_setting import CaptionSetting, parse_setting, request_setting, resolve_look
from linkreel.media.caption_styles import CAPTION_STYLES, VISUAL_STYLE_LOOK
from linkreel.media.captions import Measure, caption_track, group_lines, to_ass, track_look
from linkreel.media.css import Shadow, ass_color, parse_color, parse_text_shadow
from linkreel.media.linebreak import NO_END, NO_START, clusters, split_to_fit
from linkreel.media.templates import get_style
from linkreel.media.timeline import CaptionWord
from linkreel.voice.speech import Speech, WordTiming

# The text layer of a caption (style "Caption"): one event per spoken word and row.
DIALOGUE = re.compile(
    r"^Dialogue: (\d+),(\d+):(\d\d):(\d\d)\.(\d\d),(\d+):(\d\d):(\d\d)\.(\d\d),Caption,,0,0,0,,(.*)$")
BOX = get_style("DynamicProductTemplate").caption_box


def _ms(h: str, m: str, s: str, cs: str) -> int:
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(cs) * 10


def parse_events(ass: str) -> list[tuple[int, int, str]]:
    out = []
    for line in ass.splitlines():
        m = DIALOGUE.match(line)
        if m:
            g = m.groups()
            out.append((_ms(*g[1:5]), _ms(*g[5:9]), g[9]))
    return out


def tokens(event_text: str) -> list[tuple[str, str]]:
    """(override tags, text) pieces of an event, the leading position block dropped."""
    return [(tags, text) for tags, text in re.findall(r"\{([^}]*)\}([^{]*)", event_text) if text]


def speech_of(text: str, step: int = 300) -> Speech:
    words, pos = [], 0
    for i, w in enumerate(text.split()):
        start = text.index(w, pos)
        pos = start + len(w)
        core = w.strip(".,!?")
        words.append(WordTiming(text=core, start_ms=i * step, end_ms=(i + 1) * step, char_start=start,
                                char_end=start + len(core)))
    return Speech(audio_path="x.wav", sample_rate=22050, duration_ms=len(words) * step, text=text, words=words)


def char_speech(text: str, step: int = 200) -> Speech:
    """Unspaced scripts are timed per character (punctuation rides with the character before it)."""
    idx = [i for i, ch in enumerate(text) if ch not in "。、！？"]
    words = [WordTiming(text=text[i], start_ms=k * step, end_ms=(k + 1) * step, char_start=i, char_end=i + 1)
             for k, i in enumerate(idx)]
    return Speech(audio_path="x.wav", sample_rate=22050, duration_ms=len(words) * step, text=text, words=words)


# --- events follow the voice -------------------------------------------------------------------------

def test_one_highlight_event_per_word_in_order() -> None:
    speech = speech_of("Meet the AeroBottle Pro. It keeps drinks cold for a whole day, every day!")
    track = caption_track(speech, "en", 300, BOX)
    events = parse_events(to_ass(track, "9x16", (255, 214, 0)))
    assert len(events) == len(speech.words)
    accent = "\\c&H00D6FF&"  # the visual style's accent (255, 214, 0) as ASS BGR
    highlighted = [[t.strip() for tags, t in tokens(text) if accent in tags] for _, _, text in events]
    assert all(len(h) == 1 for h in highlighted), highlighted  # exactly one word marked per event
    assert [h[0].strip(".,!?") for h in highlighted] == [w.text for w in speech.words]
    assert events[0][0] == 300  # first word starts with the voice (offset applied)
    starts = [s for s, _, _ in events]
    assert starts == sorted(starts)
    for start, end, _ in events:
        assert end > start


@pytest.mark.parametrize("fps", [15, 30, 60])
def test_events_fall_between_frames_at_the_render_rate(fps: int) -> None:
    """A frame's time is computed in floats and truncated to ms by the renderer: an event written on a
    frame's exact time would show on that frame or the next by chance, so at a given rate every event
    starts half a frame before the frame nearest the word (words here start every 200 ms, each on a
    frame's exact time)."""
    speech = speech_of("Meet the AeroBottle Pro. It keeps drinks cold for a whole day, every day!", step=200)
    track = caption_track(speech, "en", 400, BOX)
    plain, snapped = parse_events(to_ass(track, "9x16")), parse_events(to_ass(track, "9x16", fps=fps))
    assert len(plain) == len(snapped) == len(speech.words)
    frame = 1000 / fps
    for (start, end, text), (s_start, s_end, s_text) in zip(plain, snapped, strict=True):
        assert text == s_text
        for ms, snapped_ms in ((start, s_start), (end, s_end)):
            assert ms % frame == pytest.approx(0, abs=1e-6) or ms % frame == pytest.approx(frame, abs=1e-6)
            # The first frame at or after the event time is the word's own frame, with ≥ 3 ms to spare.
            first = math.ceil(snapped_ms / frame)
            assert first == round(ms / frame)
            assert first * frame - snapped_ms >= 3 and snapped_ms - (first - 1) * frame >= 3


def test_lines_fit_and_no_orphans() -> None:
    text = "Meet the AeroBottle Pro. Ice cold for twenty four hours and hot for twelve."
    words = [CaptionWord(text=w, start_ms=i * 300, end_ms=i * 300 + 300) for i, w in enumerate(text.split())]
    measure = Measure(VISUAL_STYLE_LOOK, "Noto Sans", "en", 82)
    lines = group_lines(words, no_spaces=False, measure=measure, limit=700)
    texts = [" ".join(w.text for w in line) for line in lines]
    assert all(measure.width(t) <= 700 for t in texts), texts
    assert all(len(line) >= 2 for line in lines), texts  # no single-word orphan lines here
    ends = [i for i, t in enumerate(texts) if t.endswith("Pro.")]
    assert ends and texts[ends[0] + 1].startswith("Ice")  # sentences never share a line
    narrow = group_lines(words, no_spaces=False, measure=measure, limit=400)
    assert len(narrow) > len(lines)  # the limit is in pixels: a narrower box gives more lines


def test_ass_header_per_aspect_and_escaping() -> None:
    speech = speech_of("Use {braces} and back\\slashes safely.")
    track = caption_track(speech, "en", 0, BOX)
    for aspect, (w, h) in {"9x16": (1080, 1920), "16x9": (1920, 1080), "1x1": (1080, 1080)}.items():
        ass = to_ass(track, aspect)
        assert f"PlayResX: {w}" in ass and f"PlayResY: {h}" in ass
        for _, _, text in parse_events(ass):
            body = re.sub(r"\{\\[^}]*\}", "", text)
            assert "{" not in body and "}" not in body and "\\" not in body


def test_cjk_words_joined_without_spaces() -> None:
    text = "これはすごい。ぜひどうぞ。"
    words = [WordTiming(text=text[i:i + 2], start_ms=i * 100, end_ms=i * 100 + 200, char_start=i, char_end=i + 2)
             for i in range(0, 12, 2) if text[i:i + 2].strip("。")]
    speech = Speech(audio_path="x.wav", sample_rate=22050, duration_ms=1200, text=text, words=words)
    track = caption_track(speech, "ja", 0, BOX)
    assert track.font.startswith("Noto Sans CJK")
    assert all(line.joiner == "" for line in track.lines)
    shown = "".join(w.text for line in track.lines for w in line.words)
    assert shown == text


def test_cjk_lines_break_between_characters_by_width_with_kinsoku() -> None:
    """Japanese is timed per character: a line holds as many as fit, and no line starts with 。、」 etc."""
    text = "「このボトル」は、一日中つめたいままです。ほんとうにすごい！ぜひ、ためしてください。"
    track = caption_track(char_speech(text), "ja", 0, BOX)
    lines = ["".join(w.text for w in line.words) for line in track.lines]
    assert "".join(lines) == text
    assert max(len(line) for line in lines) > 4  # not a word-count limit
    for line in lines:
        assert line[0] not in NO_START, lines
        assert line[-1] not in NO_END, lines
    measure = Measure(VISUAL_STYLE_LOOK, track.font, "ja", VISUAL_STYLE_LOOK.size)
    assert all(measure.width(line) <= 1080 * 0.82 for line in lines)  # inside the 9:16 safe width


def test_latin_words_keep_their_space_in_japanese_captions() -> None:
    from linkreel.media.captions import join_words

    assert join_words(["750", "ml", "Insulated", "です", "。"], "") == "750 ml Insulatedです。"
    assert join_words(["すご", "い"], "") == "すごい"
    assert join_words(["a", "b"], " ") == "a b"


# --- line breaking per script ------------------------------------------------------------------------

def test_clusters_keep_indic_and_thai_marks_together() -> None:
    assert clusters("क्षत्रिय") == ["क्ष", "त्रि", "य"]
    assert clusters("ที่นี่") == ["ที่", "นี่"]
    assert clusters("café") == ["c", "a", "f", "é"] and clusters("cafe\u0301") == ["c", "a", "f", "e\u0301"]


@pytest.mark.parametrize("word, language", [("สวัสดีครับยินดีต้อนรับสู่ร้านค้าของเรา", "th"),
                                            ("प्रौद्योगिकीविश्वविद्यालयक्षेत्र", "hi")])
def test_long_words_split_only_between_clusters(word: str, language: str) -> None:
    pieces = split_to_fit(word, lambda s: 40.0 * len(clusters(s)), 40.0 * 6, language)
    assert len(pieces) > 1
    rejoined = "".join(p.removesuffix("-") for p in pieces)
    assert rejoined == word
    whole = set(clusters(word))
    for p in pieces:  # every piece is made of whole clusters
        assert all(c in whole for c in clusters(p.removesuffix("-"))), (p, clusters(p))


def test_german_compound_hyphenated_at_syllables() -> None:
    word = "Donaudampfschifffahrtsgesellschaftskapitänsmütze"
    pieces = split_to_fit(word, lambda s: 30.0 * len(s), 30.0 * 24, "de")
    assert 2 <= len(pieces) <= 3 and all(len(p) <= 24 for p in pieces)
    assert all(p.endswith("-") for p in pieces[:-1])
    assert "".join(p.removesuffix("-") for p in pieces) == word
    assert pieces[0] in ("Donaudampfschifffahrts-", "Donaudampfschiff-")  # a syllable break, not a letter count


# --- CSS values ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("css, rgba", [
    ("#fff", (255, 255, 255, 255)),
    ("#0f08", (0, 255, 0, 136)),
    ("#1E90FF", (30, 144, 255, 255)),
    ("#ff000080", (255, 0, 0, 128)),
    ("rgb(10, 20, 30)", (10, 20, 30, 255)),
    ("rgba(0, 128, 255, 0.5)", (0, 128, 255, 128)),
    ("rgb(10 20 30 / 25%)", (10, 20, 30, 64)),
    ("rgba(100%, 0%, 50%, 1)", (255, 0, 128, 255)),
    ("RebeccaPurple", (102, 51, 153, 255)),
    ("transparent", (0, 0, 0, 0)),
])
def test_css_colours(css: str, rgba: tuple[int, int, int, int]) -> None:
    assert parse_color(css) == rgba


def test_ass_colours_are_alpha_inverted_bgr() -> None:
    assert ass_color((255, 0, 0, 255)) == "&H000000FF"
    assert ass_color((0x12, 0x34, 0x56, 0x80)) == "&H7F563412"
    assert ass_color(parse_color("#ff000080")) == "&H7F0000FF"


@pytest.mark.parametrize("bad", ["#ggg", "#12345", "rgb(1,2)", "notacolour", "rgba(1,2,3,4,5)"])
def test_bad_colours_are_input_errors(bad: str) -> None:
    with pytest.raises(InputError, match="CSS colour"):
        parse_color(bad)


def test_text_shadow() -> None:
    assert parse_text_shadow("2px 3px 4px rgba(0,0,0,0.5)") == Shadow(dx=2, dy=3, blur=4, color=(0, 0, 0, 128))
    assert parse_text_shadow("#ff0000 -1px 2px") == Shadow(dx=-1, dy=2, color=(255, 0, 0, 255))
    assert parse_text_shadow("1px 1px red, 2px 2px blue") == Shadow(dx=1, dy=1, color=(255, 0, 0, 255))
    assert parse_text_shadow("none") is None
    with pytest.raises(InputError):
        parse_text_shadow("big shadow")


# --- caption_setting -----------------------------------------------------------------------------------

def test_setting_precedence() -> None:
    assert resolve_look() == VISUAL_STYLE_LOOK
    assert resolve_look(caption_style="neo").name == "neo"
    assert resolve_look(CaptionSetting(style="brick"), caption_style="neo").name == "brick"  # setting wins
    assert resolve_look(CaptionSetting(hidden=True), caption_style="neo") is None
    legacy = resolve_look(None, "mint", "0.1", "-0.2")
    assert legacy is not None and legacy.offset == (0.1, -0.2)
    both = request_setting({"offset": {"x": 0, "y": 0.4}}, "0.3", "0.3")
    assert both is not None and resolve_look(both).offset == (0.0, 0.4)  # caption_setting.offset beats legacy
    assert request_setting(None, None, None) is None


def test_look_fields_apply_only_with_override_visual_style() -> None:
    fields = {"style": "neo", "text_color": "#00ff00", "font_size": 40, "offset": {"x": 0, "y": 0.3},
              "font_family": "fredoka one", "font_style": "italic font-normal", "line_height": 1.6,
              "background_color": "rgba(0,0,255,0.5)", "highlight_text_color": "red", "max_width": 600,
              "text_shadow": "3px 3px 0 black"}
    kept = resolve_look(CaptionSetting.model_validate(fields))
    assert kept is not None
    assert kept.text == CAPTION_STYLES["neo"].text and kept.size == CAPTION_STYLES["neo"].size
    assert kept.offset == (0.0, 0.3)  # style, offset and hidden always apply
    look = resolve_look(CaptionSetting.model_validate({**fields, "override_visual_style": True}))
    assert look is not None
    assert (look.text, look.size, look.font, look.italic, look.weight) == ((0, 255, 0, 255), 40, "Fredoka One",
                                                                           True, 400)
    assert look.box == (0, 0, 255, 128) and look.highlight == (255, 0, 0, 255)
    assert (look.max_width, look.line_height) == (600, 1.6)
    assert look.shadow == Shadow(dx=3, dy=3, blur=0, color=(0, 0, 0, 255))
    unknown = resolve_look(CaptionSetting(style="neo", font_family="Comic Sans Fantasy", override_visual_style=True))
    assert unknown is not None and unknown.font == CAPTION_STYLES["neo"].font  # unknown font: the style's font


def test_setting_errors_are_clear() -> None:
    with pytest.raises(InputError, match="not valid JSON"):
        parse_setting("{style: neo")
    with pytest.raises(InputError, match="unknown caption style"):
        resolve_look(parse_setting('{"style": "sparkly"}'))
    with pytest.raises(InputError, match="CSS colour"):
        resolve_look(parse_setting('{"text_color": "#zzz", "override_visual_style": true}'))
    with pytest.raises(InputError, match="font_size"):
        resolve_look(parse_setting('{"font_size": 4000, "override_visual_style": true}'))
    with pytest.raises(InputError, match="offset"):
        resolve_look(None, None, "0.9", None)


def test_custom_look_travels_in_the_track() -> None:
    look = resolve_look(CaptionSetting(style="toons", text_color="#123456", override_visual_style=True))
    assert look is not None
    track = caption_track(speech_of("Hello there friends."), "en", 0, BOX, look)
    again = type(track).model_validate_json(track.model_dump_json())  # as the stage cache stores it
    assert track_look(again) == look
    assert track_look(caption_track(speech_of("Hi."), "en", 0, BOX, CAPTION_STYLES["neo"])).name == "neo"


# --- every style as ASS --------------------------------------------------------------------------------

STYLE_FORMAT = ["Name", "Fontname", "Fontsize", "PrimaryColour", "SecondaryColour", "OutlineColour", "BackColour",
                "Bold", "Italic", "Underline", "StrikeOut", "ScaleX", "ScaleY", "Spacing", "Angle", "BorderStyle",
                "Outline", "Shadow", "Alignment", "MarginL", "MarginR", "MarginV", "Encoding"]
KNOWN_TAGS = re.compile(r"\\(an\d|pos\([^)]*\)|move\([^)]*\)|fn[^\\]+|fscx[\d.]+|fscy[\d.]+|bord[\d.]+|blur[\d.]+|"
                        r"[1234]?c&H[0-9A-F]{6}&|[1234]a&H[0-9A-F]{2}&|alpha&H[0-9A-F]{2}&|kf\d+|xshad-?[\d.]+|"
                        r"yshad-?[\d.]+|t\((?:[^()]|\([^)]*\))*\))")


def parse_ass(ass: str) -> tuple[dict[str, str], dict[str, dict[str, str]], list[dict[str, str]]]:
    """Script info, styles by name and events, checking every line against its section's Format."""
    section, info, styles, events = "", {}, {}, []
    fmt: list[str] = []
    for line in ass.splitlines():
        if not line.strip():
            continue
        if line.startswith("["):
            section = line
            continue
        key, _, value = line.partition(": ")
        if section == "[Script Info]":
            info[key] = value
        elif key == "Format":
            fmt = value.split(", ")
        elif section == "[V4+ Styles]" and key == "Style":
            assert fmt == STYLE_FORMAT
            fields = value.split(",")
            assert len(fields) == len(fmt), line
            styles[fields[0]] = dict(zip(fmt, fields, strict=True))
        elif section == "[Events]" and key == "Dialogue":
            fields = value.split(",", len(fmt) - 1)
            assert len(fields) == len(fmt), line
            events.append(dict(zip(fmt, fields, strict=True)))
        else:
            raise AssertionError(f"unexpected line in {section}: {line}")
    return info, styles, events


@pytest.mark.parametrize("name", list(CAPTION_STYLES))
def test_every_style_writes_valid_ass(name: str) -> None:
    look = CAPTION_STYLES[name]
    speech = speech_of("Meet the AeroBottle Pro today. Ice cold for a whole day, hot for twelve hours!")
    track = caption_track(speech, "en", 0, BOX, look)
    info, styles, events = parse_ass(to_ass(track, "9x16"))
    assert (info["PlayResX"], info["PlayResY"], info["WrapStyle"]) == ("1080", "1920", "2")
    for style in styles.values():
        assert re.fullmatch(r"&H[0-9A-F]{8}", style["PrimaryColour"]) and float(style["Fontsize"]) > 30
    text_events = [e for e in events if e["Style"] == "Caption"]
    assert len(text_events) == len(speech.words)
    for e in events:
        assert e["Style"] in styles
        text = e["Text"]
        assert text.count("{") == text.count("}")
        for block in re.findall(r"\{([^}]*)\}", text):
            assert KNOWN_TAGS.sub("", block) == "", f"unknown override tags in {block!r}"
    joined = "\n".join(e["Text"] for e in events)
    plain = re.sub(r"\{[^}]*\}", "", "".join(e["Text"] for e in text_events))
    assert (plain == plain.upper()) == look.uppercase
    effect_marks = {"karaoke": r"\\kf\d+", "pop": r"\\t\(0,90,", "bounce": r"\\move\(",
                    "reveal": r"\\1a&HFF&\\t\(0,140,", "box": r"\\3a&H00&", "highlight": r"\\fscx"}
    assert re.search(effect_marks[look.effect], joined), look.effect
    if look.emoji:
        assert "\\fnNoto Emoji" in joined and any(e in joined for e in ("🔥", "⚡", "💥", "✨", "😍", "🎉", "⚠", "💰"))
    else:
        assert "Noto Emoji" not in joined
    if look.box:
        assert "CaptionBox" in {e["Style"] for e in events} and styles["CaptionBox"]["BorderStyle"] == "4"


def test_styles_differ() -> None:
    """No two presets are the same look."""
    signatures = {(look.font, look.weight, look.italic, look.text, look.highlight, look.box, look.outline,
                   look.effect, look.uppercase, look.glow, look.alternate) for look in CAPTION_STYLES.values()}
    assert len(signatures) == 18


def test_rtl_captions_let_libass_pick_the_direction() -> None:
    speech = speech_of("هذه الزجاجة تحافظ على برودة الماء.")
    ass = to_ass(caption_track(speech, "ar", 0, BOX), "9x16")
    _, styles, events = parse_ass(ass)
    assert styles["Caption"]["Encoding"] == "-1"
    first = next(e["Text"] for e in events if e["Style"] == "Caption")
    words = [t for _, t in tokens(first)]
    assert "".join(words).split() == speech.text.split()[:len("".join(words).split())]  # logical order kept


def test_job_caption_fields_reach_the_request() -> None:
    """The API job's caption_style / caption_offset_x|y / caption_setting decide the look of its ad."""
    from linkreel.jobs.runner import ad_request

    base = {"video_length": 15, "language": "en"}
    legacy = ad_request({**base, "caption_style": "toons", "caption_offset_x": "-0.1", "caption_offset_y": "0.25"},
                        "DynamicProductTemplate", "9x16").caption_look()
    assert legacy is not None and (legacy.name, legacy.offset) == ("toons", (-0.1, 0.25))
    setting = {"style": "mint", "text_color": "#010203", "override_visual_style": True}
    preferred = ad_request({**base, "caption_style": "toons", "caption_offset_y": "0.25", "caption_setting": setting},
                           "DynamicProductTemplate", "9x16").caption_look()
    assert preferred is not None and (preferred.name, preferred.text) == ("mint", (1, 2, 3, 255))
    assert preferred.offset == (0.0, 0.25)  # the setting has no offset: the legacy one still counts
    hidden = ad_request({**base, "caption_setting": {"hidden": True}}, "DynamicProductTemplate", "9x16")
    assert hidden.caption_look() is None
    assert ad_request(base, "DynamicProductTemplate", "9x16").caption_look() == VISUAL_STYLE_LOOK
