"""Stage outputs cached on disk, keyed by a hash of their inputs.

A stage's directory holds its media files and, written last, `result.json`: a crash leaves no
result, so the stage simply runs again. Changing `--aspect` or `--visual-style` changes only
the keys of the later stages, so scrape, script and voice are reused.
"""

import hashlib
import json
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
log = logging.getLogger("linkreel.stages")

# Bump when a stage's code changes what it produces, so old cached results are not reused.
STAGE_VERSION = "1"


def input_key(inputs: Any) -> str:
    blob = json.dumps(inputs, sort_keys=True, default=_jsonable, ensure_ascii=False)
    return hashlib.sha256(f"{STAGE_VERSION}:{blob}".encode()).hexdigest()[:16]


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot hash {type(value).__name__}")


@dataclass
class StageRun:
    name: str
    seconds: float
    cached: bool


@dataclass
class StageCache:
    root: Path
    on_event: Callable[[str, str], None] = lambda name, status: None  # (stage, "start"|"done"|"cached")
    runs: list[StageRun] = field(default_factory=list)

    def run(self, name: str, inputs: Any, model: type[M], fn: Callable[[Path], M]) -> M:
        stage_dir = self.root / f"{name}-{input_key(inputs)}"
        result = stage_dir / "result.json"
        if result.exists():
            self.runs.append(StageRun(name, 0.0, True))
            log.info("stage %s reused from the cache", name)
            self.on_event(name, "cached")
            return model.model_validate_json(result.read_text("utf-8"))
        if stage_dir.exists():
            shutil.rmtree(stage_dir)  # leftovers of an interrupted run
        stage_dir.mkdir(parents=True)
        self.on_event(name, "start")
        start = time.perf_counter()
        value = fn(stage_dir)
        tmp = result.with_suffix(".tmp")
        tmp.write_text(value.model_dump_json(indent=1), "utf-8")
        tmp.replace(result)
        self.runs.append(StageRun(name, time.perf_counter() - start, False))
        log.info("stage %s ran in %.2f s", name, self.runs[-1].seconds)
        self.on_event(name, "done")
        return value

    def seconds(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for r in self.runs:
            out[r.name] = round(out.get(r.name, 0.0) + r.seconds, 3)
        return out
