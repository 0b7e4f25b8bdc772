"""Visual styles as data: where the product, the title card and the captions sit per aspect.

The full set of the contract's 54 styles comes with the templates work; these are the first
entries of the registry and the shape the rest will take.
"""

from dataclasses import dataclass, field
from typing import Literal

from linkreel.errors import InputError
from linkreel.media.timeline import Box, Motion


def _box(x: float, y: float, w: float, h: float) -> Box:
    return Box(x=x, y=y, w=w, h=h)


@dataclass(frozen=True)
class VisualStyle:
    name: str
    label: str
    fit: Literal["contain", "cover"]  # contain: whole product over a blurred fill; cover: full bleed
    product_box: dict[str, Box]
    title_box: dict[str, Box]
    caption_box: dict[str, Box]
    motions: tuple[Motion, ...]
    transition_ms: int = 400
    music_volume: float = 0.22
    ratios: tuple[str, ...] = ("9x16", "16x9", "1x1")
    accent: tuple[int, int, int] = (255, 214, 0)  # price badge, caption highlight
    extra: dict[str, str] = field(default_factory=dict)


_CAPTIONS = {"9x16": _box(0.05, 0.70, 0.90, 0.16), "16x9": _box(0.10, 0.78, 0.80, 0.17),
             "1x1": _box(0.05, 0.76, 0.90, 0.18)}
_TITLES = {"9x16": _box(0.06, 0.59, 0.88, 0.10), "16x9": _box(0.56, 0.22, 0.40, 0.30),
           "1x1": _box(0.08, 0.61, 0.84, 0.13)}

# Gentle Ken Burns moves; clips cycle through them so consecutive shots move differently.
_MOTIONS = (
    Motion(zoom_from=1.0, zoom_to=1.14),
    Motion(zoom_from=1.14, zoom_to=1.02, pan_from=(0.4, 0.0), pan_to=(-0.2, 0.0)),
    Motion(zoom_from=1.08, zoom_to=1.12, pan_from=(-0.8, 0.2), pan_to=(0.8, -0.2)),
    Motion(zoom_from=1.02, zoom_to=1.16, pan_from=(0.0, 0.6), pan_to=(0.0, -0.4)),
)

STYLES: dict[str, VisualStyle] = {
    s.name: s
    for s in [
        VisualStyle(
            name="DynamicProductTemplate",
            label="Product",
            fit="contain",
            product_box={"9x16": _box(0.06, 0.07, 0.88, 0.50), "16x9": _box(0.05, 0.08, 0.46, 0.66),
                         "1x1": _box(0.12, 0.05, 0.76, 0.54)},
            title_box=_TITLES,
            caption_box=_CAPTIONS,
            motions=_MOTIONS,
        ),
        VisualStyle(
            name="FullScreenTemplate",
            label="Full Screen",
            fit="cover",
            product_box={a: _box(0.0, 0.0, 1.0, 1.0) for a in ("9x16", "16x9", "1x1")},
            title_box={"9x16": _box(0.06, 0.10, 0.88, 0.10), "16x9": _box(0.05, 0.08, 0.42, 0.26),
                       "1x1": _box(0.08, 0.08, 0.84, 0.13)},
            caption_box=_CAPTIONS,
            motions=_MOTIONS,
            transition_ms=300,
            accent=(0, 230, 180),
        ),
    ]
}

DEFAULT_STYLE = "DynamicProductTemplate"


def get_style(name: str, aspect: str | None = None) -> VisualStyle:
    style = STYLES.get(name)
    if style is None:
        raise InputError(f"unknown or unavailable visual style {name!r}; available: {', '.join(STYLES)}")
    if aspect is not None and aspect not in style.ratios:
        raise InputError(f"{name} is not available for aspect ratio {aspect}.")
    return style
