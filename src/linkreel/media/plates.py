"""Still pictures drawn once per clip with Pillow: photo plates, cards, the end card.

The renderer animates them (Ken Burns, fades) inside ffmpeg; nothing here runs per frame.
"""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps

from linkreel.media.fonts import family_for_text, pil_font
from linkreel.media.frames import FRAMES, FrameText
from linkreel.media.product_image import (
    ProductShot,
    analyse,
    backdrop_colors,
    cover_keeps_product,
    cutout,
    smart_cover,
)
from linkreel.media.text_layout import balanced_wrap, wrap
from linkreel.media.timeline import Backdrop, ImageClip, Panel

Color = tuple[int, int, int]
_PALETTES: tuple[tuple[Color, Color], ...] = (
    ((24, 32, 72), (102, 51, 153)),
    ((10, 60, 70), (20, 140, 120)),
    ((70, 20, 40), (200, 70, 60)),
    ((20, 20, 24), (70, 80, 100)),
)


def load_rgb(path: str | Path) -> Image.Image:
    img = Image.open(path)
    img = ImageOps.exif_transpose(img)
    if img.mode in ("RGBA", "LA", "P"):
        img = img.convert("RGBA")
        bg = Image.new("RGB", img.size, (255, 255, 255))  # product shots with alpha sit on white
        bg.paste(img, mask=img.split()[3])
        return bg
    return img.convert("RGB")


@dataclass
class Source:
    """A product photo read once: the picture, where the product is, and (on first use) its cut-out.

    Shared between plates, aspects and the preview of one process: callers never draw on `image`."""

    image: Image.Image
    shot: ProductShot
    _cut: list[Image.Image | None] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def cutout(self) -> Image.Image | None:
        with self._lock:  # two plates of one photo drawn at once wait for a single cut-out
            if not self._cut:
                self._cut.append(cutout(self.image, self.shot))
            return self._cut[0]


_SOURCES: "OrderedDict[tuple[str, int, int], Source]" = OrderedDict()
_SOURCES_MAX = 8  # one ad's photos: a long-lived worker keeps no more (a 2000 px photo + cut-out is ~28 MB)
_SOURCES_LOCK = threading.Lock()


def source(path: str | Path) -> Source:
    """The photo at `path`, read and analysed once per process (keyed by its size and mtime, so a
    changed file is read again). Analysis and cut-out dominate drawing a plate, and one photo
    appears in several scenes, every aspect and the preview."""
    st = Path(path).stat()
    key = (str(Path(path).resolve()), st.st_mtime_ns, st.st_size)
    with _SOURCES_LOCK:
        found = _SOURCES.get(key)
        if found is not None:
            _SOURCES.move_to_end(key)
            return found
    img = load_rgb(path)
    made = Source(image=img, shot=analyse(img))
    with _SOURCES_LOCK:
        made = _SOURCES.setdefault(key, made)
        while len(_SOURCES) > _SOURCES_MAX:
            _SOURCES.popitem(last=False)
    return made


def warm(paths: Iterable[str | Path], cutouts: bool = True) -> None:
    """Read, analyse and cut out photos ahead of drawing (run beside the voice synthesis)."""
    for path in paths:
        try:
            src = source(path)
            if cutouts:
                src.cutout()
        except OSError:
            continue  # a missing or unreadable photo fails later, where the plate is drawn


