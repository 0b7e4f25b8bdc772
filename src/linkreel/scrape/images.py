"""Download a brief's product images, check they are real pictures, and keep the good ones.

Each candidate is fetched through the SSRF-safe `Fetcher`, decoded with Pillow (so a tracking
pixel, an HTML error page or an SVG never reaches the renderer) and saved as JPEG, or PNG when
it has transparency. Pictures of at least `MIN_SIDE` px on their short side are kept; smaller
ones only when there is nothing better.

Offline fallbacks, for saved pages: images embedded in the page as data: URIs are decoded in
place, and an image that cannot be fetched is looked up by file name next to the saved page
(same folder, or the browser's "<name>_files/" folder). When nothing works, the brief comes back
with no images and the caller generates a product card instead.
"""

from __future__ import annotations

import base64
import binascii
import glob
import hashlib
import io
import logging
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from PIL import Image, ImageOps, UnidentifiedImageError

from linkreel.errors import FetchError
from linkreel.scrape.brief import Brief, ProductImage
from linkreel.scrape.fetch import IMAGE_ACCEPT, Fetcher, HostUnreachable

log = logging.getLogger(__name__)

MIN_SIDE = 300  # px on the short side: below this a picture looks blurry in a 1080p video
MIN_FALLBACK_SIDE = 100  # smaller than this is an icon or a tracking pixel, even as a last resort
MAX_PIXELS = 60_000_000  # decompression-bomb guard, checked before decoding
_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "MPO", "AVIF"}


@dataclass
class _Picture:
    image: ProductImage  # the candidate it came from (url, source)
    data: bytes
    source: str


def _page_dir(page_path: Path | None) -> Path | None:
    return page_path.resolve().parent if page_path is not None else None


def _saved_page_stem(page_path: Path) -> str:
    name = page_path.name
    for suffix in (".gz", ".html", ".htm", ".xhtml"):
        name = name.removesuffix(suffix)
    return name


def _local_copies(url: str, page_path: Path | None) -> list[Path]:
    """Files next to a saved page that carry the image's file name."""
    if page_path is None:
        return []
    name = unquote(PurePosixPath(urlsplit(url).path).name)
    if name in ("", ".", ".."):
        return []
    folder = _page_dir(page_path)
    assert folder is not None
    stem = _saved_page_stem(page_path)
    # Browsers store a page's files in "<name>_files/" (localised: "<name>-Dateien", ...). Only
    # this page's folders: another saved page's "image.jpg" would be the wrong product.
    dirs = [folder, *sorted(p for p in folder.glob(glob.escape(stem) + "*") if p.is_dir())]
    seen: set[Path] = set()
    found = []
    for d in dirs:
        candidate = d / name
        if candidate not in seen and candidate.is_file():
            seen.add(candidate)
            found.append(candidate)
    return found


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder)
    except OSError:
        return False


def _decode_data_uri(uri: str, max_bytes: int) -> bytes | None:
    header, _, payload = uri.partition(",")
    if not header.lower().startswith("data:image/") or "svg" in header.lower():
        return None
    if len(payload) > max_bytes * 4 // 3 + 4:
        return None
    try:
        if ";base64" in header.lower():
            return base64.b64decode(payload + "=" * (-len(payload) % 4))
        return unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        return None


def _load(
    image: ProductImage, fetcher: Fetcher, page_path: Path | None, dead_hosts: set[str | None]
) -> _Picture | None:
    """The image's bytes from wherever they can be had, or None."""
    url = image.url
    max_bytes = fetcher.settings.fetch_max_bytes
    if url.startswith("data:"):
        data = _decode_data_uri(url, max_bytes)
        return _Picture(image, data, "embedded") if data else None
    scheme = urlsplit(url).scheme.lower()
    if scheme == "file":
        folder = _page_dir(page_path)
        path = Path(unquote(urlsplit(url).path))
        # Only files beside the saved page: a page must not pull arbitrary local files into a video.
        if (
            folder is not None
            and _inside(path, folder)
            and path.is_file()
            and path.stat().st_size <= max_bytes
        ):
            return _Picture(image, path.read_bytes(), "local")
    elif scheme in ("http", "https") and urlsplit(url).hostname not in dead_hosts:
        try:
            return _Picture(image, fetcher.get(url, accept=IMAGE_ACCEPT).content, image.source)
        except HostUnreachable as exc:  # offline, or the CDN is down: don't wait on it again
            dead_hosts.add(urlsplit(url).hostname)
            log.info("image not fetched: %s", exc)
        except FetchError as exc:
            log.info("image not fetched: %s", exc)
    for path in _local_copies(url, page_path):
        if path.stat().st_size <= max_bytes:
            return _Picture(image, path.read_bytes(), "local")
    return None


