"""The sweep's view of lost work: a queue server restarted without persistence loses its waiting
tasks; the sweep re-queues unclaimed work once the queue is empty and the work has waited a while."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from linkreel.api.auth import create_workspace
from linkreel.config import Settings
from linkreel.jobs.db import Database, migrate
from linkreel.jobs.models import Link, VideoJob, new_id
from linkreel.jobs.queue import get_queues, queue_depths
from linkreel.jobs.runner import REQUEUED, recover


def _job(db: Database, updated: datetime) -> str:
    with db.session(write=True) as s:
        workspace, *_ = create_workspace(s, "sweep", 10)
        s.flush()
        link = Link(id=new_id(), workspace_id=workspace.id, url="https://shop.test/p", title="P")
        s.add(link)
        s.flush()
        job = VideoJob(id=new_id(), workspace_id=workspace.id, link_id=link.id, kind="create", params={},
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
