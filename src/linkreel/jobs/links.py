"""Links (contract §2): product content scraped from a page or given by the caller.

    content = scrape_link(url, fetcher, image_dir)           # LinkContent, or LinkFailed (a 400 message)
    content = content_from_params(fields, fetcher, image_dir)  # raises MediaErrors per field/index
    link = Link(id=..., workspace_id=..., **content.columns())

    get_link(session, workspace_id, link_id) -> Link | None  # None for unknown, malformed or foreign ids
    link_brief(link) -> Brief                                # the content as the pipeline's Brief

Images are downloaded and verified here, through the SSRF-safe fetcher, into `image_dir`
(`link_image_dir(settings, link_id)`); `Link.brief["images"]` keeps their local paths, so a
video job can reuse them instead of fetching again. The HTTP layer (api/routes/links.py) only
validates bodies, charges credits and shapes responses.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkreel.api.pagination import is_uuid
from linkreel.config import Settings
from linkreel.errors import LinkreelError
from linkreel.jobs.models import Link
from linkreel.scrape import scrape
from linkreel.scrape.brief import Brief, ProductImage, Review
from linkreel.scrape.fetch import IMAGE_ACCEPT, Fetcher
from linkreel.scrape.images import decode_image, download_images, save_image
from linkreel.script.writer import format_price, product_name
from linkreel.storage import Storage, patiently

MAX_TITLE = 1000
MAX_LOGO_URL = 200
SUMMARY_MAX_CHARS = 280
SUMMARY_NAME_CHARS = 80  # longer (SEO) titles are cut to the product's name
MAX_VIDEO_BYTES_FACTOR = 10  # a product video may be 10x the page size limit
DOWNLOAD_FAILED = "Could not download this file."
NOT_AN_IMAGE = "Upload a valid image. The file you uploaded was either not an image or a corrupted image."


class LinkFailed(Exception):
    """A create that cannot succeed; `str()` is the contract's non-field message."""


@dataclass
class MediaErrors(Exception):
    """Per-field download failures: {"image_urls": {1: msg}, "logo_url": msg}."""

    errors: dict[str, Any]


@dataclass
class LinkContent:
    brief: Brief
    image_urls: list[str]
    video_urls: list[str] = field(default_factory=list)
    reviews: Any = None
    ai_summary: str | None = None

    def columns(self) -> dict[str, Any]:
        """Keyword arguments for the `Link` row."""
        logo = self.brief.logo if self.brief.logo and len(self.brief.logo) <= MAX_LOGO_URL else None
        return {
            "url": self.brief.url,
            "title": self.brief.title[:MAX_TITLE] or None,
            "description": self.brief.description or None,
            "image_urls": self.image_urls,
            "video_urls": self.video_urls,
            "logo_url": logo,
            "reviews": self.reviews,
            "ai_summary": self.ai_summary,
            "brief": self.brief.model_dump(mode="json"),
        }


def link_image_dir(settings: Settings, link_id: str) -> Path:
    return settings.data_dir / "links" / link_id / "images"


def image_key(link_id: str, path: str) -> str:
    return f"links/{link_id}/images/{Path(path).name}"


def publish_images(storage: Storage, link_id: str, brief: Brief) -> None:
    """Copy the link's verified images to storage, so a worker on another machine can use them."""
    for img in brief.images:
        if img.path and Path(img.path).is_file():
            storage.put_file(image_key(link_id, img.path), Path(img.path))


def localize_images(brief: Brief, storage: Storage, link_id: str, dest: Path, patience_s: float = 0.0) -> Brief:
    """`brief` with every image readable on this machine: those saved elsewhere come from storage
    (an outage is waited out for `patience_s`). An image storage no longer has is left out (the ad
    uses the others). Each file is written whole or not at all: a worker killed mid-copy leaves no
    truncated image for the next attempt to trust."""
    images = []
    for img in brief.images:
        if img.path and not Path(img.path).is_file():
            local = dest / Path(img.path).name
            if not local.is_file():
                key = image_key(link_id, img.path)
                data = patiently(lambda key=key: storage.get_bytes(key), patience_s, f"download of {key}")
                if data is None:
                    continue
                dest.mkdir(parents=True, exist_ok=True)
                tmp = local.with_name(local.name + ".tmp")
                tmp.write_bytes(data)
                tmp.replace(local)
            img = img.model_copy(update={"path": str(local)})
        images.append(img)
    return brief.model_copy(update={"images": images})