def decode_image(data: bytes) -> Image.Image | None:
    try:
        with warnings.catch_warnings():  # Pillow only warns below 2x its own limit; refuse instead
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
        if img.format not in _FORMATS or img.width * img.height > MAX_PIXELS:
            return None
        img.seek(0)  # first frame of an animation
        img.load()
        return ImageOps.exif_transpose(img) or img
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        return None


def save_image(img: Image.Image, path_stem: Path) -> Path:
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    if has_alpha:
        path = path_stem.with_suffix(".png")
        img.convert("RGBA").save(path, "PNG", optimize=True)
    else:
        path = path_stem.with_suffix(".jpg")
        img.convert("RGB").save(path, "JPEG", quality=92, optimize=True)
    return path


def download_images(
    brief: Brief,
    fetcher: Fetcher,
    dest_dir: Path | str,
    page_path: Path | str | None = None,
    limit: int = 8,
) -> Brief:
    """A copy of `brief` whose `images` are the verified, saved pictures (path, width, height).

    Tries at most 3 × `limit` remote candidates, in the brief's order (structured data, then
    OpenGraph, then the page's gallery). Returns the brief with an empty image list when no
    picture could be obtained.
    """
    dest = Path(dest_dir)
    dest.mkdir(parents=True, exist_ok=True)
    page = Path(page_path) if page_path is not None else None

    remote_budget = 3 * limit
    candidates: list[ProductImage] = []
    for image in brief.images:
        if image.url.startswith("data:"):
            if sum(c.url.startswith("data:") for c in candidates) < 3 * limit:
                candidates.append(image)
        elif remote_budget > 0:
            candidates.append(image)
            remote_budget -= 1

    dead_hosts: set[str | None] = set()
    with ThreadPoolExecutor(max_workers=4) as pool:  # network-bound; keeps the brief's order
        pictures = list(pool.map(lambda img: _load(img, fetcher, page, dead_hosts), candidates))

    large: list[ProductImage] = []
    small: list[tuple[_Picture, Image.Image]] = []
    seen: set[str] = set()
    for picture in pictures:
        if picture is None:
            continue
        digest = hashlib.sha256(picture.data).hexdigest()
        if digest in seen:  # the same file under two URLs (og:image and the gallery, say)
            continue
        seen.add(digest)
        img = decode_image(picture.data)
        if img is None:
            continue
        if min(img.size) >= MIN_SIDE:
            if len(large) < limit:
                large.append(_described(picture, save_image(img, dest / f"image-{len(large):02d}"), img))
            img.close()
        elif min(img.size) >= MIN_FALLBACK_SIDE:
            small.append((picture, img))
        else:
            img.close()  # icons and tracking pixels: never worth showing

    if not large:  # small pictures only when there is nothing better, biggest first
        small.sort(key=lambda t: -(t[1].width * t[1].height))
        for i, (picture, img) in enumerate(small[:limit]):
            large.append(_described(picture, save_image(img, dest / f"image-{i:02d}"), img))
    for _, img in small:
        img.close()
    return brief.model_copy(update={"images": large})


def _described(picture: _Picture, path: Path, img: Image.Image) -> ProductImage:
    return ProductImage(
        url=picture.image.url, path=str(path), width=img.width, height=img.height, source=picture.source
    )
