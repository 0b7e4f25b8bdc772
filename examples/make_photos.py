"""Draws the sample shop's product photos (run once; the JPEGs are committed).

Studio-style renders of an insulated bottle in three colours plus a lifestyle shot, so the demo
has real-looking photos of its own and no third-party images.
"""

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

OUT = Path(__file__).parent / "aerobottle" / "img"
SIZE = 1200


def backdrop(top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    t = np.linspace(0, 1, SIZE)[:, None, None]
    arr = np.array(top)[None, None, :] * (1 - t) + np.array(bottom)[None, None, :] * t
    arr = np.repeat(arr, SIZE, axis=1)
    noise = np.random.default_rng(1).normal(0, 2.0, arr.shape)
    return Image.fromarray(np.clip(arr + noise, 0, 255).astype(np.uint8))


def bottle(color: tuple[int, int, int], w: int = 300, h: int = 820) -> Image.Image:
    """A bottle with cylindrical shading: brightness follows the cosine of the surface angle."""
    x = np.linspace(-1, 1, w)
    shade = 0.35 + 0.75 * np.sqrt(np.clip(1 - x**2, 0, 1)) - 0.25 * x
    highlight = np.exp(-((x + 0.45) ** 2) / 0.004) * 0.9
    body = np.clip(np.array(color)[None, :] * shade[:, None] + 255 * highlight[:, None], 0, 255)
    img = np.repeat(body[None, :, :], h, axis=0).astype(np.uint8)
    rgba = Image.fromarray(img).convert("RGBA")
    mask = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(mask)
    d.rounded_rectangle((0, 150, w - 1, h - 1), 60, fill=255)
    d.rounded_rectangle((w * 0.18, 40, w * 0.82, 200), 30, fill=255)  # shoulder + neck
    rgba.putalpha(mask)
    # cap: dark steel
    cap = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    cd = ImageDraw.Draw(cap)
    cd.rounded_rectangle((w * 0.16, 0, w * 0.84, 110), 26, fill=(40, 42, 48, 255))
    cd.rounded_rectangle((w * 0.16, 12, w * 0.84, 30), 8, fill=(70, 74, 82, 255))
    cd.line((w * 0.3, 70, w * 0.7, 70), fill=(90, 94, 102, 255), width=6)
    rgba = Image.alpha_composite(rgba, cap)
    # label: a light band with the brand
    label = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    ld = ImageDraw.Draw(label)
    ld.rectangle((0, 430, w, 560), fill=(250, 250, 246, 215))
    font = ImageFont.load_default(size=58)
    ld.text((w // 2, 495), "AERO", font=font, fill=(30, 30, 36, 255), anchor="mm")
    label.putalpha(Image.composite(label.getchannel("A"), Image.new("L", (w, h), 0), mask))
    return Image.alpha_composite(rgba, label)


def studio(colors: list[tuple[int, int, int]], bg: tuple[tuple[int, int, int], tuple[int, int, int]],
           name: str) -> None:
    img = backdrop(*bg).convert("RGBA")
    n = len(colors)
    for i, color in enumerate(colors):
        b = bottle(color)
        scale = 1.0 if n == 1 else 0.8
        b = b.resize((int(b.width * scale), int(b.height * scale)), Image.Resampling.LANCZOS)
        cx = SIZE // 2 + int((i - (n - 1) / 2) * 300)
        y = SIZE - b.height - 150
        shadow = Image.new("L", img.size, 0)
        ImageDraw.Draw(shadow).ellipse((cx - b.width * 0.6, y + b.height - 30, cx + b.width * 0.6,
                                        y + b.height + 40), fill=120)
        img.paste((0, 0, 0, 255), mask=shadow.filter(ImageFilter.GaussianBlur(25)))
        img.alpha_composite(b, (cx - b.width // 2, y))
    img.convert("RGB").save(OUT / name, quality=88)


def lifestyle() -> None:
    img = backdrop((214, 196, 170), (140, 116, 90)).convert("RGBA")
    d = ImageDraw.Draw(img)
    d.rectangle((0, 820, SIZE, SIZE), fill=(120, 86, 60, 255))  # wooden desk
    for k in range(12):
        d.line((0, 840 + k * 30, SIZE, 835 + k * 30), fill=(105, 74, 52, 255), width=3)
    d.rounded_rectangle((620, 640, 1060, 830), 18, fill=(46, 52, 64, 255))  # laptop
    d.rounded_rectangle((560, 815, 1120, 840), 8, fill=(70, 76, 90, 255))
    d.ellipse((120, 60, 420, 360), fill=(255, 236, 190, 255))  # window light
    img = img.filter(ImageFilter.GaussianBlur(2))
    b = bottle((0, 150, 160))
    b = b.resize((int(b.width * 0.8), int(b.height * 0.8)), Image.Resampling.LANCZOS)
    img.alpha_composite(b, (300, 840 - b.height))
    img.convert("RGB").save(OUT / "aero-desk.jpg", quality=88)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    studio([(0, 150, 160)], ((236, 240, 242), (198, 206, 212)), "aero-teal.jpg")
    studio([(230, 96, 80)], ((250, 238, 230), (220, 200, 190)), "aero-coral.jpg")
    studio([(60, 64, 72)], ((232, 232, 232), (180, 182, 186)), "aero-graphite.jpg")
    studio([(0, 150, 160), (230, 96, 80), (60, 64, 72)], ((240, 240, 236), (200, 200, 196)), "aero-trio.jpg")
    lifestyle()
