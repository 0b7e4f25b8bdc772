"""The ad as data: tracks of clips in integer milliseconds, with layout boxes per aspect.

The renderer is a function of a `Timeline`; nothing here draws pixels. `build_timeline` turns
the storyboard (script), the narration timings and the product into a timeline, so previews,
re-renders in another aspect and tests all work from the same value.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, Field

Aspect = Literal["9x16", "16x9", "1x1"]
ASPECTS: tuple[Aspect, ...] = ("9x16", "16x9", "1x1")
SIZES: dict[str, tuple[int, int]] = {"9x16": (1080, 1920), "16x9": (1920, 1080), "1x1": (1080, 1080)}
LENGTHS = (15, 30, 45, 60)


class Box(BaseModel):
    """A rectangle as fractions of the frame (0..1), so one layout serves every pixel size."""

    x: float
    y: float
    w: float
    h: float

    def pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        return (round(self.x * width), round(self.y * height), round(self.w * width), round(self.h * height))


class Motion(BaseModel):
    """Ken Burns: zoom factor and pan position (-1..1 of the spare room, 0 = centred) over the clip."""

    zoom_from: float = 1.0
    zoom_to: float = 1.12
    pan_from: tuple[float, float] = (0.0, 0.0)
    pan_to: tuple[float, float] = (0.0, 0.0)


class ImageClip(BaseModel):
    """A product photo on a full-frame plate: the photo fitted into `product_box` over a blurred fill."""

    kind: Literal["image"] = "image"
    src: str
    start_ms: int
    end_ms: int
    motion: Motion
    product_box: dict[Aspect, Box]
    fit: Literal["contain", "cover"] = "contain"


class TextPlateClip(BaseModel):
    """A generated product card, used when the page has no usable photo."""

    kind: Literal["text_plate"] = "text_plate"
    title: str
    subtitle: str = ""
    start_ms: int
    end_ms: int
    motion: Motion
    seed: int = 0  # picks the colours


class EndCardClip(BaseModel):
    """The call-to-action end card: product photo, CTA, price, brand."""

    kind: Literal["end_card"] = "end_card"
    src: str | None
    cta: str
    title: str
    price_text: str | None = None
    brand: str | None = None
    start_ms: int
    end_ms: int
    motion: Motion


VisualClip = Annotated[ImageClip | TextPlateClip | EndCardClip, Field(discriminator="kind")]


class TitleCard(BaseModel):
    """Product name and price over the picture."""

    kind: Literal["title_card"] = "title_card"
    title: str
    price_text: str | None = None
    start_ms: int
    end_ms: int
    box: dict[Aspect, Box]
    fade_ms: int = 250


class CaptionWord(BaseModel):
    text: str
    start_ms: int
    end_ms: int


class CaptionLine(BaseModel):
    words: list[CaptionWord]
    joiner: str = " "  # "" for scripts written without spaces

    @property
    def start_ms(self) -> int:
        return self.words[0].start_ms

    @property
    def end_ms(self) -> int:
        return self.words[-1].end_ms


class CaptionTrack(BaseModel):
    style: str = "bold-highlight"
    font: str = "Noto Sans"
    rtl: bool = False
    lines: list[CaptionLine]
    box: dict[Aspect, Box]  # where the caption block sits


class AudioClip(BaseModel):
    src: str
    start_ms: int = 0
    volume: float = 1.0


class MusicClip(BaseModel):
    src: str  # already the length of the timeline
    volume: float = 0.25
    duck: bool = True  # compress under the voice


class Timeline(BaseModel):
    duration_ms: int
    fps: int = 30
    language: str
    transition_ms: int  # crossfade between consecutive visuals (they overlap by this much)
    visuals: list[VisualClip]
    overlays: list[TitleCard] = Field(default_factory=list)
    captions: CaptionTrack | None = None
    voice: AudioClip | None = None
    music: MusicClip | None = None
    loudness_lufs: float = -14.0
    accent: tuple[int, int, int] = (255, 214, 0)  # price badges, CTA button, caption highlight
