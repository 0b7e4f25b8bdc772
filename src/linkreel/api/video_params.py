"""The link_to_videos request body (contract §3.2): enumerations, defaults and field validation.

    params = validate_params(data, mode="create", check=Checks(...))   # ApiError 400 on any bad field

`params` holds every §3.2 field after defaults (aspect ratios in `x` form), plus `aspect_ratios`
(create, preview_list) and `visual_styles` (preview_list). Errors are DRF-shaped: every bad field
is reported at once, nested objects nest and list items are keyed by index.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from linkreel.api.errors import REQUIRED, ApiError, FieldErrors, invalid_choice
from linkreel.api.validate import is_http_url
from linkreel.jobs.credits import MODEL_VERSIONS
from linkreel.languages import LANGUAGES
from linkreel.media.templates import STYLES as TEMPLATES
from linkreel.script.styles import STYLE_NAMES

Mode = Literal["create", "preview", "preview_list"]

ASPECT_RATIOS = ("16x9", "1x1", "9x16")
VIDEO_LENGTHS = (15, 30, 45, 60)

# Contract §4.1: the 54 visual styles and the ratios each allows (each is a template in media/templates).
VISUAL_STYLES: dict[str, tuple[str, ...]] = {name: style.ratios for name, style in TEMPLATES.items()}
assert len(VISUAL_STYLES) == 54

SCRIPT_STYLES = STYLE_NAMES  # 49
LANGUAGE_CODES = tuple(sorted(LANGUAGES))  # 29
CAPTION_STYLES = (
    "normal-black", "normal-white", "normal-red", "normal-blue", "neo", "brick", "frenzy", "verana", "mustard",
    "glow", "mint", "coolers", "bilo", "toons", "deep-blue", "mystique", "caution", "duality",
)  # fmt: skip

MAX_STYLES = 20
MAX_PAIRS = 30

# Fields a form body carries as strings: how body.read_body converts them.
FORM_KINDS: dict[str, Any] = {
    "video_length": "int", "visual_styles": "list", "aspect_ratios": "list", "caption_setting": "object",
    "background_music_volume": "float", "voiceover_volume": "float", "no_background_music": "bool",
    "no_caption": "bool", "no_emotion": "bool", "no_cta": "bool", "no_stock_broll": "bool",
}

BOOL_FIELDS = ("no_background_music", "no_caption", "no_emotion", "no_cta", "no_stock_broll")

# The §3.2 fields in the order of the response object (§3.5).
PARAM_FIELDS = (
    "name", "target_platform", "target_audience", "language", "video_length", "aspect_ratio", "script_style",
    "visual_style", "model_version", "override_avatar", "override_avatar_by_image", "override_voice",
    "override_script", "background_music_url", "background_music_volume", "voiceover_volume", "webhook_url",
    *BOOL_FIELDS, "caption_style", "caption_offset_x", "caption_offset_y", "caption_setting",
)

NOT_NULL = "This field may not be null."
NOT_STRING = "Not a valid string."
INVALID_URL = "Enter a valid URL."
BOTH_AVATARS = "Use either override_avatar or override_avatar_by_image, not both."


def too_long(limit: int) -> str:
    return f"Ensure this field has no more than {limit} characters."


def does_not_exist(value: Any) -> str:
    return f'Invalid pk "{value}" - object does not exist.'


def not_available(style: str, ratio: str) -> str:
    return f"{style} is not available for aspect ratio {ratio}."


@dataclass
class Checks:
    """Look-ups that need the database or the network, supplied by the route."""

    link_exists: Callable[[str], bool]
    persona_active: Callable[[str], bool]  # a library persona, or one of the workspace's custom ones
    voice_problem: Callable[[str, str], str | None]  # (voice id, language) → message, or None if usable
    url_problem: Callable[[str], str | None]  # SSRF guard → message, or None if allowed
    # why an existing persona cannot be used (a custom one still processing or failed), or None
    persona_problem: Callable[[str], str | None] = lambda _persona_id: None


# --------------------------------------------------------------------------- scalar readers


_MISSING = object()


def _string(errors: FieldErrors, data: dict[str, Any], field: str, max_len: int | None, default: Any = None,
            nullable: bool = True) -> Any:
    value = data.get(field, _MISSING)
    if value is _MISSING or (value is None and nullable):
        return default
    if value is None:
        errors.add(field, NOT_NULL)
        return default
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        errors.add(field, NOT_STRING)
        return default
    value = str(value)
    if max_len is not None and len(value) > max_len:
        errors.add(field, too_long(max_len))
    return value


def _choice(errors: FieldErrors, path: str | tuple[Any, ...], value: Any, choices: tuple[Any, ...]) -> Any:
    if isinstance(value, str | int) and not isinstance(value, bool) and value in choices:
        return value
    errors.add(path, invalid_choice(value))
    return None


def _enum(errors: FieldErrors, data: dict[str, Any], field: str, choices: tuple[str, ...], default: Any,
          nullable: bool = False) -> Any:
    value = data.get(field, _MISSING)
    if value is _MISSING or (value is None and nullable):
        return default
    if value is None:
        errors.add(field, NOT_NULL)
        return default
    return _choice(errors, field, value, choices)


def normalize_ratio(value: Any) -> Any:
    return value.strip().replace(":", "x") if isinstance(value, str) else value


def _length(errors: FieldErrors, data: dict[str, Any]) -> int:
    value = data.get("video_length", _MISSING)
    if value is _MISSING:
        return 30
    number: Any = value
    if isinstance(value, str) and re.fullmatch(r"\s*\d+(\.0+)?\s*", value):
        number = int(float(value))
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    if isinstance(number, int) and not isinstance(number, bool) and number in VIDEO_LENGTHS:
        return number
    errors.add("video_length", invalid_choice(value))
    return 30


def _as_bool(value: Any) -> bool | None:
    """true/false, 0/1 and their strings (DRF's BooleanField); None when it is none of them."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    return None


def _bool(errors: FieldErrors, path: str | tuple[Any, ...], value: Any) -> bool:
    if value is None:
        return False
    parsed = _as_bool(value)
    if parsed is None:
        errors.add(path, "Must be a valid boolean.")
    return bool(parsed)


def _number(errors: FieldErrors, path: str | tuple[Any, ...], value: Any, low: float | None = None,
            high: float | None = None) -> float | None:
    if value is None:
        return None
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        errors.add(path, "A valid number is required.")
        return None
    if low is not None and number < low:
        errors.add(path, f"Ensure this value is greater than or equal to {low}.")
    if high is not None and number > high:
        errors.add(path, f"Ensure this value is less than or equal to {high}.")
    return number


def _integer(errors: FieldErrors, path: tuple[Any, ...], value: Any, low: int, high: int) -> int | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        errors.add(path, "A valid integer is required.")
        return None
    if not low <= value <= high:
        errors.add(path, f"Ensure this value is between {low} and {high}.")
    return value


def _uuid(errors: FieldErrors, data: dict[str, Any], field: str) -> str | None:
    value = data.get(field)
    if value is None or value == "":
        return None
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, AttributeError):
        errors.add(field, "Must be a valid UUID.")
        return None


