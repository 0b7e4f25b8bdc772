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


def cue_s(ms: int, fps: int) -> float:
    """When something timed at `ms` should switch on a `fps` picture: half a frame before the frame
    nearest `ms`. Renderers compute a frame's time in floats (and libass truncates it to ms), so a
    switch placed on a frame's exact time would happen on that frame or the next by chance."""
    return (round(ms * fps / 1000) - 0.5) / fps


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


Color = tuple[int, int, int]


class Backdrop(BaseModel):
    """What lies behind a contained product: its own photo blurred, a gradient, or paper.

    `palette`: the colours come from the product photo itself (measured when the plate is drawn).
    """

    kind: Literal["blur", "gradient", "palette", "paper", "dark"] = "blur"
    colors: tuple[Color, Color] = ((24, 32, 72), (102, 51, 153))


class Panel(BaseModel):
    """A coloured block beside the product (split screen, editorial) carrying the scene's words."""

    box: dict[Aspect, Box]
    text: str = ""
    color: Color = (20, 20, 24)
    text_color: Color = (255, 255, 255)


class ImageClip(BaseModel):
    """A product photo on a full-frame plate, laid out by the visual style.

    fit: `cover` fills the frame (cropped around the product, never blindly centred); `contain`
    fits the whole photo into `product_box`; `cutout` removes a plain background and stands the
    product alone on the backdrop (falls back to `contain` when the background is not plain).
    """

    kind: Literal["image"] = "image"
    src: str
    start_ms: int
    end_ms: int
    motion: Motion
    product_box: dict[Aspect, Box]
    fit: Literal["contain", "cover", "cutout"] = "contain"
    backdrop: Backdrop = Field(default_factory=Backdrop)
    panel: Panel | None = None
    frame: str | None = None  # chrome drawn around the picture: twitter, magazine, vlog, scribble, polaroid
    frame_text: str = ""  # e.g. the tweet's text or the magazine headline
    frame_name: str = ""  # the account or magazine name the chrome shows
    grade: str | None = None  # a colour grade over the finished plate (plates.GRADES)


class VideoClip(BaseModel):
    """B-roll: a clip from the product page or a stock provider, cropped to fill the frame."""

    kind: Literal["video"] = "video"
    src: str
    src_start_ms: int = 0
    start_ms: int
    end_ms: int
    motion: Motion = Field(default_factory=lambda: Motion(zoom_from=1.0, zoom_to=1.0))


class TextPlateClip(BaseModel):
    """A generated product card, used when the page has no usable photo."""

    kind: Literal["text_plate"] = "text_plate"
    title: str
    subtitle: str = ""
    start_ms: int
    end_ms: int
    motion: Motion
    seed: int = 0  # picks the colours
    src: str | None = None  # a motion-graphic card: colours from this product photo, its cut-out beside the text


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


VisualClip = Annotated[ImageClip | VideoClip | TextPlateClip | EndCardClip, Field(discriminator="kind")]

TextAnimation = Literal["fade", "slide", "pop"]


class TitleCard(BaseModel):
    """Product name and price over the picture."""

    kind: Literal["title_card"] = "title_card"
    title: str
    price_text: str | None = None
    start_ms: int
    end_ms: int
    box: dict[Aspect, Box]
    fade_ms: int = 250
    animation: TextAnimation = "fade"
    color: Color = (12, 12, 16)  # panel colour (drawn translucent)


class StickerClip(BaseModel):
    """A small drawn accent over the picture: price tag, hook banner, logo, emoji-like sticker.

    `emotive` stickers (bursts, hearts, sparkles) are left out when the request says `no_emotion`.
    """

    kind: Literal["sticker"] = "sticker"
    shape: Literal["price_tag", "banner", "burst", "heart", "sparkle", "arrow", "badge", "logo"]
    text: str = ""
    start_ms: int
    end_ms: int
    box: dict[Aspect, Box]
    color: Color = (255, 214, 0)
    text_color: Color = (20, 20, 20)
    animation: TextAnimation = "pop"
    emotive: bool = False
    fade_ms: int = 200


Overlay = Annotated[TitleCard | StickerClip, Field(discriminator="kind")]


class ProgressBar(BaseModel):
    """A thin bar along one edge that fills as the ad plays."""

    color: Color
    y: dict[Aspect, float]  # top of the bar, fraction of the frame height
    height: float = 0.008  # fraction of the frame height


class AvatarClip(BaseModel):
    """The presenter: a video with alpha (qtrle/png .mov) at the sprite's own size, scaled into `box`."""

    kind: Literal["avatar"] = "avatar"
    src: str
    start_ms: int
    end_ms: int
    box: dict[Aspect, Box]
    circle: bool = False  # bubble styles show the avatar in a round window


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
    transition: str = "fade"  # an ffmpeg xfade transition (fade, slideleft, slideup, zoomin, wipeleft...)
    visuals: list[VisualClip]
    overlays: list[Overlay] = Field(default_factory=list)
    avatars: list[AvatarClip] = Field(default_factory=list)
    progress: ProgressBar | None = None
    captions: CaptionTrack | None = None
    voice: AudioClip | None = None
    music: MusicClip | None = None
    loudness_lufs: float = -14.0
    accent: tuple[int, int, int] = (255, 214, 0)  # price badges, CTA button, caption highlight
