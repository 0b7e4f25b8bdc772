"""Stage outputs cached on disk, keyed by a hash of their inputs.

A stage's directory holds its media files and, written last, `result.json`: a crash leaves no
result, so the stage simply runs again. Changing `--aspect` or `--visual-style` changes only
the keys of the later stages, so scrape, script and voice are reused.

With a `StageMirror` (jobs on shared storage) each finished stage is also copied to storage, so a
job whose worker died resumes on another machine from its last finished stage: a local miss is
restored from the mirror before the stage would run. Paths inside the work dir are stored relative
to it; a restored result that names a file this machine does not have is not used.

`seeds` are other jobs' stages to take a finished stage from before running it: the web editor's new
version of an ad takes what the edit did not change from the version it was made from (its work dir on
this machine, `WorkDirSeed`, or its mirror).
"""

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from linkreel.storage import Storage, StorageError, patiently

M = TypeVar("M", bound=BaseModel)
log = logging.getLogger("linkreel.stages")

# Bump when a stage's code changes what it produces, so old cached results are not reused.
STAGE_VERSION = "1"


def input_key(inputs: Any, root: Path | None = None) -> str:
    """A hash of the inputs. Paths inside `root` (the work dir) count relative to it, so a stage's key is
    the same on every machine (inputs name earlier stages' files)."""
    blob = json.dumps(inputs, sort_keys=True, default=_jsonable, ensure_ascii=False)
    if root is not None:
        blob = _relative_to_work(blob, root)
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


class StageSource(Protocol):
    def restore(self, stage_dir: Path, root: Path) -> bool: ...


class StageMirror(StageSource, Protocol):
    def save(self, stage_dir: Path, root: Path) -> None: ...


@dataclass
class StageCache:
    root: Path
    on_event: Callable[[str, str], None] = lambda name, status: None  # (stage, "start"|"done"|"cached")
    runs: list[StageRun] = field(default_factory=list)
    mirror: StageMirror | None = None
    seeds: tuple[StageSource, ...] = ()

    def run(self, name: str, inputs: Any, model: type[M], fn: Callable[[Path], M]) -> M:
        stage_dir = self.root / f"{name}-{input_key(inputs, self.root)}"
        result = stage_dir / "result.json"
        if not result.exists() and stage_dir.exists():
            shutil.rmtree(stage_dir)  # leftovers of an interrupted run
        if result.exists() or self._restore(stage_dir):
            self.runs.append(StageRun(name, 0.0, True))
            log.info("stage %s reused from the cache", name)
            self.on_event(name, "cached")
            return model.model_validate_json(result.read_text("utf-8"))
        stage_dir.mkdir(parents=True)
        self.on_event(name, "start")
        start = time.perf_counter()
        value = fn(stage_dir)
        self.runs.append(StageRun(name, time.perf_counter() - start, False))
        log.info("stage %s ran in %.2f s", name, self.runs[-1].seconds)
        # Reported before the result is kept: a process killed in between runs the stage again, and then
        # it is reported twice, as it ran; the other order would hide a run that finished.
        self.on_event(name, "done")
        _write_atomically(result, value.model_dump_json(indent=1))
        if self.mirror is not None:
            self.mirror.save(stage_dir, self.root)
        return value

    def _restore(self, stage_dir: Path) -> bool:
        """The stage finished elsewhere: by this job on another worker (the mirror), or by a seed (then it is
        mirrored for this job too, like a stage it ran)."""
        if self.mirror is not None and self.mirror.restore(stage_dir, self.root):
            return True
        if not any(seed.restore(stage_dir, self.root) for seed in self.seeds):
            return False
        if self.mirror is not None:
            self.mirror.save(stage_dir, self.root)
        return True

    def seconds(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for r in self.runs:
            out[r.name] = round(out.get(r.name, 0.0) + r.seconds, 3)
        return out


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, "utf-8")
    tmp.replace(path)


WORK_TOKEN = "${work}"  # stands for the work dir in a mirrored result


