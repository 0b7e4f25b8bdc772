"""A long picture is rendered in parts (one ffmpeg run per window of frames, joined without re-encoding).

The parts must join into the picture a single run draws: same frame count, same pictures at every
frame — Ken Burns motion continuing across a cut, the presenter, cards and captions at their times,
a b-roll clip cut in the middle — and the file must play as one (A/V durations, one video stream).
"""

import subprocess
from pathlib import Path

import numpy as np
import pytest

from linkreel.config import Settings
from linkreel.media.ffmpeg import ffmpeg_exe
from linkreel.media.probe import probe, stream_durations
from linkreel.media.render import RenderOptions, clip_frames, picture_windows, render
from linkreel.media.timeline import Timeline, VideoClip
from linkreel.pipeline import AdRequest, plan_ad
from tests.helpers import EXAMPLES, serve_dir

SIZE = (270, 480)


@pytest.fixture(scope="module")
def timeline(tmp_path_factory: pytest.TempPathFactory) -> Timeline:
    """A 15 s presenter ad (bubble avatar over the whole ad, cards, captions) with one shot made a b-roll clip.

    The shot chosen is one that a 4 s window cut falls inside: where shots fall moves with the voice's
    timing, which differs slightly run to run, so a fixed shot number would not always span a cut.
    """
    tmp = tmp_path_factory.mktemp("parts")
    settings = Settings(data_dir=tmp / "data", allow_private_urls=True)
    with serve_dir(EXAMPLES) as base:
        req = AdRequest(source=f"{base}/aerobottle/index.html", aspect="9x16", length=15,
                        visual_style="AvatarBubbleTemplate")
        plan = plan_ad(req, tmp / "work", settings)
    clip = tmp / "clip.mp4"  # moving bars, so a wrong offset into the clip shows
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=6",
                    "-c:v", "libx264", "-preset", "ultrafast", str(clip)], check=True)
    spans = clip_frames(plan.timeline)
    cut = picture_windows(plan.timeline, 4.0)[1][0]
    shot = next(i for i, (a, b) in enumerate(spans) if a < cut < b)
    visuals = list(plan.timeline.visuals)
    visuals[shot] = VideoClip(src=str(clip), src_start_ms=500, start_ms=visuals[shot].start_ms,
                              end_ms=visuals[shot].end_ms)
    # Every word starts on a 100 ms mark, which is a frame's exact time: a part whose clock is off by
    # a hair shows those words a frame early or late.
    assert plan.timeline.captions
    lines = [line.model_copy(update={"words": [w.model_copy(update={"start_ms": round(w.start_ms, -2)})
                                               for w in line.words]})
             for line in plan.timeline.captions.lines]
    captions = plan.timeline.captions.model_copy(update={"lines": lines})
    return plan.timeline.model_copy(update={"visuals": visuals, "captions": captions})


def _gray_frames(path: Path) -> np.ndarray:
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-vf", "scale=135:240", "-f", "rawvideo",
                          "-pix_fmt", "gray", "-"], check=True, capture_output=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, 240, 135).astype(np.int16)


def test_windows_cut_inside_a_clip_never_in_a_crossfade(timeline: Timeline) -> None:
    spans = clip_frames(timeline)
    total = round(timeline.duration_ms * timeline.fps / 1000)
    assert picture_windows(timeline, 30.0) == [(0, total)]  # a 15 s ad is one run
    windows = picture_windows(timeline, 4.0)
    assert len(windows) == 4 and windows[0][0] == 0 and windows[-1][1] == total
    assert all(a[1] == b[0] for a, b in zip(windows, windows[1:], strict=False))  # no gap, no overlap
    for _, cut in windows[:-1]:
        owners = [i for i, (a, b) in enumerate(spans) if a <= cut - 1 < b or a <= cut < b]
        assert len(owners) == 1, f"cut at frame {cut} is in a crossfade or between clips"
    # Window lengths stay near the asked-for length: each cut is within a clip body of its target.
    assert max(b - a for a, b in windows) <= 5.5 * timeline.fps


def test_parts_join_into_the_single_run_picture(timeline: Timeline, tmp_path: Path) -> None:
    base = RenderOptions(ffmpeg=ffmpeg_exe(), fonts_cache=tmp_path / "fonts", preset="ultrafast", crf=12)
    cuts = [b for _, b in picture_windows(timeline, 4.0)[:-1]]
    avatar = timeline.avatars[0]
    assert any(avatar.start_ms < c * 1000 / timeline.fps < avatar.end_ms for c in cuts)  # the presenter spans a cut
    brolls = [span for span, v in zip(clip_frames(timeline), timeline.visuals, strict=True)
              if isinstance(v, VideoClip) and v.src.endswith("clip.mp4")]
    assert any(a < c < b for a, b in brolls for c in cuts)  # and so does the b-roll clip

    whole = render(timeline, "9x16", tmp_path / "whole.mp4", tmp_path / "w1", base, size=SIZE)
    fractions: list[float] = []
    parts = render(timeline, "9x16", tmp_path / "parts.mp4", tmp_path / "w2",
                   RenderOptions(**{**base.__dict__, "segment_s": 4.0}), size=SIZE, progress=fractions.append)

    a, b = _gray_frames(whole.output), _gray_frames(parts.output)
    assert len(a) == len(b) == round(timeline.duration_ms * timeline.fps / 1000)
    diff = np.abs(a - b).mean(axis=(1, 2))
    # Encoder noise only (CRF 12; measured mean ≤ 0.41 levels, ≤ 3 pixels off by more than 24): a shifted
    # zoom, a late card or a missing presenter is tens of levels, and a word highlighted a frame early
    # is hundreds of pixels off by more than 24.
    assert diff.max() < 1.0, f"frames differ most at {int(diff.argmax())}: {diff.max():.2f}"
    far = (np.abs(a - b) > 24).sum(axis=(1, 2))
    assert far.max() <= 20, f"frame {int(far.argmax())} has {far.max()} pixels off"
    for cut in cuts:
        assert diff[cut - 1: cut + 2].max() < 1.0

    info = probe(parts.output)
    assert (info.width, info.height) == SIZE and info.duration_s == pytest.approx(15.0, abs=0.05)
    tracks = stream_durations(parts.output)
    assert abs(tracks["video"] - tracks["audio"]) <= 1 / timeline.fps
    assert fractions == sorted(fractions) and fractions[-1] > 0.9  # progress runs once, over all parts
    assert not list((tmp_path / "w2").rglob("picture*.part.mp4"))  # the parts are removed once joined
