"""Layout families: where each layer of a scene sits, per aspect, inside the platform safe areas.

A family is a layout program over the storyboard: product picture, b-roll, avatar slot, panel,
title card, stickers and captions each get a box per aspect. Boxes re-flow per aspect (a split is
top/bottom in 9:16 and left/right in 16:9); nothing is a centre crop of another aspect's frame.
Text boxes stay inside `SAFE_AREAS` (TikTok/Reels/Shorts buttons and bars cover the rest).
"""

from dataclasses import dataclass
from typing import Literal

from linkreel.media.timeline import ASPECTS, Box

PerAspect = dict[str, Box]
Fit = Literal["contain", "cover", "cutout"]


def box(x: float, y: float, w: float, h: float) -> Box:
    return Box(x=x, y=y, w=w, h=h)


def every(b: Box) -> PerAspect:
    return {a: b for a in ASPECTS}


FULL = every(box(0.0, 0.0, 1.0, 1.0))

# Where text and stickers may go: 9:16 keeps clear of the top bar, the right-hand button column
# and the bottom description; 16:9 and 1:1 keep a title-safe margin.
SAFE_AREAS: PerAspect = {"9x16": box(0.06, 0.07, 0.82, 0.73), "16x9": box(0.04, 0.05, 0.92, 0.87),
                         "1x1": box(0.05, 0.05, 0.90, 0.87)}


def square(aspect: str, x: float, y: float, w: float) -> Box:
    """A box that is square in pixels: `w` is a fraction of the width."""
    ratio = {"9x16": 9 / 16, "16x9": 16 / 9, "1x1": 1.0}[aspect]
    return box(x, y, w, w * ratio)


@dataclass(frozen=True)
class Family:
    """One layout program. `product_solo` is used when no avatar fills the avatar slot."""

    name: str
    fit: Fit
    product: PerAspect
    title: PerAspect
    caption: PerAspect
    sticker: PerAspect  # emotive accents, price tag and hook banner share this corner
    banner: PerAspect  # the hook line, big, during the first scene
    product_solo: PerAspect | None = None
    panel: PerAspect | None = None  # coloured block with the scene's words (split, editorial)
    avatar: PerAspect | None = None
    avatar_circle: bool = False
    avatar_cutout: bool = False  # the presenter without a background, over the product (keyed)
    frame: str | None = None  # chrome drawn on the plate around the product (plates.FRAMES)
    title_card: bool = True  # frames that carry the name themselves (tweet, magazine) skip the card

    def product_box(self, has_avatar: bool) -> PerAspect:
        return self.product if has_avatar or self.product_solo is None else self.product_solo


# Boxes shared by several families.
_CAPTION_LOW = {"9x16": box(0.08, 0.63, 0.78, 0.14), "16x9": box(0.10, 0.74, 0.80, 0.15),
                "1x1": box(0.06, 0.72, 0.88, 0.16)}
_TITLE_TOP = {"9x16": box(0.08, 0.11, 0.78, 0.09), "16x9": box(0.05, 0.08, 0.40, 0.24),
              "1x1": box(0.08, 0.07, 0.84, 0.13)}
_TITLE_UNDER = {"9x16": box(0.08, 0.53, 0.78, 0.09), "16x9": box(0.55, 0.20, 0.40, 0.28),
                "1x1": box(0.08, 0.57, 0.84, 0.13)}
_STICKER = {"9x16": box(0.58, 0.35, 0.28, 0.12), "16x9": box(0.78, 0.08, 0.16, 0.22),
            "1x1": box(0.70, 0.26, 0.24, 0.18)}
_BANNER = {"9x16": box(0.08, 0.22, 0.78, 0.12), "16x9": box(0.15, 0.32, 0.70, 0.22),
           "1x1": box(0.08, 0.30, 0.84, 0.18)}
_BANNER_TOP = {"9x16": box(0.08, 0.09, 0.78, 0.11), "16x9": box(0.20, 0.07, 0.60, 0.20),
               "1x1": box(0.08, 0.07, 0.84, 0.15)}
# Products stand clear of the edges: the strongest Ken Burns push (1.2x) crops ~8 % off each side.
_CARD_PRODUCT = {"9x16": box(0.08, 0.11, 0.84, 0.41), "16x9": box(0.06, 0.13, 0.44, 0.56),
                 "1x1": box(0.16, 0.05, 0.68, 0.50)}


