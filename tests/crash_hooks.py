"""Run `linkreel serve` / `linkreel worker` with stall points, so a test can SIGKILL it at a chosen step.

    CRASH_STALL=script,render CRASH_MARKS=/tmp/marks python -m tests.crash_hooks worker --concurrency 5

Each named point is taken once per process, by the first thread to reach it: that thread writes
`<CRASH_MARKS>/<point>` (the job id) and then blocks forever, so the test knows the process is
inside that step and kills it there. Nothing in `src/` knows about this: the points wrap the real
functions from the outside, then `linkreel.cli_server` runs as usual. Points:

* `scrape`, `script`, `voice`, `music`, `captions`, `timeline`: the pipeline stage has done its
  work in its stage directory but not yet written `result.json` (the stage is not finished);
* `render`: ffmpeg is encoding the final render, past 20 % (its progress reader blocks);
* `upload`: the thumbnail is published, the video (`output.mp4`) not yet;
* `api-commit`: POST /api/link_to_videos/ has charged and added the job, in its uncommitted transaction;
* `api-enqueue`: the job and its charge are committed, the queue task not yet sent;
* `api-link-stored`: POST /api/links/ has committed the link and its charge, not yet answered.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

STAGE_POINTS = ("scrape", "script", "voice", "music", "captions", "timeline")
RENDER_STALL_AT = 0.2

_taken: set[str] = set()
_guard = threading.Lock()


def _wanted() -> set[str]:
    return {p.strip() for p in os.environ.get("CRASH_STALL", "").split(",") if p.strip()}


def _take(point: str) -> bool:
    """True for the first caller of a wanted point in this process."""
    with _guard:
        if point not in _wanted() or point in _taken:
            return False
        _taken.add(point)
        return True


def _stall(point: str, job_id: str) -> None:
    """Say where we are (written whole, then renamed), then never return."""
    marks = Path(os.environ["CRASH_MARKS"])
    marks.mkdir(parents=True, exist_ok=True)
    tmp = marks / f".{point}.tmp"
    tmp.write_text(job_id)
    tmp.replace(marks / point)
    threading.Event().wait()


def _hook_stages() -> None:
    from linkreel.stages import StageCache

    original = StageCache.run

    def run(self: StageCache, name: str, inputs: Any, model: Any, fn: Callable[[Path], Any]) -> Any:
        def stalling(d: Path) -> Any:
            value = fn(d)
            if _take(name):
                _stall(name, d.parent.name)  # the work dir is <work>/<job id>/<stage>-<key>
            return value

        return original(self, name, inputs, model, stalling)

    StageCache.run = run  # type: ignore[method-assign]


def _hook_render() -> None:
    from linkreel.jobs import runner

    original = runner.JobProgress.fraction

    def fraction(self: runner.JobProgress, name: str, value: float) -> None:
        original(self, name, value)
        if name == "render" and value >= RENDER_STALL_AT and self.media_job and _take("render"):
            _stall("render", self.job_id)

    runner.JobProgress.fraction = fraction  # type: ignore[method-assign]


class _StallingStorage:
    """The real storage, but the upload of a final video stalls (after the thumbnail went up)."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def put_file(self, key: str, path: Path) -> None:
        if key.endswith("/output.mp4") and _take("upload"):
            _stall("upload", key.split("/", 1)[0])  # the media_job
        self.real.put_file(key, path)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def _hook_upload() -> None:
    from linkreel.jobs import runner

    original = runner.open_storage
    runner.open_storage = lambda settings: _StallingStorage(original(settings))  # type: ignore[assignment]


def _hook_api() -> None:
    from linkreel.api.routes import links, videos

    store = links._store

    def stalling_store(*args: Any, **kwargs: Any) -> Any:
        link = store(*args, **kwargs)  # committed, with its charge
        if _take("api-link-stored"):
            _stall("api-link-stored", link.id)
        return link

    links._store = stalling_store

    new_job, enqueue = videos._new_job, videos.enqueue

    def stalling_new_job(session: Any, *args: Any, **kwargs: Any) -> Any:
        job = new_job(session, *args, **kwargs)
        session.flush()  # the INSERTs are sent; the transaction stays open
        if _take("api-commit"):
            _stall("api-commit", job.id)
        return job

    def stalling_enqueue(settings: Any, job_id: str, action: str) -> None:
        if _take("api-enqueue"):
            _stall("api-enqueue", job_id)
        enqueue(settings, job_id, action)

    videos._new_job = stalling_new_job
    videos.enqueue = stalling_enqueue


def install() -> None:
    wanted = _wanted()
    if wanted & set(STAGE_POINTS):
        _hook_stages()
    if "render" in wanted:
        _hook_render()
    if "upload" in wanted:
        _hook_upload()
    if wanted & {"api-commit", "api-enqueue", "api-link-stored"}:
        _hook_api()


def main() -> None:
    install()
    from linkreel.cli_server import app

    sys.argv[0] = "linkreel"
    app()


if __name__ == "__main__":
    main()
