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
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from linkreel.jobs.models import VideoJob
from linkreel.media.probe import probe
from tests.cluster_support import Cluster, check_ledger, ready
from tests.helpers import EXAMPLES, ROOT, serve_dir
from tests.webhook_support import wait_for, webhook_receiver

pytest_plugins = ["tests.cluster_support"]  # the `servers` and `cluster` fixtures


def test_api_and_two_workers_on_postgres_redis_s3(cluster: Cluster, tmp_path: Path) -> None:
    api = cluster.start("api", "serve", "--host", "127.0.0.1", "--port", str(cluster.port), "--workers", "0")
    wait_for(lambda: ready(cluster.base) or api.poll() is not None, 90, "the API")
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

        finished = [cluster.wait_settled(http, j["id"], 600) for j in jobs]
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

    check_ledger(cluster.db_url, jobs)
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


def test_preview_list_then_render_one_on_the_cluster(cluster: Cluster, tmp_path: Path) -> None:
    """Flow C of the contract on the cluster: previews built by the workers, player pages served by the
    API from S3, then one preview rendered in full."""
    api = cluster.start("api", "serve", "--host", "127.0.0.1", "--port", str(cluster.port), "--workers", "0")
    wait_for(lambda: ready(cluster.base) or api.poll() is not None, 90, "the API")
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
        done = cluster.wait_settled(http, job["id"], 600)
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
    wait_for(lambda: ready(cluster.base) or api.poll() is not None, 90, "the API")
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
        finished = [cluster.wait_settled(http, j["id"], 600) for j in jobs]
    assert [j["status"] for j in finished] == ["done", "done"], [j["failed_reason"] for j in finished]
    check_ledger(cluster.db_url, jobs)
