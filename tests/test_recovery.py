"""The sweep's view of lost work: a queue server restarted without persistence loses its waiting
tasks; the sweep re-queues unclaimed work once the queue is empty and the work has waited a while.
A webhook delivery whose task died with its worker is queued again once overdue, and delivered.
A worker killed after its last output was saved but before it settled the job leaves its claim:
that pass is queued again and settles the job."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from linkreel.api.auth import create_workspace
from linkreel.config import Settings
from linkreel.jobs.db import Database, migrate
from linkreel.jobs.models import Link, VideoJob, WebhookDelivery, Workspace, new_id
from linkreel.jobs.queue import get_queues, queue_depths
from linkreel.jobs.runner import HOST, REQUEUED, recover
from linkreel.jobs.webhooks import LOST_AFTER_S
from tests.webhook_support import webhook_receiver


def _job(db: Database, updated: datetime, params: dict[str, Any] | None = None) -> str:
    with db.session(write=True) as s:
        workspace, *_ = create_workspace(s, "sweep", 10)
        s.flush()
        link = Link(id=new_id(), workspace_id=workspace.id, url="https://shop.test/p", title="P")
        s.add(link)
        s.flush()
        job = VideoJob(id=new_id(), workspace_id=workspace.id, link_id=link.id, kind="create", params=params or {},
                       status="in_queue", outputs=[{"media_job": new_id(), "status": "in_queue"}], work={},
                       updated_at=updated)
        s.add(job)
        return job.id


def test_sweep_requeues_work_whose_task_was_lost(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    migrate(settings)
    db = Database(settings)
    old = _job(db, datetime.now(UTC) - timedelta(minutes=5))
    fresh = _job(db, datetime.now(UTC))
    queue = get_queues(settings).render

    # A task is waiting in the queue: the work is just waiting its turn, nothing is re-queued.
    get_queues(settings).run_job("some-other-job", "render")
    assert queue_depths(settings)["linkreel"] == 1
    assert recover(settings, db, only_stale=True) == []

    # The queue lost everything: the old unclaimed job is queued again (once), the fresh one is not.
    queue.flush()
    assert recover(settings, db, only_stale=True) == [(old, "render")]
    assert queue_depths(settings)["linkreel"] == 1
    with db.session() as s:
        assert s.get(VideoJob, old).work["claims"]["render"]["worker"] == REQUEUED  # type: ignore[union-attr]
    queue.flush()
    assert recover(settings, db, only_stale=True) == []  # the mark holds off duplicates for a while
    # At start-up every unclaimed piece of work is queued, however young; marked work is left alone.
    assert recover(settings, db, only_stale=False) == [(fresh, "render")]
    db.dispose()


def test_a_delivery_lost_with_its_worker_is_sent_again(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, allow_private_urls=True)
    migrate(settings)
    db = Database(settings)
    now = datetime.now(UTC)
    with webhook_receiver() as receiver:
        job = _job(db, now, {"webhook_url": receiver.url})
        with db.session(write=True) as s:
            receiver.secret = s.get(Workspace, s.get(VideoJob, job).workspace_id).webhook_secret  # type: ignore
            rows = {name: WebhookDelivery(job_id=job, url=receiver.url, payload={"id": job, "status": name},
                                          status=status, attempts=attempts, next_attempt_at=due)
                    for name, status, attempts, due in (
                        # taken by a worker that was killed in the attempt: its deadline long past
                        ("lost", "pending", 0, now - timedelta(seconds=LOST_AFTER_S + 10)),
                        # a retry waiting in the queue's schedule, due in a minute
                        ("scheduled", "pending", 1, now + timedelta(seconds=60)),
                        # due a moment ago: its task may still be about to run
                        ("due", "pending", 0, now - timedelta(seconds=5)),
                        ("sent", "delivered", 1, now - timedelta(hours=1)))}
            s.add_all(rows.values())
            s.flush()
            ids = {name: row.id for name, row in rows.items()}
        assert recover(settings, db, only_stale=True) == [(ids["lost"], "webhook")]
        assert recover(settings, db, only_stale=True) == []  # marked due now: one task, however many sweeps

        light = get_queues(settings).light
        assert light.pending_count() == 1
        light.execute(light.dequeue())  # the restarted worker's webhook thread
        (got,) = receiver.received
        assert got["payload"] == {"id": job, "status": "lost"} and got["valid"] and got["delivery"] == ids["lost"]
    with db.session() as s:
        assert s.get(WebhookDelivery, ids["lost"]).status == "delivered"  # type: ignore[union-attr]
        assert s.get(WebhookDelivery, ids["scheduled"]).status == "pending"  # type: ignore[union-attr]
    db.dispose()


def test_work_dirs_of_finished_jobs_are_swept(tmp_path: Path) -> None:
    """A worker killed while it deleted a settled job's work dir leaves part of it: the next sweep removes
    it (and those of jobs that no longer exist), never a running job's dir or `linkreel make`'s caches."""
    settings = Settings(data_dir=tmp_path)
    migrate(settings)
    db = Database(settings)
    running, done = _job(db, datetime.now(UTC)), _job(db, datetime.now(UTC))
    with db.session(write=True) as s:
        row = s.get(VideoJob, done)
        assert row is not None
        row.status, row.outputs = "done", [{**row.outputs[0], "status": "done"}]
    gone = "6f1c2f9e-8a55-4c41-9a0e-2b7d6c1e9f00"  # a job deleted since
    cli_cache = "3f2a9c1d0b4e5f67"  # `linkreel make`'s work dir for a source
    for name in (running, done, gone, cli_cache):
        (settings.work_path / name / "render-0123456789abcdef").mkdir(parents=True)
        (settings.work_path / name / "render-0123456789abcdef" / "ad.mp4").write_bytes(b"half")
    recover(settings, db, only_stale=True)
    assert sorted(p.name for p in settings.work_path.iterdir()) == sorted([running, cli_cache])
    db.dispose()


def _dead_claim() -> dict[str, str]:
    """The claim of a worker on this host that has exited."""
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return {"worker": f"{HOST}:{proc.stdout.strip()}", "at": datetime.now(UTC).isoformat()}


def test_a_job_whose_worker_died_before_settling_it_is_settled(tmp_path: Path) -> None:
    """Killed between saving the (last) output and settling the job: the output is done, the job still
    running. The claim left behind says a pass was cut short; recovery runs it again, and it only settles."""
    settings = Settings(data_dir=tmp_path, allow_private_urls=True)
    migrate(settings)
    db = Database(settings)
    with webhook_receiver() as receiver:
        job = _job(db, datetime.now(UTC), {"webhook_url": receiver.url})
        with db.session(write=True) as s:
            row = s.get(VideoJob, job)
            assert row is not None
            receiver.secret = s.get(Workspace, row.workspace_id).webhook_secret  # type: ignore[union-attr]
            row.media_job = row.outputs[0]["media_job"]
            row.status = "running"
            row.outputs = [{**row.outputs[0], "status": "done", "progress": 1.0, "duration": 15.0,
                            "video_output": "https://cdn.test/v.mp4", "video_thumbnail": "https://cdn.test/t.jpg"}]
            row.work = {"claims": {"render": _dead_claim()}, "attempts": {"render": 1}}
        assert recover(settings, db) == [(job, "render")]
        render = get_queues(settings).render
        render.execute(render.dequeue())  # the restarted worker
        light = get_queues(settings).light
        light.execute(light.dequeue())  # its webhook thread
        (got,) = receiver.received
        assert got["payload"]["id"] == job and got["payload"]["status"] == "done" and got["valid"]
    with db.session() as s:
        row = s.get(VideoJob, job)
        assert row is not None
        settled = (row.status, row.video_output, row.duration, row.progress)
        assert settled == ("done", "https://cdn.test/v.mp4", 15.0, 1.0)
        assert "render" not in row.work["claims"] and row.work.get("stage_runs") is None  # nothing rendered again
    assert recover(settings, db) == []  # settled: nothing left to queue
    db.dispose()


def test_previews_whose_worker_died_before_listing_them_are_listed(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    migrate(settings)
    db = Database(settings)
    job = _job(db, datetime.now(UTC))
    with db.session(write=True) as s:
        row = s.get(VideoJob, job)
        assert row is not None
        row.kind, row.status, row.outputs = "preview_list", "pending", []
        row.work = {"claims": {"preview": _dead_claim()},
                    "previews": [{"media_job": new_id(), "visual_style": v, "aspect_ratio": "9x16",
                                  "status": "ready", "duration": 15.0} for v in ("FullScreenTemplate", "Vanilla")]}
    assert recover(settings, db) == [(job, "preview")]
    render = get_queues(settings).render
    render.execute(render.dequeue())
    with db.session() as s:
        row = s.get(VideoJob, job)
        assert row is not None
        assert [p["visual_style"] for p in row.previews or []] == ["FullScreenTemplate", "Vanilla"]
        assert "preview" not in row.work["claims"]
    assert recover(settings, db) == []
    db.dispose()
