"""Process logging for `serve` and `worker`: plain lines, or one JSON object per line.

`LINKREEL_LOG_FORMAT=json` makes every line machine-readable (for a log shipper), e.g.

    {"ts": "2026-11-25T20:01:02.345Z", "level": "INFO", "logger": "linkreel.runner",
     "msg": "render done", "job": "8c1e4f2a-…", "worker": "host:1234"}

`job` comes from `job_context(job_id)`, which the runner enters around each job's work, so lines
from deep inside the pipeline still name their job without passing it around.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

_JOB: contextvars.ContextVar[str | None] = contextvars.ContextVar("linkreel_job", default=None)
WORKER = f"{socket.gethostname()}:{os.getpid()}"


@contextmanager
def job_context(job_id: str) -> Iterator[None]:
    token = _JOB.set(job_id)
    try:
        yield
    finally:
        _JOB.reset(token)


class _JobFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.job = _JOB.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname, "logger": record.name, "msg": record.getMessage(),
            "worker": WORKER,
        }
        job = getattr(record, "job", None)
        if job:
            entry["job"] = job
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        job = getattr(record, "job", None)
        return f"{line} [job {job}]" if job else line


def setup_logging(fmt: str = "text", level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.addFilter(_JobFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else
                         _TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("huey").setLevel(logging.WARNING)  # one line per task is noise at INFO
