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


# --- product photos: smart crop, cut-out, palette ---------------------------------------------

PRODUCT = (30, 90, 220)  # a blue product
LABEL = (236, 232, 228)  # a label as light as the studio background


def _studio_shot(size: tuple[int, int] = (1200, 800), at: tuple[int, int] = (880, 260)):  # noqa: ANN202
    """A blue 'bottle' with a light label, off centre, on a vertical light-grey gradient."""
    from PIL import ImageDraw

    from linkreel.media.plates import gradient

    img = gradient(size, (242, 240, 236), (214, 212, 208))
    x, y = at
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((x, y, x + 180, y + 420), 30, fill=PRODUCT)
    draw.rectangle((x, y + 160, x + 180, y + 240), fill=LABEL)  # spans the whole width, like a real label
    return img


def test_smart_cover_keeps_an_off_centre_product() -> None:
    from PIL import ImageOps

    from linkreel.media.product_image import analyse, smart_cover

    img = _studio_shot()
    shot = analyse(img)
    assert shot.plain_background
    x0, y0, x1, y1 = shot.bbox
    assert abs(x0 - 880) < 12 and abs(x1 - 1060) < 12 and abs(y0 - 260) < 12 and abs(y1 - 680) < 12

    def blue(a: np.ndarray) -> int:
        return int(((np.abs(a.astype(int) - PRODUCT).sum(axis=2)) < 40).sum())

    size = (360, 640)
    smart = np.asarray(smart_cover(img, size, shot))
    centre = np.asarray(ImageOps.fit(img, size))
    scale = 640 / 800
    whole = (180 * 420 - 180 * 80) * scale * scale  # the blue area, label excluded
    assert blue(smart) > 0.95 * whole  # all of the product is in the crop
    assert blue(centre) < 0.5 * whole  # a centre crop would have cut it


def test_cutout_removes_a_plain_background_and_keeps_a_light_label() -> None:
    from linkreel.media.product_image import cutout

    piece = cutout(_studio_shot())
    assert piece is not None and piece.mode == "RGBA"
    a = np.asarray(piece)
    h, w = a.shape[:2]
    assert abs(w - 180) < 10 and abs(h - 420) < 10  # cropped to the product
    label = a[int(h * 0.45):int(h * 0.5), w // 3: 2 * w // 3]
    assert (label[..., 3] > 240).all()  # the label, as light as the background, stays
    assert (a[2:8, 2:8, 3] < 40).all()  # the rounded corner's background is gone


def test_cutout_declines_a_busy_background() -> None:
    from PIL import Image

    from linkreel.media.product_image import cutout

    rng = np.random.default_rng(7)
    busy = Image.fromarray(rng.integers(0, 255, (600, 800, 3), dtype=np.uint8), "RGB")
    assert cutout(busy) is None


def test_palette_backdrop_follows_the_product_colour() -> None:
    from linkreel.media.product_image import analyse, backdrop_colors

    shot = analyse(_studio_shot())
    r, g, b = shot.palette[0]
    assert b > r + 80 and b > g + 60  # the blue product, not the grey background
    deep, light = backdrop_colors(shot.palette)
    assert deep[2] > deep[0] and light[2] > light[0]


def test_product_card_plate_stands_the_cut_out_on_the_style_backdrop(tmp_path) -> None:
    from linkreel.media.plates import image_plate
    from linkreel.media.templates import get_style
    from linkreel.media.timeline import ImageClip, Motion

    src = tmp_path / "p.jpg"
    _studio_shot().save(src, quality=95)
    style = get_style("MotionCardsTemplate")  # product card on the ocean gradient
    clip = ImageClip(src=str(src), start_ms=0, end_ms=1000, motion=Motion(), product_box=style.family.product,
                     fit=style.family.fit, backdrop=style.theme.backdrop)  # type: ignore[arg-type]
    size = (540, 960)
    plate = np.asarray(image_plate(clip, "9x16", size)).astype(int)
    x, y, w, h = style.family.product["9x16"].pixels(*size)
    top, bottom = style.theme.backdrop.colors
    assert np.abs(plate[2, 2] - top).sum() < 30  # the style's backdrop, not the photo's grey
    region = plate[y:y + h, x:x + w]
    blue = (np.abs(region - PRODUCT).sum(axis=2) < 50).mean()
    assert blue > 0.1  # the product stands in its box
    grey = (np.abs(region - (228, 226, 222)).sum(axis=2) < 20).mean()
    assert grey < 0.02  # without its studio background


def test_photo_read_once_and_again_when_it_changes(tmp_path) -> None:
    from PIL import Image

    from linkreel.media.plates import source

    path = tmp_path / "shot.png"
    Image.new("RGB", (200, 300), (250, 250, 250)).save(path)
    first = source(path)
    assert source(path) is first  # analysed once, shared by every plate of the photo
    assert first.image.size == (200, 300)
    Image.new("RGB", (120, 80), (10, 10, 10)).save(path)
    again = source(path)
    assert again is not first and again.image.size == (120, 80)
