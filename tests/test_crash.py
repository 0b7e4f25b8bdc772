"""Crash tests: processes SIGKILLed at chosen steps, then restarted; every promise still holds.

* A worker killed while it is inside each stage (three jobs; the worker is stopped by
  `tests.crash_hooks` with one job in each of scrape, script and voice and killed, started again
  with one job rendering and one uploading and killed again), then started again: every job
  ends `done` with a real video, each charge is in the ledger once and nothing was refunded, each
  webhook arrives (signed) at least once, no finished stage ran twice (the restarted worker resumed
  from its stage cache), and no work dir, temp or half-written file is left.
* The API killed in the middle of POST /api/link_to_videos/: inside its transaction (charge written,
  not committed) and just after the commit (before the queue heard of the job). After the restart
  the first job does not exist and cost nothing; the second exists once, is queued by the restarted
  API and finishes, charged once; retrying each request with its Idempotency-Key gives one job each.
* S3 unreachable (a loopback proxy in front of the `make services` SeaweedFS that refuses
  connections) for 30 s from before a job starts: the worker waits (LINKREEL_STORAGE_PATIENCE_S)
  and the job finishes.

Each runs on the embedded backends (SQLite + SqliteHuey + local media) and, when `make services`
runs (LINKREEL_TEST_* exported), on PostgreSQL + Redis + S3; the S3 outage needs the S3 server.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from linkreel.config import Settings
from linkreel.jobs import webhooks
from linkreel.media.probe import probe
from linkreel.storage import open_storage
from tests.cluster_support import Cluster, check_ledger, embedded_env, job_rows, ledger, server_env
from tests.helpers import EXAMPLES, pump, serve_dir
from tests.webhook_support import Receiver, wait_for, webhook_receiver

# Where the worker is stopped → the stage the API shows as running at that moment.
POINTS = {"scrape": "scrape", "script": "script", "voice": "voice", "render": "render", "upload": "encode"}
# Two rounds, each ended by a SIGKILL; three jobs, so none is stopped more than twice (runner.MAX_ATTEMPTS).
ROUNDS = (["scrape", "script", "voice"], ["render", "upload"])
JOBS = 3
JOB = {"video_length": 15, "aspect_ratio": "1x1", "visual_style": "FullScreenTemplate"}
OUTAGE_S = 30.0


@pytest.fixture(params=["embedded", "servers"])
def cluster(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Cluster]:
    backend = embedded_env(tmp_path / "shared") if request.param == "embedded" else server_env()
    c = Cluster(tmp_path, backend)
    try:
        yield c
    finally:
        c.stop()


def _client(c: Cluster, keys: dict[str, str]) -> httpx.Client:
    return httpx.Client(base_url=c.base, headers={"X-API-ID": keys["api_id"], "X-API-KEY": keys["api_key"]},
                        timeout=60)


def _link(http: httpx.Client, shop: str) -> str:
    r = http.post("/api/links/", json={"url": f"{shop}/aerobottle/index.html"})
    assert r.status_code == 200, r.text
    return r.json()["id"]


def _create(http: httpx.Client, link: str, hook: str) -> dict[str, Any]:
    r = http.post("/api/link_to_videos/", json={"link": link, "webhook_url": hook, **JOB})
    assert r.status_code == 200, r.text
    return r.json()


def _stage(job: dict[str, Any], name: str) -> str:
    return next(s["status"] for s in job["stages"] if s["name"] == name)


def _check_video(c: Cluster, job: dict[str, Any], tmp: Path) -> None:
    assert job["status"] == "done", job["failed_reason"]
    r = httpx.get(job["video_output"], timeout=60)
    assert r.status_code == 200 and r.headers["content-type"] == "video/mp4"
    out = tmp / f"{job['id']}.mp4"
    out.write_bytes(r.content)
    info = probe(out)
    assert (info.width, info.height) == (1080, 1080) and abs(info.duration_s - JOB["video_length"]) <= 0.5
    assert httpx.get(job["video_thumbnail"], timeout=30).status_code == 200


def _check_webhooks(receiver: Receiver, jobs: list[dict[str, Any]]) -> dict[str, int]:
    """Each job's `done` webhook arrived, signed; returns how many deliveries each job got."""
    # A delivery in flight when its worker was killed is sent again once overdue by LOST_AFTER_S.
    patience = webhooks.TIMEOUT_S + webhooks.LOST_AFTER_S + 60
    for job in jobs:
        receiver.wait(job["id"], lambda p: p["status"] == "done", timeout=patience)
    assert all(r["valid"] for r in receiver.received)
    return {job["id"]: len(receiver.events(job["id"])) for job in jobs}


