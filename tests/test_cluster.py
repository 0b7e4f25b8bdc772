"""Scale-out, for real: PostgreSQL + Redis + SeaweedFS (S3), `linkreel serve --workers 0` and two
separate `linkreel worker` processes, each with its own data directory (no shared disk).

Two ads are ordered over HTTP; the worker rendering one is SIGKILLed mid-render and started again.
Both jobs must end `done`, be charged once, have their webhook delivered, be served by the API
from S3 (the API's disk holds no video), and leave no work files behind on the workers.

Needs the servers of `make services` (LINKREEL_TEST_DATABASE_URL / _QUEUE_URL / _STORAGE_URL,
exported by `make test`); skips with the reason when they are not there. The test database and
Redis db are emptied first: they are the disposable test ones.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from linkreel.jobs.models import CreditEntry, VideoJob
from linkreel.media.probe import probe
from tests.helpers import EXAMPLES, ROOT, serve_dir
from tests.webhook_support import wait_for, webhook_receiver

VARS = ("LINKREEL_TEST_DATABASE_URL", "LINKREEL_TEST_QUEUE_URL", "LINKREEL_TEST_STORAGE_URL")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def servers() -> dict[str, str]:
    missing = [v for v in VARS if not os.environ.get(v)]
    if missing:
        pytest.skip(f"{', '.join(missing)} not set: run `make services` (make test exports .services.env)")
    db_url, queue_url, storage_url = (os.environ[v] for v in VARS)
    try:
        import redis

        engine = create_engine(db_url)
        with engine.begin() as conn:  # the disposable test database: start from nothing
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        redis.Redis.from_url(queue_url, socket_timeout=5).flushdb()
    except Exception as exc:
        pytest.skip(f"the `make services` servers do not answer ({type(exc).__name__}: {exc})")
    return {"LINKREEL_DATABASE_URL": db_url, "LINKREEL_QUEUE_URL": queue_url, "LINKREEL_STORAGE_URL": storage_url,
            "LINKREEL_S3_ACCESS_KEY": "linkreel", "LINKREEL_S3_SECRET_KEY": "linkreel"}


class Cluster:
    def __init__(self, tmp: Path, servers: dict[str, str]) -> None:
        self.tmp, self.port = tmp, _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **servers, "LINKREEL_PUBLIC_URL": self.base, "LINKREEL_X264_PRESET": "ultrafast",
                    "LINKREEL_FETCH_ALLOW": "127.0.0.1", "LINKREEL_SWEEP_S": "2", "LINKREEL_LOG_FORMAT": "json",
                    "PYTHONPATH": str(ROOT / "src")}
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        env = {**self.env, "LINKREEL_DATA_DIR": str(self.tmp / name)}
        log = (self.tmp / f"{name}.log").open("ab")
        proc = subprocess.Popen([sys.executable, "-m", "linkreel.cli_server", *args], env=env,
                                stdout=log, stderr=log)
        self.procs[name] = proc
        return proc

    def log(self, name: str) -> list[dict[str, Any]]:
        lines = (self.tmp / f"{name}.log").read_text(errors="replace").splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def cli(self, *args: str) -> str:
        env = {**self.env, "LINKREEL_DATA_DIR": str(self.tmp / "api")}
        return subprocess.run([sys.executable, "-m", "linkreel", *args], env=env, check=True,
                              capture_output=True, text=True, timeout=60).stdout

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def cluster(tmp_path: Path, servers: dict[str, str]) -> Iterator[Cluster]:
    c = Cluster(tmp_path, servers)
    try:
        yield c
    finally:
        c.stop()


def _ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_api_and_two_workers_on_postgres_redis_s3(cluster: Cluster, tmp_path: Path) -> None:
    api = cluster.start("api", "serve", "--host", "127.0.0.1", "--port", str(cluster.port), "--workers", "0")
    wait_for(lambda: _ready(cluster.base) or api.poll() is not None, 90, "the API")
    assert api.poll() is None, (tmp_path / "api.log").read_text()
    workers = {name: cluster.start(name, "worker", "--concurrency", "1") for name in ("w1", "w2")}
    keys = json.loads(cluster.cli("keys", "create", "--name", "cluster", "--credits", "100", "--json"))
    headers = {"X-API-ID": keys["api_id"], "X-API-KEY": keys["api_key"]}

    with serve_dir(EXAMPLES) as shop, webhook_receiver() as receiver, \
            httpx.Client(base_url=cluster.base, headers=headers, timeout=30) as http:
        receiver.secret = keys["webhook_secret"]
        link = http.post("/api/links/", json={"url": f"{shop}/aerobottle/index.html"})
        assert link.status_code == 200, link.text
        jobs = []
        for style in ("FullScreenTemplate", "DynamicProductTemplate"):
            r = http.post("/api/link_to_videos/", json={
                "link": link.json()["id"], "video_length": 15, "aspect_ratio": "9x16", "visual_style": style,
                "webhook_url": receiver.url})
            assert r.status_code == 200, r.text
            jobs.append(r.json())

        victim = wait_for(lambda: _rendering_worker(http, jobs, workers), 300, "a worker to be rendering")
        workers[victim].send_signal(signal.SIGKILL)
        workers[victim].wait(timeout=10)
        workers[victim] = cluster.start(victim, "worker", "--concurrency", "1")  # the machine comes back

        finished = [wait_for(lambda j=j: _settled(http, j["id"]), 600, f"job {j['id']}") for j in jobs]
        for job in finished:
            assert job["status"] == "done", job["failed_reason"]
            assert job["video_output"].startswith(f"{cluster.base}/media/")
            out = tmp_path / f"{job['id']}.mp4"
            out.write_bytes(httpx.get(job["video_output"], timeout=60).content)
            info = probe(out)
            assert (info.width, info.height) == (1080, 1920) and abs(info.duration_s - 15) <= 0.5
            ranged = httpx.get(job["video_output"], headers={"Range": "bytes=0-99"}, timeout=30)
            assert ranged.status_code == 206 and len(ranged.content) == 100
            hook = receiver.wait(job["id"], lambda p: p["status"] == "done", timeout=60)
            assert hook["valid"]
        assert http.get("/api/remaining_credits/").json()["remaining_credits"] == 100 - 1 - 5 - 5

    _check_ledger(os.environ["LINKREEL_TEST_DATABASE_URL"], jobs)
    # The API never held a video: it streamed them from S3. Workers cleaned their work files.
    assert not list((tmp_path / "api").rglob("*.mp4"))
    for name in ("w1", "w2"):
        assert not [p for p in (tmp_path / name / "work").glob("*") if p.is_dir()], name
    # Both workers did work, and said which job in their structured logs.
    by_worker = {name: {e.get("job") for e in cluster.log(name) if "pass finished" in e["msg"]} for name in workers}
    assert all(by_worker.values()), by_worker
    assert {j["id"] for j in jobs} <= set().union(*by_worker.values())


def _rendering_worker(http: httpx.Client, jobs: list[dict[str, Any]],
                      workers: dict[str, subprocess.Popen[bytes]]) -> str | None:
    """The name of a worker whose job is past 10 % of its render (read from the job's claim)."""
    for job in jobs:
        j = http.get(f"/api/link_to_videos/{job['id']}/").json()
        render = next(s for s in j["stages"] if s["name"] == "render") if j["stages"] else None
        if not render or render["status"] != "running" or render["progress"] < 0.1:
            continue
        engine = create_engine(os.environ["LINKREEL_TEST_DATABASE_URL"])
        try:
            with Session(engine) as s:
                work = s.get(VideoJob, job["id"]).work  # type: ignore[union-attr]
        finally:
            engine.dispose()
        pid = int(str((work.get("claims") or {}).get("render", {}).get("worker", ":0")).rpartition(":")[2] or 0)
        for name, proc in workers.items():
            if proc.pid == pid:
                return name
    return None


def _settled(http: httpx.Client, job_id: str) -> dict[str, Any] | None:
    j = http.get(f"/api/link_to_videos/{job_id}/").json()
    return j if j["status"] in ("done", "failed") else None


def _check_ledger(db_url: str, jobs: list[dict[str, Any]]) -> None:
    engine = create_engine(db_url)
    try:
        with Session(engine) as s:
            for job in jobs:
                rows = s.scalars(select(CreditEntry).where(CreditEntry.job_id == job["id"])).all()
                assert [(r.kind, r.amount) for r in rows] == [(f"render:{job['media_job']}", -5.0)]
    finally:
        engine.dispose()


def test_preview_list_then_render_one_on_the_cluster(cluster: Cluster, tmp_path: Path) -> None:
    """Flow C of the contract on the cluster: previews built by the workers, player pages served by the
    API from S3, then one preview rendered in full."""
    api = cluster.start("api", "serve", "--host", "127.0.0.1", "--port", str(cluster.port), "--workers", "0")
    wait_for(lambda: _ready(cluster.base) or api.poll() is not None, 90, "the API")
    for name in ("w1", "w2"):
        cluster.start(name, "worker", "--concurrency", "1")
    keys = json.loads(cluster.cli("keys", "create", "--credits", "100", "--json"))
    headers = {"X-API-ID": keys["api_id"], "X-API-KEY": keys["api_key"]}
    with serve_dir(EXAMPLES) as shop, httpx.Client(base_url=cluster.base, headers=headers, timeout=60) as http:
        link = http.post("/api/links/", json={"url": f"{shop}/aerobottle/index.html"}).json()["id"]
        r = http.post("/api/link_to_videos/preview_list_async/", json={
            "link": link, "video_length": 15, "aspect_ratio": "9x16",
            "visual_styles": ["FullScreenTemplate", "VanillaTemplate"]})
        assert r.status_code == 200, r.text
        job = r.json()
        listed = wait_for(lambda: (j := http.get(f"/api/link_to_videos/{job['id']}/").json())["previews"] and j,
                          300, "the previews")
        assert [p["visual_style"] for p in listed["previews"]] == ["FullScreenTemplate", "VanillaTemplate"]
        for p in listed["previews"]:
            page = httpx.get(p["url"], timeout=30)  # public player page, data read from S3 by the API
            assert page.status_code == 200 and f"/media/{p['media_job']}/preview.mp4" in page.text
            video = httpx.get(f"{cluster.base}/media/{p['media_job']}/preview.mp4", timeout=30)
            assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
        chosen = listed["previews"][1]["media_job"]
        r = http.post(f"/api/link_to_videos/{job['id']}/render_single_preview/", json={"media_job": chosen})
        assert r.status_code == 200, r.text
        done = wait_for(lambda: _settled(http, job["id"]), 600, "the render")
        assert done["status"] == "done", done["failed_reason"]
        out = tmp_path / "chosen.mp4"
        out.write_bytes(httpx.get(done["video_output"], timeout=60).content)
        assert abs(probe(out).duration_s - 15) <= 0.5
    assert not list((tmp_path / "api").rglob("*.mp4"))


def test_jobs_finish_across_postgres_and_redis_restarts(cluster: Cluster, tmp_path: Path) -> None:
    """PostgreSQL restarted while a worker renders, then Redis restarted (losing the queued task of the
    second job, as a Redis without persistence does): both jobs still end `done`, charged once."""
    if not shutil.which("pg_ctlcluster") or not shutil.which("redis-cli"):
        pytest.skip("needs Debian's pg_ctlcluster and redis-cli (make services installs them)")
    api = cluster.start("api", "serve", "--host", "127.0.0.1", "--port", str(cluster.port), "--workers", "0")
    wait_for(lambda: _ready(cluster.base) or api.poll() is not None, 90, "the API")
    worker = cluster.start("w1", "worker", "--concurrency", "1")
    keys = json.loads(cluster.cli("keys", "create", "--credits", "100", "--json"))
    headers = {"X-API-ID": keys["api_id"], "X-API-KEY": keys["api_key"]}

    def restart(what: str) -> None:
        subprocess.run(["bash", str(ROOT / "scripts" / "services.sh"), f"restart-{what}"], check=True,
                       capture_output=True, timeout=120)

    with serve_dir(EXAMPLES) as shop, httpx.Client(base_url=cluster.base, headers=headers, timeout=60) as http:
        link = http.post("/api/links/", json={"url": f"{shop}/aerobottle/index.html"}).json()["id"]
        jobs = [http.post("/api/link_to_videos/", json={"link": link, "video_length": 15, "aspect_ratio": "1x1",
                                                         "visual_style": style}).json()
                for style in ("FullScreenTemplate", "VanillaTemplate")]
        wait_for(lambda: _rendering_worker(http, jobs[:1], {"w1": worker}), 300, "the first render")
        restart("postgres")
        restart("redis")  # the second job's task was waiting in Redis: it is gone now
        finished = [wait_for(lambda j=j: _settled(http, j["id"]), 600, f"job {j['id']}") for j in jobs]
    assert [j["status"] for j in finished] == ["done", "done"], [j["failed_reason"] for j in finished]
    _check_ledger(os.environ["LINKREEL_TEST_DATABASE_URL"], jobs)