def _bubble() -> PerAspect:
    return {"9x16": square("9x16", 0.06, 0.42, 0.32), "16x9": square("16x9", 0.04, 0.34, 0.19),
            "1x1": square("1x1", 0.05, 0.44, 0.26)}


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in [
        Family(  # the product fills the frame, cropped around it
            name="full_bleed", fit="cover", product=FULL, title=_TITLE_TOP, caption=_CAPTION_LOW,
            sticker=_STICKER, banner=_BANNER,
        ),
        Family(  # the product stands on a coloured background
            name="product_card", fit="cutout", product=_CARD_PRODUCT, title=_TITLE_UNDER, caption=_CAPTION_LOW,
            sticker=_STICKER, banner=_BANNER_TOP,
        ),
        Family(  # product in one half, a coloured panel with the scene's words in the other
            name="split", fit="cover",
            product={"9x16": box(0.0, 0.0, 1.0, 0.5), "16x9": box(0.0, 0.0, 0.5, 1.0),
                     "1x1": box(0.0, 0.0, 0.5, 1.0)},
            panel={"9x16": box(0.0, 0.5, 1.0, 0.5), "16x9": box(0.5, 0.0, 0.5, 1.0),
                   "1x1": box(0.5, 0.0, 0.5, 1.0)},
            title={"9x16": box(0.08, 0.38, 0.78, 0.09), "16x9": box(0.54, 0.36, 0.42, 0.22),
                   "1x1": box(0.53, 0.36, 0.42, 0.18)},
            caption={"9x16": box(0.08, 0.63, 0.78, 0.14), "16x9": box(0.54, 0.70, 0.42, 0.20),
                     "1x1": box(0.53, 0.68, 0.42, 0.22)},
            sticker={"9x16": box(0.60, 0.08, 0.26, 0.11), "16x9": box(0.34, 0.06, 0.14, 0.22),
                     "1x1": box(0.30, 0.06, 0.18, 0.16)},
            banner={"9x16": box(0.08, 0.08, 0.78, 0.11), "16x9": box(0.05, 0.07, 0.42, 0.22),
                    "1x1": box(0.05, 0.06, 0.42, 0.18)},
            avatar={"9x16": box(0.10, 0.50, 0.80, 0.50), "16x9": box(0.55, 0.05, 0.42, 0.95),
                    "1x1": box(0.52, 0.20, 0.46, 0.80)},
        ),
        Family(  # always stacked: top and bottom in every aspect it allows
            name="stacked", fit="cover",
            product={"9x16": box(0.0, 0.0, 1.0, 0.5), "1x1": box(0.0, 0.0, 1.0, 0.56),
                     "16x9": box(0.0, 0.0, 0.56, 1.0)},  # a wide frame has no room to stack: side by side
            panel={"9x16": box(0.0, 0.5, 1.0, 0.5), "1x1": box(0.0, 0.56, 1.0, 0.44),
                   "16x9": box(0.56, 0.0, 0.44, 1.0)},
            title={"9x16": box(0.08, 0.38, 0.78, 0.09), "1x1": box(0.08, 0.40, 0.84, 0.13),
                   "16x9": box(0.59, 0.36, 0.37, 0.20)},
            caption={"9x16": box(0.08, 0.63, 0.78, 0.14), "1x1": box(0.06, 0.72, 0.88, 0.16),
                     "16x9": box(0.59, 0.70, 0.37, 0.20)},
            sticker={"9x16": box(0.60, 0.08, 0.26, 0.11), "1x1": box(0.72, 0.06, 0.22, 0.16),
                     "16x9": box(0.36, 0.06, 0.16, 0.22)},
            banner={"9x16": box(0.08, 0.08, 0.78, 0.11), "1x1": box(0.08, 0.06, 0.70, 0.15),
                    "16x9": box(0.10, 0.06, 0.60, 0.18)},
        ),
        Family(  # a round avatar window in the corner over a product card
            name="avatar_bubble", fit="cutout", product=_CARD_PRODUCT, caption=_CAPTION_LOW,
            # the title sits beside the bubble (under the card it would run behind it in 9:16 and 1:1)
            title={"9x16": box(0.40, 0.48, 0.48, 0.10), "16x9": _TITLE_UNDER["16x9"],
                   "1x1": box(0.34, 0.56, 0.58, 0.13)},
            sticker=_STICKER, banner=_BANNER_TOP, avatar=_bubble(), avatar_circle=True,
        ),
        Family(  # the presenter below or beside the product
            name="presenter", fit="cutout",
            product={"9x16": box(0.12, 0.06, 0.76, 0.36), "16x9": box(0.04, 0.08, 0.48, 0.62),
                     "1x1": box(0.05, 0.08, 0.50, 0.56)},
            product_solo=_CARD_PRODUCT,
            avatar={"9x16": box(0.10, 0.46, 0.80, 0.54), "16x9": box(0.56, 0.12, 0.40, 0.88),
                    "1x1": box(0.54, 0.26, 0.44, 0.74)},
            # Title and captions stay off the presenter's face: the title under the product, the captions
            # over the presenter's chest (9:16) or below both.
            title={"9x16": box(0.08, 0.42, 0.78, 0.08), "16x9": box(0.05, 0.71, 0.47, 0.17),
                   "1x1": box(0.05, 0.66, 0.47, 0.13)},
            caption={"9x16": box(0.08, 0.70, 0.78, 0.10), "16x9": box(0.55, 0.74, 0.40, 0.15),
                     "1x1": box(0.06, 0.81, 0.88, 0.11)},
            sticker=_STICKER, banner=_BANNER_TOP,
        ),
        Family(  # the presenter keyed over the product, which fills the frame
            name="green_screen", fit="cover", product=FULL, title=_TITLE_TOP, caption=_CAPTION_LOW,
            sticker=_STICKER, banner=_BANNER,
            avatar={"9x16": box(0.20, 0.42, 0.80, 0.58), "16x9": box(0.58, 0.22, 0.40, 0.78),
                    "1x1": box(0.46, 0.34, 0.54, 0.66)}, avatar_cutout=True,
        ),
        Family(  # handheld selfie feel: full bleed with a REC frame, the presenter big
            name="vlog", fit="cover", product=FULL, title=_TITLE_TOP, caption=_CAPTION_LOW,
            sticker=_STICKER, banner=_BANNER, frame="vlog",
            avatar={"9x16": box(0.0, 0.36, 1.0, 0.64), "16x9": box(0.50, 0.10, 0.50, 0.90),
                    "1x1": box(0.30, 0.30, 0.70, 0.70)}, avatar_cutout=True,
        ),
        Family(  # the product inside a social post
            name="tweet", fit="cover", frame="twitter", title_card=False,
            product={"9x16": box(0.12, 0.29, 0.76, 0.26), "16x9": box(0.30, 0.34, 0.40, 0.36),
                     "1x1": box(0.16, 0.33, 0.68, 0.34)},
            title=_TITLE_TOP, caption=_CAPTION_LOW,
            sticker={"9x16": box(0.62, 0.10, 0.24, 0.10), "16x9": box(0.80, 0.06, 0.14, 0.22),
                     "1x1": box(0.74, 0.05, 0.20, 0.14)},
            banner=_BANNER_TOP,
        ),
        Family(  # editorial: paper, a big headline, the product framed beside it
            name="magazine", fit="cutout", frame="magazine", title_card=False,
            product={"9x16": box(0.10, 0.24, 0.80, 0.36), "16x9": box(0.50, 0.08, 0.45, 0.80),
                     "1x1": box(0.45, 0.20, 0.50, 0.50)},
            title=_TITLE_TOP,
            caption={"9x16": box(0.08, 0.63, 0.78, 0.14), "16x9": box(0.05, 0.70, 0.42, 0.20),
                     "1x1": box(0.06, 0.72, 0.88, 0.16)},
            sticker={"9x16": box(0.60, 0.52, 0.26, 0.10), "16x9": box(0.82, 0.66, 0.13, 0.22),
                     "1x1": box(0.74, 0.56, 0.20, 0.14)},
            banner={"9x16": box(0.10, 0.49, 0.76, 0.10), "16x9": box(0.05, 0.45, 0.42, 0.20),
                    "1x1": box(0.05, 0.46, 0.38, 0.20)},
        ),
        Family(  # hand-drawn marks around a cut-out product on paper
            name="scribble", fit="cutout", frame="scribble", product=_CARD_PRODUCT, title=_TITLE_UNDER,
            caption=_CAPTION_LOW, sticker=_STICKER, banner=_BANNER_TOP,
        ),
        Family(  # slideshow of instant photos
            name="polaroid", fit="cover", frame="polaroid",
            product={"9x16": box(0.12, 0.12, 0.76, 0.38), "16x9": box(0.08, 0.07, 0.40, 0.56),
                     "1x1": box(0.18, 0.07, 0.64, 0.50)},
            title=_TITLE_UNDER, caption=_CAPTION_LOW, sticker=_STICKER, banner=_BANNER_TOP,
        ),
    ]
}
