"""End to end: a product page over loopback HTTP → a finished MP4, checked on the file itself."""

import functools
import re
from pathlib import Path

import numpy as np
import pytest
from fontTools.ttLib import TTCollection, TTFont

from linkreel.config import Settings
from linkreel.media.fonts import _FACES, font_path
from linkreel.media.probe import integrated_loudness, probe
from linkreel.media.storyboard import LEAD_IN_MS
from linkreel.pipeline import AdRequest, AdResult, Progress, make_ad
from tests.helpers import EXAMPLES, frame_at, serve_dir
from tests.test_captions import parse_events


class Recorder(Progress):
    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def stage(self, name: str, status: str) -> None:
        self.events.append((name, status))


@pytest.fixture(scope="module")
def shop() -> str:
    with serve_dir(EXAMPLES) as base:
        yield f"{base}/aerobottle/index.html"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("data"), allow_private_urls=True)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("work")


@pytest.fixture(scope="module")
def ad(shop: str, settings: Settings, workdir: Path, tmp_path_factory: pytest.TempPathFactory) -> AdResult:
    out = tmp_path_factory.mktemp("out") / "ad.mp4"
    return make_ad(AdRequest(source=shop, aspect="9x16", length=15), out, workdir, settings)


def _ass(workdir: Path, aspect: str) -> str:
    return next(workdir.glob(f"render-*/render-{aspect}/captions.ass")).read_text("utf-8")


def test_file_is_a_valid_ad(ad: AdResult) -> None:
    info = probe(ad.output)
    assert abs(info.duration_s - 15) <= 0.5
    assert (info.width, info.height) == (1080, 1920)
    assert info.video_codec == "h264" and info.pix_fmt == "yuv420p"
    assert info.audio_codec == "aac" and info.sample_rate == 48000
    assert info.fps == 30
    thumb = probe(ad.thumbnail)
    assert (thumb.width, thumb.height) == (1080, 1920)


def test_loudness_normalised(ad: AdResult) -> None:
    assert abs(integrated_loudness(ad.output) - (-14.0)) <= 1.0


def test_pictures_move_and_change(ad: AdResult) -> None:
    visuals = ad.timeline.visuals
    assert len(visuals) >= 3
    # Inside one shot the Ken Burns move changes the picture...
    first = visuals[1]
    a = frame_at(ad.output, (first.start_ms + 500) / 1000).astype(int)
    b = frame_at(ad.output, (first.end_ms - 500) / 1000).astype(int)
    assert np.abs(a - b).mean() > 1.0
    # ...and consecutive scenes show different pictures.
    for prev, nxt in zip(visuals, visuals[1:], strict=False):
        p = frame_at(ad.output, (prev.start_ms + prev.end_ms) / 2000).astype(int)
        n = frame_at(ad.output, (nxt.start_ms + nxt.end_ms) / 2000).astype(int)
        assert np.abs(p - n).mean() > 5.0


def test_all_product_photos_used(ad: AdResult) -> None:
    assert len(ad.images) >= 3 and all(i["source"] != "generated" for i in ad.images)
    shown = {v.src for v in ad.timeline.visuals if v.kind == "image"}  # type: ignore[union-attr]
    assert len(shown) >= 3


def test_captions_follow_the_voice(ad: AdResult, workdir: Path) -> None:
    voice = next(workdir.glob("voice-*/result.json"))
    from linkreel.voice.narration import Narration

    narration = Narration.model_validate_json(voice.read_text())
    events = parse_events(_ass(workdir, "9x16"))
    assert len(events) == len(narration.speech.words)  # one highlight event per spoken word
    first_voice_ms = LEAD_IN_MS + narration.speech.words[0].start_ms
    assert abs(events[0][0] - first_voice_ms) <= 50