# --------------------------------------------------------------------------- a worker killed in each stage


def test_worker_killed_in_each_stage(cluster: Cluster, tmp_path: Path) -> None:
    c = cluster
    c.start_api()
    keys = c.keys()
    with serve_dir(EXAMPLES) as shop, webhook_receiver() as receiver, _client(c, keys) as http:
        receiver.secret = keys["webhook_secret"]
        link = _link(http, shop)
        jobs = [_create(http, link, receiver.url) for _ in range(JOBS)]
        by_id = {j["id"]: j for j in jobs} | {j["media_job"]: j for j in jobs}  # the upload mark is a media_job
        where: dict[str, list[str]] = {j["id"]: [] for j in jobs}
        for points in ROUNDS:
            # Each job stops at the first point of the round no other job has taken; then the worker dies.
            c.start("w1", "worker", "--concurrency", str(JOBS), stall=points)
            marks = wait_for(lambda points=points: all(c.stalled(p) for p in points) and
                             {p: by_id[c.stalled(p)]["id"] for p in points}, 180, f"jobs stopped at {points}")
            for point, job_id in marks.items():  # what the API shows as the worker dies
                job = http.get(f"/api/link_to_videos/{job_id}/").json()
                assert job["status"] == "running" and _stage(job, POINTS[point]) == "running", (point, job["stages"])
                where[job_id].append(point)
            c.kill("w1")

        c.start("w1", "worker", "--concurrency", "2")  # the machine comes back
        finished = [c.wait_settled(http, j["id"], 600) for j in jobs]
        for job in finished:
            _check_video(c, job, tmp_path)
        deliveries = _check_webhooks(receiver, finished)
        assert http.get("/api/remaining_credits/").json()["remaining_credits"] == 100 - 1 - 5 * JOBS

    assert sorted(p for stops in where.values() for p in stops) == sorted(POINTS)
    check_ledger(c.db_url, finished)
    assert len(deliveries) == JOBS and min(deliveries.values()) >= 1
    # No stage finished twice: the restarted worker took every finished stage from its cache.
    for row in job_rows(c.db_url):
        runs = row.work["stage_runs"]
        assert {"scrape", "script", "voice", "timeline", "render"} <= set(runs), runs
        assert set(runs.values()) == {1}, (where[row.id], runs)
    assert c.leftovers("w1", "api") == []


def test_another_worker_resumes_from_the_stages_in_storage(cluster: Cluster, tmp_path: Path) -> None:
    """Worker 1 dies in the timeline stage; worker 2 (another data dir: another machine) finishes the job
    from the stages worker 1 copied to storage: nothing before the timeline runs again."""
    c = cluster
    c.env["LINKREEL_STAGE_MIRROR"] = "on"  # "auto" turns it on for S3 only; the embedded variant asks for it
    c.start_api()
    keys = c.keys()
    with serve_dir(EXAMPLES) as shop, _client(c, keys) as http:
        job = _create(http, _link(http, shop), "")["id"]
        c.start("w1", "worker", stall=["timeline"])
        assert wait_for(lambda: c.stalled("timeline"), 180, "worker 1 in the timeline stage") == job
        c.kill("w1")
        finished = sorted(p.name for p in (c.data_dir("w1") / "work" / job).glob("*-*") if (p / "result.json").exists())
        assert {name.rsplit("-", 1)[0] for name in finished} >= {"scrape", "script", "voice", "music", "captions"}
        storage = open_storage(Settings(storage_url=c.env["LINKREEL_STORAGE_URL"],
                                        s3_access_key=c.env.get("LINKREEL_S3_ACCESS_KEY", ""),
                                        s3_secret_key=c.env.get("LINKREEL_S3_SECRET_KEY", "")))
        assert all(storage.exists(f"stages/{job}/{name}/stage.json") for name in finished)
        assert http.get(f"/media/stages/{job}/{finished[0]}/stage.json").status_code == 404  # private

        c.start("w2", "worker")
        done = c.wait_settled(http, job, 600)
        _check_video(c, done, tmp_path)
    (row,) = job_rows(c.db_url)
    assert set(row.work["stage_runs"].values()) == {1}, row.work["stage_runs"]  # each stage ran on one machine
    assert not any(storage.exists(f"stages/{job}/{name}/stage.json") for name in finished)  # cleaned up
    assert c.leftovers("w2", "api") == []  # (w1's disk is a dead machine's)