def get_link(session: Session, workspace_id: str, link_id: str) -> Link | None:
    if not is_uuid(link_id):
        return None
    return session.scalar(select(Link).where(Link.id == link_id.lower(), Link.workspace_id == workspace_id))


def link_brief(link: Link) -> Brief:
    """The pipeline's Brief for this link, with the user's edits (title, description, ...) applied."""
    brief = Brief.model_validate(link.brief) if link.brief else Brief(title=link.title or "")
    return brief.model_copy(update={
        "url": link.url, "title": link.title or "", "description": link.description or "",
        "logo": link.logo_url,
    })


# --------------------------------------------------------------------------- summary


def _first_sentence(text: str, max_chars: int) -> str:
    text = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    sentence = match.group(1) if match else text
    if len(sentence) > max_chars:
        sentence = sentence[: max_chars - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return sentence


def summarize(brief: Brief) -> str | None:
    """A short, deterministic product summary: name, the pitch, rating and price, from the brief."""
    if not brief.title.strip():
        return None
    title = " ".join(brief.title.split())
    name = title if len(title) <= SUMMARY_NAME_CHARS else product_name(title, brief.brand)
    brand = f" by {brief.brand}" if brief.brand and brief.brand.lower() not in name.lower() else ""
    parts = [f"{name}{brand}."]
    pitch = brief.description or (brief.features[0] if brief.features else "")
    if pitch:
        parts.append(_first_sentence(pitch, 160))
    if brief.rating and brief.review_count:
        parts.append(f"Rated {brief.rating:g}/5 by {brief.review_count:,} reviewers.")
    price = format_price(brief.price, brief.currency, "en")
    if price:
        parts.append(f"{price}.")
    summary = " ".join(parts)
    return summary if len(summary) <= SUMMARY_MAX_CHARS else _first_sentence(summary, SUMMARY_MAX_CHARS)


def _reviews(reviews: Iterable[Review]) -> list[dict[str, Any]]:
    return [
        {"rating": r.rating, "text": r.text, **({"author": r.author} if r.author else {})} for r in reviews
    ]


# --------------------------------------------------------------------------- scraping


def scrape_link(url: str, fetcher: Fetcher, image_dir: Path) -> LinkContent:
    """Fetch and parse a product page and download its images. Raises LinkFailed."""
    try:
        brief, page_path = scrape(url, fetcher=fetcher)
        brief = download_images(brief, fetcher, image_dir, page_path=page_path)
    except LinkreelError as exc:
        raise LinkFailed(f"Failed to scrape url: {exc}") from None
    images = [img for img in brief.images if img.url.startswith(("http://", "https://"))]
    videos = [v.url for v in brief.videos if not v.embed]  # the product's own video files
    if not images and not videos:
        raise LinkFailed("Link must have at least one image or one video.")
    brief = brief.model_copy(update={"url": brief.url or url, "images": images})
    return LinkContent(
        brief=brief,
        image_urls=[img.url for img in images],
        video_urls=videos,
        reviews=_reviews(brief.reviews) or None,
        ai_summary=summarize(brief),
    )


# --------------------------------------------------------------------------- caller-supplied content


def _fetch(fetcher: Fetcher, url: str, max_bytes: int | None = None) -> bytes | None:
    try:
        return fetcher.get(url, accept=IMAGE_ACCEPT if max_bytes is None else "*/*", max_bytes=max_bytes).content
    except LinkreelError:
        return None


def _fetch_image(fetcher: Fetcher, url: str, dest_stem: Path) -> ProductImage | str:
    """The saved image, or the error message for this URL."""
    data = _fetch(fetcher, url)
    if data is None:
        return DOWNLOAD_FAILED
    img = decode_image(data)
    if img is None:
        return NOT_AN_IMAGE
    with img:
        path = save_image(img, dest_stem)
        return ProductImage(url=url, path=str(path), width=img.width, height=img.height, source="params")


def _file_stem(url: str) -> str:
    # Named by URL, so images added later by PUT never overwrite the ones a video may be using.
    return "param-" + hashlib.sha256(url.encode()).hexdigest()[:16]


def fetch_images(fetcher: Fetcher, urls: list[str], image_dir: Path) -> list[ProductImage | str]:
    """Download and verify images in parallel; each item is a ProductImage or an error message."""
    image_dir.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda u: _fetch_image(fetcher, u, image_dir / _file_stem(u)), urls))


def check_videos(fetcher: Fetcher, urls: list[str]) -> dict[int, str]:
    limit = fetcher.settings.fetch_max_bytes * MAX_VIDEO_BYTES_FACTOR
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda u: _fetch(fetcher, u, limit), urls))
    return {i: DOWNLOAD_FAILED for i, data in enumerate(results) if data is None}