def _url(errors: FieldErrors, data: dict[str, Any], field: str, max_len: int, checks: Checks) -> str | None:
    value = _string(errors, data, field, None)
    if value is None or value == "":
        return None
    value = value.strip()
    if len(value) > max_len:
        errors.add(field, too_long(max_len))
        return value
    if not is_http_url(value):  # also refuses control characters (header injection in webhook URLs)
        errors.add(field, INVALID_URL)
        return value
    problem = checks.url_problem(value)
    if problem:
        errors.add(field, problem)
    return value


def _distinct_list(errors: FieldErrors, data: dict[str, Any], field: str, choices: tuple[str, ...], limit: int,
                   normalize: Callable[[Any], Any] = lambda v: v) -> list[str] | None:
    value = data.get(field)
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]  # one plain value stands for a one-item list (forms send it that way)
    if not isinstance(value, list):
        errors.add(field, f'Expected a list of items but got type "{type(value).__name__}".')
        return None
    if not value:
        errors.add(field, "This list may not be empty.")
        return None
    if len(value) > limit:
        errors.add(field, f"Ensure this field has no more than {limit} elements.")
        return None
    out: list[str] = []
    for i, item in enumerate(value):
        item = normalize(item)
        if _choice(errors, (field, i), item, choices) is not None:
            if item in out:
                errors.add((field, i), "Duplicate values are not allowed.")
            out.append(item)
    return out


