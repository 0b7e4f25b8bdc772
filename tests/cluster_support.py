"""Run linkreel as separate processes (`serve --workers 0` + `worker`s) on a chosen backend, kill them.

Backends:

* `embedded`: one SQLite file, one SqliteHuey file and one local media directory shared by the
  processes of a test (what a single machine runs), in the test's temp dir: runs everywhere;
* `servers`: the PostgreSQL, Redis and SeaweedFS (S3) of `make services`, from the
  LINKREEL_TEST_* variables (`make test` exports them); each process gets its own data dir (no
  shared disk). Skips, saying why, when they are not set or do not answer. The test database and
  Redis db are emptied first: they are the disposable test ones.

Processes start through `tests.crash_hooks`, so `stall=[...]` can stop one at a chosen step
(see there); `kill()` SIGKILLs its whole process group (ffmpeg children included), as when a
machine dies. Use with `pytest_plugins = ["tests.cluster_support"]`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from linkreel.jobs.models import CreditEntry, VideoJob
from tests.helpers import ROOT
from tests.webhook_support import wait_for

VARS = ("LINKREEL_TEST_DATABASE_URL", "LINKREEL_TEST_QUEUE_URL", "LINKREEL_TEST_STORAGE_URL")
S3_KEYS = {"LINKREEL_S3_ACCESS_KEY": "linkreel", "LINKREEL_S3_SECRET_KEY": "linkreel"}  # SeaweedFS: any pair
TEMP_LEFTOVERS = ("*.tmp", "*.part.mp4", ".*-p[0-9]*-*")  # what an interrupted write leaves behind


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reset_database(db_url: str) -> None:
    """Empty the disposable test database; skip when it does not answer."""
    try:
        engine = create_engine(db_url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    except Exception as exc:
        pytest.skip(f"the `make services` PostgreSQL does not answer ({type(exc).__name__}: {exc})")


def reset_servers(db_url: str, queue_url: str) -> None:
    """Empty the disposable test database and Redis db; skip when they do not answer."""
    reset_database(db_url)
    try:
        import redis

        redis.Redis.from_url(queue_url, socket_timeout=5).flushdb()
    except Exception as exc:
        pytest.skip(f"the `make services` servers do not answer ({type(exc).__name__}: {exc})")


def server_env() -> dict[str, str]:
    """The LINKREEL_* settings for the `make services` test servers (skips without them)."""
    missing = [v for v in VARS if not os.environ.get(v)]
    if missing:
        pytest.skip(f"{', '.join(missing)} not set: run `make services` (make test exports .services.env)")
    db_url, queue_url, storage_url = (os.environ[v] for v in VARS)
    reset_servers(db_url, queue_url)
    return {"LINKREEL_DATABASE_URL": db_url, "LINKREEL_QUEUE_URL": queue_url, "LINKREEL_STORAGE_URL": storage_url,
            **S3_KEYS}


def embedded_env(shared: Path) -> dict[str, str]:
    """SQLite + SqliteHuey + local media, shared by the processes of one test (one machine)."""
    shared.mkdir(parents=True, exist_ok=True)
    return {"LINKREEL_DATABASE_URL": f"sqlite:///{shared / 'linkreel.db'}",
            "LINKREEL_QUEUE_URL": f"sqlite:///{shared / 'queue.db'}",
            "LINKREEL_STORAGE_URL": f"file://{shared / 'media'}"}


@pytest.fixture
def servers() -> dict[str, str]:
    return server_env()


class Cluster:
    def __init__(self, tmp: Path, backend: dict[str, str]) -> None:
        self.tmp, self.port = tmp, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.db_url = backend["LINKREEL_DATABASE_URL"]
        self.env = {**os.environ, **backend, "LINKREEL_PUBLIC_URL": self.base, "LINKREEL_X264_PRESET": "ultrafast",
                    "LINKREEL_FETCH_ALLOW": "127.0.0.1", "LINKREEL_SWEEP_S": "2", "LINKREEL_LOG_FORMAT": "json",
                    "LINKREEL_CACHE_DIR": str(tmp / "cache"),  # fonts and music beds: made once per test
                    "PYTHONPATH": os.pathsep.join((str(ROOT / "src"), str(ROOT)))}
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.marks = tmp / "marks"

    def data_dir(self, name: str) -> Path:
        return self.tmp / name

    def start(self, name: str, *args: str, stall: Sequence[str] = (), env: dict[str, str] | None = None
              ) -> subprocess.Popen[bytes]:
        """`linkreel <args>` as process `name` (data dir and log named after it; a restart reuses them)."""
        temp = self.data_dir(name) / "tmp"  # its TMPDIR, checked for leftovers
        temp.mkdir(parents=True, exist_ok=True)
        proc_env = {**self.env, "LINKREEL_DATA_DIR": str(self.data_dir(name)), "TMPDIR": str(temp),
                    "CRASH_STALL": ",".join(stall), "CRASH_MARKS": str(self.marks), **(env or {})}
        log = (self.tmp / f"{name}.log").open("ab")
        proc = subprocess.Popen([sys.executable, "-m", "tests.crash_hooks", *args], env=proc_env, cwd=ROOT,
                                stdout=log, stderr=log, start_new_session=True)
        self.procs[name] = proc
        return proc

    def start_api(self, stall: Sequence[str] = ()) -> subprocess.Popen[bytes]:
        api = self.start("api", "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "0",
                         stall=stall)
        wait_for(lambda: ready(self.base) or api.poll() is not None, 90, "the API")
        assert api.poll() is None, (self.tmp / "api.log").read_text()
        return api

    def kill(self, name: str) -> None:
        """SIGKILL the process and everything it started (its ffmpeg): the machine died."""
        proc = self.procs[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stalled(self, point: str) -> str | None:
        """The id a process wrote when it stopped at `point` (see tests.crash_hooks), or None."""
        mark = self.marks / point
        return mark.read_text() if mark.is_file() else None

    def log(self, name: str) -> list[dict[str, Any]]:
        lines = (self.tmp / f"{name}.log").read_text(errors="replace").splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def wait_settled(self, http: httpx.Client, job_id: str, timeout: float) -> dict[str, Any]:
        """The job once done or failed; on a timeout the failure shows its row and the processes' last words."""
        try:
            return wait_for(lambda: settled(http, job_id), timeout, f"job {job_id}")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.diagnosis(job_id)}") from None

    def diagnosis(self, job_id: str) -> str:
        rows = [r for r in job_rows(self.db_url) if r.id == job_id]
        lines = [f"row: status={r.status} outputs={[o.get('status') for o in r.outputs or []]} work="
                 f"{ {k: v for k, v in (r.work or {}).items() if k in ('claims', 'attempts', 'stage_runs')} }"
                 for r in rows]
        for name in self.procs:
            said = [f"{e.get('ts', '')[11:23]} {e.get('worker', '')} {e.get('msg', '')[:200]}" for e in self.log(name)
                    if "GET /" not in e.get("msg", "")]
            lines += [f"--- {name}.log, last lines:", *said[-15:]]
        return "\n".join(lines)

    def cli(self, *args: str) -> str:
        env = {**self.env, "LINKREEL_DATA_DIR": str(self.data_dir("api"))}
        return subprocess.run([sys.executable, "-m", "linkreel", *args], env=env, check=True,
                              capture_output=True, text=True, timeout=60).stdout

    def keys(self, credits: int = 100) -> dict[str, str]:
        return json.loads(self.cli("keys", "create", "--name", "crash", "--credits", str(credits), "--json"))

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for name, proc in self.procs.items():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill(name)

    def leftovers(self, *names: str) -> list[Path]:
        """Work dirs, temp files and half-written files left in these processes' data dirs and
        anywhere in the test's directory (shared media and cache included: a restarted process sweeps
        the cache's temp files of the dead one)."""
        found: list[Path] = []
        for name in names:
            root = self.data_dir(name)
            found += list((root / "work").glob("*"))
            found += list((root / "tmp").glob("*"))
        for pattern in TEMP_LEFTOVERS:
            found += list(self.tmp.rglob(pattern))
        return found


