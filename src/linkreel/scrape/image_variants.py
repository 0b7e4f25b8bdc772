"""One picture at many sizes: recognised from its URL before download, from its pixels after.

Shops and their CDNs serve each photo at several sizes, and pages link several of them (the
thumbnail strip, the main view, the zoom). `variant_key` strips the size from the URL the common
ways — query parameters (`?width=300`, `?w=300&h=300`, `?imwidth=`), file-name suffixes
(`-300x300.jpg` WordPress, `_1024x1024.jpg` / `_grande.jpg` Shopify, `._AC_SX300_.jpg` Amazon),
path segments (`/w/560/`, `/300x300/`, Cloudinary `/w_300,h_300,c_fill/`, eBay `s-l500`) — and
`collapse_variants` keeps the largest of each group in the first one's place. After download,
`dhash` (difference hash: a 9x8 greyscale thumbnail, one bit per horizontal step) plus the
picture's mean colours recognise the same photo re-encoded or resized, but not the same shot of
another colour variant.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
from PIL import Image

from linkreel.scrape.brief import ProductImage

_SIZE_PARAMS = {
    "w", "h", "width", "height", "wid", "hei", "size", "sz", "resize", "fit", "crop", "quality", "q", "qlt",
    "dpr", "auto", "fm", "fmt", "format", "imwidth", "imheight", "odnwidth", "odnheight", "odnbg", "maxwidth",
    "maxheight", "mw", "mh", "scale", "sw", "sh", "im", "impolicy", "imgsize", "v", "ts", "$",
}  # fmt: skip
_WIDTH_PARAMS = ("w", "width", "wid", "imwidth", "odnwidth", "maxwidth", "mw", "sw", "size", "sz")
# (pattern, group holding a size or None); each is removed from the path for the key.
_PATH_SIZES = (
    re.compile(r"[-_](\d{2,4})x(\d{2,4})(?:@\dx)?(?=\.\w+$)"),  # -300x300.jpg, _1024x1024@2x.jpg
    re.compile(r"_(?:pico|icon|thumb|small|compact|medium|large|grande|original|master)(?=\.\w+$)", re.I),
    re.compile(r"\._[A-Z0-9,_]+_(?=\.\w+$)"),  # Amazon ._AC_SX300_
    re.compile(r"/(?:w|h|width|s)/(\d{2,4})(?=/)"),  # /w/560/
    re.compile(r"/(\d{2,4})x(\d{2,4})(?=/)"),  # /300x300/
    re.compile(r"/(?:[a-z]{1,2}_[\w.]+,)*[wh]_(\d{2,4})(?:,[a-z]{1,2}_[\w.]+)*(?=/)"),  # Cloudinary
    re.compile(r"(?<=/)s-l(\d{2,4})(?=\.\w+$)"),  # eBay s-l500.jpg
    re.compile(r"[-_](\d{2,4})px(?=\.\w+$)"),  # _600px.jpg
)
_NAMED_SIZES = {"pico": 16, "icon": 32, "thumb": 50, "small": 100, "compact": 160, "medium": 240,
                "large": 480, "grande": 600, "original": 4000, "master": 4000}  # fmt: skip


def variant_key(url: str) -> tuple[str, int]:
    """(the URL without its size, the size it asks for: a width in px, 0 when unknown)."""
    if url.startswith("data:"):
        return url, 0
    parts = urlsplit(url)
    size = 0
    query = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        k = key.lower()
        if k in _SIZE_PARAMS:
            if k in _WIDTH_PARAMS and (m := re.match(r"(\d{2,5})", value)):
                size = max(size, int(m.group(1)))
            continue
        query.append((key, value))
    path = parts.path
    for pattern in _PATH_SIZES:
        m = pattern.search(path)
        if m is None:
            continue
        numbers = [int(g) for g in m.groups() if g and g.isdigit()]
        named = re.search(r"_(\w+)\.\w+$", m.group(0) + ".x")
        if numbers:
            size = max(size, *numbers)
        elif named and named.group(1).lower() in _NAMED_SIZES:
            size = max(size, _NAMED_SIZES[named.group(1).lower()])
        else:
            size = max(size, 1)
        path = path[: m.start()] + path[m.end() :]
    key = urlunsplit((parts.scheme, (parts.hostname or "").lower(), path, urlencode(query), ""))
    return key, size


def collapse_variants(images: list[ProductImage]) -> list[ProductImage]:
    """One entry per picture: the largest variant, in the place of the group's first. A URL with
    no size in it is the original, larger than any resized copy."""
    best: dict[str, tuple[int, int, ProductImage]] = {}  # key -> (first position, size, image)
    for position, image in enumerate(images):
        key, size = variant_key(image.url)
        size = size or 10**6
        if key not in best:
            best[key] = (position, size, image)
        elif size > best[key][1]:
            first, _, kept = best[key]
            # the group keeps its best-ranked source (JSON-LD over a gallery thumbnail)
            best[key] = (first, size, image.model_copy(update={"source": kept.source}))
    return [image for _, _, image in sorted(best.values(), key=lambda t: t[0])]


def dhash(img: Image.Image) -> int:
    """64-bit difference hash of a picture."""
    small = np.asarray(img.convert("L").resize((9, 8), Image.Resampling.LANCZOS), dtype=np.int16)
    bits = (small[:, 1:] > small[:, :-1]).flatten()
    return int("".join("1" if b else "0" for b in bits), 2)


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def colours(img: Image.Image) -> tuple[int, ...]:
    """Mean colour of each cell of a 4x4 grid: dHash is greyscale, and a product's colour
    variants (the same shot in coral and in teal) are different pictures for an ad."""
    small = np.asarray(img.convert("RGB").resize((4, 4), Image.Resampling.BOX), dtype=np.int16)
    return tuple(int(v) for v in small.flatten())


def same_picture(a: tuple[int, tuple[int, ...]], b: tuple[int, tuple[int, ...]], max_bits: int = 6) -> bool:
    """Two (dhash, colours) signatures of one photo: same structure and same colours."""
    return hamming(a[0], b[0]) <= max_bits and max(abs(x - y) for x, y in zip(a[1], b[1], strict=True)) < 20


def is_flat(img: Image.Image) -> bool:
    """Nearly one colour (a placeholder, a test card): its hash would match any other flat picture."""
    small = np.asarray(img.convert("L").resize((32, 32)), dtype=np.float32)
    return float(small.std()) < 4.0
