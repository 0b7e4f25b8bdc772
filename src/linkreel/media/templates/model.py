"""What a visual style is: a layout family plus its own look and motion (all data)."""

from dataclasses import dataclass, replace
from typing import Literal

from linkreel.media.templates.layouts import FAMILIES, Family, PerAspect
from linkreel.media.timeline import ASPECTS, Backdrop, Color, Motion, TextAnimation


@dataclass(frozen=True)
class Theme:
    """Colours: the backdrop behind the product, the accent (price, CTA, highlight) and panels."""

    backdrop: Backdrop
    accent: Color
    panel: Color  # split panels, title cards
    panel_text: Color = (255, 255, 255)
    grade: str | None = None  # a colour grade over photo plates (plates.GRADES)


def _bd(kind: str, top: Color = (24, 32, 72), bottom: Color = (102, 51, 153)) -> Backdrop:
    return Backdrop(kind=kind, colors=(top, bottom))  # type: ignore[arg-type]


THEMES: dict[str, Theme] = {
    "midnight": Theme(_bd("gradient", (24, 32, 72), (102, 51, 153)), (255, 214, 0), (18, 20, 48),
                      grade="vignette"),
    "product": Theme(_bd("palette"), (255, 214, 0), (16, 16, 20)),
    "blur": Theme(_bd("blur"), (255, 214, 0), (12, 12, 16)),
    "noir": Theme(_bd("dark", (8, 8, 10), (40, 40, 46)), (230, 40, 60), (10, 10, 12), grade="mono"),
    "mint": Theme(_bd("gradient", (210, 246, 232), (120, 214, 186)), (0, 150, 110), (10, 80, 70)),
    "sunset": Theme(_bd("gradient", (255, 140, 90), (200, 40, 110)), (255, 236, 90), (120, 20, 60)),
    "ocean": Theme(_bd("gradient", (10, 50, 110), (0, 170, 200)), (0, 230, 180), (6, 30, 70), grade="cool"),
    "paper": Theme(_bd("paper", (246, 241, 230), (236, 228, 212)), (220, 50, 40), (30, 30, 30)),
    "lilac": Theme(_bd("gradient", (236, 222, 255), (170, 140, 240)), (120, 40, 220), (70, 30, 140)),
    "lemon": Theme(_bd("gradient", (255, 246, 170), (255, 200, 60)), (230, 40, 40), (40, 30, 10)),
    "forest": Theme(_bd("gradient", (20, 60, 40), (70, 130, 80)), (250, 210, 90), (14, 40, 26)),
    "candy": Theme(_bd("gradient", (255, 200, 230), (255, 120, 180)), (60, 20, 120), (150, 20, 90),
                   grade="punch"),
    "steel": Theme(_bd("gradient", (60, 70, 84), (150, 160, 176)), (255, 120, 0), (30, 34, 42)),
    "ember": Theme(_bd("dark", (40, 8, 4), (120, 30, 10)), (255, 170, 30), (50, 10, 6), grade="warm"),
    "sky": Theme(_bd("gradient", (200, 230, 255), (90, 160, 240)), (255, 90, 60), (20, 60, 120)),
    "clean": Theme(_bd("gradient", (250, 250, 250), (220, 224, 230)), (20, 110, 255), (20, 24, 32)),
    "aqua": Theme(_bd("gradient", (0, 90, 110), (120, 220, 230)), (255, 230, 80), (0, 60, 80)),
    "peach": Theme(_bd("gradient", (255, 228, 206), (250, 170, 130)), (170, 40, 60), (110, 40, 30)),
    "slate": Theme(_bd("gradient", (214, 222, 235), (120, 136, 160)), (255, 80, 40), (40, 48, 64)),
    "cream": Theme(_bd("gradient", (255, 250, 236), (240, 226, 196)), (40, 120, 90), (60, 50, 30)),
    "lime": Theme(_bd("gradient", (236, 255, 190), (150, 220, 60)), (30, 60, 200), (40, 70, 10)),
    "night": Theme(_bd("gradient", (6, 10, 30), (10, 80, 100)), (90, 240, 200), (6, 10, 30)),
    "teal": Theme(_bd("gradient", (0, 70, 70), (0, 150, 136)), (255, 200, 60), (0, 50, 50)),
    "grape": Theme(_bd("gradient", (60, 10, 90), (190, 80, 220)), (255, 220, 60), (50, 10, 70)),
    "coral": Theme(_bd("gradient", (255, 120, 100), (255, 190, 150)), (30, 40, 110), (140, 40, 30)),
    "sand": Theme(_bd("paper", (238, 226, 200), (222, 204, 170)), (30, 80, 160), (50, 40, 20)),
    "kraft": Theme(_bd("paper", (214, 182, 140), (196, 160, 116)), (20, 20, 20), (60, 40, 20)),
    # Full-bleed looks: the photo fills the frame, so the grade is what tells them apart.
    "blur_punch": Theme(_bd("blur"), (255, 214, 0), (12, 12, 16), grade="punch"),
    "blur_cool": Theme(_bd("blur"), (0, 230, 255), (8, 20, 30), grade="cool"),
    "blur_warm": Theme(_bd("blur"), (255, 170, 60), (30, 16, 8), grade="warm"),
    "blur_vignette": Theme(_bd("blur"), (180, 255, 60), (10, 10, 10), grade="vignette"),
    "crimson": Theme(_bd("dark", (30, 0, 12), (250, 70, 90)), (255, 255, 255), (40, 0, 14), grade="duotone"),
    "alarm": Theme(_bd("dark", (40, 10, 0), (255, 110, 0)), (255, 220, 0), (40, 10, 0), grade="tint"),
    "bubblegum": Theme(_bd("gradient", (255, 220, 240), (255, 90, 170)), (90, 20, 160), (120, 10, 70),
                       grade="tint"),
    "violet": Theme(_bd("gradient", (40, 10, 80), (150, 90, 255)), (255, 230, 0), (40, 10, 80), grade="duotone"),
    "neon": Theme(_bd("dark", (24, 0, 48), (255, 90, 210)), (90, 255, 220), (24, 0, 48), grade="duotone"),
    "tangerine": Theme(_bd("gradient", (255, 150, 60), (255, 200, 120)), (120, 20, 80), (110, 40, 0),
                       grade="tint"),
}

