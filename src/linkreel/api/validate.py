"""Field validation with DRF's messages, collecting every error before raising once.

    v = Validator(data)                        # data: the dict from api.body.read_body
    v.url("url", required=True, max_length=1000)
    v.string("title", max_length=1000)
    v.url_list("image_urls", max_items=50)
    v.any("reviews")
    clean = v.result()                         # ApiError 400 {"field": [...], ...} if anything failed

Only fields present in `data` (or required ones) appear in the result, so the same calls serve
full creates and partial updates (PATCH). `null` is accepted where `nullable=True` (the default).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from linkreel.api.errors import REQUIRED, FieldErrors, invalid_choice

NOT_NULL = "This field may not be null."
NOT_BLANK = "This field may not be blank."
NOT_STRING = "Not a valid string."
BAD_URL = "Enter a valid URL."
_MISSING = object()


def too_long(n: int) -> str:
    return f"Ensure this field has no more than {n} characters."


def too_many(n: int) -> str:
    return f"Ensure this field has no more than {n} elements."


def not_a_list(value: Any) -> str:
    return f'Expected a list of items but got type "{type(value).__name__}".'


def is_http_url(value: str) -> bool:
    """An absolute http(s) URL with a host, no whitespace (what the fetcher can try)."""
    if not value or any(c.isspace() or ord(c) < 32 for c in value):
        return False
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or 0 < parts.port < 65536  # .port raises on garbage
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and port_ok


class Validator:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.errors = FieldErrors()
        self.clean: dict[str, Any] = {}

    def _get(self, name: str, required: bool, nullable: bool) -> Any:
        """The raw value, or _MISSING when absent/invalid (the error is already recorded)."""
        value = self.data.get(name, _MISSING)
        if value is _MISSING:
            if required:
                self.errors.add(name, REQUIRED)
            return _MISSING
        if value is None:
            if nullable and not required:
                self.clean[name] = None
            else:
                self.errors.add(name, REQUIRED if required else NOT_NULL)
            return _MISSING
        return value

    def _text(self, path: str | list[str | int], value: Any, max_length: int | None, blank: bool) -> str | None:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.errors.add(path, NOT_STRING)
            return None
        text = str(value)
        if not blank and not text.strip():
            self.errors.add(path, NOT_BLANK)
            return None
        if max_length is not None and len(text) > max_length:
            self.errors.add(path, too_long(max_length))
            return None
        return text

    def string(
        self, name: str, *, required: bool = False, nullable: bool = True, max_length: int | None = None,
        blank: bool = True,
    ) -> None:
        value = self._get(name, required, nullable)
        if value is not _MISSING:
            text = self._text(name, value, max_length, blank)
            if text is not None:
                self.clean[name] = text

    def _url(self, path: str | list[str | int], value: Any, max_length: int | None) -> str | None:
        text = self._text(path, value, None, blank=False)
        if text is None:
            return None
        text = text.strip()
        if not is_http_url(text):
            self.errors.add(path, BAD_URL)
            return None
        if max_length is not None and len(text) > max_length:
            self.errors.add(path, too_long(max_length))
            return None
        return text

    def url(self, name: str, *, required: bool = False, nullable: bool = True, max_length: int | None = None) -> None:
        value = self._get(name, required, nullable)
        if value is not _MISSING and not (nullable and not required and value == ""):
            url = self._url(name, value, max_length)
            if url is not None:
                self.clean[name] = url
        elif value == "":
            self.clean[name] = None  # forms send "" for "no value"

    def url_list(self, name: str, *, max_items: int | None = None, max_length: int | None = None) -> None:
        value = self._get(name, required=False, nullable=False)
        if value is _MISSING:
            return
        if not isinstance(value, list):
            self.errors.add(name, not_a_list(value))
            return
        if max_items is not None and len(value) > max_items:
            self.errors.add(name, too_many(max_items))
            return
        urls = [self._url([name, i], item, max_length) for i, item in enumerate(value)]
        if all(u is not None for u in urls):
            self.clean[name] = urls

    def choice(self, name: str, choices: Iterable[Any], *, required: bool = False, nullable: bool = True) -> None:
        value = self._get(name, required, nullable)
        if value is not _MISSING:
            if value in set(choices):
                self.clean[name] = value
            else:
                self.errors.add(name, invalid_choice(value))

    def any(self, name: str) -> None:
        """Any JSON value, stored as sent."""
        if name in self.data:
            self.clean[name] = self.data[name]

    def result(self) -> dict[str, Any]:
        self.errors.raise_if_any()
        return self.clean
