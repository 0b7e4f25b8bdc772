"""Reading a product photo with numpy: where the product is, its colours, and a cut-out.

Product shots are mostly a product on a plain (often gradient) studio background. The background
is modelled from the photo's border (per row, left and right edge blended across), so a vertical
gradient still counts as plain; whatever differs from it is the product. Photos with a busy
background (lifestyle shots) fall back to a saliency map (local contrast, weighted to the centre).
"""

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

Color = tuple[int, int, int]
ANALYSIS_SIDE = 160  # analysis runs on a small copy: fast, and noise-tolerant
PLAIN_BORDER_STD = 14.0  # border deviation from the background model below this: a plain background
FOREGROUND_DIST = 34.0  # colour distance from the background that counts as product
CUTOUT_DIST = 46.0  # stricter for cut-outs: soft floor shadows stay behind
COVER_ROOM = 0.9  # the product may fill at most this much of a full-bleed crop
MAX_EDGE_STEP = 22.0  # a jump this big down the border is a horizon or a table edge: not a studio backdrop


@dataclass(frozen=True)
class ProductShot:
    """What we know of one photo, in its own pixel coordinates."""

    bbox: tuple[int, int, int, int]  # x0, y0, x1, y1 of the product
    plain_background: bool
    background: Color
    palette: tuple[Color, ...]  # the product's own colours, most present first


def _small(img: Image.Image) -> tuple[np.ndarray, float]:
    scale = ANALYSIS_SIDE / max(img.size)
    small = img.convert("RGB").resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))),
                                      Image.Resampling.BILINEAR)
    return np.asarray(small, dtype=np.float32), scale


def _background_model(a: np.ndarray) -> np.ndarray:
    """Per pixel, the background colour the border predicts (left/right edge of the row, blended)."""
    h, w, _ = a.shape
    left = a[:, :3].mean(axis=1)  # (h, 3)
    right = a[:, -3:].mean(axis=1)
    t = np.linspace(0.0, 1.0, w, dtype=np.float32)[None, :, None]
    return left[:, None, :] * (1 - t) + right[:, None, :] * t


def _border(mask: np.ndarray, k: int = 2) -> np.ndarray:
    return np.concatenate([mask[:k].ravel(), mask[-k:].ravel(), mask[:, :k].ravel(), mask[:, -k:].ravel()])


def _foreground(a: np.ndarray) -> tuple[np.ndarray, bool, Color]:
    model = _background_model(a)
    dist = np.sqrt(((a - model) ** 2).sum(axis=2))
    # Top and bottom rows are not in the model: they tell whether the background really is plain.
    plain = float(np.median(_border(dist))) < PLAIN_BORDER_STD and float(np.percentile(_border(dist), 80)) < 40
    edges = np.concatenate([a[:, 0], a[:, -1]], axis=1)  # (h, 6): left and right border columns
    plain = plain and float(np.abs(np.diff(edges, axis=0)).max()) < MAX_EDGE_STEP
    bg = tuple(int(v) for v in np.median(a[[0, -1]].reshape(-1, 3), axis=0))
    if plain:
        return dist > FOREGROUND_DIST, True, bg  # type: ignore[return-value]
    # Saliency: local contrast (gradient magnitude) with a centre prior.
    gray = a.mean(axis=2)
    gy, gx = np.gradient(gray)
    energy = np.hypot(gx, gy)
    h, w = gray.shape
    yy, xx = np.mgrid[0:h, 0:w]
    prior = np.exp(-(((xx - w / 2) / (0.45 * w)) ** 2 + ((yy - h / 2) / (0.45 * h)) ** 2))
    sal = energy * prior
    return sal > np.percentile(sal, 80), False, bg  # type: ignore[return-value]


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    ys, xs = np.nonzero(mask)
    if len(xs) < 0.004 * mask.size:
        return None
    # Percentiles rather than min/max: a stray speck must not stretch the box.
    x0, x1 = np.percentile(xs, [1, 99])
    y0, y1 = np.percentile(ys, [1, 99])
    return int(x0), int(y0), int(x1) + 1, int(y1) + 1


