"""Chrome drawn on a plate around the product picture: a social post, a magazine page, a vlog camera.

Each frame is a small function in `FRAMES`: it gets the canvas, the product box (pixels) and the
text to carry, draws what lies *behind* the product, and returns a function that draws what lies
*in front* (the renderer then pastes the product in between).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from linkreel.media.fonts import family_for_text, pil_font
from linkreel.media.text_layout import wrap

Color = tuple[int, int, int]
PixelBox = tuple[int, int, int, int]  # x, y, w, h
Front = Callable[[Image.Image], None]


@dataclass(frozen=True)
class FrameText:
    text: str  # the post's words, the headline
    name: str  # the account name, the magazine's name
    accent: Color
    language: str


def _font(text: str, size: int, language: str, weight: int = 700) -> ImageFont.FreeTypeFont:
    return pil_font(family_for_text(text, language), max(8, size), weight)


def _shadow(canvas: Image.Image, rect: tuple[int, int, int, int], radius: int, blur: int = 22) -> None:
    shadow = Image.new("L", canvas.size, 0)
    x0, y0, x1, y1 = rect
    ImageDraw.Draw(shadow).rounded_rectangle((x0 + 6, y0 + 16, x1 + 6, y1 + 16), radius, fill=140)
    canvas.paste((0, 0, 0), mask=shadow.filter(ImageFilter.GaussianBlur(blur)))


def twitter(canvas: Image.Image, box: PixelBox, t: FrameText) -> Front:
    """A post card: avatar, name and handle, the words, the picture, the action row."""
    x, y, w, h = box
    unit = max(6, w // 22)
    pad = unit
    draw = ImageDraw.Draw(canvas)
    body = _font(t.text, round(unit * 1.15), t.language, 500)
    lines = wrap(t.text, body, w, 3) if t.text else []
    line_h = round(body.size * 1.3)
    header_h = round(unit * 3.2)
    top = y - pad - len(lines) * line_h - header_h - pad // 2
    bottom = y + h + round(unit * 2.8)
    rect = (x - pad, top, x + w + pad, bottom)
    _shadow(canvas, rect, unit)
    draw.rounded_rectangle(rect, unit, fill=(255, 255, 255))
    av = round(unit * 2.2)
    ax, ay = x, top + pad // 2 + (header_h - av) // 2
    draw.ellipse((ax, ay, ax + av, ay + av), fill=t.accent)
    initial = (t.name[:1] or "L").upper()
    draw.text((ax + av // 2, ay + av // 2), initial, font=_font(initial, round(av * 0.5), t.language), fill="white",
              anchor="mm")
    name_font = _font(t.name, round(unit * 1.05), t.language, 700)
    handle = "@" + "".join(ch for ch in t.name.lower() if ch.isalnum())[:15]
    draw.text((ax + av + unit // 2, ay + av * 0.08), t.name, font=name_font, fill=(15, 20, 25))
    nx = ax + av + unit // 2 + int(name_font.getlength(t.name)) + unit // 3
    badge = round(unit * 0.9)  # the verified tick
    draw.ellipse((nx, ay + av * 0.1, nx + badge, ay + av * 0.1 + badge), fill=(29, 155, 240))
    draw.text((ax + av + unit // 2, ay + av * 0.58), handle, font=_font(handle, round(unit * 0.85), t.language, 400),
              fill=(83, 100, 113))
    ty = top + pad // 2 + header_h
    for i, line in enumerate(lines):
        draw.text((x, ty + i * line_h), line, font=body, fill=(15, 20, 25))
    # The action row: reply, repost, like, share as simple glyph shapes with counts.
    ry = y + h + round(unit * 0.9)
    small = _font("0", round(unit * 0.8), t.language, 500)
    for k, count in enumerate(("128", "1.2K", "8.4K", "")):
        cx = x + k * w // 4
        draw.rounded_rectangle((cx, ry, cx + unit, ry + unit), unit // 4, outline=(83, 100, 113), width=2)
        if count:
            draw.text((cx + round(unit * 1.3), ry + unit // 2), count, font=small, fill=(83, 100, 113), anchor="lm")

    def front(c: Image.Image) -> None:
        ImageDraw.Draw(c).rounded_rectangle((x, y, x + w, y + h), max(4, unit // 2), outline=(207, 217, 222),
                                            width=2)

    return front


def magazine(canvas: Image.Image, box: PixelBox, t: FrameText) -> Front:
    """An editorial page: masthead, rule, big headline beside or above the product, a colour block."""
    cw, ch = canvas.size
    x, y, w, h = box
    draw = ImageDraw.Draw(canvas)
    unit = min(cw, ch) // 40
    # Ink that reads on the page: dark on paper, white on a dark backdrop.
    r, g, b = canvas.getpixel((cw // 2, max(0, round(ch * 0.04))))[:3]
    ink = (24, 24, 24) if 0.299 * r + 0.587 * g + 0.114 * b > 128 else (245, 245, 245)
    mast = _font(t.name, round(unit * 1.3), t.language, 800)
    draw.text((cw // 2, round(ch * 0.035)), t.name.upper(), font=mast, fill=ink, anchor="mt")
    rule_y = round(ch * 0.035) + round(unit * 2.2)
    draw.line((cw * 0.06, rule_y, cw * 0.94, rule_y), fill=ink, width=max(2, unit // 6))
    # The coloured block offset behind the product.
    draw.rectangle((x + unit * 2, y + unit * 2, x + w + unit, y + h + unit), fill=t.accent)
    beside = x > cw * 0.35  # wide layouts: the headline takes the left column
    if beside:
        hx, hy, hw = round(cw * 0.05), rule_y + unit * 2, x - round(cw * 0.09)
    else:
        hx, hy, hw = round(cw * 0.08), rule_y + unit, round(cw * 0.84)
    room = (y - hy - unit) if not beside else round(ch * 0.35)
    size = round(unit * 3.2)
    head = _font(t.text, size, t.language, 900)
    lines = wrap(t.text.upper(), head, hw, 3)
    while size > unit and len(lines) * size * 1.1 > room:
        size = round(size * 0.88)
        head = _font(t.text, size, t.language, 900)
        lines = wrap(t.text.upper(), head, hw, 3)
    for i, line in enumerate(lines):
        draw.text((hx, hy + i * round(size * 1.08)), line, font=head, fill=ink)
    return lambda c: None


def vlog(canvas: Image.Image, box: PixelBox, t: FrameText) -> Front:
    """A camera viewfinder: REC light, corner brackets, battery."""
    cw, ch = canvas.size
    unit = max(4, min(cw, ch) // 30)

    def front(c: Image.Image) -> None:
        draw = ImageDraw.Draw(c)
        m = round(min(cw, ch) * 0.09)
        arm = unit * 2
        for cx, cy, dx, dy in ((m, m, 1, 1), (cw - m, m, -1, 1), (m, ch - m, 1, -1), (cw - m, ch - m, -1, -1)):
            draw.line((cx, cy, cx + dx * arm, cy), fill="white", width=max(3, unit // 5))
            draw.line((cx, cy, cx, cy + dy * arm), fill="white", width=max(3, unit // 5))
        draw.ellipse((m + unit, m + unit, m + unit * 2, m + unit * 2), fill=(235, 40, 40))
        draw.text((m + round(unit * 2.5), m + round(unit * 1.5)), "REC", font=_font("REC", unit, "en"), fill="white",
                  anchor="lm")
        bx = cw - m - unit * 4
        draw.rectangle((bx, m + unit, bx + round(unit * 2.4), m + unit * 2), outline="white", width=max(2, unit // 8))
        inset = max(1, unit // 4)  # the charge level inside the battery outline (still there at preview sizes)
        draw.rectangle((bx + inset, m + unit + inset, bx + round(unit * 1.7), m + unit * 2 - inset), fill="white")

    return front


def _wobbly_ellipse(draw: ImageDraw.ImageDraw, rect: tuple[int, int, int, int], color: Color, width: int) -> None:
    x0, y0, x1, y1 = rect
    cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    pts = []
    for k in range(0, 400):  # a little more than a full turn, wobbling, like a marker stroke
        a = k / 360 * 2 * math.pi
        wob = 1 + 0.035 * math.sin(a * 3.0) + 0.02 * math.sin(a * 7.0)
        pts.append((cx + rx * wob * math.cos(a), cy + ry * wob * math.sin(a)))
    draw.line(pts, fill=color, width=width, joint="curve")


def scribble(canvas: Image.Image, box: PixelBox, t: FrameText) -> Front:
    """Marker doodles: a loop around the product, an underline, sparks."""
    x, y, w, h = box
    cw, ch = canvas.size
    unit = max(4, min(cw, ch) // 90)

    def front(c: Image.Image) -> None:
        draw = ImageDraw.Draw(c)
        _wobbly_ellipse(draw, (x + w // 10, y - unit, x + w - w // 10, y + h + unit), t.accent, unit)
        for k in range(3):  # sparks at the top right
            a = -math.pi / 3 + k * math.pi / 6
            sx, sy = x + w * 0.86, y + h * 0.08
            draw.line((sx + math.cos(a) * unit * 4, sy + math.sin(a) * unit * 4, sx + math.cos(a) * unit * 9,
                       sy + math.sin(a) * unit * 9), fill=t.accent, width=unit)
        pts = [(x + w * 0.2 + i * w * 0.06, y + h + unit * 3 + (unit if i % 2 else -unit)) for i in range(11)]
        draw.line(pts, fill=(30, 30, 30), width=max(2, unit * 2 // 3), joint="curve")

    return front


def polaroid(canvas: Image.Image, box: PixelBox, t: FrameText) -> Front:
    """An instant photo: white border with a deep bottom edge, a strip of tape."""
    x, y, w, h = box
    m = max(6, w // 22)
    rect = (x - m, y - m, x + w + m, y + h + m * 4)
    _shadow(canvas, rect, 4, blur=16)
    draw = ImageDraw.Draw(canvas)
    draw.rectangle(rect, fill=(252, 252, 248))
    draw.rectangle((x, y, x + w, y + h), fill=(225, 225, 220))
    if t.text:
        font = _font(t.text, m * 2, t.language, 600)
        label = wrap(t.text, font, w, 1)[0]
        draw.text((x + w // 2, y + h + m * 2), label, font=font, fill=(60, 60, 60), anchor="mm")

    def front(c: Image.Image) -> None:
        tape = Image.new("RGBA", (w // 3, m * 2), (255, 236, 150, 190))
        tape = tape.rotate(-6, expand=True, resample=Image.Resampling.BICUBIC)
        c.paste(tape, (x + w // 3, y - m * 2), tape)

    return front


FRAMES: dict[str, Callable[[Image.Image, PixelBox, FrameText], Front]] = {
    "twitter": twitter, "magazine": magazine, "vlog": vlog, "scribble": scribble, "polaroid": polaroid,
}
