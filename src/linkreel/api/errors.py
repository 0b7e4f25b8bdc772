"""DRF-style error bodies (contract §1) and the FastAPI handlers that produce them.

Raise from anywhere inside a request:

    raise ApiError.field("url", "This field is required.")        # 400 {"url": ["..."]}
    raise ApiError.invalid("Link must have at least ...")          # 400 ["..."]
    raise ApiError.not_found()                                      # 404 {"detail": "Not found."}
    raise ApiError.detail(403, "You do not have permission ...")    # {"detail": "..."}

Collect several field errors, nested and per list item, then raise once:

    errors = FieldErrors()
    errors.add(("caption_setting", "offset", "x"), "A valid number is required.")
    errors.add(("visual_styles", 2), invalid_choice("Nope"))      # {"visual_styles": {"2": [...]}}
    errors.raise_if_any()

`install_error_handlers(app)` maps ApiError, request validation errors, Starlette's 404/405 and
any unhandled exception (500, logged) to these shapes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("linkreel.api")

NOT_FOUND = "Not found."
REQUIRED = "This field is required."
INTERNAL = "Internal server error."

# Starlette raises HTTPException with these statuses; the contract fixes their messages.
_DETAILS: dict[int, str] = {
    401: "Authentication credentials were not provided.",
    403: "You do not have permission to perform this action.",
    404: NOT_FOUND,
    500: INTERNAL,
}


def invalid_choice(value: Any) -> str:
    return f'"{value}" is not a valid choice.'


def method_not_allowed(method: str) -> str:
    return f'Method "{method}" not allowed.'


class ApiError(Exception):
    """An error response: `status_code` and a JSON `body` already in the contract's shape."""

    def __init__(self, status_code: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status_code}: {body!r}")
        self.status_code = status_code
        self.body = body
        self.headers = headers

    @classmethod
    def invalid(cls, *messages: str) -> ApiError:
        """400 with a non-field error list: `["message", ...]`."""
        return cls(400, list(messages))

    @classmethod
    def field(cls, name: str, *messages: str) -> ApiError:
        """400 with one field's errors: `{"name": ["message"]}`."""
        return cls(400, {name: list(messages)})

    @classmethod
    def fields(cls, errors: dict[str, Any]) -> ApiError:
        """400 with a ready-made field error mapping (see FieldErrors for building one)."""
        return cls(400, errors)

    @classmethod
    def detail(cls, status_code: int, message: str, headers: dict[str, str] | None = None) -> ApiError:
        return cls(status_code, {"detail": message}, headers)

    @classmethod
    def not_found(cls) -> ApiError:
        return cls.detail(404, NOT_FOUND)


class FieldErrors:
    """Accumulates field errors into DRF's nested shape; list indices become string keys."""

    def __init__(self) -> None:
        self.errors: dict[str, Any] = {}

    def add(self, path: str | Sequence[str | int], message: str) -> None:
        keys = [path] if isinstance(path, str) else [str(k) for k in path]
        node = self.errors
        for key in keys[:-1]:
            child = node.get(key)
            if not isinstance(child, dict):  # a message list already here: nesting wins
                child = node[key] = {}
            node = child
        leaf = node.setdefault(keys[-1], [])
        if isinstance(leaf, list):
            leaf.append(message)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ApiError.fields(self.errors)


# --------------------------------------------------------------------------- validation errors

# pydantic error type -> DRF message. `{input}` is the value sent.
_PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": REQUIRED,
    "int_parsing": "A valid integer is required.",
    "int_type": "A valid integer is required.",
    "int_from_float": "A valid integer is required.",
    "float_parsing": "A valid number is required.",
    "float_type": "A valid number is required.",
    "bool_parsing": "Must be a valid boolean.",
    "bool_type": "Must be a valid boolean.",
    "string_type": "Not a valid string.",
    "uuid_parsing": "Must be a valid UUID.",
    "uuid_type": "Must be a valid UUID.",
    "enum": '"{input}" is not a valid choice.',
    "literal_error": '"{input}" is not a valid choice.',
    "list_type": 'Expected a list of items but got type "{type}".',
    "dict_type": 'Expected a dictionary of items but got type "{type}".',
    "url_parsing": "Enter a valid URL.",
    "url_scheme": "Enter a valid URL.",
    "url_type": "Enter a valid URL.",
}


def _drf_message(error: dict[str, Any]) -> str:
    template = _PYDANTIC_MESSAGES.get(error.get("type", ""))
    if template is None:
        return str(error.get("msg", "Invalid value."))
    value = error.get("input")
    return template.format(input=value, type=type(value).__name__)


def validation_errors_to_drf(errors: Iterable[dict[str, Any]]) -> dict[str, Any] | list[str]:
    """pydantic/FastAPI errors (with `loc`) to DRF's shape; the location kind (`body`, `query`) is dropped."""
    out = FieldErrors()
    loose: list[str] = []
    for error in errors:
        loc = [part for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
        if loc:
            out.add(loc, _drf_message(error))
        else:
            loose.append(_drf_message(error))
    return out.errors or loose


# --------------------------------------------------------------------------- handlers


def _json(status_code: int, body: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status_code, headers=headers)


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return _json(exc.status_code, exc.body, exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return _json(400, validation_errors_to_drf(exc.errors()))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405:
        message = method_not_allowed(request.method)
    elif exc.status_code in _DETAILS:
        message = _DETAILS[exc.status_code]
    else:
        message = str(exc.detail)
    return _json(exc.status_code, {"detail": message}, dict(exc.headers or {}) or None)


class CatchAllMiddleware:
    """Any exception that escapes the app becomes `500 {"detail": "Internal server error."}`.

    A plain ASGI middleware rather than an `Exception` handler: Starlette re-raises after calling
    such a handler, which would crash test clients and double-log under uvicorn.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            log.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"))
            if started:  # too late to change the status; let the server close the connection
                raise
            await _json(500, {"detail": INTERNAL})(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_middleware(CatchAllMiddleware)
