"""Operations endpoints (no API key): `/healthz`, `/readyz` and Prometheus `/metrics`.

    /healthz   200 while the process serves requests (liveness)
    /readyz    200 when the database, the queue and the storage answer; 503 naming what does not
    /metrics   jobs by status, webhook deliveries by status, queue depth per queue, and the
               duration of each pipeline stage over recent finished jobs

Metrics are read from the database and the queue at scrape time, so every API process reports the
same numbers whichever worker did the work (no per-process counters to aggregate).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric, SummaryMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select, text

from linkreel.jobs.db import Database
from linkreel.jobs.models import VideoJob, WebhookDelivery
from linkreel.storage import Storage

router = APIRouter(include_in_schema=False)

RECENT_JOBS = 500  # stage durations are summarised over this many latest finished jobs
JOB_STATUSES = ("pending", "in_queue", "running", "done", "failed")


def _check(fn: Any) -> str | None:
    try:
        fn()
        return None
    except Exception as exc:  # any failure means "not ready"; say which part and why, in one line
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200]


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    state = request.app.state
    db: Database = state.db
    storage: Storage = state.storage

    def database() -> None:
        with db.session() as s:
            s.execute(text("SELECT 1"))

    def queue() -> None:
        from linkreel.jobs.queue import queue_depths

        queue_depths(state.settings)

    checks = {"database": _check(database), "queue": _check(queue),
              "storage": _check(lambda: storage.exists("readyz-probe"))}
    ok = all(v is None for v in checks.values())
    body = {"status": "ok" if ok else "unavailable",
            "checks": {k: ("ok" if v is None else v) for k, v in checks.items()}}
    return JSONResponse(body, status_code=200 if ok else 503)


class _Collector:
    """Reads the numbers when Prometheus scrapes."""

    def __init__(self, request: Request) -> None:
        self.state = request.app.state

    def collect(self) -> Iterator[Metric]:
        db: Database = self.state.db
        with db.session() as s:
            by_status = dict(s.execute(select(VideoJob.status, func.count()).group_by(VideoJob.status)).all())
            deliveries = dict(s.execute(select(WebhookDelivery.status, func.count())
                                        .group_by(WebhookDelivery.status)).all())
            recent = s.execute(select(VideoJob.stages).where(VideoJob.status.in_(("done", "failed")))
                               .order_by(VideoJob.updated_at.desc()).limit(RECENT_JOBS)).scalars().all()
        jobs = GaugeMetricFamily("linkreel_jobs", "Video jobs by status", labels=["status"])
        for status in sorted(set(JOB_STATUSES) | set(by_status)):
            jobs.add_metric([status], by_status.get(status, 0))
        yield jobs
        hooks = GaugeMetricFamily("linkreel_webhook_deliveries", "Webhook deliveries by status", labels=["status"])
        for status, count in sorted(deliveries.items()):
            hooks.add_metric([status], count)
        yield hooks
        stage_sum: dict[str, float] = {}
        stage_count: dict[str, int] = {}
        for stages in recent:
            for stage in stages or []:
                seconds = stage.get("seconds")
                if stage.get("status") == "done" and isinstance(seconds, int | float):
                    stage_sum[stage["name"]] = stage_sum.get(stage["name"], 0.0) + float(seconds)
                    stage_count[stage["name"]] = stage_count.get(stage["name"], 0) + 1
        durations = SummaryMetricFamily("linkreel_stage_seconds",
                                        f"Pipeline stage durations over the latest {RECENT_JOBS} finished jobs",
                                        labels=["stage"])
        for name in sorted(stage_sum):
            durations.add_metric([name], stage_count[name], stage_sum[name])
        yield durations
        try:
            from linkreel.jobs.queue import queue_depths

            depths = queue_depths(self.state.settings)
        except Exception:  # an unreachable queue shows as a missing series, and /readyz says why
            depths = {}
        queue = GaugeMetricFamily("linkreel_queue_depth", "Tasks waiting in each queue", labels=["queue"])
        for name, depth in sorted(depths.items()):
            queue.add_metric([name], depth)
        yield queue
        yield GaugeMetricFamily("linkreel_scrape_timestamp_seconds", "When these numbers were read",
                                value=time.time())


@router.get("/metrics")
def metrics(request: Request) -> Response:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(request))  # type: ignore[arg-type]
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