# --------------------------------------------------------------------------- caption_setting


_CSS_COLOR = re.compile(r"^(#[0-9a-fA-F]{3,4}|#[0-9a-fA-F]{6}|#[0-9a-fA-F]{8}|rgba?\([^)]*\)|[a-zA-Z]+)$")


def _caption_setting(errors: FieldErrors, value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    field = "caption_setting"
    if not isinstance(value, dict):
        errors.add(field, f'Expected a dictionary of items but got type "{type(value).__name__}".')
        return None
    out: dict[str, Any] = {}
    for key, raw in value.items():
        path = (field, key)
        if raw is None:
            out[key] = None
        elif key == "style":
            out[key] = _choice(errors, path, raw, CAPTION_STYLES)
        elif key == "offset":
            if not isinstance(raw, dict):
                errors.add(path, f'Expected a dictionary of items but got type "{type(raw).__name__}".')
                continue
            out[key] = {axis: _number(errors, (field, key, axis), raw.get(axis), -0.5, 0.5)
                        for axis in ("x", "y") if axis in raw}
        elif key in ("font_family", "font_style", "text_shadow"):
            if not isinstance(raw, str):
                errors.add(path, NOT_STRING)
            elif len(raw) > 255:
                errors.add(path, too_long(255))
            out[key] = raw
        elif key in ("background_color", "text_color", "highlight_text_color"):
            if not isinstance(raw, str) or not _CSS_COLOR.match(raw.strip()):
                errors.add(path, "Enter a valid CSS colour (#RRGGBB, #RRGGBBAA or rgba()).")
            out[key] = raw
        elif key == "font_size":
            out[key] = _integer(errors, path, raw, 8, 400)
        elif key == "max_width":
            out[key] = _integer(errors, path, raw, 50, 4000)
        elif key == "line_height":
            out[key] = _number(errors, path, raw, 0.5, 5.0)
        elif key in ("hidden", "override_visual_style"):
            out[key] = _bool(errors, path, raw)
        # unknown keys are ignored, like unknown top-level fields
    return out


# --------------------------------------------------------------------------- the body


def validate_params(data: dict[str, Any], mode: Mode, checks: Checks) -> dict[str, Any]:
    """§3.2 body → params (defaults applied). Raises ApiError 400 with every field error found."""
    errors = FieldErrors()
    p: dict[str, Any] = {}

    link = data.get("link")
    if link is None or link == "":
        errors.add("link", REQUIRED)
    else:
        try:
            link = str(uuid.UUID(str(link)))
        except (ValueError, AttributeError):
            errors.add("link", "Must be a valid UUID.")
            link = None
        if link is not None and not checks.link_exists(link):
            errors.add("link", does_not_exist(link))
    p["link"] = link

    p["name"] = _string(errors, data, "name", 255)
    p["target_platform"] = _string(errors, data, "target_platform", 255, default="tiktok") or "tiktok"
    p["target_audience"] = _string(errors, data, "target_audience", 255)
    p["language"] = _enum(errors, data, "language", LANGUAGE_CODES, "en")
    p["video_length"] = _length(errors, data)
    ratio = normalize_ratio(data.get("aspect_ratio", "16x9"))
    p["aspect_ratio"] = _enum(errors, {"aspect_ratio": ratio}, "aspect_ratio", ASPECT_RATIOS, "16x9")
    p["script_style"] = _enum(errors, data, "script_style", SCRIPT_STYLES, "DiscoveryWriter")
    p["visual_style"] = _enum(errors, data, "visual_style", tuple(VISUAL_STYLES), "AvatarBubbleTemplate")
    p["model_version"] = _enum(errors, data, "model_version", MODEL_VERSIONS, "standard")

    p["override_avatar"] = _uuid(errors, data, "override_avatar")
    if p["override_avatar"] and not checks.persona_active(p["override_avatar"]):
        errors.add("override_avatar", does_not_exist(p["override_avatar"]))
    elif p["override_avatar"] and (problem := checks.persona_problem(p["override_avatar"])):
        errors.add("override_avatar", problem)
    p["override_avatar_by_image"] = _url(errors, data, "override_avatar_by_image", 1000, checks)
    p["override_voice"] = _uuid(errors, data, "override_voice")
    if p["override_voice"] and p["language"]:
        problem = checks.voice_problem(p["override_voice"], p["language"])
        if problem:
            errors.add("override_voice", problem)
    p["override_script"] = _string(errors, data, "override_script", 5000) or None
    p["background_music_url"] = _url(errors, data, "background_music_url", 255, checks)
    p["background_music_volume"] = _number(errors, "background_music_volume", data.get("background_music_volume"),
                                           0.0, 1.0)
    p["voiceover_volume"] = _number(errors, "voiceover_volume", data.get("voiceover_volume"), 0.0, 1.0)
    p["webhook_url"] = _url(errors, data, "webhook_url", 200, checks)
    for name in BOOL_FIELDS:
        p[name] = _bool(errors, name, data.get(name))
    p["caption_style"] = _enum(errors, data, "caption_style", CAPTION_STYLES, None, nullable=True)
    for axis in ("caption_offset_x", "caption_offset_y"):
        raw = data.get(axis)
        if raw is None or raw == "":
            p[axis] = None
        else:
            _number(errors, axis, raw, -0.5, 0.5)
            p[axis] = str(raw)
    p["caption_setting"] = _caption_setting(errors, data.get("caption_setting"))

    # Ratio rules, on the requested (contract) style names.
    if mode == "preview_list":
        styles = _distinct_list(errors, data, "visual_styles", tuple(VISUAL_STYLES), MAX_STYLES)
        if styles is None and "visual_styles" not in errors.errors:
            errors.add("visual_styles", REQUIRED)
        p["visual_styles"] = styles or []
    if mode in ("create", "preview_list"):
        ratios = _distinct_list(errors, data, "aspect_ratios", ASPECT_RATIOS, 3, normalize_ratio)
        p["aspect_ratios"] = ratios or ([p["aspect_ratio"]] if p["aspect_ratio"] else [])
        if ratios and "aspect_ratio" not in data:
            p["aspect_ratio"] = ratios[0]  # the top-level fields follow the first ratio (§7)
    if mode in ("create", "preview") and p["visual_style"]:
        for ratio in p.get("aspect_ratios") or [p["aspect_ratio"]]:
            if ratio and ratio not in VISUAL_STYLES[p["visual_style"]]:
                errors.add("visual_style", not_available(p["visual_style"], ratio))
                break
    if mode == "preview_list" and p["visual_styles"] and p["aspect_ratios"] and not errors:
        pairs = preview_pairs(p["visual_styles"], p["aspect_ratios"])
        if not pairs:
            errors.add("visual_styles", "None of the requested visual styles supports the requested aspect ratios.")
        elif len(pairs) > MAX_PAIRS:
            errors.add("visual_styles", f"At most {MAX_PAIRS} previews per request; these styles and ratios "
                                        f"make {len(pairs)}.")

    errors.raise_if_any()
    if p["override_avatar"] and p["override_avatar_by_image"]:
        raise ApiError.invalid(BOTH_AVATARS)
    return p


def preview_pairs(styles: list[str], ratios: list[str]) -> list[tuple[str, str]]:
    """(style, ratio) for every allowed combination, styles first (the order previews are listed)."""
    return [(s, r) for s in styles for r in ratios if r in VISUAL_STYLES[s]]
