"""The 18 caption styles of the contract (§4.4) as data: one `CaptionLook` each, written to ASS by
`media/captions.py`.

A look is everything libass needs for the caption layer: font and weight, size, colours, outline
or opaque box, shadow, letter case, and the per-word effect that follows the voice:

- `highlight`: the spoken word changes colour (and grows a little);
- `karaoke`: a colour fill sweeps through each word as it is spoken (ASS `\\kf`);
- `pop`: the spoken word springs up in size;
- `bounce`: each line jumps in from below, and the spoken word bounces;
- `reveal`: words appear one by one as they are spoken;
- `box`: the spoken word sits on a coloured box.

Colours are CSS-style RGBA (alpha 255 = opaque). Sizes are pixels at a 1080 px frame width.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict

from linkreel.errors import InputError
from linkreel.media.css import RGBA, Shadow

Effect = Literal["highlight", "karaoke", "pop", "bounce", "reveal", "box"]
EFFECTS: tuple[Effect, ...] = ("highlight", "karaoke", "pop", "bounce", "reveal", "box")

WHITE: RGBA = (255, 255, 255, 255)
BLACK: RGBA = (0, 0, 0, 255)


class CaptionLook(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str  # the preset it started from
    font: str = "Noto Sans"  # family for text the face covers; other scripts switch to their Noto face
    weight: int = 700  # 400, 700, 900: variable faces are thickened to it (libass draws their default only)
    italic: bool = False
    size: int = 82  # px at a 1080 px frame width
    text: RGBA = WHITE
    highlight: RGBA | None = None  # None: the visual style's accent
    outline: RGBA = BLACK
    outline_px: float = 6.0  # 0: none
    box: RGBA | None = None  # an opaque box behind each line instead of an outline
    box_pad: float = 14.0
    glow: bool = False  # the outline is blurred into a halo
    shadow: Shadow | None = None
    uppercase: bool = False
    effect: Effect = "highlight"
    alternate: RGBA | None = None  # every other word in this colour (two-tone styles)
    emoji: tuple[str, ...] = ()  # accents after a sentence's last line; picked by keyword, else in turn
    line_height: float = 1.15  # multiple of the font size between rows
    letter_spacing: float = 0.0
    offset: tuple[float, float] | None = None  # centre from the frame centre (fractions); None: style's box
    max_width: int | None = None  # px at a 1080 px frame width; None: the visual style's caption box


def _look(name: str, **fields: object) -> CaptionLook:
    return CaptionLook.model_validate({"name": name, **fields})


# What captions look like when neither the request nor the visual style picks a caption style:
# white bold words outlined in black, the spoken word in the visual style's accent colour.
VISUAL_STYLE_LOOK = _look("visual-style", effect="highlight")

CAPTION_STYLES: dict[str, CaptionLook] = {
    look.name: look
    for look in [
        # The four "normal" styles: plain bold words on an opaque box of the style's colour.
        _look("normal-black", box=BLACK, text=WHITE, highlight=(255, 214, 0, 255), outline_px=0, size=74),
        _look("normal-white", box=WHITE, text=(17, 17, 17, 255), highlight=(230, 40, 90, 255), outline_px=0,
              size=74),
        _look("normal-red", box=(214, 40, 40, 255), text=WHITE, highlight=(255, 232, 120, 255), outline_px=0,
              size=74),
        _look("normal-blue", box=(24, 92, 230, 255), text=WHITE, highlight=(140, 240, 255, 255), outline_px=0,
              size=74),
        # Neon sign: condensed capitals in acid green with a green halo, the spoken word pops.
        _look("neo", font="Fjalla One", uppercase=True, size=96, text=(180, 255, 90, 255),
              highlight=WHITE, outline=(60, 255, 60, 150), outline_px=9, glow=True, effect="pop",
              letter_spacing=2),
        # Brick: white capitals; the spoken word sits on a brick-red box.
        _look("brick", font="Fjalla One", uppercase=True, size=92, text=WHITE, highlight=(178, 58, 43, 255),
              outline=(40, 20, 15, 255), outline_px=4, effect="box", box_pad=10),
        # Frenzy: big round yellow words, fat black outline, bouncing, with fire accents.
        _look("frenzy", font="Fredoka One", size=90, text=(255, 226, 0, 255), highlight=(255, 90, 30, 255),
              outline=BLACK, outline_px=9, effect="bounce", emoji=("🔥", "⚡", "💥"),
              shadow=Shadow(dx=5, dy=6, color=(0, 0, 0, 200))),
        # Verana: quiet and editorial: regular-weight italic in cream, soft shadow, words revealed.
        _look("verana", weight=400, italic=True, size=78, text=(252, 244, 226, 255), highlight=(255, 250, 240, 255),
              outline=(40, 28, 16, 210), outline_px=3, effect="reveal",
              shadow=Shadow(dx=0, dy=4, blur=8, color=(0, 0, 0, 190))),
        # Mustard: a mustard fill sweeps through white words (karaoke), dark brown outline.
        _look("mustard", size=84, weight=900, text=WHITE, highlight=(225, 173, 1, 255), outline=(60, 35, 0, 255),
              outline_px=7, effect="karaoke"),
        # Glow: white words in a soft cyan halo; the spoken word turns cyan.
        _look("glow", size=82, text=WHITE, highlight=(80, 235, 255, 255), outline=(0, 200, 255, 170),
              outline_px=10, glow=True),
        # Mint: lower-key rounded type, dark green outline, the spoken word pops in mint.
        _look("mint", font="Fredoka One", size=84, text=(240, 255, 248, 255), highlight=(62, 220, 160, 255),
              outline=(10, 60, 45, 255), outline_px=6, effect="pop"),
        # Coolers: icy karaoke: capitals filled white → ice blue, navy outline.
        _look("coolers", font="Fjalla One", uppercase=True, size=94, text=WHITE, highlight=(120, 210, 255, 255),
              outline=(10, 25, 70, 255), outline_px=6, effect="karaoke", letter_spacing=1),
        # Bilo: heavy capitals with a hard drop shadow and no outline; the spoken word goes green.
        _look("bilo", uppercase=True, weight=900, size=80, text=WHITE, highlight=(70, 230, 90, 255), outline_px=0,
              shadow=Shadow(dx=7, dy=7, color=(0, 0, 0, 235))),
        # Toons: comic: rounded white words, fat purple outline, springing, sparkle accents.
        _look("toons", font="Fredoka One", size=92, text=WHITE, highlight=(255, 120, 220, 255),
              outline=(110, 40, 200, 255), outline_px=10, effect="pop", emoji=("✨", "😍", "🎉"),
              shadow=Shadow(dx=0, dy=7, color=(60, 10, 120, 255))),
        # Deep blue: white words on a deep navy box, the spoken word light blue, revealed word by word.
        _look("deep-blue", box=(10, 28, 92, 235), text=WHITE, highlight=(120, 200, 255, 255), outline_px=0,
              size=76, effect="reveal"),
        # Mystique: violet halo, italic, a lilac karaoke fill.
        _look("mystique", italic=True, size=82, text=(245, 235, 255, 255), highlight=(200, 150, 255, 255),
              outline=(120, 40, 200, 160), outline_px=10, glow=True, effect="karaoke"),
        # Caution: black capitals on caution-tape yellow, the spoken word red, warning accents.
        _look("caution", font="Fjalla One", uppercase=True, size=84, box=(255, 212, 0, 255),
              text=(15, 15, 15, 255), highlight=(220, 20, 20, 255), outline_px=0, emoji=("⚠",)),
        # Duality: words alternate white and hot pink; the spoken word pops in yellow.
        _look("duality", size=84, weight=900, text=WHITE, alternate=(255, 70, 160, 255),
              highlight=(255, 230, 0, 255), outline=BLACK, outline_px=6, effect="pop"),
    ]
}
assert len(CAPTION_STYLES) == 18

# Accents picked by what the line says (English keywords plus a few cognates); others cycle.
EMOJI_KEYWORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("price", "deal", "save", "sale", "off", "cheap", "discount", "rabatt", "prix", "precio"), "💰"),
    (("new", "neu", "nouveau", "nuevo", "wow", "amazing"), "✨"),
    (("love", "liebe", "amour", "favorite"), "😍"),
    (("fast", "quick", "power", "energy", "schnell"), "⚡"),
    (("hot", "fire", "heiß", "trend"), "🔥"),
    (("cold", "ice", "cool", "kalt", "frío"), "🧊"),
)


def get_caption_style(name: str) -> CaptionLook:
    look = CAPTION_STYLES.get(name)
    if look is None:
        raise InputError(f"unknown caption style {name!r}; choose one of: {', '.join(CAPTION_STYLES)}")
    return look


def accent_for(text: str, look: CaptionLook, index: int) -> str | None:
    """The emoji accent after a sentence: matched by keyword, else the style's accents in turn."""
    if not look.emoji:
        return None
    words = {w.strip(".,!?;:").lower() for w in text.split()}
    for keys, emoji in EMOJI_KEYWORDS:
        if words.intersection(keys):
            return emoji
    return look.emoji[index % len(look.emoji)]
