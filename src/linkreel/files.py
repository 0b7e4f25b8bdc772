"""Files made once and shared: write to a temp name beside the target, then rename into place."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def make_once(target: Path, render: Callable[[Path], None]) -> Path:
    """`target`, made by `render(tmp)` if it does not exist yet. Concurrent callers may both render;
    each renames a whole file into place, so a reader never sees half of one."""
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=target.suffix)
    os.close(fd)
    tmp = Path(name)
    try:
        render(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
