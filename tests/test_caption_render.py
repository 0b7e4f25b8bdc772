"""Caption styles as libass renders them: the caption layer alone over a key-coloured frame, measured.

Ink is every pixel that differs from the key colour; its bounding box must stay inside the
platform safe area for a long German word, a Japanese sentence and an Arabic sentence.
"""

import subprocess
from pathlib import Path

import numpy as np
import pytest

from linkreel.media.caption_setting import CaptionSetting, resolve_look
from linkreel.media.caption_styles import CAPTION_STYLES, VISUAL_STYLE_LOOK, CaptionLook
from linkreel.media.captions import Measure, caption_track, to_ass
from linkreel.media.ffmpeg import ffmpeg_exe
from linkreel.media.fonts import ass_fonts_dir, fonts_dir
from linkreel.media.templates import get_style
from linkreel.media.templates.layouts import SAFE_AREAS
from linkreel.media.timeline import SIZES, CaptionTrack
from tests.test_captions import char_speech, parse_events, speech_of

KEY = (13, 7, 250)  # a background colour no style uses
BOX = get_style("DynamicProductTemplate").caption_box
GERMAN = "Die Donaudampfschifffahrtsgesellschaftskapitänsmütze ist wasserdicht."
JAPANESE = "このボトルは一日中つめたいままです。ほんとうに、すごい！"
ARABIC = "هذه الزجاجة تحافظ على برودة الماء طوال اليوم بفضل العزل المزدوج."


@pytest.fixture(scope="module")
def fonts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fonts_dir(tmp_path_factory.mktemp("cache")).resolve()


