"""Download a brief's product images, check they are real pictures, and keep the good ones.

Each candidate is fetched through the SSRF-safe `Fetcher`, decoded with Pillow (so a tracking
pixel, an HTML error page or an SVG never reaches the renderer) and saved as JPEG, or PNG when
it has transparency. Pictures of at least `MIN_SIDE` px on their short side are kept; smaller
ones only when there is nothing better.

Before downloading, candidates that are one picture at several sizes (CDN size parameters,
"-300x300" suffixes, Shopify "_grande") collapse to the largest variant (`image_variants`);
after decoding, pictures whose perceptual hash (dHash) matches an earlier one are dropped, the
larger copy kept; sprites and banners (extreme aspect ratios) go, and flat one-colour
placeholders when real photos exist. The result is ranked:
structured data first, then OpenGraph and the page's gallery, large pictures before smaller.

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
from linkreel.scrape.image_variants import collapse_variants, colours, dhash, is_flat, same_picture

log = logging.getLogger(__name__)

MIN_SIDE = 400  # px on the short side: below this a picture looks blurry in a 1080p video
MIN_FALLBACK_SIDE = 100  # smaller than this is an icon or a tracking pixel, even as a last resort
MAX_PIXELS = 60_000_000  # decompression-bomb guard, checked before decoding
_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "MPO", "AVIF"}
MAX_ASPECT = 3.5  # wider or taller than this is a banner or a sprite sheet, not a product photo
SAME_PICTURE_BITS = 6  # dHash distance (of 64 bits) under which two pictures are the same photo
_SOURCE_TIER = {"jsonld": 0, "og": 1, "gallery": 1, "embedded": 2, "img": 2, "local": 2, "page": 2}


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
    for image in collapse_variants(brief.images):
        if image.url.startswith("data:"):
            if sum(c.url.startswith("data:") for c in candidates) < 3 * limit:
                candidates.append(image)
        elif remote_budget > 0:
            candidates.append(image)
            remote_budget -= 1

    dead_hosts: set[str | None] = set()
    with ThreadPoolExecutor(max_workers=4) as pool:  # network-bound; keeps the brief's order
        pictures = list(pool.map(lambda img: _load(img, fetcher, page, dead_hosts), candidates))

    decoded: list[_Decoded] = []
    seen: set[str] = set()
    for index, picture in enumerate(pictures):
        if picture is None:
            continue
        digest = hashlib.sha256(picture.data).hexdigest()
        if digest in seen:  # the same file under two URLs (og:image and the gallery, say)
            continue
        seen.add(digest)
        img = decode_image(picture.data)
        if img is None:
            continue
        if min(img.size) < MIN_FALLBACK_SIDE or max(img.size) > MAX_ASPECT * min(img.size):
            img.close()  # icons, tracking pixels, banners, sprite sheets: never worth showing
            continue
        # Saved at once under a temporary name: memory holds one decoded picture at a time.
        saved = save_image(img, dest / f"candidate-{index:03d}")
        signature = None if is_flat(img) else (dhash(img), colours(img))
        _add_unless_same(decoded, _Decoded(picture, saved, img.size, index, signature))
        img.close()

    large = [d for d in decoded if min(d.size) >= MIN_SIDE]
    # One flat colour is a placeholder ("image coming soon" grey) when real photos exist.
    large = [d for d in large if d.signature is not None] or large
    # Small pictures only when there is nothing better, biggest first.
    chosen = (sorted(large, key=_rank) if large else sorted(decoded, key=lambda d: -d.pixels))[:limit]
    out = []
    for i, d in enumerate(chosen):
        final = d.path.replace(dest / f"image-{i:02d}{d.path.suffix}")
        out.append(ProductImage(url=d.picture.image.url, path=str(final), width=d.size[0], height=d.size[1],
                                source=d.picture.source))
    for d in decoded:
        if d not in chosen:
            d.path.unlink(missing_ok=True)
    return brief.model_copy(update={"images": out})


@dataclass(eq=False)
class _Decoded:
    picture: _Picture
    path: Path  # saved under a temporary name until ranked
    size: tuple[int, int]
    index: int  # position among the candidates: the page's own order
    signature: tuple[int, tuple[int, ...]] | None  # (dHash, colours); None for flat pictures

    @property
    def pixels(self) -> int:
        return self.size[0] * self.size[1]


def _add_unless_same(kept: list[_Decoded], new: _Decoded) -> None:
    """Keep one copy of each photo: a later, larger copy replaces the earlier one in its place."""
    if new.signature is not None:
        for i, old in enumerate(kept):
            if old.signature is not None and same_picture(old.signature, new.signature, SAME_PICTURE_BITS):
                if new.pixels > old.pixels:
                    new.index = old.index
                    kept[i], new = new, old
                new.path.unlink(missing_ok=True)
                return
    kept.append(new)


def _rank(d: _Decoded) -> tuple[int, int, int]:
    """Structured data, then OpenGraph and gallery, then the rest; within each, big before merely
    big enough; then the page's order."""
    tier = _SOURCE_TIER.get(d.picture.image.source, 2)
    return tier, 0 if min(d.size) >= 2 * MIN_SIDE else 1, d.index
