"""Small drawn accents over the picture (RGBA at their own size): price tag, hook banner, stickers.

Vector shapes drawn with Pillow, so they need no emoji font and stay sharp at any size.
"""

import math
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFilter

from linkreel.media.fonts import family_for_text, pil_font
from linkreel.media.text_layout import balanced_wrap
from linkreel.media.timeline import StickerClip

Color = tuple[int, int, int]


def _fit_font(text: str, language: str, max_w: float, max_h: float, weight: int = 800):  # noqa: ANN202
    size = max(8, round(max_h))
    font = pil_font(family_for_text(text, language), size, weight)
    while size > 8 and font.getlength(text) > max_w:
        size = max(8, round(size * 0.9))
        font = pil_font(family_for_text(text, language), size, weight)
    return font


def _label(img: Image.Image, text: str, color: Color, language: str, scale: float = 0.5) -> None:
    if not text:
        return
    w, h = img.size
    font = _fit_font(text, language, w * 0.72, h * scale * 0.8)
    ImageDraw.Draw(img).text((w / 2, h / 2), text, font=font, fill=color, anchor="mm")


def _star_points(cx: float, cy: float, r_out: float, r_in: float, n: int) -> list[tuple[float, float]]:
    pts = []
    for k in range(n * 2):
        r = r_out if k % 2 == 0 else r_in
        a = math.pi * k / n - math.pi / 2
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return pts


def _square(w: int, h: int) -> tuple[float, float, float]:
    s = min(w, h)
    return w / 2, h / 2, s / 2


def burst(s: StickerClip, size: tuple[int, int], language: str) -> Image.Image:
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    cx, cy, r = _square(*size)
    ImageDraw.Draw(img).polygon(_star_points(cx, cy, r * 0.98, r * 0.78, 14), fill=(*s.color, 255))
    _label(img, s.text, s.text_color, language, 0.32)
    return img


def heart(s: StickerClip, size: tuple[int, int], language: str) -> Image.Image:
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    cx, cy, r = _square(*size)
    pts = []
    for k in range(120):
        t = 2 * math.pi * k / 120
        x = 16 * math.sin(t) ** 3
        y = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
        pts.append((cx + x * r / 17, cy - y * r / 17))
    ImageDraw.Draw(img).polygon(pts, fill=(235, 60, 90, 255))
    return img


def sparkle(s: StickerClip, size: tuple[int, int], language: str) -> Image.Image:
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    cx, cy, r = _square(*size)
    draw.polygon(_star_points(cx - r * 0.2, cy + r * 0.15, r * 0.75, r * 0.16, 4), fill=(*s.color, 255))
    draw.polygon(_star_points(cx + r * 0.55, cy - r * 0.5, r * 0.35, r * 0.08, 4), fill=(255, 255, 255, 255))
    return img


def arrow(s: StickerClip, size: tuple[int, int], language: str) -> Image.Image:
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    w, h = size
    draw = ImageDraw.Draw(img)
    width = max(3, min(w, h) // 10)
    pts = [(w * 0.9, h * 0.15), (w * 0.55, h * 0.3), (w * 0.35, h * 0.6), (w * 0.2, h * 0.85)]
    draw.line(pts, fill=(*s.color, 255), width=width, joint="curve")
    tip = pts[-1]
    draw.polygon([(tip[0] - width * 1.6, tip[1] - width * 2.2), (tip[0] + width * 2.2, tip[1] - width * 0.6),
                  (tip[0] - width * 0.4, tip[1] + width * 1.2)], fill=(*s.color, 255))
    return img


def badge(s: StickerClip, size: tuple[int, int], language: str) -> Image.Image:
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    w, h = size
    bh = min(h, w * 0.45)
    y0 = (h - bh) / 2
    img_draw = ImageDraw.Draw(img)
    img_draw.rounded_rectangle((2, y0, w - 3, y0 + bh), bh / 2, fill=(*s.color, 255))
    _label(img, s.text, s.text_color, language, bh / h * 0.7)
    return img.rotate(-6, resample=Image.Resampling.BICUBIC)


def price_tag(s: StickerClip, size: tuple[int, int], language: str) -> Image.Image:
    """A swing tag: a pointed end with a hole, the price large."""
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    w, h = size
    th = min(h, w * 0.42)
    y0, y1 = (h - th) / 2, (h + th) / 2
    notch = th * 0.45
    body = [(notch, y0), (w - 4, y0), (w - 4, y1), (notch, y1), (2, h / 2)]
    shadow = Image.new("L", size, 0)
    ImageDraw.Draw(shadow).polygon([(x + 3, y + 5) for x, y in body], fill=110)
    img.paste((0, 0, 0, 255), mask=shadow.filter(ImageFilter.GaussianBlur(4)))
    draw = ImageDraw.Draw(img)
    draw.polygon(body, fill=(*s.color, 255))
    hole = th * 0.11
    draw.ellipse((notch * 0.55 - hole, h / 2 - hole, notch * 0.55 + hole, h / 2 + hole), fill=(0, 0, 0, 0))
    font = _fit_font(s.text, language, (w - notch) * 0.86, th * 0.62)
    draw.text((notch + (w - notch) / 2, h / 2), s.text, font=font, fill=s.text_color, anchor="mm")
    return img


def banner(s: StickerClip, size: tuple[int, int], language: str) -> Image.Image:
    """The hook line in big type on a tilted strip."""
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    w, h = size
    draw = ImageDraw.Draw(img)
    size_px = round(h * 0.36)
    font = pil_font(family_for_text(s.text, language), size_px, 900)
    lines = balanced_wrap(s.text, font, int(w * 0.88), 2)
    while size_px > 10 and (len(lines) * size_px * 1.15 > h * 0.86
                            or any(font.getlength(line) > w * 0.88 for line in lines)):
        size_px = round(size_px * 0.9)
        font = pil_font(family_for_text(s.text, language), size_px, 900)
        lines = balanced_wrap(s.text, font, int(w * 0.88), 2)
    block = len(lines) * round(size_px * 1.15)
    pad = round(size_px * 0.35)
    widest = max(font.getlength(line) for line in lines)
    x0, y0 = (w - widest) / 2 - pad, (h - block) / 2 - pad / 2
    draw.rounded_rectangle((x0, y0, w - x0, y0 + block + pad), pad, fill=(*s.color, 245))
    for i, line in enumerate(lines):
        draw.text((w / 2, (h - block) / 2 + i * round(size_px * 1.15)), line, font=font, fill=s.text_color,
                  anchor="ma")
    return img


def logo(s: StickerClip, size: tuple[int, int], language: str) -> Image.Image:
    """The brand as a small pill."""
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    w, h = size
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((0, 0, w - 1, h - 1), h // 2, fill=(0, 0, 0, 150))
    font = _fit_font(s.text.upper(), language, w * 0.8, h * 0.5)
    draw.text((w / 2, h / 2), s.text.upper(), font=font, fill=(255, 255, 255), anchor="mm")
    return img


SHAPES: dict[str, Callable[[StickerClip, tuple[int, int], str], Image.Image]] = {
    "burst": burst, "heart": heart, "sparkle": sparkle, "arrow": arrow, "badge": badge, "price_tag": price_tag,
    "banner": banner, "logo": logo,
}


def draw_sticker(s: StickerClip, size: tuple[int, int], language: str) -> Image.Image:
    return SHAPES[s.shape](s, size, language)