def test_brief_and_script_reported(ad: AdResult) -> None:
    summary = ad.summary()
    assert summary["brief"]["title"].startswith("AeroBottle Pro")
    assert summary["brief"]["price"] == "34.95"
    roles = [s["role"] for s in summary["script"]["scenes"]]
    assert roles[0] == "hook" and roles[-1] == "cta"
    assert set(summary["stages"]) >= {"scrape", "script", "voice", "captions", "timeline", "render"}


def test_other_aspect_reuses_early_stages(ad: AdResult, shop: str, settings: Settings, workdir: Path,
                                          tmp_path: Path) -> None:
    rec = Recorder()
    result = make_ad(AdRequest(source=shop, aspect="16x9", length=15), tmp_path / "wide.mp4", workdir, settings,
                     rec)
    status = dict(rec.events)
    assert status["scrape"] == status["script"] == status["voice"] == "cached"
    assert status["render"] == "done"
    info = probe(result.output)
    assert (info.width, info.height) == (1920, 1080)
    assert abs(info.duration_s - 15) <= 0.5


@functools.cache
def _cmap(family: str) -> frozenset[int]:
    # Read each font once: parsing the CJK collection per caption run took minutes and gigabytes.
    face = _FACES[family]
    path = str(font_path(family))
    font = TTCollection(path).fonts[face.index] if path.endswith(".ttc") else TTFont(path)
    return frozenset(font.getBestCmap())


def _covers(family: str, text: str) -> bool:
    cmap = _cmap(family)
    return all(ord(ch) in cmap for ch in text if not ch.isspace())


@pytest.mark.parametrize("language", ["ja", "ar"])
def test_non_latin_render_uses_covering_font(language: str, shop: str, settings: Settings,
                                             tmp_path: Path) -> None:
    from linkreel.errors import InputError

    try:
        result = make_ad(AdRequest(source=shop, aspect="1x1", length=15, language=language),
                         tmp_path / "ad.mp4", tmp_path / "work", settings)
    except InputError as exc:  # the script writer may not speak this language yet
        pytest.skip(str(exc))
    info = probe(result.output)
    assert (info.width, info.height) == (1080, 1080)
    ass = _ass(tmp_path / "work", "1x1")
    family = re.search(r"^Style: Caption,([^,]+),", ass, re.M).group(1)  # type: ignore[union-attr]
    runs = [run for _, _, t in parse_events(ass) for run in font_runs(t, family)]
    for font, text in runs:  # every glyph is drawn by a font that has it (\fn switches included)
        assert _covers(font, text), f"{font} lacks glyphs for {text!r} in the {language} captions"
    native = "".join(text for font, text in runs if font == family)
    assert native and not _covers("Noto Sans", native)  # the check is real: the Latin font would not do


def font_runs(event_text: str, style_font: str) -> list[tuple[str, str]]:
    """(font, text) runs of an ASS event, following {\fn…} switches and {\r} resets."""
    runs, font = [], style_font
    for tags, text in re.findall(r"(\{[^}]*\})?([^{]*)", event_text):
        if "\\r" in tags:
            font = style_font
        switch = re.search(r"\\fn([^\\}]+)", tags)
        if switch:
            font = switch.group(1)
        if text.strip():
            runs.append((font, text))
    return runs


@pytest.mark.parametrize("length", [30, 45, 60])
def test_lengths(length: int, shop: str, settings: Settings, tmp_path: Path) -> None:
    fast = settings.model_copy(update={"x264_preset": "ultrafast"})  # duration does not depend on the preset
    result = make_ad(AdRequest(source=shop, aspect="1x1", length=length), tmp_path / "ad.mp4", tmp_path / "w", fast)
    info = probe(result.output)
    assert abs(info.duration_s - length) <= 0.5
    assert abs(integrated_loudness(result.output) - (-14.0)) <= 1.0
    narration_end = result.timeline.captions.lines[-1].end_ms  # type: ignore[union-attr]
    assert narration_end <= length * 1000  # the voice is never cut off