# --------------------------------------------------------------------------- the API killed in a request


def _post_until_killed(c: Cluster, http: httpx.Client, point: str, body: dict[str, Any], key: str,
                       path: str = "/api/link_to_videos/") -> str:
    """POST the job; when the API has stopped at `point`, kill it. Returns the id it stopped with."""
    answer: list[Any] = []

    def post() -> None:
        try:
            answer.append(http.post(path, json=body, headers={"Idempotency-Key": key}))
        except httpx.HTTPError as exc:
            answer.append(exc)

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    job_id = wait_for(lambda: c.stalled(point), 60, f"the API at {point}")
    c.kill("api")
    thread.join(timeout=30)
    assert len(answer) == 1 and isinstance(answer[0], httpx.HTTPError), answer  # the client got no answer
    return job_id


def test_api_killed_during_a_request(cluster: Cluster, tmp_path: Path) -> None:
    c = cluster
    c.start_api(stall=["api-commit"])
    keys = c.keys()
    with serve_dir(EXAMPLES) as shop, webhook_receiver() as receiver, _client(c, keys) as http:
        receiver.secret = keys["webhook_secret"]
        link = _link(http, shop)
        body = {"link": link, "webhook_url": receiver.url, **JOB}
        uncommitted = _post_until_killed(c, http, "api-commit", body, "first")
        c.start_api(stall=["api-enqueue"])
        unqueued = _post_until_killed(c, http, "api-enqueue", body, "second")

        c.start_api()  # re-queues the job the queue never heard of
        c.start("w1", "worker", "--concurrency", "1")
        assert http.get(f"/api/link_to_videos/{uncommitted}/").status_code == 404
        listed = http.get("/api/link_to_videos/").json()
        assert [j["id"] for j in listed] == [unqueued]
        done = c.wait_settled(http, unqueued, 300)
        _check_video(c, done, tmp_path)
        deliveries = _check_webhooks(receiver, [done])

        # The client retries both requests with their keys: the committed one is the same job, the
        # other is made now. One job per key, one charge per job.
        again = http.post("/api/link_to_videos/", json=body, headers={"Idempotency-Key": "second"})
        assert again.status_code == 200 and again.json()["id"] == unqueued, again.text
        retried = http.post("/api/link_to_videos/", json=body, headers={"Idempotency-Key": "first"})
        assert retried.status_code == 200 and retried.json()["id"] not in (unqueued, uncommitted), retried.text
        second = c.wait_settled(http, retried.json()["id"], 300)
        assert second["status"] == "done", second["failed_reason"]
        assert sorted(j["id"] for j in http.get("/api/link_to_videos/").json()) == sorted([unqueued, second["id"]])
        assert http.get("/api/remaining_credits/").json()["remaining_credits"] == 100 - 1 - 5 - 5

    assert [kind for job_id, kind, _ in ledger(c.db_url) if job_id == uncommitted] == []
    check_ledger(c.db_url, [done, second])
    assert deliveries == {unqueued: 1}
    assert c.leftovers("w1", "api") == []


def test_api_killed_after_storing_a_link(cluster: Cluster) -> None:
    """POST /api/links/ committed the link (and its credit) when the API died: the client's retry with
    the same Idempotency-Key answers with that link, and nothing is scraped or charged twice."""
    c = cluster
    c.start_api(stall=["api-link-stored"])
    keys = c.keys()
    with serve_dir(EXAMPLES) as shop, _client(c, keys) as http:
        body = {"url": f"{shop}/aerobottle/index.html"}
        stored = _post_until_killed(c, http, "api-link-stored", body, "link-1", path="/api/links/")
        c.start_api()
        retried = http.post("/api/links/", json=body, headers={"Idempotency-Key": "link-1"})
        assert retried.status_code == 200, retried.text
        assert retried.json()["id"] == stored and retried.headers.get("Idempotent-Replayed") == "true"
        assert retried.json()["link"]["title"]  # the scraped content, as a normal answer has it
        assert [link["id"] for link in http.get("/api/links/").json()] == [stored]
        assert http.get("/api/remaining_credits/").json()["remaining_credits"] == 100 - 1
        again = http.post("/api/links/", json=body, headers={"Idempotency-Key": "link-1"})
        assert again.status_code == 200 and again.json() == retried.json()


