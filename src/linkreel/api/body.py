"""Request bodies as a dict, from JSON, x-www-form-urlencoded or multipart (contract §1).

    from linkreel.api.body import read_body

    @router.post("/api/things/")
    async def create(request: Request):
        data = await read_body(request, kinds={"visual_styles": "list", "caption_setting": "object",
                                               "no_caption": "bool", "video_length": "int"})

JSON bodies come back as sent (validate types downstream). Form bodies are strings, so `kinds`
says how to read each field: "list" (repeated keys, or one JSON array string, or one plain value),
"object" (a JSON object string), "bool" (true/false/1/0, any case), "int", "float" (numeric strings).
A form value that does not convert is left as the string, so the validator reports it on its field.
An empty form value of a typed field becomes None. Undeclared form fields are strings (lists if
repeated). File parts of multipart bodies are ignored.

Errors: unsupported content type → 415 {"detail": "Unsupported media type \"<type>\" in request."};
malformed JSON → 400 {"detail": "JSON parse error - <reason>"}; JSON that is not an object →
400 ["Invalid data. Expected a dictionary, but got <type>."].

Sync endpoints (`def`) cannot await: declare `data: dict = Depends(body_dependency(kinds))` instead.
Document the body in OpenAPI (all three content types) with `openapi_extra=openapi_body(Model)`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal

from fastapi import Request
from pydantic import BaseModel
from starlette.datastructures import UploadFile

from linkreel.api.errors import ApiError

Kind = Literal["str", "list", "object", "bool", "int", "float"]

JSON_TYPES = ("application/json",)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
_JSON_TYPE_NAMES = {list: "list", str: "str", int: "int", float: "float", bool: "bool", type(None): "NoneType"}


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ApiError.detail(400, f"JSON parse error - {exc}") from None
    except json.JSONDecodeError as exc:
        raise ApiError.detail(400, f"JSON parse error - {exc}") from None
    except RecursionError:  # thousands of nested brackets: refuse, never a 500
        raise ApiError.detail(400, "JSON parse error - nested too deeply") from None


def _as_dict(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        name = _JSON_TYPE_NAMES.get(type(data), type(data).__name__)
        raise ApiError.invalid(f"Invalid data. Expected a dictionary, but got {name}.")
    return data


# --------------------------------------------------------------------------- form coercion


def _to_list(values: list[str]) -> Any:
    if len(values) == 1:
        text = values[0].strip()
        if text.startswith("["):
            try:
                return json.loads(text)
            except (json.JSONDecodeError, RecursionError):
                return values[0]  # the validator says "expected a list"
        if text == "":
            return []
    return list(values)


def _to_object(value: str) -> Any:
    if value.strip() == "":
        return None
    try:
        return json.loads(value)
    except (json.JSONDecodeError, RecursionError):
        return value


def _to_bool(value: str) -> Any:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None if text == "" else value


def _to_number(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(value: str) -> Any:
        text = value.strip()
        if text == "":
            return None
        try:
            return convert(text)
        except ValueError:
            return value

    return parse


def _to_int(text: str) -> int:
    number = float(text)  # "30" and "30.0" both mean 30; "30.5" stays a string (not an integer)
    if not number.is_integer():
        raise ValueError(text)
    return int(number)


_SCALAR: dict[str, Callable[[str], Any]] = {
    "object": _to_object,
    "bool": _to_bool,
    "int": _to_number(_to_int),
    "float": _to_number(float),
    "str": lambda v: v,
}


def coerce_form(pairs: list[tuple[str, str]], kinds: Mapping[str, Kind] | None = None) -> dict[str, Any]:
    """Form fields (in order, keys possibly repeated) to a dict, typed by `kinds`."""
    kinds = kinds or {}
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key.removesuffix("[]"), []).append(value)  # "a[]=x" is PHP/jQuery's list form
    out: dict[str, Any] = {}
    for key, values in grouped.items():
        kind = kinds.get(key, "str")
        if kind == "list":
            out[key] = _to_list(values)
        elif len(values) > 1 and kind == "str":
            out[key] = values
        else:
            out[key] = _SCALAR[kind](values[-1])
    return out


# --------------------------------------------------------------------------- entry points


async def read_body(request: Request, kinds: Mapping[str, Kind] | None = None) -> dict[str, Any]:
    """The request body as a dict (see module docstring). An empty body is `{}`."""
    media_type = _media_type(request)
    if media_type in FORM_TYPES:
        try:
            form = await request.form()
        except Exception as exc:  # python-multipart raises several types for broken bodies
            kind = "Multipart form" if media_type == "multipart/form-data" else "Form"
            raise ApiError.detail(400, f"{kind} parse error - {exc}") from None
        pairs = [(k, v) for k, v in form.multi_items() if not isinstance(v, UploadFile)]
        return coerce_form(pairs, kinds)

    raw = await request.body()
    if media_type in JSON_TYPES or media_type.endswith("+json"):
        return _as_dict(_parse_json(raw)) if raw.strip() else {}
    if not raw.strip():
        return {}  # a bodiless POST (render/) may carry any content type, or none
    if media_type == "":
        return _as_dict(_parse_json(raw))  # curl --data-binary without -H: be lenient, it is JSON or nothing
    raise ApiError.detail(415, f'Unsupported media type "{media_type}" in request.')


def body_dependency(kinds: Mapping[str, Kind] | None = None) -> Callable[[Request], Awaitable[dict[str, Any]]]:
    """A FastAPI dependency returning `read_body(request, kinds)`, for sync endpoints."""

    async def dependency(request: Request) -> dict[str, Any]:
        return await read_body(request, kinds)

    return dependency


def openapi_body(model: type[BaseModel], required: bool = True) -> dict[str, Any]:
    """`openapi_extra` declaring `model` as the body in JSON, form and multipart encodings."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)  # nested models must be plain (these request models are flat)
    content = {media_type: {"schema": schema} for media_type in (*JSON_TYPES, *FORM_TYPES)}
    return {"requestBody": {"required": required, "content": content}}
