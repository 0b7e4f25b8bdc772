"""Captions: line grouping and the ASS file libass renders."""

import re

from linkreel.media.captions import MAX_LINE_CHARS, caption_track, group_lines, to_ass
from linkreel.media.styles import get_style
from linkreel.media.timeline import CaptionWord
from linkreel.voice.speech import Speech, WordTiming

DIALOGUE = re.compile(r"^Dialogue: 0,(\d+):(\d\d):(\d\d)\.(\d\d),(\d+):(\d\d):(\d\d)\.(\d\d),Caption,,0,0,0,,(.*)$")


def _ms(h: str, m: str, s: str, cs: str) -> int:
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(cs) * 10


def parse_events(ass: str) -> list[tuple[int, int, str]]:
    out = []
    for line in ass.splitlines():
        m = DIALOGUE.match(line)
        if m:
            g = m.groups()
            out.append((_ms(*g[0:4]), _ms(*g[4:8]), g[8]))
    return out


def speech_of(text: str, step: int = 300) -> Speech:
    words, pos = [], 0
    for i, w in enumerate(text.split()):
        start = text.index(w, pos)
        pos = start + len(w)
        core = w.strip(".,!?")
        words.append(WordTiming(text=core, start_ms=i * step, end_ms=(i + 1) * step, char_start=start,
                                char_end=start + len(core)))
    return Speech(audio_path="x.wav", sample_rate=22050, duration_ms=len(words) * step, text=text, words=words)


def test_one_highlight_event_per_word_in_order() -> None:
    speech = speech_of("Meet the AeroBottle Pro. It keeps drinks cold for a whole day, every day!")
    track = caption_track(speech, "en", 300, get_style("DynamicProductTemplate").caption_box)
    events = parse_events(to_ass(track, "9x16"))
    assert len(events) == len(speech.words)
    highlighted = [re.search(r"\\fscy112\}(.*?)\{\\r\}", text).group(1) for _, _, text in events]  # type: ignore[union-attr]
    assert [h.strip(".,!?") for h in highlighted] == [w.text for w in speech.words]
    assert events[0][0] == 300  # first word starts with the voice (offset applied)
    starts = [s for s, _, _ in events]
    assert starts == sorted(starts)
    for start, end, _ in events:
        assert end > start


def test_lines_short_and_no_orphans() -> None:
    text = "Meet the AeroBottle Pro. Ice cold for twenty four hours and hot for twelve."
    words = [CaptionWord(text=w, start_ms=i * 300, end_ms=i * 300 + 300) for i, w in enumerate(text.split())]
    lines = group_lines(words, no_spaces=False)
    texts = [" ".join(w.text for w in line) for line in lines]
    assert all(len(t) <= MAX_LINE_CHARS + 8 for t in texts), texts
    assert all(len(line) >= 2 for line in lines), texts  # no single-word orphan lines here
    assert texts[0].startswith("Meet") and texts[1].endswith("Pro.")  # sentences never share a line


def test_ass_header_per_aspect_and_escaping() -> None:
    speech = speech_of("Use {braces} and back\\slashes safely.")
    track = caption_track(speech, "en", 0, get_style("DynamicProductTemplate").caption_box)
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
    track = caption_track(speech, "ja", 0, get_style("DynamicProductTemplate").caption_box)
    assert track.font.startswith("Noto Sans CJK")
    assert all(line.joiner == "" for line in track.lines)
    shown = "".join(w.text for line in track.lines for w in line.words)
    assert shown == text


def test_cjk_lines_limited_by_length_not_word_count() -> None:
    """Japanese is timed per mora: a line holds up to the character limit, not four 'words'."""
    from linkreel.media.captions import MAX_LINE_CHARS_CJK

    text = "これはほんとうにすごいです。"
    words = [CaptionWord(text=ch, start_ms=i * 150, end_ms=(i + 1) * 150) for i, ch in enumerate(text)]
    lines = group_lines(words, no_spaces=True)
    assert all(len(line) <= MAX_LINE_CHARS_CJK for line in lines)
    assert max(len(line) for line in lines) > 4


def test_latin_words_keep_their_space_in_japanese_captions() -> None:
    from linkreel.media.captions import join_words

    assert join_words(["750", "ml", "Insulated", "です", "。"], "") == "750 ml Insulatedです。"
    assert join_words(["すご", "い"], "") == "すごい"
    assert join_words(["a", "b"], " ") == "a b"