def blurred_fill(img: Image.Image, size: tuple[int, int], darken: float = 0.55) -> Image.Image:
    """The photo covering the frame, blurred and darkened: a backdrop that matches the product."""
    small = ImageOps.fit(img, (max(8, size[0] // 8), max(8, size[1] // 8)), Image.Resampling.BILINEAR)
    small = small.filter(ImageFilter.GaussianBlur(6))
    out = small.resize(size, Image.Resampling.BILINEAR)
    return Image.eval(out, lambda v: int(v * darken))


def gradient(size: tuple[int, int], top: Color, bottom: Color) -> Image.Image:
    w, h = size
    column = Image.new("RGB", (1, 256))
    for y in range(256):
        t = y / 255
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return column.resize((w, h), Image.Resampling.BILINEAR)


def rounded(img: Image.Image, radius: int) -> Image.Image:
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, img.width - 1, img.height - 1), radius, fill=255)
    out = img.convert("RGBA")
    out.putalpha(mask)
    return out


def paste_contained(canvas: Image.Image, img: Image.Image, box: tuple[int, int, int, int],
                    radius: int) -> None:
    """Fit `img` inside box (x, y, w, h), centred, with rounded corners and a soft shadow."""
    x, y, w, h = box
    fitted = ImageOps.contain(img, (w, h), Image.Resampling.LANCZOS)
    px, py = x + (w - fitted.width) // 2, y + (h - fitted.height) // 2
    shadow = Image.new("L", canvas.size, 0)
    ImageDraw.Draw(shadow).rounded_rectangle(
        (px + 8, py + 14, px + fitted.width + 8, py + fitted.height + 14), radius, fill=150)
    shadow = shadow.filter(ImageFilter.GaussianBlur(18))
    canvas.paste((0, 0, 0), mask=shadow)
    piece = rounded(fitted, radius)
    canvas.paste(piece, (px, py), piece)


def draw_text_block(draw: ImageDraw.ImageDraw, lines: list[str], font: ImageFont.FreeTypeFont,
                    center_x: int, top: int, fill: Color, stroke: int = 0) -> int:
    """Draw centred lines from `top`; returns the y below the block."""
    line_h = round(font.size * 1.22)
    for i, line in enumerate(lines):
        draw.text((center_x, top + i * line_h), line, font=font, fill=fill, anchor="ma",
                  stroke_width=stroke, stroke_fill=(0, 0, 0))
    return top + line_h * len(lines)


def ink_on(color: Color) -> Color:
    """Near-black or white: whichever reads on `color`."""
    r, g, b = color
    return (20, 20, 20) if 0.299 * r + 0.587 * g + 0.114 * b > 150 else (255, 255, 255)


def seed_of(text: str) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)


# --- plates ------------------------------------------------------------------------------------

