"""The product's videos: schema.org VideoObject, OpenGraph `og:video`, and <video> elements."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from linkreel.scrape.brief import ProductVideo
from linkreel.scrape.generic import Page, StructuredData, clean_text, in_page_chrome

_FILE = re.compile(r"\.(mp4|m4v|webm|mov|m3u8|mpd|ogv)(\?|$)", re.I)
_FILE_TYPES = ("video/", "application/x-mpegurl", "application/vnd.apple.mpegurl", "application/dash+xml")
_PLAYERS = re.compile(r"(^|\.)(youtube\.com|youtu\.be|vimeo\.com|dailymotion\.com|wistia\.(com|net))$")


def _video(page: Page, url: Any, source: str, poster: Any = None, media_type: str = "") -> ProductVideo | None:
    """A video from a URL: a file (by extension or the declared `type`), or a known player's page."""
    absolute = page.absolute(clean_text(url)) if isinstance(url, str) else None
    if not absolute or absolute.startswith("data:"):
        return None
    host = (urlsplit(absolute).hostname or "").lower()
    is_file = bool(_FILE.search(urlsplit(absolute).path)) or media_type.lower().startswith(_FILE_TYPES)
    if not is_file and not _PLAYERS.search(host):
        return None  # a tracking beacon or an HTML page that is not a known player
    poster_url = page.absolute(clean_text(poster)) if isinstance(poster, str) and poster.strip() else None
    return ProductVideo(url=absolute, source=source, poster=poster_url, embed=not is_file)


def video_candidates(page: Page, sd: StructuredData, datas: list[dict[str, Any]]) -> list[ProductVideo]:
    found: list[ProductVideo | None] = []
    objects = [v for d in datas for v in _as_list(sd.get(d, "video", "subjectOf"))]
    if datas:  # VideoObjects beside the product in the page's graph are about it too
        objects += [i.data for i in sd.items if "videoobject" in i.types and not i.related]
    for obj in objects:
        obj = sd.deref(obj)
        if isinstance(obj, dict):
            thumb = sd.get(obj, "thumbnailUrl", "thumbnail")
            thumb = thumb[0] if isinstance(thumb, list) and thumb else thumb
            thumb = thumb.get("url") if isinstance(thumb, dict) else thumb
            found.append(_video(page, sd.get(obj, "contentUrl") or sd.get(obj, "embedUrl"), "jsonld", thumb))
    for key in ("og:video:secure_url", "og:video:url", "og:video"):
        found.extend(_video(page, url, "og") for url in page.meta.get(key, []))
    for node in page.tree.css("video"):
        if in_page_chrome(node):
            continue
        poster = node.attributes.get("poster")
        urls = [(node.attributes.get(k), node.attributes.get("type") or "") for k in ("src", "data-src")]
        urls += [(s.attributes.get("src"), s.attributes.get("type") or "") for s in node.css("source")]
        found.extend(_video(page, u, "video", poster, t) for u, t in urls if u)
    out: list[ProductVideo] = []
    seen: set[str] = set()
    for video in found:
        if video is not None and video.url not in seen:
            seen.add(video.url)
            out.append(video)
    return out[:6]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