def content_from_params(fields: dict[str, Any], fetcher: Fetcher, image_dir: Path) -> LinkContent:
    """`link_with_params`: the caller's content, every media URL downloaded once to prove it works.

    Raises LinkFailed (not enough media) or MediaErrors (which URLs failed)."""
    image_urls: list[str] = fields.get("image_urls") or []
    video_urls: list[str] = fields.get("video_urls") or []
    if not video_urls and len(image_urls) < 3:
        raise LinkFailed("Link must have at least 3 images when no video is provided.")
    images = fetch_images(fetcher, image_urls, image_dir)
    errors: dict[str, Any] = {}
    image_errors = {i: r for i, r in enumerate(images) if isinstance(r, str)}
    if image_errors:
        errors["image_urls"] = image_errors
    video_errors = check_videos(fetcher, video_urls)
    if video_errors:
        errors["video_urls"] = video_errors
    logo = fields.get("logo_url")
    if logo and _fetch(fetcher, logo) is None:
        errors["logo_url"] = DOWNLOAD_FAILED
    if errors:
        shutil.rmtree(image_dir, ignore_errors=True)
        raise MediaErrors(errors)

    brief = Brief(
        url=fields.get("url"),
        title=fields.get("title") or "",
        description=fields.get("description") or "",
        images=[img for img in images if isinstance(img, ProductImage)],
        logo=logo,
        reviews=_brief_reviews(fields.get("reviews")),
    )
    return LinkContent(
        brief=brief,
        image_urls=image_urls,
        video_urls=video_urls,
        reviews=fields.get("reviews"),
        ai_summary=summarize(brief),
    )


def _brief_reviews(value: Any) -> list[Review]:
    """The caller's free-form reviews, as far as they look like reviews (for the script writer)."""
    out = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict) and isinstance(item.get("text"), str):
            rating = item.get("rating")
            author = item.get("author")
            out.append(Review(
                text=item["text"],
                author=author if isinstance(author, str) else None,
                rating=float(rating) if isinstance(rating, int | float) and 0 <= rating <= 5 else None,
            ))
    return out


def update_content(link: Link, changes: dict[str, Any], fetcher: Fetcher, image_dir: Path) -> dict[str, Any]:
    """PUT/PATCH: the new column values for `link` (only changed fields are in `changes`).

    New media URLs are downloaded like in `content_from_params`; images already saved are kept.
    Raises MediaErrors or LinkFailed (no image and no video left)."""
    brief = link_brief(link)
    known = {img.url: img for img in brief.images if img.path and Path(img.path).is_file()}
    image_urls: list[str] = changes.get("image_urls", link.image_urls) or []
    video_urls: list[str] = changes.get("video_urls", link.video_urls) or []
    if not image_urls and not video_urls:
        raise LinkFailed("Link must have at least one image or one video.")

    new = [u for u in dict.fromkeys(image_urls) if u not in known]
    fetched = dict(zip(new, fetch_images(fetcher, new, image_dir), strict=True))
    errors: dict[str, Any] = {}
    image_errors = {i: fetched[u] for i, u in enumerate(image_urls) if isinstance(fetched.get(u), str)}
    if image_errors:
        errors["image_urls"] = image_errors
    new_videos = [u for u in video_urls if u not in set(link.video_urls or [])]
    video_errors = check_videos(fetcher, new_videos)
    if video_errors:
        errors["video_urls"] = {video_urls.index(new_videos[i]): msg for i, msg in video_errors.items()}
    logo = changes.get("logo_url", link.logo_url)
    if "logo_url" in changes and logo and logo != link.logo_url and _fetch(fetcher, logo) is None:
        errors["logo_url"] = DOWNLOAD_FAILED
    if errors:
        raise MediaErrors(errors)

    columns = {k: v for k, v in changes.items() if k != "ai_summary"}
    images = [known.get(u) or fetched[u] for u in dict.fromkeys(image_urls)]
    brief = brief.model_copy(update={
        "url": columns.get("url", link.url),
        "title": columns.get("title", link.title) or "",
        "description": columns.get("description", link.description) or "",
        "images": [img for img in images if isinstance(img, ProductImage)],
        "logo": logo,
        "reviews": _brief_reviews(changes["reviews"]) if "reviews" in changes else brief.reviews,
    })
    columns["brief"] = brief.model_dump(mode="json")
    columns["ai_summary"] = summarize(brief)
    return columns
