"""Files made once and shared: write to a temp name beside the target, then rename into place.

The temp name carries the writer's process id, so the temp files of a process that was killed
mid-write can be told from those being written now, and swept (`sweep_orphans`, at serve/worker start).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from linkreel.processes import pid_alive

_TEMP = re.compile(r"^\..+-p(\d+)-[^/]+$")


def make_once(target: Path, render: Callable[[Path], object]) -> Path:
    """`target`, made by `render(tmp)` if it does not exist yet. Concurrent callers may both render;
    each renames a whole file into place, so a reader never sees half of one."""
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-p{os.getpid()}-", suffix=target.suffix)
    os.close(fd)
    tmp = Path(name)
    try:
        render(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def sweep_orphans(folder: Path) -> list[Path]:
    """Delete the temp files under `folder` whose writer is gone (killed mid-write). Returns them."""
    swept = []
    for path in folder.rglob(".*") if folder.is_dir() else []:
        match = _TEMP.match(path.name)
        if match and path.is_file() and not pid_alive(int(match.group(1))):
            path.unlink(missing_ok=True)
            swept.append(path)
    return swept
