"""B-roll: the stock seam against fakes (MockTransport, a loopback file server) and b-roll in a real render."""

import json
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import numpy as np
import pytest

from linkreel.config import Settings
from linkreel.errors import LinkreelError
from linkreel.media.broll import BROLL_ROLES, PexelsVideos, collect_broll, scene_queries, search_terms, stock_provider
from linkreel.media.ffmpeg import ffmpeg_exe
from linkreel.media.ffmpeg import run as run_ffmpeg
from linkreel.media.probe import probe
from linkreel.media.render import RenderOptions, render
from linkreel.media.storyboard import LEAD_IN_MS, build_timeline
from linkreel.media.templates import get_style
from linkreel.media.templates.sample import sample_facts, sample_narration, silent_voice
from linkreel.media.timeline import VideoClip
from linkreel.pipeline import AdRequest, make_ad
from linkreel.scrape.fetch import Fetcher
from linkreel.script.model import Scene, SceneRole
from tests.helpers import EXAMPLES, frame_at, serve_dir, serve_handler

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
    queries = [(2, "bottle leak"), (4, "bottle cold")]
    with serve_dir(files) as base:
        asked: list[str] = []

        def api(request: httpx.Request) -> httpx.Response:
            asked.append(request.url.params["query"])
            return httpx.Response(200, json=_pexels_answer(base))

        provider = PexelsVideos("KEY", "https://api.example", client=httpx.Client(transport=httpx.MockTransport(api)))
        settings = Settings(allow_private_urls=True, data_dir=tmp_path / "data")
        with Fetcher(settings) as fetcher:
            got = collect_broll([str(page_video)], provider, queries, "9x16", fetcher, tmp_path / "broll", count=2)
            assert got.page == [str(page_video)]  # the page's own video first
            assert asked == ["bottle leak"] and list(got.scenes) == [2]  # one stock clip makes up the count
            assert probe(got.scenes[2]).video_codec == "h264"
            every = collect_broll([], provider, queries, "9x16", fetcher, tmp_path / "all", count=2)
            assert asked[1:] == ["bottle leak", "bottle cold"] and list(every.scenes) == [2, 4]
            offline = collect_broll([], None, queries, "9x16", fetcher, tmp_path / "none")
            assert offline.page == [] and offline.scenes == {}  # the offline default


def test_each_illustrated_scene_gets_its_own_query() -> None:
    scenes = [Scene(role=SceneRole.HOOK, spoken="Stop scrolling."),
              Scene(role=SceneRole.PROBLEM, spoken="Warm water by noon, again?", on_screen="Warm water by noon"),
              Scene(role=SceneRole.INTRO, spoken="Meet AeroBottle Pro."),
              Scene(role=SceneRole.BENEFIT, spoken="Ice cold for twenty-four hours.", on_screen="Ice cold 24 h"),
              Scene(role=SceneRole.BENEFIT, spoken="Leak-proof lid that opens with one hand."),
              Scene(role=SceneRole.CTA, spoken="Get yours today.")]
    queries = scene_queries("AERO AeroBottle Pro Bottle", [], scenes, count=3)
    assert queries == [(1, "Pro Bottle Warm water"), (3, "Pro Bottle cold"), (4, "Pro Bottle proof opens")]
    assert len({q for _, q in queries}) == 3  # three scenes, three different searches
    ja = scene_queries("エアロボトル", [], [Scene(role=SceneRole.BENEFIT, spoken="氷のような冷たさが続きます")], 1)
    assert ja == [(0, "エアロボトル 氷のような冷たさが続きます")]  # words in any script


def test_a_scenes_stock_clip_plays_in_that_scene(tmp_path: Path) -> None:
    exe = ffmpeg_exe()
    voice = silent_voice(exe, tmp_path / "voice.wav", 12)
    script, narration = sample_narration(str(voice))
    middle = [k for k, sc in enumerate(script.scenes) if sc.role in BROLL_ROLES]
    clips = {k: f"/clips/scene{k}.mp4" for k in middle}
    tl = build_timeline(script, narration, sample_facts(PHOTOS, scene_videos=tuple(clips.items())),
                        get_style("FullScreenTemplate"), 15000, None)
    shots = [v for v in tl.visuals if isinstance(v, VideoClip)]
    assert shots
    bounds = {k: (LEAD_IN_MS + s.start_ms, LEAD_IN_MS + s.end_ms) for k, s in enumerate(narration.scenes)}
    for shot in shots:  # each clip sits inside the scene it was found for
        k = int(shot.src.removeprefix("/clips/scene").removesuffix(".mp4"))
        start, end = bounds[k]
        assert start - 400 <= shot.start_ms and (shot.start_ms + shot.end_ms) / 2 <= end, (k, shot, bounds[k])


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


COLOURS = ((0xE0, 0x30, 0x30), (0x30, 0xC0, 0x40), (0x30, 0x50, 0xE0))


def test_an_ad_with_a_stock_provider_shows_each_scenes_own_clip(tmp_path: Path) -> None:
    """A real ad against a loopback fake of the Pexels API: one search per illustrated scene, and the
    clip each search found plays inside that scene (its colour fills the frame there)."""
    files = tmp_path / "cdn"
    files.mkdir()
    for i, (r, g, b) in enumerate(COLOURS):
        run_ffmpeg(ffmpeg_exe(), ["-f", "lavfi", "-i", f"color=c=0x{r:02X}{g:02X}{b:02X}:s=320x320:d=4:r=25",
                                  "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                                  str(files / f"clip{i}.mp4")])
    asked: list[str] = []

    class Api(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if self.path.startswith("/videos/search"):
                asked.append(parse_qs(urlsplit(self.path).query)["query"][0])
                link = f"{cdn}/clip{(len(asked) - 1) % len(COLOURS)}.mp4"
                body = json.dumps({"videos": [{"url": "https://stock.example/v", "duration": 4, "video_files": [
                    {"file_type": "video/mp4", "width": 1280, "height": 720, "link": link}]}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_error(404)

        def log_message(self, *args: object) -> None:
            pass

    with serve_dir(files) as cdn, serve_handler(Api) as api, serve_dir(EXAMPLES) as shop:
        settings = Settings(data_dir=tmp_path / "data", allow_private_urls=True, x264_preset="ultrafast",
                            stock_api_key="KEY", stock_api_url=api)
        ad = make_ad(AdRequest(source=f"{shop}/aerobottle/index.html", aspect="1x1", length=15),
                     tmp_path / "ad.mp4", tmp_path / "work", settings)
    # One search per illustrated scene of this script (up to two), each with that scene's words.
    expected = scene_queries(ad.brief.title, ad.brief.features, ad.script.scenes, count=2)
    assert asked == [q for _, q in expected] and asked, (asked, [s.role for s in ad.script.scenes])
    shots = [v for v in ad.timeline.visuals if isinstance(v, VideoClip)]
    assert shots, "no stock clip reached the timeline"
    for shot in shots:
        k = int(Path(shot.src).stem.removeprefix("stock-scene"))
        colour = COLOURS[asked.index(dict(expected)[k])]
        frame = frame_at(ad.output, (shot.start_ms + shot.end_ms) / 2000, width=108).reshape(-1, 3).astype(int)
        assert (np.abs(frame - colour).sum(axis=1) < 90).mean() > 0.5, (k, colour)