def _palette(a: np.ndarray, mask: np.ndarray) -> tuple[Color, ...]:
    pixels = a[mask] if mask.sum() > 20 else a.reshape(-1, 3)
    # Quantise to 4 levels per channel; rank bins by count weighted by saturation (colour over grey).
    q = (pixels // 64).astype(int)
    keys = q[:, 0] * 16 + q[:, 1] * 4 + q[:, 2]
    sat = pixels.max(axis=1) - pixels.min(axis=1)
    weight = np.bincount(keys, weights=0.3 + sat / 255.0, minlength=64)
    out: list[Color] = []
    for k in np.argsort(weight)[::-1][:4]:
        if weight[k] <= 0:
            break
        sel = keys == k
        out.append(tuple(int(v) for v in pixels[sel].mean(axis=0)))  # type: ignore[arg-type]
    return tuple(out) or ((128, 128, 128),)


def analyse(img: Image.Image) -> ProductShot:
    a, scale = _small(img)
    mask, plain, bg = _foreground(a)
    box = _bbox(mask)
    if box is None:
        full = (0, 0, img.width, img.height)
        return ProductShot(bbox=full, plain_background=False, background=bg, palette=_palette(a, mask))
    x0, y0, x1, y1 = (round(v / scale) for v in box)
    bbox = (max(0, x0), max(0, y0), min(img.width, x1), min(img.height, y1))
    return ProductShot(bbox=bbox, plain_background=plain, background=bg, palette=_palette(a, mask))


def _cover_window(img: Image.Image, size: tuple[int, int]) -> tuple[int, int]:
    tw, th = size
    iw, ih = img.size
    target = tw / th
    cw, ch = (iw, round(iw / target)) if iw / ih < target else (round(ih * target), ih)
    return min(cw, iw), min(ch, ih)


def cover_keeps_product(img: Image.Image, size: tuple[int, int], shot: ProductShot) -> bool:
    """Whether a crop to the shape of `size` holds the whole product with room around it.

    The room matters: Ken Burns zooms into the crop by up to ~20 %, which must not cut the product."""
    cw, ch = _cover_window(img, size)
    x0, y0, x1, y1 = shot.bbox
    return (x1 - x0) <= cw * COVER_ROOM and (y1 - y0) <= ch * COVER_ROOM


def smart_cover(img: Image.Image, size: tuple[int, int], shot: ProductShot | None = None) -> Image.Image:
    """Crop `img` to the shape of `size` around the product (as much of it as fits), then resize."""
    shot = shot or analyse(img)
    iw, ih = img.size
    cw, ch = _cover_window(img, size)
    x0, y0, x1, y1 = shot.bbox
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    left = int(min(max(cx - cw / 2, 0), iw - cw))
    top = int(min(max(cy - ch / 2, 0), ih - ch))
    return img.crop((left, top, left + cw, top + ch)).resize(size, Image.Resampling.LANCZOS)


def cutout(img: Image.Image, shot: ProductShot | None = None) -> Image.Image | None:
    """The product alone (RGBA, cropped to it), or None when the background is not plain enough.

    Only background connected to the border is removed (flood fill), so white parts inside the
    product stay; the edge is feathered by a pixel so it sits softly on any colour.
    """
    shot = shot or analyse(img)
    if not shot.plain_background:
        return None
    rgb = img.convert("RGB")
    side = max(rgb.size)
    work = rgb if side <= 900 else rgb.resize((round(rgb.width * 900 / side), round(rgb.height * 900 / side)),
                                              Image.Resampling.BILINEAR)
    a = np.asarray(work, dtype=np.float32)
    dist = np.sqrt(((a - _background_model(a)) ** 2).sum(axis=2))
    fg = Image.fromarray(np.where(dist > CUTOUT_DIST, 255, 0).astype(np.uint8), "L")
    fg = fg.filter(ImageFilter.MinFilter(3)).filter(ImageFilter.MaxFilter(3))  # drop specks
    solid = np.asarray(fg) > 0
    # A label as light as the background must stay: fill each column between its first and last
    # product pixel (products stand upright; gaps between products side by side stay open).
    rows = np.arange(solid.shape[0])[:, None]
    has = solid.any(axis=0)
    top = np.where(has, solid.argmax(axis=0), solid.shape[0])
    bottom = np.where(has, solid.shape[0] - 1 - solid[::-1].argmax(axis=0), -1)
    alpha = ((rows >= top[None, :]) & (rows <= bottom[None, :])).astype(np.uint8) * 255
    if alpha.mean() < 255 * 0.02:
        return None
    mask = Image.fromarray(alpha, "L").filter(ImageFilter.GaussianBlur(1.2)).resize(rgb.size, Image.Resampling.BILINEAR)
    out = rgb.convert("RGBA")
    out.putalpha(mask)
    bbox = mask.point(lambda v: 255 if v > 24 else 0).getbbox()
    return out.crop(bbox) if bbox else None


def backdrop_colors(palette: tuple[Color, ...]) -> tuple[Color, Color]:
    """A two-stop gradient from the product's main colour: deep at the top, lighter below."""
    r, g, b = palette[0]
    deep = (int(r * 0.35), int(g * 0.35), int(b * 0.35))
    light = (int(r * 0.75 + 30), int(g * 0.75 + 30), int(b * 0.75 + 30))
    return deep, tuple(min(255, v) for v in light)  # type: ignore[return-value]
