"""Drawing a presenter's parts with Pillow, once per (look, size): the puppet composites them per frame.

    parts = draw_parts(look, persona, (540, 720))
    parts.head, parts.body, parts.eyes[level], parts.front, parts.brows, parts.hand
    parts.mouth(open, wide, round, smile)   -> small RGBA image (cached by quantised shape)

Everything is drawn at `SS` times the final size and scaled down once, which is Pillow's way to
antialias. Positions live in `Geometry` (sprite pixels; head parts relative to the head canvas,
a tall box around the face that rotates about the neck).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image, ImageDraw, ImageFilter

from linkreel.avatars.looks import RGB, Look
from linkreel.avatars.personas import Persona

SS = 3  # supersampling factor
BLINK_LEVELS = (0.0, 0.4, 0.75, 1.0)
CAVITY = (96, 24, 36)  # mouth interior: the lip-sync tests measure the opening by this colour

Point = tuple[float, float]

# Face width as a fraction of the sprite width, by framing style: selfies sit closer.
_FACE_WIDTH = {"presenter": 0.30, "selfie": 0.37, "other": 0.33}
_FACE_Y = {"presenter": 0.33, "selfie": 0.38, "other": 0.35}
_FACE_RATIO = {"child": 1.1, "teen": 1.2, "adult": 1.28, "senior": 1.28}
_SHOULDERS = {"child": 1.9, "teen": 2.25, "adult": 2.55, "senior": 2.45}


def shade(color: RGB, k: float) -> RGB:
    return (min(255, round(color[0] * k)), min(255, round(color[1] * k)), min(255, round(color[2] * k)))


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def egg(cx: float, cy: float, a: float, b: float, jaw: float = 0.22, n: int = 96) -> list[Point]:
    """A face outline: an ellipse narrowed towards the chin."""
    pts = []
    for i in range(n):
        t = 2 * math.pi * i / n
        x, y = math.cos(t), math.sin(t)
        narrow = 1 - jaw * max(0.0, y) ** 2
        pts.append((cx + a * x * narrow, cy + b * y))
    return pts


@dataclass(frozen=True)
class Geometry:
    width: int
    height: int
    fw: float  # face width (sprite px)
    fh: float
    head_left: int  # head canvas position in the sprite
    head_top: int
    head_w: int
    head_h: int
    hx: float  # face centre in head-canvas px
    hy: float
    neck_base_y: float  # sprite px, where the neck meets the body

    @property
    def pivot(self) -> Point:
        """Rotation centre of the head canvas (the top of the neck), in head-canvas px."""
        return (self.hx, self.hy + self.fh * 0.5)

    @property
    def eye_y(self) -> float:
        return self.hy - self.fh * 0.02

    @property
    def eye_dx(self) -> float:
        return self.fw * 0.2

    @property
    def mouth_y(self) -> float:
        return self.hy + self.fh * 0.27

    @property
    def mouth_w(self) -> float:
        return self.fw * 0.3

    def mouth_box(self) -> tuple[int, int, int, int]:
        """(left, top, w, h) of the mouth image in head-canvas px."""
        w, h = round(self.mouth_w * 1.5), round(self.mouth_w * 0.9)
        return round(self.hx - w / 2), round(self.mouth_y - h * 0.4), w, h


def geometry_for(persona: Persona, size: tuple[int, int]) -> Geometry:
    width, height = size
    fw = width * _FACE_WIDTH[persona.style] * (1.06 if persona.age_range == "child" else 1.0)
    fh = fw * _FACE_RATIO[persona.age_range]
    face_cy = height * _FACE_Y[persona.style]
    head_w, head_h = round(fw * 2.3), round(fw * 2.7)
    hx, hy = head_w / 2, head_h * 0.4
    neck = fw * (0.16 if persona.age_range == "child" else 0.24)
    return Geometry(width, height, fw, fh, round(width / 2 - hx), round(face_cy - hy), head_w, head_h, hx, hy,
                    face_cy + fh * 0.46 + neck)


class Canvas:
    """An RGBA layer drawn at SS times its final size, in final-size coordinates."""

    def __init__(self, w: int, h: int) -> None:
        self.w, self.h = w, h
        self.img = Image.new("RGBA", (w * SS, h * SS), (0, 0, 0, 0))
        self.draw = ImageDraw.Draw(self.img)

    def poly(self, pts: list[Point], fill: RGB | tuple[int, int, int, int], outline: RGB | None = None,
             width: float = 0) -> None:
        scaled = [(x * SS, y * SS) for x, y in pts]
        self.draw.polygon(scaled, fill=fill)
        if outline and width:
            self.draw.line([*scaled, scaled[0]], fill=outline, width=max(1, round(width * SS)), joint="curve")

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, fill: RGB | tuple[int, int, int, int] | None,
                outline: RGB | None = None, width: float = 0) -> None:
        box = ((cx - rx) * SS, (cy - ry) * SS, (cx + rx) * SS, (cy + ry) * SS)
        self.draw.ellipse(box, fill=fill, outline=outline, width=round(width * SS) if outline else 0)

    def line(self, pts: list[Point], fill: RGB | tuple[int, int, int, int], width: float) -> None:
        self.draw.line([(x * SS, y * SS) for x, y in pts], fill=fill, width=max(1, round(width * SS)),
                       joint="curve")

    def rect(self, x0: float, y0: float, x1: float, y1: float, fill: RGB | tuple[int, int, int, int],
             radius: float = 0) -> None:
        self.draw.rounded_rectangle((x0 * SS, y0 * SS, x1 * SS, y1 * SS), radius=radius * SS, fill=fill)

    def paste_masked(self, layer: Image.Image, mask: Image.Image) -> None:
        """Composite `layer` (same SS size) onto this canvas only where `mask` is set."""
        clipped = Image.new("RGBA", self.img.size, (0, 0, 0, 0))
        clipped.paste(layer, (0, 0), _min_alpha(layer, mask))
        self.img.alpha_composite(clipped)

    def final(self) -> Image.Image:
        return self.img.resize((self.w, self.h), Image.Resampling.LANCZOS)


def _min_alpha(layer: Image.Image, mask: Image.Image) -> Image.Image:
    from PIL import ImageChops

    return ImageChops.multiply(layer.getchannel("A"), mask.convert("L"))


def _soft(img: Image.Image, radius: float) -> Image.Image:
    """A Gaussian blur of an SS-sized layer, done at the final size (9x cheaper; it is blurred anyway)."""
    small = img.resize((img.width // SS, img.height // SS), Image.Resampling.BOX)
    return small.filter(ImageFilter.GaussianBlur(radius)).resize(img.size, Image.Resampling.BILINEAR)


def _mask_of(c: Canvas, pts: list[Point]) -> Image.Image:
    mask = Image.new("L", c.img.size, 0)
    ImageDraw.Draw(mask).polygon([(x * SS, y * SS) for x, y in pts], fill=255)
    return mask


# --------------------------------------------------------------------------------------------- hair

HairPainter = Callable[[Canvas, Geometry, RGB, bool], None]  # (canvas, geometry, colour, front?)


def _cap(g: Geometry, hairline: float, part: float, lift: float = 1.0) -> list[Point]:
    """Hair covering the top of the head: the outer arc, then the hairline back across the forehead."""
    a, b = g.fw / 2 * 1.1, g.fh / 2 * 1.06 * lift
    cy = g.hy - g.fh * 0.03
    outer = [(g.hx + a * math.cos(t), cy + b * math.sin(t))
             for t in (math.pi + math.pi * i / 40 for i in range(41))]
    temple_y = g.hy - g.fh * 0.05
    inner = []
    for i in range(41):
        u = 1 - 2 * i / 40  # right temple -> left temple
        x = g.hx + u * g.fw / 2 * 1.02
        peak = hairline + (g.fh * 0.06) * (u - part) ** 2
        y = temple_y + (peak - temple_y) * (1 - abs(u) ** 3)
        inner.append((x, y))
    return outer + inner


def _hair_short(c: Canvas, g: Geometry, color: RGB, front: bool) -> None:
    if front:
        c.poly(_cap(g, g.hy - g.fh * 0.3, 0.35), color)
    else:
        c.ellipse(g.hx, g.hy - g.fh * 0.12, g.fw * 0.56, g.fh * 0.48, color)


def _hair_spiky(c: Canvas, g: Geometry, color: RGB, front: bool) -> None:
    if front:
        c.poly(_cap(g, g.hy - g.fh * 0.27, -0.2), color)
        for i in range(7):
            u = -0.75 + i * 0.25
            x = g.hx + u * g.fw * 0.45
            base = g.hy - g.fh * 0.47 * math.sqrt(max(0.0, 1 - (u * 0.8) ** 2))
            c.poly([(x - g.fw * 0.1, base + g.fh * 0.05), (x + g.fw * 0.04 * (1 + u), base - g.fh * 0.16),
                    (x + g.fw * 0.1, base + g.fh * 0.05)], color)
    else:
        c.ellipse(g.hx, g.hy - g.fh * 0.12, g.fw * 0.56, g.fh * 0.48, color)


def _hair_buzz(c: Canvas, g: Geometry, color: RGB, front: bool) -> None:
    if front:
        c.poly(_cap(g, g.hy - g.fh * 0.33, 0.0, lift=0.98), (*color, 215))


def _hair_bald(c: Canvas, g: Geometry, color: RGB, front: bool) -> None:
    if front:  # a fringe of hair above and behind the ears
        for side in (-1, 1):
            x = g.hx + side * g.fw * 0.5
            c.poly([(x - side * g.fw * 0.05, g.hy - g.fh * 0.22), (x + side * g.fw * 0.025, g.hy - g.fh * 0.18),
                    (x + side * g.fw * 0.035, g.hy + g.fh * 0.02), (x - side * g.fw * 0.02, g.hy - g.fh * 0.02)],
                   color)


def _hair_long(c: Canvas, g: Geometry, color: RGB, front: bool) -> None:
    if front:
        c.poly(_cap(g, g.hy - g.fh * 0.3, 0.0), color)
        for side in (-1, 1):  # strands framing the face
            x = g.hx + side * g.fw * 0.5
            c.poly([(x - side * g.fw * 0.1, g.hy - g.fh * 0.2), (x + side * g.fw * 0.06, g.hy - g.fh * 0.25),
                    (x + side * g.fw * 0.1, g.hy + g.fh * 0.55), (x - side * g.fw * 0.02, g.hy + g.fh * 0.5)],
                   color)
    else:
        c.rect(g.hx - g.fw * 0.66, g.hy - g.fh * 0.45, g.hx + g.fw * 0.66, g.hy + g.fh * 0.95, color,
               radius=g.fw * 0.45)


def _hair_bob(c: Canvas, g: Geometry, color: RGB, front: bool) -> None:
    if front:
        a, b, cy = g.fw / 2 * 1.12, g.fh / 2 * 1.06, g.hy - g.fh * 0.03
        outer = [(g.hx + a * math.cos(t), cy + b * math.sin(t)) for t in (math.pi + math.pi * i / 40
                                                                         for i in range(41))]
        fringe_y = g.hy - g.fh * 0.2
        c.poly([*outer, (g.hx + g.fw * 0.5, fringe_y), (g.hx - g.fw * 0.1, fringe_y + g.fh * 0.02),
                (g.hx - g.fw * 0.5, fringe_y)], color)
        for side in (-1, 1):
            x = g.hx + side * g.fw * 0.52
            c.poly([(x - side * g.fw * 0.08, g.hy - g.fh * 0.2), (x + side * g.fw * 0.08, g.hy - g.fh * 0.2),
                    (x + side * g.fw * 0.1, g.hy + g.fh * 0.3), (x - side * g.fw * 0.06, g.hy + g.fh * 0.3)], color)
    else:
        c.rect(g.hx - g.fw * 0.66, g.hy - g.fh * 0.5, g.hx + g.fw * 0.66, g.hy + g.fh * 0.34, color,
               radius=g.fw * 0.4)


def _bumps(c: Canvas, cx: float, cy: float, rx: float, ry: float, r: float, color: RGB, n: int = 22) -> None:
    c.ellipse(cx, cy, rx, ry, color)
    for i in range(n):
        t = 2 * math.pi * i / n
        c.ellipse(cx + rx * math.cos(t), cy + ry * math.sin(t), r, r, color)


def _hair_curly(c: Canvas, g: Geometry, color: RGB, front: bool) -> None:
    if front:
        c.poly(_cap(g, g.hy - g.fh * 0.28, 0.2), color)
        for i in range(9):
            u = -0.8 + i * 0.2
            y = g.hy - g.fh * 0.28 - g.fh * 0.14 * (1 - u * u) + g.fh * 0.02
            c.ellipse(g.hx + u * g.fw * 0.46, y, g.fw * 0.09, g.fw * 0.08, color)
    else:
        _bumps(c, g.hx, g.hy + g.fh * 0.05, g.fw * 0.66, g.fh * 0.62, g.fw * 0.13, color)


def _hair_afro(c: Canvas, g: Geometry, color: RGB, front: bool) -> None:
    if front:
        c.poly(_cap(g, g.hy - g.fh * 0.3, 0.0), color)
    else:
        _bumps(c, g.hx, g.hy - g.fh * 0.18, g.fw * 0.7, g.fh * 0.5, g.fw * 0.12, color, n=26)


def _hair_ponytail(c: Canvas, g: Geometry, color: RGB, front: bool) -> None:
    if front:
        c.poly(_cap(g, g.hy - g.fh * 0.28, -0.5), color)
    else:
        c.ellipse(g.hx, g.hy - g.fh * 0.12, g.fw * 0.56, g.fh * 0.48, color)
        c.poly([(g.hx + g.fw * 0.35, g.hy - g.fh * 0.4), (g.hx + g.fw * 0.75, g.hy - g.fh * 0.1),
                (g.hx + g.fw * 0.72, g.hy + g.fh * 0.6), (g.hx + g.fw * 0.55, g.hy + g.fh * 0.7),
                (g.hx + g.fw * 0.5, g.hy - g.fh * 0.1)], color)


def _hair_bun(c: Canvas, g: Geometry, color: RGB, front: bool) -> None:
    if front:
        c.poly(_cap(g, g.hy - g.fh * 0.32, 0.0), color)
    else:
        c.ellipse(g.hx, g.hy - g.fh * 0.12, g.fw * 0.56, g.fh * 0.48, color)
        c.ellipse(g.hx, g.hy - g.fh * 0.62, g.fw * 0.24, g.fw * 0.2, color)


def _hair_pigtails(c: Canvas, g: Geometry, color: RGB, front: bool) -> None:
    if front:
        c.poly(_cap(g, g.hy - g.fh * 0.22, 0.0), color)
    else:
        c.ellipse(g.hx, g.hy - g.fh * 0.12, g.fw * 0.56, g.fh * 0.48, color)
        for side in (-1, 1):
            _bumps(c, g.hx + side * g.fw * 0.68, g.hy + g.fh * 0.05, g.fw * 0.14, g.fh * 0.22, g.fw * 0.06, color,
                   n=12)


HAIR_STYLES: dict[str, HairPainter] = {
    "short": _hair_short, "spiky": _hair_spiky, "buzz": _hair_buzz, "bald": _hair_bald, "long": _hair_long,
    "bob": _hair_bob, "curly": _hair_curly, "afro": _hair_afro, "ponytail": _hair_ponytail, "bun": _hair_bun,
    "pigtails": _hair_pigtails,
}

# --------------------------------------------------------------------------------------------- outfits

OutfitPainter = Callable[[Canvas, Geometry, Look, list[Point]], None]  # body outline given


def _collar_u(g: Geometry, depth: float, width: float) -> list[Point]:
    cx, y0 = g.width / 2, g.neck_base_y - g.fw * 0.04
    return [(cx + width * math.cos(t), y0 + depth * math.sin(t)) for t in (math.pi * i / 30 for i in range(31))]


def _neckline(c: Canvas, g: Geometry, look: Look, depth: float, width: float) -> None:
    c.poly(_collar_u(g, depth, width), look.skin)
    c.line(_collar_u(g, depth, width), shade(look.outfit_color, 0.75), width=g.fw * 0.035)


def _outfit_tshirt(c: Canvas, g: Geometry, look: Look, body: list[Point]) -> None:
    _neckline(c, g, look, g.fw * 0.16, g.fw * 0.22)


def _outfit_sweater(c: Canvas, g: Geometry, look: Look, body: list[Point]) -> None:
    c.poly(_collar_u(g, g.fw * 0.14, g.fw * 0.24), shade(look.outfit_color, 0.8))
    c.poly(_collar_u(g, g.fw * 0.09, g.fw * 0.19), look.skin)


def _outfit_top(c: Canvas, g: Geometry, look: Look, body: list[Point]) -> None:
    _neckline(c, g, look, g.fw * 0.3, g.fw * 0.36)


def _outfit_dress(c: Canvas, g: Geometry, look: Look, body: list[Point]) -> None:
    _neckline(c, g, look, g.fw * 0.26, g.fw * 0.3)
    cx = g.width / 2
    for i in range(-4, 5):
        for j in range(1, 6):
            c.ellipse(cx + i * g.fw * 0.3 + (j % 2) * g.fw * 0.15, g.neck_base_y + j * g.fw * 0.3,
                      g.fw * 0.03, g.fw * 0.03, (*shade(look.outfit_color, 1.25), 200))


def _v_shapes(g: Geometry, depth: float, width: float) -> list[Point]:
    cx, y0 = g.width / 2, g.neck_base_y - g.fw * 0.06
    return [(cx - width, y0), (cx + width, y0), (cx, y0 + depth)]


def _outfit_blazer(c: Canvas, g: Geometry, look: Look, body: list[Point]) -> None:
    cx, y0 = g.width / 2, g.neck_base_y - g.fw * 0.06
    c.poly([(cx - g.fw * 0.3, y0), (cx + g.fw * 0.3, y0), (cx + g.fw * 0.12, g.height),
            (cx - g.fw * 0.12, g.height)], look.accent)
    c.poly(_v_shapes(g, g.fw * 0.18, g.fw * 0.18), look.skin)
    dark = shade(look.outfit_color, 0.7)
    for side in (-1, 1):
        c.poly([(cx + side * g.fw * 0.24, y0), (cx + side * g.fw * 0.42, y0 + g.fw * 0.1),
                (cx + side * g.fw * 0.26, y0 + g.fw * 0.45), (cx + side * g.fw * 0.06, y0 + g.fw * 0.95),
                (cx + side * g.fw * 0.14, y0 + g.fw * 0.2)], dark)
    c.ellipse(cx, y0 + g.fw * 1.05, g.fw * 0.03, g.fw * 0.03, dark)


def _outfit_shirt(c: Canvas, g: Geometry, look: Look, body: list[Point]) -> None:
    cx, y0 = g.width / 2, g.neck_base_y - g.fw * 0.06
    c.poly(_v_shapes(g, g.fw * 0.16, g.fw * 0.16), look.skin)
    light = shade(look.outfit_color, 1.2)
    for side in (-1, 1):
        c.poly([(cx + side * g.fw * 0.02, y0 + g.fw * 0.16), (cx + side * g.fw * 0.22, y0 - g.fw * 0.03),
                (cx + side * g.fw * 0.32, y0 + g.fw * 0.12), (cx + side * g.fw * 0.1, y0 + g.fw * 0.24)], light)
    c.line([(cx, y0 + g.fw * 0.2), (cx, g.height)], shade(look.outfit_color, 0.8), g.fw * 0.015)
    for k in range(1, 5):
        c.ellipse(cx + g.fw * 0.03, y0 + g.fw * 0.2 + k * g.fw * 0.28, g.fw * 0.018, g.fw * 0.018, light)


def _outfit_hoodie(c: Canvas, g: Geometry, look: Look, body: list[Point]) -> None:
    cx, y0 = g.width / 2, g.neck_base_y
    hood = shade(look.outfit_color, 0.82)
    c.poly([(cx + g.fw * 0.55 * math.cos(t), y0 - g.fw * 0.05 + g.fw * 0.28 * math.sin(t))
            for t in (math.pi * i / 30 for i in range(31))], hood)
    _neckline(c, g, look, g.fw * 0.12, g.fw * 0.22)
    for side in (-1, 1):
        c.line([(cx + side * g.fw * 0.12, y0 + g.fw * 0.12), (cx + side * g.fw * 0.14, y0 + g.fw * 0.6)],
               look.accent, g.fw * 0.025)
    c.rect(cx - g.fw * 0.5, y0 + g.fw * 1.1, cx + g.fw * 0.5, g.height + 10, hood, radius=g.fw * 0.1)


def _outfit_jacket(c: Canvas, g: Geometry, look: Look, body: list[Point]) -> None:
    cx, y0 = g.width / 2, g.neck_base_y - g.fw * 0.04
    c.poly([(cx - g.fw * 0.32, y0), (cx + g.fw * 0.32, y0), (cx + g.fw * 0.28, g.height),
            (cx - g.fw * 0.28, g.height)], look.accent)
    _neckline(c, g, Look(look.skin, "", look.hair, "", look.accent, ""), g.fw * 0.12, g.fw * 0.2)
    zip_color = shade(look.outfit_color, 1.5)
    for side in (-1, 1):
        c.line([(cx + side * g.fw * 0.3, y0 - g.fw * 0.02), (cx + side * g.fw * 0.26, g.height)], zip_color,
               g.fw * 0.02)
        c.poly([(cx + side * g.fw * 0.32, y0 - g.fw * 0.06), (cx + side * g.fw * 0.55, y0 + g.fw * 0.02),
                (cx + side * g.fw * 0.34, y0 + g.fw * 0.35)], shade(look.outfit_color, 0.75))


def _outfit_athletic(c: Canvas, g: Geometry, look: Look, body: list[Point]) -> None:
    c.poly(_v_shapes(g, g.fw * 0.26, g.fw * 0.2), look.skin)
    cx, y0 = g.width / 2, g.neck_base_y - g.fw * 0.06
    c.line([(cx - g.fw * 0.2, y0), (cx, y0 + g.fw * 0.26), (cx + g.fw * 0.2, y0)], look.accent, g.fw * 0.04)
    shoulder = (body[-1][0] - cx) / 1.04  # half the shoulder width, from the body outline
    for side in (-1, 1):  # raglan seams from the collar to under the arms
        c.line([(cx + side * g.fw * 0.26, y0 + g.fw * 0.02), (cx + side * shoulder * 0.9, y0 + g.fw * 0.75)],
               look.accent, g.fw * 0.045)


OUTFITS: dict[str, OutfitPainter] = {
    "tshirt": _outfit_tshirt, "sweater": _outfit_sweater, "top": _outfit_top, "dress": _outfit_dress,
    "blazer": _outfit_blazer, "shirt": _outfit_shirt, "hoodie": _outfit_hoodie, "jacket": _outfit_jacket,
    "athletic": _outfit_athletic,
}


# --------------------------------------------------------------------------------------------- parts


@dataclass
class Parts:
    geometry: Geometry
    body: Image.Image  # sprite-size: neck and torso
    head: Image.Image  # head canvas: back hair, ears, face, nose, cheeks, beard
    front: Image.Image  # head canvas: front hair, glasses
    eyes: list[Image.Image]  # one per BLINK_LEVELS entry, both eyes, at eyes_at
    eyes_at: tuple[int, int]
    brows: Image.Image
    brows_at: tuple[int, int]
    hand: Image.Image
    look: Look
    _mouths: dict[tuple[int, int, int, int], Image.Image] = field(default_factory=dict)

    def mouth(self, open_: float, wide: float, round_: float, smile: float) -> Image.Image:
        key = (round(open_ * 20), round(wide * 8), round(round_ * 8), round(smile * 6))
        img = self._mouths.get(key)
        if img is None:
            img = self._mouths[key] = draw_mouth(self.geometry, self.look, key[0] / 20, key[1] / 8, key[2] / 8,
                                                 key[3] / 6)
        return img


def _body_outline(g: Geometry, persona: Persona) -> list[Point]:
    sw = g.fw * _SHOULDERS[persona.age_range] * (0.93 if persona.gender == "f" else 1.0) / 2
    cx, y0 = g.width / 2, g.neck_base_y - g.fw * 0.06
    # the slope from the neck, then a rounded shoulder turning into the upper arm
    r = g.fw * 0.34
    inner = sw - r
    drop = g.fw * 0.2
    right = [(cx + inner * i / 20, y0 + drop * (i / 20) ** 2.2) for i in range(21)]
    for k in range(1, 17):
        t = math.pi / 2 * k / 16
        right.append((cx + inner + r * math.sin(t), y0 + drop + r * 0.9 * (1 - math.cos(t))))
    right.append((cx + sw * 1.04, g.height + 2))
    left = [(2 * cx - x, y) for x, y in reversed(right)]
    return left + right[1:]


def _neck_half_width(g: Geometry, persona: Persona) -> float:
    return g.fw * (0.21 if persona.gender == "f" or persona.age_range == "child" else 0.25)


def draw_body(g: Geometry, look: Look, persona: Persona) -> Image.Image:
    c = Canvas(g.width, g.height)
    cx = g.width / 2
    neck_w = _neck_half_width(g, persona)
    neck_top = g.neck_base_y - g.fw * 0.5
    c.rect(cx - neck_w, neck_top, cx + neck_w, g.neck_base_y + g.fw * 0.2, shade(look.skin, 0.9))
    outline = _body_outline(g, persona)
    c.poly(outline, look.outfit_color)
    OUTFITS[look.outfit](c, g, look, outline)
    # a soft shadow on the neck under the chin
    shadow = Canvas(g.width, g.height)
    shadow.ellipse(cx, neck_top + g.fw * 0.08, neck_w * 1.2, g.fw * 0.16, (*shade(look.skin, 0.6), 110))
    blurred = _soft(shadow.img, g.fw * 0.05)
    neck_mask = Image.new("L", c.img.size, 0)
    ImageDraw.Draw(neck_mask).rectangle(((cx - neck_w) * SS, neck_top * SS, (cx + neck_w) * SS,
                                         g.neck_base_y * SS), fill=255)
    c.paste_masked(blurred, neck_mask)
    return c.final()


def draw_head(g: Geometry, look: Look, persona: Persona) -> tuple[Image.Image, Image.Image]:
    """(head, front): everything on the head that does not move by itself."""
    c = Canvas(g.head_w, g.head_h)
    HAIR_STYLES[look.hair_style](c, g, look.hair, False)
    # keep the neck visible in front of long back hair
    neck_w = _neck_half_width(g, persona)
    clear = Image.new("L", c.img.size, 255)
    ImageDraw.Draw(clear).rectangle(((g.hx - neck_w) * SS, (g.hy + g.fh * 0.3) * SS, (g.hx + neck_w) * SS,
                                     g.head_h * SS), fill=0)
    c.img.putalpha(_min_alpha(c.img, clear))

    outline = shade(look.skin, 0.72)
    for side in (-1, 1):  # ears
        c.ellipse(g.hx + side * g.fw * 0.49, g.eye_y + g.fh * 0.06, g.fw * 0.08, g.fh * 0.1, look.skin,
                  outline, 1.2)
        c.ellipse(g.hx + side * g.fw * 0.5, g.eye_y + g.fh * 0.06, g.fw * 0.035, g.fh * 0.05, shade(look.skin, 0.85))
    jaw = 0.3 if persona.age_range in ("adult", "senior") and persona.gender == "m" else 0.22
    face = egg(g.hx, g.hy, g.fw / 2, g.fh / 2, jaw=jaw)
    c.poly(face, look.skin)
    mask = _mask_of(c, face)
    # shading: darker towards the edges of the face, a little light on the forehead
    shading = Canvas(g.head_w, g.head_h)
    shading.line([*face, face[0]], (*shade(look.skin, 0.78), 150), g.fw * 0.09)
    shading.ellipse(g.hx - g.fw * 0.08, g.hy - g.fh * 0.25, g.fw * 0.2, g.fh * 0.1, (255, 255, 255, 40))
    for side in (-1, 1):  # cheeks
        blush = (232, 110, 110, 70 if persona.gender != "m" or persona.age_range == "child" else 35)
        shading.ellipse(g.hx + side * g.fw * 0.26, g.hy + g.fh * 0.14, g.fw * 0.1, g.fw * 0.06, blush)
    c.paste_masked(_soft(shading.img, g.fw * 0.035), mask)
    c.line([*face, face[0]], outline, 1.3)
    if look.beard:
        # stubble along the jaw below the mouth line, fading upwards, and a thin moustache
        beard = Canvas(g.head_w, g.head_h)
        beard.poly(egg(g.hx, g.hy + g.fh * 0.06, g.fw / 2 * 1.02, g.fh * 0.44, jaw=jaw), (*look.hair, 170))
        beard.ellipse(g.hx, g.mouth_y + g.fh * 0.01, g.mouth_w * 0.62, g.fh * 0.06, (0, 0, 0, 0))
        beard_img = _soft(beard.img, g.fw * 0.02)
        lower = Image.new("L", c.img.size, 0)
        fade = ImageDraw.Draw(lower)
        top = g.hy + g.fh * 0.14
        for k in range(12):  # a soft upper edge instead of a hard line across the cheeks
            fade.rectangle((0, (top + k * g.fh * 0.012) * SS, c.img.size[0], c.img.size[1]), fill=20 * (k + 1))
        from PIL import ImageChops

        c.paste_masked(beard_img, ImageChops.multiply(mask, lower))
        c.line([(g.hx - g.mouth_w * 0.55, g.mouth_y - g.fh * 0.03), (g.hx, g.mouth_y - g.fh * 0.055),
                (g.hx + g.mouth_w * 0.55, g.mouth_y - g.fh * 0.03)], (*look.hair, 200), g.fw * 0.035)
    # nose
    nose_y = g.hy + g.fh * 0.12
    c.line([(g.hx - g.fw * 0.05, nose_y), (g.hx, nose_y + g.fh * 0.025), (g.hx + g.fw * 0.05, nose_y)],
           shade(look.skin, 0.7), 1.6)
    c.line([(g.hx + g.fw * 0.02, g.eye_y + g.fh * 0.04), (g.hx + g.fw * 0.045, nose_y - g.fh * 0.03)],
           (*shade(look.skin, 0.8), 160), 1.2)
    if persona.age_range == "senior":
        for k in range(2):  # forehead lines and smile folds
            y = g.hy - g.fh * (0.26 + 0.05 * k)
            c.line([(g.hx - g.fw * 0.15, y + 2), (g.hx, y), (g.hx + g.fw * 0.15, y + 2)], (*outline, 120), 1.0)
        for side in (-1, 1):
            c.line([(g.hx + side * g.fw * 0.14, nose_y), (g.hx + side * g.fw * 0.2, g.mouth_y + g.fh * 0.04)],
                   (*outline, 110), 1.0)

    f = Canvas(g.head_w, g.head_h)
    HAIR_STYLES[look.hair_style](f, g, look.hair, True)
    if look.glasses:
        frame = (40, 36, 40)
        for side in (-1, 1):
            f.rect(g.hx + side * g.eye_dx - g.fw * 0.13, g.eye_y - g.fw * 0.09, g.hx + side * g.eye_dx + g.fw * 0.13,
                   g.eye_y + g.fw * 0.09, (255, 255, 255, 30), radius=g.fw * 0.05)
            box = (g.hx + side * g.eye_dx - g.fw * 0.13, g.eye_y - g.fw * 0.09, g.hx + side * g.eye_dx + g.fw * 0.13,
                   g.eye_y + g.fw * 0.09)
            f.draw.rounded_rectangle(tuple(v * SS for v in box), radius=g.fw * 0.05 * SS, outline=frame,
                                     width=round(g.fw * 0.022 * SS))
        f.line([(g.hx - g.eye_dx + g.fw * 0.13, g.eye_y - g.fw * 0.02),
                (g.hx + g.eye_dx - g.fw * 0.13, g.eye_y - g.fw * 0.02)], frame, g.fw * 0.02)
    return c.final(), f.final()


def draw_eyes(g: Geometry, look: Look, persona: Persona, blink: float) -> tuple[Image.Image, tuple[int, int]]:
    ew = g.fw * (0.12 if persona.age_range == "child" else 0.105)
    eh = ew * 0.62
    w, h = round(g.eye_dx * 2 + ew * 3), round(eh * 3.2)
    left, top = round(g.hx - w / 2), round(g.eye_y - h / 2)
    c = Canvas(w, h)
    lid = shade(look.skin, 0.93)
    lash = (34, 26, 26)
    for side in (-1, 1):
        cx, cy = w / 2 + side * g.eye_dx, h / 2
        sclera = [(cx + ew * math.cos(t), cy + eh * math.sin(t) * (1.05 if math.sin(t) < 0 else 0.85))
                  for t in (2 * math.pi * i / 48 for i in range(48))]
        c.poly(sclera, (250, 248, 245))
        mask = _mask_of(c, sclera)
        iris = Canvas(w, h)
        ir = eh * 0.95
        iris.ellipse(cx, cy + eh * 0.05, ir, ir, look.eyes)
        iris.ellipse(cx, cy + eh * 0.05, ir * 0.5, ir * 0.5, (20, 16, 16))
        iris.ellipse(cx + ir * 0.35, cy - ir * 0.3, ir * 0.22, ir * 0.22, (255, 255, 255))
        c.paste_masked(iris.img, mask)
        # the upper lid comes down with `blink`; at 1 its edge is the lower rim (a closed-eye arc)
        edge = []
        for i in range(25):
            u = -1 + 2 * i / 24
            edge.append((cx + u * ew, cy - eh * math.sqrt(max(0.0, 1 - u * u)) * (1 - 2 * blink) * 0.95))
        cover = Canvas(w, h)
        cover.poly([(cx + ew * 1.1, cy - eh * 1.6), (cx - ew * 1.1, cy - eh * 1.6), *edge], lid)
        c.paste_masked(cover.img, mask)
        c.line(edge, lash, g.fw * (0.02 if persona.gender == "f" else 0.014))
        if persona.gender == "f" and blink < 0.9:  # a flick at the outer corner
            c.line([edge[0 if side < 0 else -1], (cx + side * ew * 1.25, cy - eh * 0.55)], lash, g.fw * 0.012)
    return c.final(), (left, top)


def draw_brows(g: Geometry, look: Look) -> tuple[Image.Image, tuple[int, int]]:
    w, h = round(g.eye_dx * 2 + g.fw * 0.4), round(g.fw * 0.2)
    left, top = round(g.hx - w / 2), round(g.eye_y - g.fw * 0.2 - h / 2)
    c = Canvas(w, h)
    color = shade(look.hair, 0.8) if sum(look.hair) < 500 else shade(look.hair, 0.7)
    for side in (-1, 1):
        cx, cy = w / 2 + side * g.eye_dx, h / 2
        pts = [(cx - side * g.fw * 0.09, cy + g.fw * 0.02), (cx, cy - g.fw * 0.02),
               (cx + side * g.fw * 0.1, cy + g.fw * 0.01)]
        c.line(pts, color, g.fw * 0.04)
    return c.final(), (left, top)


def draw_hand(g: Geometry, look: Look) -> Image.Image:
    """A raised open hand with a cuff, for gestures; it rises from the bottom edge."""
    w, h = round(g.fw * 0.9), round(g.fw * 1.3)
    c = Canvas(w, h)
    palm_cx, palm_cy = w * 0.5, h * 0.5
    pw, ph = w * 0.27, h * 0.17
    outline = shade(look.skin, 0.7)
    for k, (dx, length) in enumerate(((-0.2, 0.26), (-0.07, 0.3), (0.07, 0.29), (0.2, 0.24))):
        x = palm_cx + dx * w
        c.rect(x - w * 0.055, palm_cy - ph - length * h * 0.8, x + w * 0.055, palm_cy, look.skin, radius=w * 0.05)
        c.draw.rounded_rectangle(((x - w * 0.055) * SS, (palm_cy - ph - length * h * 0.8) * SS,
                                  (x + w * 0.055) * SS, palm_cy * SS), radius=w * 0.05 * SS, outline=outline,
                                 width=SS)
        del k
    thumb = [(palm_cx - pw * 0.7, palm_cy + ph * 0.3), (palm_cx - pw * 1.45, palm_cy - ph * 1.1)]
    c.line(thumb, outline, w * 0.13)
    c.line(thumb, look.skin, w * 0.13 - 2)
    for x, y in thumb[1:]:
        c.ellipse(x, y, w * 0.065, w * 0.065, look.skin, outline, 1)
    c.ellipse(palm_cx, palm_cy, pw, ph, look.skin, outline, 1)
    c.rect(palm_cx - pw * 0.8, palm_cy, palm_cx + pw * 0.8, h, look.skin)
    cuff = shade(look.outfit_color, 0.85)
    c.rect(palm_cx - pw * 1.05, palm_cy + ph * 1.6, palm_cx + pw * 1.05, h, cuff, radius=w * 0.04)
    c.line([(palm_cx - pw * 1.05, palm_cy + ph * 1.6), (palm_cx + pw * 1.05, palm_cy + ph * 1.6)],
           shade(look.outfit_color, 0.6), 1.5)
    return c.final()


def draw_mouth(g: Geometry, look: Look, open_: float, wide: float, round_: float, smile: float) -> Image.Image:
    left, top, w, h = g.mouth_box()
    c = Canvas(w, h)
    cx, cy = w / 2, h * 0.4
    base = g.mouth_w
    half_w = base / 2 * (0.78 + 0.35 * wide - 0.38 * round_ + 0.12 * smile)
    gap = base * 0.5 * open_ * (1 + 0.45 * round_)  # rounded lips: narrower but taller
    corner = base * 0.14 * smile
    lips = look.lips or mix(shade(look.skin, 0.78), (200, 90, 90), 0.35)
    power = 0.75 - 0.3 * round_

    def curve(k_up: float, k_down: float, thick: float) -> tuple[list[Point], list[Point]]:
        upper, lower = [], []
        for i in range(33):
            u = -1 + 2 * i / 32
            bell = (1 - u * u) ** power
            lift = -corner * u * u
            upper.append((cx + u * half_w, cy - gap * k_up * bell + lift - thick * (1 - u * u) ** 0.5))
            lower.append((cx + u * half_w, cy + gap * k_down * bell + lift + thick * 1.2 * (1 - u * u) ** 0.5))
        return upper, lower

    lip_t = base * 0.07
    outer_up, outer_lo = curve(0.35, 0.65, lip_t)
    c.poly(outer_up + outer_lo[::-1], lips)
    inner_up, inner_lo = curve(0.35, 0.65, 0.0)
    if open_ > 0.04:
        cavity = inner_up + inner_lo[::-1]
        c.poly(cavity, CAVITY)
        mask = _mask_of(c, cavity)
        inside = Canvas(w, h)
        inside.rect(cx - half_w, cy - gap * 0.35 - base * 0.2, cx + half_w, cy - gap * 0.35 + base * 0.08,
                    (246, 244, 238))
        inside.ellipse(cx, cy + gap * 0.65 + base * 0.05, half_w * 0.6, base * 0.16 + gap * 0.12, (200, 96, 104))
        c.paste_masked(inside.img, mask)
    c.line(inner_up, shade(lips, 0.55), base * 0.025)
    return c.final()


def draw_parts(look: Look, persona: Persona, size: tuple[int, int]) -> Parts:
    g = geometry_for(persona, size)
    head, front = draw_head(g, look, persona)
    eyes = [draw_eyes(g, look, persona, level) for level in BLINK_LEVELS]
    brows, brows_at = draw_brows(g, look)
    return Parts(geometry=g, body=draw_body(g, look, persona), head=head, front=front, eyes=[e[0] for e in eyes],
                 eyes_at=eyes[0][1], brows=brows, brows_at=brows_at, hand=draw_hand(g, look), look=look)