@pytest.fixture
def cluster(tmp_path: Path, servers: dict[str, str]) -> Iterator[Cluster]:
    c = Cluster(tmp_path, servers)
    try:
        yield c
    finally:
        c.stop()


def ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def settled(http: httpx.Client, job_id: str) -> dict[str, Any] | None:
    j = http.get(f"/api/link_to_videos/{job_id}/").json()
    return j if j["status"] in ("done", "failed") else None


def ledger(db_url: str, job_ids: Sequence[str] | None = None) -> list[tuple[str | None, str, float]]:
    """(job id, kind, amount) of every ledger row (of these jobs), oldest first."""
    engine = create_engine(db_url)
    try:
        with Session(engine) as s:
            query = select(CreditEntry).order_by(CreditEntry.created_at)
            if job_ids is not None:
                query = query.where(CreditEntry.job_id.in_(job_ids))
            return [(r.job_id, r.kind, r.amount) for r in s.scalars(query)]
    finally:
        engine.dispose()


def job_rows(db_url: str) -> list[VideoJob]:
    engine = create_engine(db_url)
    try:
        with Session(engine) as s:
            return list(s.scalars(select(VideoJob).order_by(VideoJob.created_at)))
    finally:
        engine.dispose()


def check_ledger(db_url: str, jobs: Sequence[dict[str, Any]]) -> None:
    """Each job was charged once for its render, and never refunded."""
    rows = ledger(db_url, [j["id"] for j in jobs])
    for job in jobs:
        mine = [(kind, amount) for job_id, kind, amount in rows if job_id == job["id"]]
        assert mine == [(f"render:{job['media_job']}", -5.0)], (job["id"], mine)
