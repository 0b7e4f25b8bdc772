"""CSS values of `caption_setting` (colours, `text-shadow`) → typed values and ASS colour codes.

Colours are RGBA with CSS alpha (255 = opaque). ASS stores alpha inverted (00 = opaque) and
colour bytes as BGR: `&HAABBGGRR` in styles, `&HBBGGRR&` plus `\\alpha&HAA&` in override tags.
"""

import re

from PIL import ImageColor
from pydantic import BaseModel

from linkreel.errors import InputError

RGBA = tuple[int, int, int, int]

_HEX = re.compile(r"#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})")
_FUNC = re.compile(r"rgba?\((.*)\)")
_LENGTH = re.compile(r"(-?\d*\.?\d+)(px)?")


def _channel(token: str) -> int:
    if token.endswith("%"):
        return round(float(token[:-1]) * 255 / 100)
    return round(float(token))


def _alpha(token: str) -> int:
    return round((float(token[:-1]) / 100 if token.endswith("%") else float(token)) * 255)


def parse_color(value: str) -> RGBA:
    """#rgb, #rgba, #rrggbb, #rrggbbaa, rgb()/rgba() (comma or space syntax, `/ alpha`), named colours."""
    text = value.strip().lower()
    try:
        if m := _HEX.fullmatch(text):
            digits = m.group(1)
            if len(digits) in (3, 4):
                digits = "".join(c * 2 for c in digits)
            r, g, b = (int(digits[i:i + 2], 16) for i in (0, 2, 4))
            a = int(digits[6:8], 16) if len(digits) == 8 else 255
            return (r, g, b, a)
        if m := _FUNC.fullmatch(text):
            tokens = [t for t in re.split(r"[\s,/]+", m.group(1).strip()) if t]
            if len(tokens) not in (3, 4):
                raise ValueError(text)
            r, g, b = (max(0, min(255, _channel(t))) for t in tokens[:3])
            a = max(0, min(255, _alpha(tokens[3]))) if len(tokens) == 4 else 255
            return (r, g, b, a)
        if text == "transparent":
            return (0, 0, 0, 0)
        if text in ImageColor.colormap:  # the 148 CSS named colours
            r, g, b = ImageColor.getrgb(text)[:3]
            return (r, g, b, 255)
    except ValueError:
        pass
    raise InputError(f"not a CSS colour: {value!r} (use #RRGGBB, #RRGGBBAA, rgb(), rgba() or a colour name)")


def ass_color(rgba: RGBA) -> str:
    """Style-field form: `&HAABBGGRR`."""
    r, g, b, a = rgba
    return f"&H{255 - a:02X}{b:02X}{g:02X}{r:02X}"


def ass_tag_color(rgba: RGBA) -> str:
    """Override-tag form (alpha goes in a separate `\\Nc`/`\\Na` pair): `&HBBGGRR&`."""
    r, g, b, _ = rgba
    return f"&H{b:02X}{g:02X}{r:02X}&"


def ass_tag_alpha(rgba: RGBA) -> str:
    return f"&H{255 - rgba[3]:02X}&"


class Shadow(BaseModel):
    """One CSS text-shadow: offsets and blur in pixels at a 1080 px frame width."""

    dx: float
    dy: float
    blur: float = 0.0
    color: RGBA = (0, 0, 0, 160)


def parse_text_shadow(value: str) -> Shadow | None:
    """The first shadow of a CSS `text-shadow` list (`none` → None). ASS has one shadow per text."""
    text = value.strip().lower()
    if not text or text == "none":
        return None
    first = re.split(r",(?![^(]*\))", text)[0].strip()
    color: RGBA | None = None
    lengths: list[float] = []
    # The colour may come first or last; everything else is 2 or 3 lengths.
    for token in re.findall(r"rgba?\([^)]*\)|#[0-9a-f]+|[^\s]+", first):
        if m := _LENGTH.fullmatch(token):
            lengths.append(float(m.group(1)))
        else:
            color = parse_color(token)
    if len(lengths) not in (2, 3):
        raise InputError(f"not a CSS text-shadow: {value!r} (e.g. \"2px 2px 4px rgba(0,0,0,0.5)\")")
    return Shadow(dx=lengths[0], dy=lengths[1], blur=lengths[2] if len(lengths) == 3 else 0.0,
                  color=color or (0, 0, 0, 160))
