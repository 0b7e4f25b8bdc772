"""The scenes behind presenters: a registry of small painters, drawn once and softly blurred (depth of field).

    paint_scene("kitchen", (540, 720)) -> RGBA image of that size

Each location kind has one painter with a palette; the blur keeps the simple shapes from
competing with the presenter.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter

RGB = tuple[int, int, int]


def _gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    w, h = size
    column = Image.new("RGB", (1, h))
    for y in range(h):
        t = y / max(1, h - 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return column.resize((w, h)).convert("RGBA")


@dataclass(frozen=True)
class Room:
    wall: RGB
    floor: RGB
    accent: RGB
    window: bool = True
    shelf: bool = True

    def paint(self, size: tuple[int, int], rng: random.Random) -> Image.Image:
        w, h = size
        img = _gradient(size, tuple(min(255, c + 20) for c in self.wall), self.wall)
        d = ImageDraw.Draw(img)
        d.rectangle((0, h * 0.72, w, h), fill=self.floor)
        if self.window:
            x0, y0 = w * 0.05, h * 0.1
            d.rectangle((x0, y0, x0 + w * 0.32, y0 + h * 0.36), fill=(250, 250, 245))
            d.rectangle((x0 + 8, y0 + 8, x0 + w * 0.32 - 8, y0 + h * 0.36 - 8), fill=(200, 228, 248))
            d.line((x0 + w * 0.16, y0, x0 + w * 0.16, y0 + h * 0.36), fill=(250, 250, 245), width=6)
        if self.shelf:
            sx = w * 0.62
            d.rectangle((sx, h * 0.3, w * 0.98, h * 0.32), fill=(150, 110, 80))
            for k in range(4):
                bw = w * 0.05 + rng.random() * w * 0.03
                bx = sx + 10 + k * w * 0.085
                bh = h * (0.06 + rng.random() * 0.05)
                d.rectangle((bx, h * 0.3 - bh, bx + bw, h * 0.3), fill=self.accent if k % 2 else
                            tuple(max(0, c - 50) for c in self.accent))
            d.ellipse((w * 0.8, h * 0.5, w * 0.98, h * 0.62), fill=(70, 140, 80))
            d.rectangle((w * 0.85, h * 0.58, w * 0.93, h * 0.72), fill=(180, 110, 80))
        return img


@dataclass(frozen=True)
class Outdoors:
    sky: RGB
    ground: RGB
    kind: str  # hills | city | mountains | park

    def paint(self, size: tuple[int, int], rng: random.Random) -> Image.Image:
        w, h = size
        img = _gradient(size, self.sky, (250, 246, 236))
        d = ImageDraw.Draw(img)
        d.ellipse((w * 0.7, h * 0.05, w * 0.9, h * 0.2), fill=(255, 244, 200))
        if self.kind == "city":
            for k in range(8):
                bx = k * w / 7 - 20
                bh = h * (0.3 + rng.random() * 0.35)
                tone = 120 + rng.randrange(60)
                d.rectangle((bx, h * 0.8 - bh, bx + w / 7 - 6, h), fill=(tone, tone - 10, tone + 10))
                for wy in range(int(h * 0.8 - bh) + 12, int(h * 0.8), 26):
                    d.rectangle((bx + 10, wy, bx + 24, wy + 12), fill=(250, 230, 160))
        elif self.kind == "mountains":
            d.polygon([(0, h * 0.6), (w * 0.3, h * 0.25), (w * 0.55, h * 0.55), (w * 0.8, h * 0.2), (w, h * 0.5),
                       (w, h), (0, h)], fill=(120, 140, 170))
            d.polygon([(w * 0.24, h * 0.32), (w * 0.3, h * 0.25), (w * 0.36, h * 0.32)], fill=(250, 250, 250))
        else:
            d.ellipse((-w * 0.3, h * 0.5, w * 0.8, h * 0.95), fill=tuple(min(255, c + 30) for c in self.ground))
            d.ellipse((w * 0.4, h * 0.55, w * 1.4, h), fill=tuple(min(255, c + 15) for c in self.ground))
        d.rectangle((0, h * 0.78, w, h), fill=self.ground)
        if self.kind in ("park", "hills", "mountains"):
            for k in range(5):
                tx = rng.random() * w
                ty = h * (0.55 + rng.random() * 0.15)
                d.rectangle((tx - 5, ty, tx + 5, ty + h * 0.15), fill=(100, 70, 50))
                d.ellipse((tx - 40, ty - 60, tx + 40, ty + 20), fill=(60 + k * 10, 130, 70))
        if self.kind == "park":
            d.polygon([(w * 0.05, h * 0.78), (w * 0.35, h * 0.78), (w * 0.35, h * 0.66)], fill=(170, 170, 180))
        return img


@dataclass(frozen=True)
class Fantasy:
    top: RGB
    bottom: RGB
    glow: RGB
    kind: str  # forest | neon

    def paint(self, size: tuple[int, int], rng: random.Random) -> Image.Image:
        w, h = size
        img = _gradient(size, self.top, self.bottom)
        d = ImageDraw.Draw(img)
        for _ in range(60):
            x, y = rng.random() * w, rng.random() * h * 0.6
            r = rng.random() * 2 + 1
            d.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 240))
        if self.kind == "neon":
            for k in range(7):
                bx = k * w / 6 - 20
                bh = h * (0.35 + rng.random() * 0.4)
                d.rectangle((bx, h - bh, bx + w / 6 - 8, h), fill=(20, 18, 40), outline=self.glow, width=3)
                for wy in range(int(h - bh) + 14, h, 30):
                    color = self.glow if rng.random() < 0.5 else (255, 60, 200)
                    d.rectangle((bx + 12, wy, bx + 30, wy + 8), fill=color)
        else:
            for k in range(6):
                tx = k * w / 5
                d.rectangle((tx - 14, h * 0.3, tx + 14, h), fill=(30, 40, 60))
                d.ellipse((tx - 90, h * 0.1, tx + 90, h * 0.45), fill=(30, 80 + k * 8, 90))
            for _ in range(14):
                x, y = rng.random() * w, h * (0.4 + rng.random() * 0.5)
                d.ellipse((x - 10, y - 10, x + 10, y + 10), fill=self.glow)
            d.ellipse((w * 0.1, h * 0.8, w * 0.3, h * 0.9), fill=(220, 60, 80))
            d.rectangle((w * 0.18, h * 0.85, w * 0.22, h), fill=(240, 230, 210))
        return img


@dataclass(frozen=True)
class Backdrop:
    center: RGB
    edge: RGB

    def paint(self, size: tuple[int, int], rng: random.Random) -> Image.Image:
        w, h = size
        img = Image.new("RGBA", size, (*self.edge, 255))
        d = ImageDraw.Draw(img)
        steps = 24
        for k in range(steps):
            t = k / steps
            color = tuple(round(e + (c - e) * t) for c, e in zip(self.center, self.edge, strict=True))
            rx, ry = w * (1.0 - 0.6 * t), h * (0.8 - 0.45 * t)
            d.ellipse((w / 2 - rx, h * 0.4 - ry, w / 2 + rx, h * 0.4 + ry), fill=color)
        return img


Painter = Room | Outdoors | Fantasy | Backdrop

SCENES: dict[str, Painter] = {
    "kitchen": Room((246, 232, 214), (196, 160, 126), (230, 120, 80)),
    "studio": Backdrop((92, 108, 140), (30, 36, 52)),
    "bathroom": Room((214, 232, 236), (236, 236, 236), (120, 190, 200), window=False),
    "skatepark": Outdoors((120, 180, 236), (150, 150, 156), "park"),
    "bedroom": Room((228, 214, 240), (180, 140, 120), (240, 150, 190)),
    "livingroom": Room((232, 220, 196), (150, 110, 80), (180, 90, 70)),
    "garden": Outdoors((150, 200, 240), (110, 170, 90), "hills"),
    "city": Outdoors((170, 200, 230), (110, 110, 116), "city"),
    "creative": Room((250, 240, 220), (210, 190, 160), (60, 150, 220), window=True),
    "backyard": Outdoors((140, 196, 244), (100, 180, 80), "hills"),
    "playroom": Room((255, 236, 180), (120, 190, 230), (240, 90, 90)),
    "mountains": Outdoors((110, 160, 220), (120, 150, 90), "mountains"),
    "forest": Fantasy((20, 30, 70), (60, 120, 110), (250, 240, 140), "forest"),
    "neon": Fantasy((16, 10, 40), (90, 20, 90), (0, 230, 230), "neon"),
    "backdrop": Backdrop((230, 232, 238), (170, 176, 190)),
    "gym": Room((70, 74, 84), (50, 50, 56), (200, 60, 60), window=False),
}

def paint_scene(name: str, size: tuple[int, int]) -> Image.Image:
    rng = random.Random(name)  # the same scene every time
    img = SCENES[name].paint(size, rng)
    return img.filter(ImageFilter.GaussianBlur(max(2.0, size[0] / 140)))