@dataclass
class StorageMirror:
    """Finished stages copied to `<prefix>/<stage dir>/` in storage: the files (`f0`, `f1`…), then
    `stage.json` (their paths and the result, with paths relative to the work dir), written last.

    Saving is best effort (a stage that is not mirrored runs again elsewhere; the job goes on);
    restoring waits out a storage outage like every other storage read of a job."""

    storage: Storage
    prefix: str
    patience_s: float = 0.0
    skip: frozenset[str] = frozenset({"render"})  # renders are published anyway; a re-render is cheap by comparison

    def _key(self, stage_dir: Path, name: str = "stage.json") -> str:
        return f"{self.prefix}/{stage_dir.name}/{name}"

    def _mirrored(self, stage_dir: Path) -> bool:
        return stage_dir.name.rsplit("-", 1)[0] not in self.skip

    def save(self, stage_dir: Path, root: Path) -> None:
        if not self._mirrored(stage_dir):
            return
        files = sorted(p.relative_to(stage_dir).as_posix() for p in stage_dir.rglob("*")
                       if p.is_file() and p.name != "result.json")
        record = {"files": files, "result": _relative_to_work((stage_dir / "result.json").read_text("utf-8"), root)}
        try:
            for i, rel in enumerate(files):  # numbered keys: a file's own name may not be a valid key
                self.storage.put_file(self._key(stage_dir, f"f{i}"), stage_dir / rel)
            self.storage.put_bytes(self._key(stage_dir), json.dumps(record).encode())
        except StorageError as exc:
            log.warning("stage %s not mirrored to storage: %s", stage_dir.name, exc)

    def restore(self, stage_dir: Path, root: Path) -> bool:
        if not self._mirrored(stage_dir):
            return False
        data = patiently(partial(self.storage.get_bytes, self._key(stage_dir)), self.patience_s, "stage mirror")
        if data is None:
            return False
        record = json.loads(data)
        stage_dir.mkdir(parents=True)
        if any(Path(rel).is_absolute() or ".." in Path(rel).parts for rel in record["files"]):
            return _give_up(stage_dir, "its file list leaves the stage directory")
        for i, rel in enumerate(record["files"]):
            blob = patiently(partial(self.storage.get_bytes, self._key(stage_dir, f"f{i}")), self.patience_s,
                             "stage mirror")
            if blob is None:
                return _give_up(stage_dir, f"{rel} is missing")
            (stage_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            (stage_dir / rel).write_bytes(blob)
        result = record["result"].replace(WORK_TOKEN, _json_text(str(root)))
        missing = [p for p in _absolute_paths(json.loads(result)) if not Path(p).exists()]
        if missing:  # e.g. a music bed in another machine's cache: the stage runs here instead
            return _give_up(stage_dir, f"it names files this machine does not have ({missing[0]})")
        _write_atomically(stage_dir / "result.json", result)
        log.info("stage %s restored from storage", stage_dir.name)
        return True

    def delete(self) -> None:
        self.storage.delete_prefix(self.prefix)


@dataclass(frozen=True)
class WorkDirSeed:
    """Another job's work dir on this machine, as a source of finished stages: a stage is copied with its
    files hard-linked (no media stored twice; none is ever written in place) and the paths in its result
    moved to the new work dir, the result written last."""

    root: Path

    def restore(self, stage_dir: Path, root: Path) -> bool:
        source = self.root / stage_dir.name
        if not (source / "result.json").is_file():
            return False
        try:
            shutil.copytree(source, stage_dir, symlinks=True, copy_function=_link_or_copy,
                            ignore=shutil.ignore_patterns("result.json", "*.tmp"))
            text = _relative_to_work((source / "result.json").read_text("utf-8"), self.root)
            _write_atomically(stage_dir / "result.json", text.replace(WORK_TOKEN, _json_text(str(root))))
        except OSError as exc:  # the seed went away meanwhile (its job finished): the stage runs here
            log.info("stage %s not taken from %s: %s", stage_dir.name, self.root, exc)
            shutil.rmtree(stage_dir, ignore_errors=True)
            return False
        log.info("stage %s taken from %s", stage_dir.name, self.root)
        return True


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another file system
        shutil.copy2(src, dst)


def _give_up(stage_dir: Path, why: str) -> bool:
    log.info("stage %s not restored from storage: %s", stage_dir.name, why)
    shutil.rmtree(stage_dir, ignore_errors=True)
    return False


def _json_text(text: str) -> str:
    """`text` as it appears inside a JSON string (written with ensure_ascii=False, as pydantic does)."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def _relative_to_work(json_text: str, root: Path) -> str:
    """JSON text with the work dir's path replaced by WORK_TOKEN."""
    for form in sorted({str(root.resolve()), str(root)}, key=len, reverse=True):
        json_text = json_text.replace(_json_text(form), WORK_TOKEN)
    return json_text


def _absolute_paths(value: Any) -> list[str]:
    """Strings that look like file paths (a false match only costs running the stage again)."""
    if isinstance(value, str):
        looks_like_file = value.startswith("/") and not any(c.isspace() for c in value) and Path(value).suffix
        return [value] if looks_like_file and len(value) < 4096 else []
    if isinstance(value, dict):
        return [p for v in value.values() for p in _absolute_paths(v)]
    if isinstance(value, list):
        return [p for v in value for p in _absolute_paths(v)]
    return []
