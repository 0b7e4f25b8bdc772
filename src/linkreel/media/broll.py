"""B-roll: moving footage for the middle scenes.

Order of preference: the product page's own videos, then a stock provider (when one is configured
and the request allows stock), and otherwise nothing — the storyboard then animates the product's
own photos and motion-graphic cards in its colours, so no scene ever shows something unrelated.
Stock is searched per scene: the product's kind plus the scene's own words (`scene_queries`), and
each clip is shown in the scene it was found for.

The stock seam is one method, `StockProvider.search(query, orientation, count)`; `PexelsVideos`
speaks the Pexels video search API (`GET {base}/videos/search`, key in the `Authorization` header).
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import httpx

from linkreel.config import Settings
from linkreel.errors import LinkreelError
from linkreel.media.ffmpeg import run as run_ffmpeg
from linkreel.scrape.fetch import Fetcher
from linkreel.script.model import Scene, SceneRole

Orientation = Literal["portrait", "landscape", "square"]
ORIENTATIONS: dict[str, Orientation] = {"9x16": "portrait", "16x9": "landscape", "1x1": "square"}
MAX_CLIP_BYTES = 40 * 1024 * 1024


@dataclass(frozen=True)
class StockClip:
    url: str  # a downloadable MP4
    width: int
    height: int
    duration_s: float
    source: str  # the provider's page for attribution


class StockProvider(Protocol):
    def search(self, query: str, orientation: Orientation, count: int) -> list[StockClip]: ...


class PexelsVideos:
    """Pexels-style video search over HTTP. `client` may carry a MockTransport in tests."""

    def __init__(self, api_key: str, base_url: str = "https://api.pexels.com", client: httpx.Client | None = None,
                 timeout_s: float = 15.0) -> None:
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.client = client or httpx.Client(timeout=timeout_s)

    def search(self, query: str, orientation: Orientation, count: int) -> list[StockClip]:
        try:
            resp = self.client.get(f"{self.base_url}/videos/search", headers={"Authorization": self.api_key},
                                   params={"query": query, "orientation": orientation, "per_page": count,
                                           "size": "medium"})
        except httpx.HTTPError as exc:
            raise LinkreelError(f"stock footage search failed: {exc}") from exc
        if resp.status_code != 200:
            raise LinkreelError(f"stock footage search failed: HTTP {resp.status_code}")
        clips = []
        for video in resp.json().get("videos", []):
            files = [f for f in video.get("video_files", []) if f.get("file_type") == "video/mp4" and f.get("link")]
            if not files:
                continue
            # The smallest file that is still at least 720 px on its short side: enough for 1080p ads.
            files.sort(key=lambda f: (min(f.get("width") or 0, f.get("height") or 0) < 720,
                                      (f.get("width") or 0) * (f.get("height") or 0)))
            best = files[0]
            clips.append(StockClip(url=best["link"], width=int(best.get("width") or 0),
                                   height=int(best.get("height") or 0), duration_s=float(video.get("duration") or 0),
                                   source=str(video.get("url") or "")))
        return clips[:count]


def stock_provider(settings: Settings) -> StockProvider | None:
    """The configured provider, or None (the offline default: no stock)."""
    if not settings.stock_api_key:
        return None
    return PexelsVideos(settings.stock_api_key, settings.stock_api_url, timeout_s=settings.fetch_timeout_s)


def search_terms(title: str, features: list[str]) -> str:
    """What the footage should show: the product's kind, from its name (brand words dropped)."""
    words = [w for w in title.split() if w.isalpha() and not w.isupper()]
    return " ".join(words[-2:]) or title


def download_page_videos(urls: list[str], fetcher: Fetcher, out: Path, count: int = 2) -> list[str]:
    """The page's own video files, downloaded through the fetcher and kept only if ffmpeg reads a
    picture of at least a second from them (player pages and broken files are skipped)."""
    from linkreel.media.probe import probe

    out.mkdir(parents=True, exist_ok=True)
    found: list[str] = []
    for i, url in enumerate(urls):
        if len(found) >= count:
            break
        path = out / f"page-{i}.mp4"
        try:
            path.write_bytes(fetcher.get(url, max_bytes=MAX_CLIP_BYTES, accept="video/mp4,video/*;q=0.8").content)
            info = probe(path)
        except (LinkreelError, ValueError, OSError):
            path.unlink(missing_ok=True)
            continue
        if info.video_codec and info.duration_s >= 1.0:
            found.append(str(path))
        else:
            path.unlink(missing_ok=True)
    return found


# Scenes whose line describes something to show (a problem, a use, a benefit): b-roll illustrates them.
# Hook, intro, offer and CTA stay on the product itself.
BROLL_ROLES = frozenset({SceneRole.PROBLEM, SceneRole.STORY, SceneRole.STEP, SceneRole.BENEFIT, SceneRole.PROOF})
_WORD = re.compile(r"[^\W\d_]{4,}")  # letters only (any script), 4 or more: the line's content words, roughly


def scene_queries(title: str, features: list[str], scenes: list[Scene], count: int) -> list[tuple[int, str]]:
    """(scene index, stock query) for up to `count` scenes that b-roll illustrates: the product's kind
    and the two longest words of the scene's on-screen text (or its line) that are not in the name."""
    kind = search_terms(title, features)
    known = {w.lower() for w in _WORD.findall(title)}
    queries = []
    for k, scene in enumerate(scenes):
        if scene.role not in BROLL_ROLES:
            continue
        words = list(dict.fromkeys(w for w in _WORD.findall(scene.on_screen or scene.spoken) if w.lower() not in known))
        longest = set(sorted(words, key=len, reverse=True)[:2])
        queries.append((k, " ".join([kind, *(w for w in words if w in longest)]).strip()))  # in the line's order
    return queries[:count]


@dataclass(frozen=True)
class Broll:
    page: list[str]  # the page's own videos (they show the product: any middle scene may use them)
    scenes: dict[int, str]  # stock clips, each for the scene (index) it was searched for


def collect_broll(page_videos: list[str], provider: StockProvider | None, queries: list[tuple[int, str]],
                  aspect: str, fetcher: Fetcher, out: Path, count: int = 2) -> Broll:
    """Local b-roll files: the page's own videos first, then a stock clip per scene query to make up `count`
    (a query that finds nothing leaves its scene to the photos)."""
    out.mkdir(parents=True, exist_ok=True)
    page = [p for p in page_videos if Path(p).is_file()][:count]
    scenes: dict[int, str] = {}
    if provider is None:
        return Broll(page, scenes)
    for k, query in queries[:count - len(page)]:
        clips = provider.search(query, ORIENTATIONS[aspect], 1)
        if not clips:
            continue
        path = out / f"stock-scene{k}.mp4"
        path.write_bytes(fetcher.get(clips[0].url, max_bytes=MAX_CLIP_BYTES, accept="video/mp4,*/*;q=0.5").content)
        scenes[k] = str(path)
    return Broll(page, scenes)


def clip_still(clip: Path, out: Path, ffmpeg: str, at_s: float = 0.5) -> Path:
    """One frame of a clip as a small JPEG, for the web editor's clip picker: half a second in (past a fade
    from black), or the first frame of a clip shorter than that."""
    for seek in (at_s, 0.0):
        run_ffmpeg(ffmpeg, ["-ss", f"{seek:.3f}", "-i", str(clip), "-frames:v", "1", "-vf", "scale=320:-2",
                            "-q:v", "4", str(out)])
        if out.is_file() and out.stat().st_size:
            break
    return out
