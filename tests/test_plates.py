"""Stills drawn by Pillow: cards keep their text inside at every size."""

import numpy as np
import pytest

from linkreel.media.plates import end_card, title_card

ACCENT = (255, 214, 0)


def _accent_box(img: np.ndarray) -> tuple[int, int, int, int]:
    mask = (np.abs(img[..., :3].astype(int) - ACCENT).sum(axis=2) < 30) & (img[..., 3] > 200)
    ys, xs = np.nonzero(mask)
    assert len(ys), "no price pill drawn"
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


TITLES = ["AeroBottle Pro 750 ml Insulated Steel Water Bottle", "Mug", "スーパー加湿器 プロ 大容量タイプ"]


@pytest.mark.parametrize("size", [(950, 192), (475, 96), (768, 324), (384, 162), (950, 130)])
@pytest.mark.parametrize("title", TITLES)
def test_title_card_price_pill_inside(size: tuple[int, int], title: str) -> None:
    card = np.asarray(title_card(title, "34,95 $", size, ACCENT, "de"))
    x0, y0, x1, y1 = _accent_box(card)
    w, h = size
    assert x0 > 0 and x1 < w - 1 and y0 > 0 and y1 < h - 2  # the pill is whole, not cut by the edge
    text = (card[..., :3].min(axis=2) > 240) & (card[..., 3] > 200)  # white title pixels
    assert text[: y0].any()  # the title sits above the pill


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080), (1080, 1080)])
def test_end_card_button_inside_safe_area(size: tuple[int, int], tmp_path) -> None:
    from PIL import Image

    photo = tmp_path / "p.jpg"
    Image.new("RGB", (800, 800), (40, 120, 200)).save(photo)
    img = np.asarray(end_card(str(photo), "Tap to shop", "AeroBottle Pro 750 ml Insulated", "$34.95", "Aero",
                              size, ACCENT, "en").convert("RGBA"))
    x0, y0, x1, y1 = _accent_box(img)
    w, h = size
    # Inside the part still visible at the end card's largest zoom (1.04) and above the caption band.
    margin_x, margin_y = w * 0.02, h * 0.02
    assert margin_x < x0 and x1 < w - margin_x and margin_y < y0 and y1 < h * 0.72
