"""The quality report on a real render, and on broken files made from it with ffmpeg."""

import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from linkreel.config import Settings
from linkreel.media.captions import track_look
from linkreel.media.ffmpeg import ffmpeg_exe
from linkreel.media.quality import QualityReport, quality_report
from linkreel.media.render import RenderOptions, render
from linkreel.media.templates.layouts import SAFE_AREAS
from linkreel.media.timeline import Timeline
from linkreel.pipeline import AdRequest, AdResult, make_ad
from tests.helpers import EXAMPLES, frame_at, serve_dir

ASPECT = "1x1"


@pytest.fixture(scope="module")
def shop() -> Iterator[str]:
    with serve_dir(EXAMPLES) as base:
        yield f"{base}/aerobottle/index.html"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("data"), allow_private_urls=True, x264_preset="ultrafast")


@pytest.fixture(scope="module")
def ad(shop: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> AdResult:
    out = tmp_path_factory.mktemp("out")
    return make_ad(AdRequest(source=shop, aspect=ASPECT, length=15), out / "ad.mp4", out / "work", settings)


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", *args], check=True)


def _report(path: Path, timeline: Timeline) -> QualityReport:
    return quality_report(path, timeline, ASPECT, ffmpeg_exe(), 15.0)


def _statuses(report: QualityReport) -> dict[str, str]:
    return {c.name: c.status for c in report.checks}


def test_a_good_render_passes_every_check(ad: AdResult) -> None:
    report = ad.quality_report
    assert report is not None
    assert report.status == "pass", [c for c in report.checks if c.status == "warn"]
    statuses = _statuses(report)
    assert set(statuses) == {"duration", "av_sync", "loudness", "loudness_range", "true_peak", "black_frames",
                             "frozen_frames", "caption_safe_area", "caption_time", "caption_contrast",
                             "product_share", "speech_intelligibility"}
    assert statuses["speech_intelligibility"] == "skipped"  # LINKREEL_QA_ASR is off by default
    assert abs(report.check("duration").value - 15) <= 0.5
    assert abs(report.check("loudness").value - ad.timeline.loudness_lufs) <= 1
    assert report.check("true_peak").value <= -1
    assert report.check("caption_time").value >= 0.3
    assert report.check("product_share").value >= 0.5
    # What the CLI prints with --json.
    assert ad.summary()["quality_report"] == report.model_dump(mode="json")


def test_silent_audio_warns_on_loudness(ad: AdResult, tmp_path: Path) -> None:
    silent = tmp_path / "silent.mp4"
    _ffmpeg("-i", str(ad.output), "-map", "0", "-c:v", "copy", "-af", "volume=0", "-c:a", "aac", str(silent))
    report = _report(silent, ad.timeline)
    statuses = _statuses(report)
    assert report.status == "warn"
    assert statuses["loudness"] == "warn" and report.check("loudness").value <= -69
    assert statuses["duration"] == statuses["black_frames"] == statuses["caption_safe_area"] == "pass"


def test_three_seconds_of_black_are_found(ad: AdResult, tmp_path: Path) -> None:
    black = tmp_path / "black.mp4"
    # 5 s of the ad, 3 s of black, then the ad from 8 s on: the length stays 15 s. Encoded with B-frames,
    # as real renders are (the report decodes without them).
    _ffmpeg("-i", str(ad.output), "-filter_complex",
            "[0:v]split[a][b];[a]trim=0:5,setpts=PTS-STARTPTS[p1];[b]trim=8:15,setpts=PTS-STARTPTS[p2];"
            "color=black:s=1080x1080:r=30:d=3,format=yuv420p[k];[p1][k][p2]concat=n=3:v=1:a=0[v]",
            "-map", "[v]", "-map", "0:a", "-c:v", "libx264", "-preset", "veryfast", "-c:a", "copy", str(black))
    report = _report(black, ad.timeline)
    check = report.check("black_frames")
    assert check.status == "warn" and abs(check.value - 3) <= 0.2
    start, end = (float(v) for v in check.detail.removesuffix(" s").split("–"))
    assert abs(start - 5) <= 0.15 and abs(end - 8) <= 0.15
    assert _statuses(report)["duration"] == _statuses(report)["loudness"] == "pass"


def test_frozen_picture_warns_except_where_the_timeline_holds(ad: AdResult, tmp_path: Path) -> None:
    frozen = tmp_path / "frozen.mp4"
    end_card = ad.timeline.visuals[-1]
    hold = round(end_card.start_ms / 1000 + 0.2, 1)  # a little after the end card comes in
    assert end_card.kind == "end_card" and 8 < hold <= 12.5
    # The picture stops for 3 s at 5 s (mid-ad) and from `hold` to the end (inside the end card).
    _ffmpeg("-i", str(ad.output), "-filter_complex",
            f"[0:v]split[a][b];[a]trim=0:5,setpts=PTS-STARTPTS,tpad=stop_mode=clone:stop_duration=3[p1];"
            f"[b]trim=8:{hold},setpts=PTS-STARTPTS,tpad=stop_mode=clone:stop_duration={15 - hold:.1f}[p2];"
            "[p1][p2]concat=n=2:v=1:a=0[v]",
            "-map", "[v]", "-map", "0:a", "-c:v", "libx264", "-preset", "veryfast", "-c:a", "copy", str(frozen))
    check = _report(frozen, ad.timeline).check("frozen_frames")
    assert check.status == "warn"
    start, end = (float(v) for v in check.detail.removesuffix(" s").split("–"))  # one stretch: the end card's is meant
    assert abs(start - 5) <= 0.15 and abs(end - 8) <= 0.15


def test_wrong_duration_warns(ad: AdResult, tmp_path: Path) -> None:
    short = tmp_path / "short.mp4"
    _ffmpeg("-i", str(ad.output), "-t", "10", "-c", "copy", str(short))
    report = _report(short, ad.timeline)
    assert report.check("duration").status == "warn"
    assert abs(report.check("duration").value - 10) <= 0.1
    assert report.check("black_frames").status == "pass"


def _render_with_look(ad: AdResult, settings: Settings, tmp_path: Path, **look: object) -> tuple[Path, Timeline]:
    """The good ad's timeline with another caption look, rendered for real."""
    assert ad.timeline.captions is not None
    changed = track_look(ad.timeline.captions).model_copy(update={"name": "test-look", **look})
    timeline = ad.timeline.model_copy(update={
        "captions": ad.timeline.captions.model_copy(update={"style": changed.model_dump_json()})})
    opts = RenderOptions(ffmpeg=ffmpeg_exe(), fonts_cache=settings.cache_path, preset="ultrafast")
    return render(timeline, ASPECT, tmp_path / "look.mp4", tmp_path / "work", opts).output, timeline


def test_dark_captions_on_a_dark_picture_warn(ad: AdResult, settings: Settings, tmp_path: Path) -> None:
    good = ad.quality_report.check("caption_contrast") if ad.quality_report else None
    assert good is not None and good.status == "pass"
    grey = (60, 60, 60, 255)
    dim, timeline = _render_with_look(ad, settings, tmp_path, text=grey, highlight=grey, outline_px=0.0, shadow=None)
    check = _report(dim, timeline).check("caption_contrast")
    assert check.status == "warn" and check.value < 3, check


def test_a_caption_pushed_off_frame_warns(ad: AdResult, settings: Settings, tmp_path: Path) -> None:
    # The renderer moves every caption block into the safe area, so the broken timeline carries a block
    # that cannot fit: a box padded far beyond the frame, which libass then draws off-frame.
    broken, timeline = _render_with_look(ad, settings, tmp_path, box=(0, 0, 0, 255), box_pad=600.0, outline_px=0.0)
    assert timeline.captions is not None

    # The premise, seen in the pixels: outside the safe area the broken render differs from the good one.
    at = (timeline.captions.lines[2].start_ms + 200) / 1000
    sx = SAFE_AREAS[ASPECT].pixels(270, 270)[0]
    good_margin, broken_margin = (frame_at(p, at)[:, :sx].astype(int) for p in (ad.output, broken))
    assert np.abs(good_margin - broken_margin).mean() > 20

    report = _report(broken, timeline)
    check = report.check("caption_safe_area")
    assert check.status == "warn" and check.value == len(timeline.captions.lines)
    assert report.check("duration").status == report.check("loudness").status == "pass"
    # The same lines, placed by the renderer as usual, pass.
    assert _report(broken, ad.timeline).check("caption_safe_area").status == "pass"