def render(ass: str, aspect: str, times_ms: list[int], fonts: Path, tmp: Path) -> list[np.ndarray]:
    """The caption layer at the given times (10 ms steps), as RGB arrays over the key colour."""
    w, h = SIZES[aspect]
    path = tmp / "captions.ass"
    path.write_text(ass, "utf-8")
    frames = sorted({t // 10 for t in times_ms})
    pick = "+".join(f"eq(n\\,{n})" for n in frames)
    graph = f"select='{pick}',ass=filename={path.name}:fontsdir={fonts}"
    key = "0x{:02X}{:02X}{:02X}".format(*KEY)
    raw = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-t", f"{frames[-1] / 100 + 0.02:.2f}",
         "-i", f"color=c={key}:s={w}x{h}:r=100", "-vf", graph, "-frames:v", str(len(frames)),
         "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True, cwd=tmp, timeout=120).stdout
    return list(np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3))


def ink(frame: np.ndarray) -> np.ndarray:
    return (np.abs(frame.astype(np.int16) - np.array(KEY, np.int16)) > 24).any(axis=2)


def bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    assert len(xs), "nothing rendered"
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def probe_times(track: CaptionTrack) -> list[int]:
    """Per line: its first word just shown (bounce starts low, reveal shows one word) and its longest word
    at the top of its pop."""
    times = []
    for line in track.lines:
        longest = max(line.words, key=lambda w: len(w.text))
        times += [line.words[0].start_ms + 10, longest.start_ms + 90]
    return times


def track_for(text: str, language: str, look: CaptionLook) -> CaptionTrack:
    speech = char_speech(text, 150) if language == "ja" else speech_of(text, 250)
    return caption_track(speech, language, 0, BOX, look)


def assert_inside_safe_area(track: CaptionTrack, aspect: str, fonts: Path, tmp: Path) -> None:
    w, h = SIZES[aspect]
    sx, sy, sw, sh = SAFE_AREAS[aspect].pixels(w, h)
    for frame in render(to_ass(track, aspect), aspect, probe_times(track), fonts, tmp):
        x0, y0, x1, y1 = bbox(ink(frame))
        assert x0 >= sx - 2 and x1 <= sx + sw + 2 and y0 >= sy - 2 and y1 <= sy + sh + 2, \
            f"captions at {(x0, y0, x1, y1)} leave the safe area {(sx, sy, sx + sw, sy + sh)}"
        assert x1 - x0 > 25 and y1 - y0 > 25  # text (one revealed character at least), not a speck


@pytest.mark.parametrize("text, language", [(GERMAN, "de"), (JAPANESE, "ja"), (ARABIC, "ar")],
                         ids=["german-word", "japanese", "arabic"])
@pytest.mark.parametrize("name", list(CAPTION_STYLES))
def test_every_style_fits_the_safe_area_9x16(name: str, text: str, language: str, fonts: Path,
                                            tmp_path: Path) -> None:
    assert_inside_safe_area(track_for(text, language, CAPTION_STYLES[name]), "9x16", fonts, tmp_path)


@pytest.mark.parametrize("aspect", ["16x9", "1x1"])
@pytest.mark.parametrize("name", ["neo", "frenzy", "caution", "toons"])
def test_big_styles_fit_other_aspects(name: str, aspect: str, fonts: Path, tmp_path: Path) -> None:
    for text, language in [(GERMAN, "de"), (ARABIC, "ar")]:
        assert_inside_safe_area(track_for(text, language, CAPTION_STYLES[name]), aspect, fonts, tmp_path)


def test_long_word_is_hyphenated_not_squeezed(fonts: Path, tmp_path: Path) -> None:
    track = track_for(GERMAN, "de", CAPTION_STYLES["normal-black"])
    ass = to_ass(track, "9x16")
    assert "Donaudampf" in ass and "-" in ass.split("Donaudampf", 1)[1].split("\n", 1)[0]
    long_event = next(e for e in parse_events(ass) if "Donaudampf" in e[2])
    frame = render(ass, "9x16", [long_event[0] + 150], fonts, tmp_path)[0]
    rows = np.nonzero(ink(frame).any(axis=1))[0]
    assert rows.max() - rows.min() > 1.6 * CAPTION_STYLES["normal-black"].size  # two rows of full-size text


def test_offset_moves_the_captions(fonts: Path, tmp_path: Path) -> None:
    speech = speech_of("Ice cold all day long.")
    centres = {}
    for x, y in [(0.0, -0.2), (0.1, 0.15)]:
        look = resolve_look(CaptionSetting.model_validate({"style": "normal-black", "offset": {"x": x, "y": y}}))
        assert look is not None
        track = caption_track(speech, "en", 0, BOX, look)
        x0, y0, x1, y1 = bbox(ink(render(to_ass(track, "9x16"), "9x16", [400], fonts, tmp_path)[0]))
        centres[(x, y)] = ((x0 + x1) / 2, (y0 + y1) / 2)
        assert abs(centres[(x, y)][1] - (960 + y * 1920)) < 30  # the block is centred where asked
    (ax, ay), (bx, by) = centres[(0.0, -0.2)], centres[(0.1, 0.15)]
    assert abs((bx - ax) - 0.1 * 1080) < 15 and abs((by - ay) - 0.35 * 1920) < 15


def test_offset_is_clamped_into_the_safe_area(fonts: Path, tmp_path: Path) -> None:
    look = resolve_look(CaptionSetting.model_validate({"style": "neo", "offset": {"x": 0.5, "y": 0.5}}))
    assert look is not None
    assert_inside_safe_area(caption_track(speech_of("Ice cold all day long."), "en", 0, BOX, look), "9x16", fonts,
                            tmp_path)


def test_setting_colours_render(fonts: Path, tmp_path: Path) -> None:
    """text_color with alpha, highlight colour, no outline: the pixels are those colours."""
    look = resolve_look(CaptionSetting.model_validate({
        "style": "normal-black", "text_color": "#00ff0080", "highlight_text_color": "rgb(255, 0, 0)",
        "background_color": "transparent", "override_visual_style": True}))
    assert look is not None and look.box is None
    track = caption_track(speech_of("Ice cold all day long."), "en", 0, BOX, look)
    frame = render(to_ass(track, "9x16"), "9x16", [250 + 200], fonts, tmp_path)[0].astype(np.int16)
    half_green = np.round(np.array([0, 255, 0]) * 0.5 + np.array(KEY) * 0.5)
    near = lambda c: (np.abs(frame - c) <= 14).all(axis=2)  # noqa: E731
    assert near(half_green).sum() > 2000  # the words, half transparent over the background
    assert near(np.array([255, 0, 0])).sum() > 500  # the spoken word ("cold") in the highlight colour
    assert near(np.array([0, 255, 0])).sum() < 50  # nothing opaque green: the alpha was honoured


def test_arabic_reads_right_to_left(fonts: Path, tmp_path: Path) -> None:
    look = CAPTION_STYLES["normal-red"]  # highlight (255, 232, 120) on white words
    track = track_for(ARABIC, "ar", look)
    first = track.lines[0].words[0]
    frame = render(to_ass(track, "9x16"), "9x16", [first.start_ms + 100], fonts, tmp_path)[0].astype(np.int16)
    hl = (np.abs(frame - np.array([255, 232, 120])) <= 20).all(axis=2)
    white = (frame >= 235).all(axis=2)
    assert hl.sum() > 300 and white.sum() > 1000
    assert np.nonzero(hl)[1].mean() > np.nonzero(white)[1].max() - 20  # the first word is the rightmost


def test_pillow_metrics_match_libass(fonts: Path, tmp_path: Path) -> None:
    """Line breaking measures with Pillow what libass draws: plain text, no outline."""
    look = VISUAL_STYLE_LOOK.model_copy(update={"outline_px": 0.0, "weight": 400, "effect": "karaoke"})
    for text, language in [("Wasserdicht und leicht", "de"), ("هذه الزجاجة", "ar"), ("つめたいままです", "ja")]:
        speech = char_speech(text, 100) if language == "ja" else speech_of(text, 100)
        track = caption_track(speech, language, 0, BOX, look)
        assert len(track.lines) == 1
        ass = to_ass(track, "9x16")
        size = float(next(line for line in ass.splitlines() if line.startswith("Style: Caption,")).split(",")[2])
        x0, _, x1, _ = bbox(ink(render(ass, "9x16", [(len(speech.words) - 1) * 100 + 50], fonts, tmp_path)[0]))
        expected = Measure(look, track.font, language, size).width(text)
        assert abs((x1 - x0) - expected) <= 0.05 * expected, (text, x1 - x0, expected)


def test_styles_look_different(fonts: Path, tmp_path: Path) -> None:
    """Every pair of styles differs visibly in the caption region at the same moment."""
    speech = speech_of("Meet the AeroBottle Pro today.", 300)
    crops = {}
    for name, look in CAPTION_STYLES.items():
        frame = render(to_ass(caption_track(speech, "en", 0, BOX, look), "9x16"), "9x16", [2 * 300 + 250], fonts,
                       tmp_path)[0]
        crops[name] = frame[1100:1600].astype(np.int16)
    names = list(crops)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            diff = np.abs(crops[a] - crops[b]).mean()
            assert diff > 1.0, f"{a} and {b} look alike ({diff:.2f})"


@pytest.mark.parametrize("text, language, style", [(JAPANESE, "ja", "neo"), (ARABIC, "ar", "frenzy"),
                                                   (GERMAN, "de", "caution")], ids=["japanese", "arabic", "german"])
def test_a_render_loads_only_the_faces_its_captions_name(text: str, language: str, style: str, fonts: Path,
                                                          tmp_path: Path) -> None:
    """The render's own fontsdir (only the faces the ASS names) draws exactly what the full set draws."""
    track = track_for(text, language, CAPTION_STYLES[style])
    ass = to_ass(track, "9x16")
    few = ass_fonts_dir(ass, fonts.parent, tmp_path / "few")
    assert 1 <= len(list(few.iterdir())) < len(list(fonts.iterdir())) // 3
    assert all(f.resolve().is_file() for f in few.iterdir())
    times = probe_times(track)
    for full, own in zip(render(ass, "9x16", times, fonts, tmp_path), render(ass, "9x16", times, few, tmp_path),
                         strict=True):
        assert ink(full).sum() > 1000 and np.array_equal(full, own)