def backdrop(spec: Backdrop, size: tuple[int, int], img: Image.Image, shot: ProductShot) -> Image.Image:
    """The picture behind a contained or cut-out product."""
    if spec.kind == "blur":
        return blurred_fill(img, size)
    if spec.kind == "palette":
        return gradient(size, *backdrop_colors(shot.palette))
    canvas = gradient(size, *spec.colors)
    if spec.kind == "paper":  # a faint grain so it reads as paper, not a flat fill
        noise = Image.effect_noise((max(1, size[0] // 4), max(1, size[1] // 4)), 18).resize(size)
        canvas = Image.blend(canvas, Image.merge("RGB", [noise] * 3), 0.06)
    elif spec.kind == "dark":  # a soft light pool behind the product
        glow = Image.new("L", size, 0)
        w, h = size
        ImageDraw.Draw(glow).ellipse((w * 0.1, h * 0.15, w * 0.9, h * 0.7), fill=90)
        canvas.paste((255, 255, 255), mask=glow.filter(ImageFilter.GaussianBlur(min(size) // 6)))
    return canvas


def _panel(canvas: Image.Image, panel: Panel, aspect: str, language: str) -> None:
    w, h = canvas.size
    x, y, pw, ph = panel.box[aspect].pixels(w, h)  # type: ignore[index]
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((x, y, x + pw, y + ph), fill=panel.color)
    if not panel.text:
        return
    # The words sit in the panel's upper part: captions and cards use its lower part.
    font = pil_font(family_for_text(panel.text, language), round(min(pw, ph * 2) * 0.075), 800)
    lines = balanced_wrap(panel.text, font, int(pw * 0.8), 3)
    draw_text_block(draw, lines, font, x + pw // 2, y + round(ph * 0.08), panel.text_color)


def image_plate(clip: ImageClip, aspect: str, size: tuple[int, int], accent: Color = (255, 214, 0),
                language: str = "en", name: str = "") -> Image.Image:
    """One scene's still, laid out by its style: backdrop, panel, frame chrome, the product."""
    src = source(clip.src)
    img, shot = src.image, src.shot
    box = clip.product_box[aspect].pixels(*size)  # type: ignore[index]
    x, y, w, h = box
    fit = clip.fit
    if fit == "cover" and not cover_keeps_product(img, (max(1, w), max(1, h)), shot):
        fit = "contain"  # cropping would cut the product: show all of it over its own blurred photo
    if fit == "cover" and (w, h) == size:
        canvas = smart_cover(img, size, shot)
    elif clip.fit == "cover" and (w, h) == size:
        canvas = blurred_fill(img, size)  # full bleed that would cut the product: its own photo, blurred
    else:
        canvas = backdrop(clip.backdrop, size, img, shot)
    if clip.panel is not None:
        _panel(canvas, clip.panel, aspect, language)
    front = None
    if clip.frame:
        front = FRAMES[clip.frame](canvas, box, FrameText(text=clip.frame_text, name=name or "linkreel",
                                                          accent=accent, language=language))
    if fit == "cover" and (w, h) != size:
        canvas.paste(smart_cover(img, (max(1, w), max(1, h)), shot), (x, y))
    elif fit == "cutout" and (piece := src.cutout()) is not None:
        paste_cutout(canvas, piece, box)
    elif clip.fit == "cover" and (w, h) != size:  # a box to fill that would cut the product: fill it blurred
        cell = blurred_fill(img, (max(1, w), max(1, h)), darken=0.8)
        whole = ImageOps.contain(img, cell.size, Image.Resampling.LANCZOS)
        cell.paste(whole, ((cell.width - whole.width) // 2, (cell.height - whole.height) // 2))
        canvas.paste(cell, (x, y))
    elif fit != "cover":
        paste_contained(canvas, img, box, radius=0 if clip.fit == "cover" else max(12, min(size) // 40))
    if front is not None:
        front(canvas)
    return GRADES[clip.grade](canvas, clip.backdrop.colors) if clip.grade else canvas


Pair = tuple[Color, Color]


def _mono(img: Image.Image, colors: Pair) -> Image.Image:
    """High-contrast black and white with a vignette: the dramatic look."""
    gray = ImageOps.autocontrast(ImageOps.grayscale(img), cutoff=2)
    return _vignette(Image.merge("RGB", [gray] * 3), colors, 0.55)


def _warm(img: Image.Image, colors: Pair) -> Image.Image:
    r, g, b = img.split()
    return Image.merge("RGB", (r.point(lambda v: min(255, int(v * 1.08 + 8))), g, b.point(lambda v: int(v * 0.88))))


def _cool(img: Image.Image, colors: Pair) -> Image.Image:
    r, g, b = img.split()
    return Image.merge("RGB", (r.point(lambda v: int(v * 0.9)), g, b.point(lambda v: min(255, int(v * 1.08 + 6)))))


def _vignette(img: Image.Image, colors: Pair, strength: float = 0.4) -> Image.Image:
    w, h = img.size
    mask = Image.new("L", (64, 64), 0)
    ImageDraw.Draw(mask).ellipse((-8, -8, 72, 72), fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(10)).resize((w, h), Image.Resampling.BILINEAR)
    dark = Image.eval(img, lambda v: int(v * (1 - strength)))
    return Image.composite(img, dark, mask)


def _punch(img: Image.Image, colors: Pair) -> Image.Image:
    return ImageEnhance.Contrast(ImageEnhance.Color(img).enhance(1.35)).enhance(1.12)


def _duotone(img: Image.Image, colors: Pair) -> Image.Image:
    """Shadows in the theme's first colour, highlights in its second."""
    return ImageOps.colorize(ImageOps.autocontrast(ImageOps.grayscale(img), cutoff=1), colors[0], colors[1])


def _tint(img: Image.Image, colors: Pair) -> Image.Image:
    """A wash of the theme's second colour over the photo."""
    return Image.blend(img, Image.new("RGB", img.size, colors[1]), 0.28)


# Colour grades a style may lay over its photo plates (some take the theme's two colours).
GRADES = {"mono": _mono, "warm": _warm, "cool": _cool, "vignette": _vignette, "punch": _punch, "duotone": _duotone,
          "tint": _tint}


def paste_cutout(canvas: Image.Image, piece: Image.Image, box: tuple[int, int, int, int]) -> None:
    """Stand a cut-out product in the box, bottom-centred, on a soft contact shadow."""
    x, y, w, h = box
    fitted = ImageOps.contain(piece, (w, h), Image.Resampling.LANCZOS)
    px, py = x + (w - fitted.width) // 2, y + h - fitted.height
    shadow = Image.new("L", canvas.size, 0)
    sw = fitted.width
    ImageDraw.Draw(shadow).ellipse((px + sw * 0.1, py + fitted.height - sw * 0.06, px + sw * 0.9,
                                    py + fitted.height + sw * 0.06), fill=120)
    canvas.paste((0, 0, 0), mask=shadow.filter(ImageFilter.GaussianBlur(max(4, sw // 14))))
    canvas.paste(fitted, (px, py), fitted)


def text_plate(title: str, subtitle: str, size: tuple[int, int], seed: int, language: str,
               src: str | None = None) -> Image.Image:
    """A product card made from text: with `src`, a motion-graphic card in the product's own colours."""
    w, h = size
    product = None
    if src:
        photo = source(src)
        canvas = gradient(size, *backdrop_colors(photo.shot.palette))
        product = photo.cutout()
        # Soft rings in a lighter tone give the card depth (Ken Burns moves them).
        glow = Image.new("L", size, 0)
        d = ImageDraw.Draw(glow)
        for k in range(3):
            r = min(w, h) * (0.25 + 0.18 * k)
            d.ellipse((w * 0.75 - r, h * 0.7 - r, w * 0.75 + r, h * 0.7 + r), outline=70, width=max(4, w // 90))
        canvas.paste((255, 255, 255), mask=glow.filter(ImageFilter.GaussianBlur(3)))
    else:
        top, bottom = _PALETTES[(seed_of(title) + seed) % len(_PALETTES)]
        canvas = gradient(size, top, bottom)
    draw = ImageDraw.Draw(canvas)
    font = pil_font(family_for_text(title, language), round(min(w, h) * 0.085))
    lines = balanced_wrap(title, font, int(w * 0.76), 4)  # inside what the Ken Burns crop keeps
    y = draw_text_block(draw, lines, font, w // 2, int(h * (0.14 if product else 0.30)), (255, 255, 255), stroke=2)
    if subtitle:
        sub = pil_font(family_for_text(subtitle, language), round(min(w, h) * 0.06))
        y = draw_text_block(draw, wrap(subtitle, sub, int(w * 0.8), 2), sub, w // 2, y + int(h * 0.04),
                            (255, 214, 0))
    if product is not None:
        room = (int(w * 0.2), y + int(h * 0.04), int(w * 0.6), max(10, int(h * 0.62) - y))
        paste_cutout(canvas, product, room)
    return canvas


def end_card(src: str | None, cta: str, title: str, price_text: str | None, brand: str | None,
             size: tuple[int, int], accent: Color, language: str) -> Image.Image:
    w, h = size
    portrait = h > w
    if src:
        img = source(src).image
        canvas = blurred_fill(img, size, darken=0.45)
        # Everything stays above the caption band (the lower ~30 % of the frame).
        photo_box = ((int(w * 0.22), int(h * 0.06), int(w * 0.56), int(h * 0.30)) if portrait
                     else (int(w * 0.08), int(h * 0.10), int(w * 0.40), int(h * 0.62)))
        paste_contained(canvas, img, photo_box, radius=max(12, min(size) // 40))
    else:
        canvas = gradient(size, *_PALETTES[seed_of(title) % len(_PALETTES)])
    draw = ImageDraw.Draw(canvas)
    cx = w // 2 if portrait or not src else int(w * 0.71)
    text_w = int(w * 0.80) if portrait or not src else int(w * 0.40)
    y = int(h * 0.39) if portrait else int(h * 0.12)
    if brand:
        bfont = pil_font(family_for_text(brand, language), round(min(w, h) * 0.04), 600)
        y = draw_text_block(draw, [brand.upper()], bfont, cx, y, (230, 230, 230)) + int(min(w, h) * 0.01)
    tfont = pil_font(family_for_text(title, language), round(min(w, h) * 0.062))
    y = draw_text_block(draw, wrap(title, tfont, text_w, 2), tfont, cx, y, (255, 255, 255))
    if price_text:
        pfont = pil_font(family_for_text(price_text, language), round(min(w, h) * 0.075))
        y = draw_text_block(draw, [price_text], pfont, cx, y + int(min(w, h) * 0.02), accent, stroke=2)
    # The call to action as a button.
    cfont = pil_font(family_for_text(cta, language), round(min(w, h) * 0.058))
    if cfont.getlength(cta) > text_w - 120:  # shrink a long call to action before cutting it
        size = max(round(cfont.size * 0.6), int(cfont.size * (text_w - 120) / cfont.getlength(cta)))
        cfont = pil_font(family_for_text(cta, language), size)
    label = wrap(cta, cfont, text_w - 120, 1)[0]
    tw = int(cfont.getlength(label))
    bh = round(cfont.size * 1.9)
    bx0, by0 = cx - tw // 2 - 60, y + int(min(w, h) * 0.05)
    draw.rounded_rectangle((bx0, by0, bx0 + tw + 120, by0 + bh), bh // 2, fill=accent)
    draw.text((cx, by0 + bh // 2), label, font=cfont, fill=ink_on(accent), anchor="mm")
    return canvas


def title_card(title: str, price_text: str | None, size: tuple[int, int], accent: Color,
               language: str, color: Color = (12, 12, 16)) -> Image.Image:
    """A translucent panel with the product name and a price pill (RGBA, the card's own size).

    Sizes are derived from the card's height so the block always fits, at 1080p or at preview size.
    """
    w, h = size
    card = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(card)
    draw.rounded_rectangle((0, 0, w - 1, h - 1), min(w, h) // 5, fill=(*color, 215))
    family = family_for_text(title, language)
    pill_h = round(h * 0.30) if price_text else 0
    room = h * 0.86 - pill_h - (h * 0.04 if price_text else 0)  # height left for the title lines
    one_line = pil_font(family, max(8, round(min(h * 0.34, room / 1.22))))
    if one_line.getlength(title) <= w * 0.9:
        tfont, lines = one_line, [title]
    else:  # two smaller lines read better than one ellipsized line
        tfont = pil_font(family, max(8, round(room / (2 * 1.22))))
        lines = wrap(title, tfont, int(w * 0.9), 2)
    block_h = round(tfont.size * 1.22) * len(lines) + (pill_h + round(h * 0.04) if price_text else 0)
    y = draw_text_block(draw, lines, tfont, w // 2, (h - block_h) // 2, (255, 255, 255))
    if price_text:
        pfont = pil_font(family_for_text(price_text, language), max(8, round(pill_h / 1.35)))
        pw = int(pfont.getlength(price_text)) + pfont.size
        x0, y0 = (w - pw) // 2, y + round(h * 0.04)
        draw.rounded_rectangle((x0, y0, x0 + pw, y0 + pill_h), pill_h // 2, fill=(*accent, 255))
        draw.text((w // 2, y0 + pill_h // 2), price_text, font=pfont, fill=ink_on(accent), anchor="mm")
    return card
