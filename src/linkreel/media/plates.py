"""Still pictures drawn once per clip with Pillow: photo plates, cards, the end card.

The renderer animates them (Ken Burns, fades) inside ffmpeg; nothing here runs per frame.
"""

import hashlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from linkreel.media.fonts import family_for_text, pil_font

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


def wrap(text: str, font: ImageFont.FreeTypeFont, max_width: int, max_lines: int) -> list[str]:
    """Break text into lines that fit `max_width` pixels; ellipsize what does not fit."""
    spaced = " " in text.strip()
    tokens = text.split() if spaced else list(text.strip())
    joiner = " " if spaced else ""
    lines: list[str] = []
    cur = ""
    for tok in tokens:
        trial = f"{cur}{joiner}{tok}" if cur else tok
        if font.getlength(trial) <= max_width or not cur:
            cur = trial
        else:
            lines.append(cur)
            cur = tok
    if cur:
        lines.append(cur)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and font.getlength(last + "…") > max_width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines


def draw_text_block(draw: ImageDraw.ImageDraw, lines: list[str], font: ImageFont.FreeTypeFont,
                    center_x: int, top: int, fill: Color, stroke: int = 0) -> int:
    """Draw centred lines from `top`; returns the y below the block."""
    line_h = round(font.size * 1.22)
    for i, line in enumerate(lines):
        draw.text((center_x, top + i * line_h), line, font=font, fill=fill, anchor="ma",
                  stroke_width=stroke, stroke_fill=(0, 0, 0))
    return top + line_h * len(lines)


def seed_of(text: str) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)


# --- plates ------------------------------------------------------------------------------------

def image_plate(src: str, size: tuple[int, int], box: tuple[int, int, int, int], fit: str) -> Image.Image:
    img = load_rgb(src)
    if fit == "cover":
        return ImageOps.fit(img, size, Image.Resampling.LANCZOS)
    canvas = blurred_fill(img, size)
    paste_contained(canvas, img, box, radius=max(12, min(size) // 40))
    return canvas


def text_plate(title: str, subtitle: str, size: tuple[int, int], seed: int, language: str) -> Image.Image:
    """A product card made from text alone, for pages whose photos cannot be used."""
    top, bottom = _PALETTES[(seed_of(title) + seed) % len(_PALETTES)]
    canvas = gradient(size, top, bottom)
    draw = ImageDraw.Draw(canvas)
    w, h = size
    font = pil_font(family_for_text(title, language), round(min(w, h) * 0.085))
    lines = wrap(title, font, int(w * 0.84), 4)
    y = draw_text_block(draw, lines, font, w // 2, int(h * 0.30), (255, 255, 255))
    if subtitle:
        sub = pil_font(family_for_text(subtitle, language), round(min(w, h) * 0.06))
        draw_text_block(draw, wrap(subtitle, sub, int(w * 0.8), 2), sub, w // 2, y + int(h * 0.04),
                        (255, 214, 0))
    return canvas


def end_card(src: str | None, cta: str, title: str, price_text: str | None, brand: str | None,
             size: tuple[int, int], accent: Color, language: str) -> Image.Image:
    w, h = size
    portrait = h > w
    if src:
        img = load_rgb(src)
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
    draw.text((cx, by0 + bh // 2), label, font=cfont, fill=(20, 20, 20), anchor="mm")
    return canvas


def title_card(title: str, price_text: str | None, size: tuple[int, int], accent: Color,
               language: str) -> Image.Image:
    """A translucent panel with the product name and a price pill (RGBA, the card's own size).

    Sizes are derived from the card's height so the block always fits, at 1080p or at preview size.
    """
    w, h = size
    card = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(card)
    draw.rounded_rectangle((0, 0, w - 1, h - 1), min(w, h) // 5, fill=(12, 12, 16, 200))
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
        draw.text((w // 2, y0 + pill_h // 2), price_text, font=pfont, fill=(20, 20, 20), anchor="mm")
    return card
