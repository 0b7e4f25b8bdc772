"""`caption_setting` (contract §4.5) and the legacy caption fields → the `CaptionLook` to render.

Precedence: `caption_setting` beats the legacy `caption_style` / `caption_offset_x|y`; a field
that is missing keeps the visual style's default. `style`, `offset` and `hidden` always apply;
the look fields (font, size, colours, width, line height, shadow) only with
`override_visual_style: true`, as the contract says.
"""

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from linkreel.errors import InputError
from linkreel.media.caption_styles import VISUAL_STYLE_LOOK, CaptionLook, get_caption_style
from linkreel.media.css import parse_color, parse_text_shadow
from linkreel.media.fonts import known_family


class Offset(BaseModel):
    model_config = ConfigDict(extra="ignore")

    x: float | None = None
    y: float | None = None


class CaptionSetting(BaseModel):
    model_config = ConfigDict(extra="ignore")  # unknown keys are ignored, as the API does

    style: str | None = None
    offset: Offset | None = None
    font_family: str | None = None
    font_size: int | None = None
    font_style: str | None = None
    background_color: str | None = None
    text_color: str | None = None
    highlight_text_color: str | None = None
    max_width: int | None = None
    line_height: float | None = None
    text_shadow: str | None = None
    hidden: bool | None = None
    override_visual_style: bool | None = None


def parse_setting(value: str | dict[str, Any] | None) -> CaptionSetting | None:
    """A JSON string (CLI) or an already validated dict (API) → CaptionSetting; bad input → InputError."""
    if value is None:
        return None
    try:
        data = json.loads(value) if isinstance(value, str) else value
        if not isinstance(data, dict):
            raise InputError("caption setting must be a JSON object, e.g. {\"style\": \"neo\"}")
        return CaptionSetting.model_validate(data)
    except json.JSONDecodeError as e:
        raise InputError(f"caption setting is not valid JSON: {e.msg} (at character {e.pos})") from None
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"caption setting field {where}: {first['msg']}") from None


# font_style tokens (Tailwind-like, as in Creatify's samples); unknown tokens are ignored.
_WEIGHTS = {"font-thin": 400, "font-light": 400, "font-normal": 400, "font-medium": 400, "font-semibold": 700,
            "font-bold": 700, "font-extrabold": 900, "font-black": 900}


def _font_style(look: CaptionLook, value: str) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for token in value.lower().split():
        if token in _WEIGHTS:
            changes["weight"] = _WEIGHTS[token]
        elif token == "italic":
            changes["italic"] = True
        elif token in ("not-italic", "normal"):
            changes["italic"] = False
        elif token == "uppercase":
            changes["uppercase"] = True
        elif token == "normal-case":
            changes["uppercase"] = False
    return changes


_RANGES = {"font_size": (8, 400), "max_width": (50, 4000), "line_height": (0.5, 5.0)}  # as the API checks


def _look_fields(look: CaptionLook, s: CaptionSetting) -> dict[str, Any]:
    """The look fields a setting replaces (only with override_visual_style)."""
    for field, (low, high) in _RANGES.items():
        value = getattr(s, field)
        if value is not None and not low <= value <= high:
            raise InputError(f"caption setting {field} must be between {low} and {high}, not {value}")
    changes: dict[str, Any] = {}
    if s.font_family:
        family = known_family(s.font_family)
        if family:  # an unknown font falls back to the style's font
            changes["font"] = family
    if s.font_size is not None:
        changes["size"] = s.font_size
    if s.font_style:
        changes.update(_font_style(look, s.font_style))
    if s.text_color:
        changes["text"] = parse_color(s.text_color)
    if s.highlight_text_color:
        changes["highlight"] = parse_color(s.highlight_text_color)
    if s.background_color:
        box = parse_color(s.background_color)
        changes["box"] = box if box[3] > 0 else None
        if box[3] > 0:
            changes["outline_px"] = 0.0
    if s.max_width is not None:
        changes["max_width"] = s.max_width
    if s.line_height is not None:
        changes["line_height"] = s.line_height
    if s.text_shadow is not None:
        changes["shadow"] = parse_text_shadow(s.text_shadow)
    return changes


def _legacy_offset(value: str | float | None) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        raise InputError(f"caption offset must be a number between -0.5 and 0.5, not {value!r}") from None
    if not -0.5 <= number <= 0.5:
        raise InputError(f"caption offset must be between -0.5 and 0.5, not {number}")
    return number


def resolve_look(setting: CaptionSetting | None = None, caption_style: str | None = None,
                 offset_x: str | float | None = None, offset_y: str | float | None = None) -> CaptionLook | None:
    """The look to render, or None when the captions are hidden."""
    s = setting or CaptionSetting()
    if s.hidden:
        return None
    name = s.style or caption_style
    look = get_caption_style(name) if name else VISUAL_STYLE_LOOK
    changes: dict[str, Any] = {}
    if s.offset is not None:
        changes["offset"] = (s.offset.x or 0.0, s.offset.y or 0.0)
    else:
        x, y = _legacy_offset(offset_x), _legacy_offset(offset_y)
        if x is not None or y is not None:
            changes["offset"] = (x or 0.0, y or 0.0)
    if "offset" in changes and not all(-0.5 <= v <= 0.5 for v in changes["offset"]):
        raise InputError("caption offset x and y must be between -0.5 and 0.5 (fractions of the frame)")
    if s.override_visual_style:
        changes.update(_look_fields(look, s))
    return look.model_copy(update=changes) if changes else look


def request_setting(caption_setting: dict[str, Any] | None, offset_x: str | float | None = None,
                    offset_y: str | float | None = None) -> CaptionSetting | None:
    """The API's caption fields as one setting: the legacy offsets count where `caption_setting` has none."""
    setting = parse_setting(caption_setting) or CaptionSetting()
    x, y = _legacy_offset(offset_x), _legacy_offset(offset_y)
    if setting.offset is None and (x is not None or y is not None):
        setting = setting.model_copy(update={"offset": Offset(x=x, y=y)})
    return setting if setting.model_fields_set or setting.offset is not None else None
