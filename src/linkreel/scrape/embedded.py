"""JSON that shops embed in their pages for their own JavaScript: `<script id="__NEXT_DATA__">`,
`window.runParams = {...}`, `var meta = {...}`. Read from the raw HTML (the parsed `Page` has its
scripts stripped), bounded in size, never evaluated."""

from __future__ import annotations

import json
import re
from typing import Any

MAX_JSON_CHARS = 5_000_000  # a state blob larger than this is not worth parsing


def script_json(html: str, script_id: str) -> Any:
    """The JSON inside `<script id="script_id" ...>`, or None."""
    m = re.search(rf"<script\b[^>]*\bid=[\"']{re.escape(script_id)}[\"'][^>]*>", html, re.I)
    if m is None:
        return None
    end = html.find("</script>", m.end())
    if end < 0 or end - m.end() > MAX_JSON_CHARS:
        return None
    try:
        return json.loads(html[m.end() : end])
    except (ValueError, RecursionError):
        return None


def assigned_json(html: str, name: str) -> Any:
    """The object literal assigned to a JavaScript name (`window.runParams = {...}`,
    `var meta = {...}`, `runParams: {data: {...}}`-style nesting excluded): strict JSON only."""
    for m in re.finditer(rf"{re.escape(name)}\s*[=:]\s*", html):
        start = m.end()
        if start >= len(html) or html[start] not in "{[":
            continue
        try:
            value, _ = json.JSONDecoder().raw_decode(html[start : start + MAX_JSON_CHARS])
            return value
        except (ValueError, RecursionError):
            continue
    return None


def dig(value: Any, *path: str | int) -> Any:
    """value[path[0]][path[1]]..., None where the path breaks."""
    for key in path:
        if isinstance(key, int):
            value = value[key] if isinstance(value, list) and -len(value) <= key < len(value) else None
        else:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None:
            return None
    return value