# --------------------------------------------------------------------------- S3 away for 30 s


class Outage:
    """A loopback TCP proxy to the S3 server that can refuse connections (`down`) and forward (`up`)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self.listener: socket.socket | None = None
        self.conns: list[socket.socket] = []

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port, self.listener = listener.getsockname()[1], listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        """Nobody listens any more (connection refused), and open connections break."""
        if self.listener is not None:
            with contextlib.suppress(OSError):  # wakes the blocked accept(): the port stops listening
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        for conn in self.conns:
            conn.close()
        self.conns.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=pump, args=(a, b), daemon=True).start()


@pytest.fixture
def s3_outage(tmp_path: Path) -> Iterator[tuple[Outage, str]]:
    url = os.environ.get("LINKREEL_TEST_STORAGE_URL", "")
    if not url:
        pytest.skip("LINKREEL_TEST_STORAGE_URL not set: run `make services` (make test exports .services.env)")
    parts = urlsplit(url)
    endpoint = urlsplit(parse_qs(parts.query)["endpoint"][0])
    target = (endpoint.hostname or "127.0.0.1", endpoint.port or 80)
    try:
        socket.create_connection(target, timeout=3).close()
    except OSError as exc:
        pytest.skip(f"no S3 server answers at {target[0]}:{target[1]} ({exc}): run `make services`")
    proxy = Outage(target)
    proxy.up()
    try:
        yield proxy, f"s3://{parts.netloc}?endpoint=http://127.0.0.1:{proxy.port}"
    finally:
        proxy.down()


def test_s3_unavailable_for_30_s_during_a_job(tmp_path: Path, s3_outage: tuple[Outage, str]) -> None:
    proxy, storage_url = s3_outage
    # SQLite and SqliteHuey shared on this machine; media only in S3 (the worker has its own disk).
    backend = {**embedded_env(tmp_path / "shared"), "LINKREEL_STORAGE_URL": storage_url,
               "LINKREEL_S3_ACCESS_KEY": "linkreel", "LINKREEL_S3_SECRET_KEY": "linkreel"}
    c = Cluster(tmp_path, backend)
    try:
        c.start_api()
        keys = c.keys()
        c.start("w1", "worker", "--concurrency", "1")
        with serve_dir(EXAMPLES) as shop, webhook_receiver() as receiver, _client(c, keys) as http:
            receiver.secret = keys["webhook_secret"]
            link = _link(http, shop)  # its images are in S3 now
            shutil.rmtree(c.data_dir("api") / "links")  # and only there, as for a worker on another machine
            proxy.down()
            gone = time.monotonic()
            job = _create(http, link, receiver.url)
            wait_for(lambda: _waits_for_storage(c), 60, "the worker to wait for S3")
            wait_for(lambda: time.monotonic() - gone >= OUTAGE_S, OUTAGE_S + 5, "the end of the outage")
            assert http.get(f"/api/link_to_videos/{job['id']}/").json()["status"] in ("in_queue", "running")
            proxy.up()
            done = c.wait_settled(http, job["id"], 300)
            _check_video(c, done, tmp_path)
            deliveries = _check_webhooks(receiver, [done])
        check_ledger(c.db_url, [done])
        assert deliveries == {done["id"]: 1}
        assert c.leftovers("w1") == []
        assert not list((tmp_path / "w1").rglob("*.mp4"))  # published to S3, then the work files went
    finally:
        c.stop()


def _waits_for_storage(c: Cluster) -> bool:
    """The worker is waiting for the link's images (the job's first step) to come out of S3."""
    return any(e["msg"].startswith("download of links/") and "unavailable" in e["msg"] for e in c.log("w1"))
