"""B-roll: the stock seam against fakes (MockTransport, a loopback file server) and b-roll in a real render."""

import json
from pathlib import Path

import httpx
import numpy as np
import pytest

from linkreel.config import Settings
from linkreel.errors import LinkreelError
from linkreel.media.broll import PexelsVideos, collect_broll, search_terms, stock_provider
from linkreel.media.ffmpeg import ffmpeg_exe
from linkreel.media.ffmpeg import run as run_ffmpeg
from linkreel.media.probe import probe
from linkreel.media.render import RenderOptions, render
from linkreel.media.storyboard import build_timeline
from linkreel.media.templates import get_style
from linkreel.media.templates.sample import sample_facts, sample_narration, silent_voice
from linkreel.media.timeline import VideoClip
from linkreel.scrape.fetch import Fetcher
from tests.helpers import EXAMPLES, frame_at, serve_dir

PHOTOS = tuple(str(EXAMPLES / "aerobottle" / "img" / f"aero-{n}.jpg") for n in ("coral", "trio"))


def _pexels_answer(base: str) -> dict:
    return {"videos": [
        {"url": "https://stock.example/v/1", "duration": 8, "video_files": [
            {"file_type": "video/mp4", "width": 3840, "height": 2160, "link": f"{base}/uhd.mp4"},
            {"file_type": "video/mp4", "width": 1280, "height": 720, "link": f"{base}/clip.mp4"},
            {"file_type": "video/mp4", "width": 640, "height": 360, "link": f"{base}/small.mp4"},
        ]},
        {"url": "https://stock.example/v/2", "duration": 5, "video_files": [
            {"file_type": "image/jpeg", "width": 1280, "height": 720, "link": f"{base}/poster.jpg"},
        ]},
    ]}


def test_pexels_search_sends_the_key_and_picks_a_sensible_file() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=_pexels_answer("https://cdn.example"))

    provider = PexelsVideos("KEY", "https://api.example", client=httpx.Client(transport=httpx.MockTransport(handler)))
    clips = provider.search("water bottle", "portrait", 2)
    assert seen[0].headers["Authorization"] == "KEY"
    assert seen[0].url.path == "/videos/search"
    assert dict(seen[0].url.params) == {"query": "water bottle", "orientation": "portrait", "per_page": "2",
                                        "size": "medium"}
    # The 720p file: big enough for a 1080p ad, far smaller than the 4K one; the clip without an MP4 is skipped.
    assert [c.url for c in clips] == ["https://cdn.example/clip.mp4"]
    assert clips[0].duration_s == 8


def test_pexels_errors_are_clear() -> None:
    provider = PexelsVideos("BAD", "https://api.example", client=httpx.Client(
        transport=httpx.MockTransport(lambda r: httpx.Response(401, json={"error": "unauthorized"}))))
    with pytest.raises(LinkreelError, match="HTTP 401"):
        provider.search("bottle", "landscape", 1)


def test_no_key_means_no_stock_provider() -> None:
    assert stock_provider(Settings(stock_api_key="")) is None
    assert isinstance(stock_provider(Settings(stock_api_key="k", stock_api_url="https://api.example")), PexelsVideos)
    assert search_terms("AERO AeroBottle Pro", []) == "AeroBottle Pro"


def _blue_clip(path: Path, seconds: float = 3.0) -> Path:
    run_ffmpeg(ffmpeg_exe(), ["-f", "lavfi", "-i", f"color=c=0x2040E0:s=320x240:d={seconds}:r=25",
                              "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)])
    return path


def test_stock_clips_are_downloaded_after_page_videos(tmp_path: Path) -> None:
    files = tmp_path / "cdn"
    files.mkdir()
    _blue_clip(files / "clip.mp4")
    page_video = _blue_clip(tmp_path / "page.mp4")
    with serve_dir(files) as base:
        def api(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json=_pexels_answer(base))

        provider = PexelsVideos("KEY", "https://api.example", client=httpx.Client(transport=httpx.MockTransport(api)))
        settings = Settings(allow_private_urls=True, data_dir=tmp_path / "data")
        with Fetcher(settings) as fetcher:
            got = collect_broll([str(page_video)], provider, "bottle", "9x16", fetcher, tmp_path / "broll", count=2)
            assert got[0] == str(page_video)  # the page's own video first
            assert len(got) == 2 and probe(got[1]).video_codec == "h264"
            assert collect_broll([], None, "bottle", "9x16", fetcher, tmp_path / "none") == []  # offline default


def test_broll_plays_inside_the_single_render(tmp_path: Path) -> None:
    exe = ffmpeg_exe()
    clip = _blue_clip(tmp_path / "page.mp4", seconds=2.0)  # shorter than its shot: held on its last frame
    voice = silent_voice(exe, tmp_path / "voice.wav", 12)
    script, narration = sample_narration(str(voice))
    tl = build_timeline(script, narration, sample_facts(PHOTOS, videos=(str(clip),)), get_style("FullScreenTemplate"),
                        15000, None)
    shots = [v for v in tl.visuals if isinstance(v, VideoClip)]
    assert shots
    opts = RenderOptions(ffmpeg=exe, fonts_cache=Settings().cache_path, preset="ultrafast")
    out = render(tl, "9x16", tmp_path / "ad.mp4", tmp_path / "w", opts, size=(108, 192)).output
    assert abs(probe(out).duration_s - 15.0) < 0.1
    shot = shots[0]
    for t in ((shot.start_ms + shot.end_ms) / 2000, shot.end_ms / 1000 - 0.4):
        frame = frame_at(out, t, width=108).reshape(-1, 3).astype(int)
        blue = (np.abs(frame - (0x20, 0x40, 0xE0)).sum(axis=1) < 60).mean()
        assert blue > 0.9, (t, blue)  # the b-roll fills the frame, also after the clip itself ran out
    assert json.loads(tl.model_dump_json())["visuals"]  # the timeline with b-roll stays plain data