# Ken Burns sets: clips cycle through them so consecutive shots move differently.
MOTIONS: dict[str, tuple[Motion, ...]] = {
    "gentle": (
        Motion(zoom_from=1.0, zoom_to=1.14),
        Motion(zoom_from=1.14, zoom_to=1.02, pan_from=(0.4, 0.0), pan_to=(-0.2, 0.0)),
        Motion(zoom_from=1.08, zoom_to=1.12, pan_from=(-0.8, 0.2), pan_to=(0.8, -0.2)),
        Motion(zoom_from=1.02, zoom_to=1.16, pan_from=(0.0, 0.6), pan_to=(0.0, -0.4)),
    ),
    "punchy": (  # fast, big pushes; small pans, so products near the edge stay whole
        Motion(zoom_from=1.0, zoom_to=1.2),
        Motion(zoom_from=1.2, zoom_to=1.02),
        Motion(zoom_from=1.04, zoom_to=1.18, pan_from=(-0.3, 0.0), pan_to=(0.3, 0.0)),
    ),
    "calm": (
        Motion(zoom_from=1.0, zoom_to=1.05),
        Motion(zoom_from=1.05, zoom_to=1.0),
    ),
    "handheld": (
        Motion(zoom_from=1.1, zoom_to=1.12, pan_from=(-0.5, 0.3), pan_to=(0.4, -0.2)),
        Motion(zoom_from=1.12, zoom_to=1.1, pan_from=(0.5, -0.3), pan_to=(-0.3, 0.4)),
    ),
    "pan": (
        Motion(zoom_from=1.16, zoom_to=1.16, pan_from=(-1.0, 0.0), pan_to=(1.0, 0.0)),
        Motion(zoom_from=1.16, zoom_to=1.16, pan_from=(0.0, 1.0), pan_to=(0.0, -1.0)),
    ),
}

Sticker = Literal["burst", "heart", "sparkle", "arrow", "badge"]


@dataclass(frozen=True)
class VisualStyle:
    name: str
    label: str
    family: Family
    theme: Theme
    motions: tuple[Motion, ...]
    ratios: tuple[str, ...] = ASPECTS
    transition: str = "fade"  # an xfade transition; "cut" has no overlap
    transition_ms: int = 400
    text_animation: TextAnimation = "fade"
    progress_bar: bool = False
    price_tag: bool = False
    hook_banner: bool = False  # the hook's words big on screen during the first scene
    logo: bool = False  # the brand as a small badge
    motion_cards: bool = False  # some benefit scenes become motion-graphic cards from the product palette
    stickers: tuple[tuple[Sticker, str], ...] = ()  # emotive accents (dropped by no_emotion)
    music_volume: float = 0.22
    caption_style: str | None = None  # the §4.4 caption preset this style uses when the request names none

    # The boxes other stages ask for by name.
    @property
    def fit(self) -> str:
        return self.family.fit

    @property
    def product_box(self) -> PerAspect:
        return self.family.product_box(has_avatar=False)

    @property
    def title_box(self) -> PerAspect:
        return self.family.title

    @property
    def caption_box(self) -> PerAspect:
        return self.family.caption

    @property
    def accent(self) -> Color:
        return self.theme.accent

    @property
    def has_avatar_slot(self) -> bool:
        return self.family.avatar is not None


def style(name: str, label: str, family: str, theme: str, motions: str = "gentle", grade: str | None = None,
          **kw: object) -> VisualStyle:
    """One catalogue row: names of a family, theme and motion set plus the style's own settings.

    `grade` replaces the theme's colour grade (full-bleed styles differ mostly by their grade)."""
    look = THEMES[theme] if grade is None else replace(THEMES[theme], grade=grade)
    return VisualStyle(name=name, label=label, family=FAMILIES[family], theme=look, motions=MOTIONS[motions],
                       **kw)  # type: ignore[arg-type]
