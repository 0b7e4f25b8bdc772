"""Live job status for the web app: server-sent events (`GET /web/api/events/`).

The stream is authenticated by the session cookie like every other `/web/api/` read (EventSource
sends cookies, not headers). Workers write progress into the job rows, possibly from another
process or machine, so the stream watches the database: every `POLL_S` it reads the workspace's
latest jobs and sends only those whose API object changed.

    retry: 3000
    event: jobs      data: {"jobs": [...], "remaining_credits": N}   (first, the full list)
    event: job       data: {...one job, the API's object...}          (each change)
    event: credits   data: {"remaining_credits": N}                   (when the balance moves)
    event: end       data: {"id": ..., "status": ...}                 (?job=<id> only: it finished)

`?job=<id>` follows one job and closes once it is done or failed. Otherwise the stream closes after
`MAX_STREAM_S` and the browser's EventSource reconnects by itself, so a connection never outlives a
redeploy for long. Comment lines keep idle connections open through proxies.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from linkreel.api.pagination import is_uuid
from linkreel.api.routes.videos import serialize
from linkreel.jobs import credits
from linkreel.jobs.models import VideoJob
from linkreel.web.session import SignedIn

router = APIRouter(prefix="/web/api", include_in_schema=False)

POLL_S = 1.0
HEARTBEAT_S = 15.0
MAX_STREAM_S = 300.0
RETRY_MS = 3000
LIST_LIMIT = 100  # the jobs page shows the latest jobs; older ones do not change any more
FINAL = ("done", "failed")
VOLATILE = ("updated_at",)  # heartbeats touch it; not a change the page shows


def _read(request: Request, workspace_id: str, job_id: str | None) -> tuple[dict[str, dict[str, Any]], float]:
    """The jobs to watch (newest first, as the API's objects) and the workspace's balance."""
    db, settings = request.app.state.db, request.app.state.settings
    stmt = select(VideoJob).where(VideoJob.workspace_id == workspace_id)
    stmt = stmt.where(VideoJob.id == job_id) if job_id else stmt.order_by(VideoJob.created_at.desc()).limit(LIST_LIMIT)
    with db.session() as s:
        jobs = {job.id: serialize(job, settings) for job in s.scalars(stmt)}
        return jobs, credits.balance(s, workspace_id)


def _same(old: dict[str, Any] | None, new: dict[str, Any]) -> bool:
    return old is not None and all(old.get(k) == v for k, v in new.items() if k not in VOLATILE)


def event(name: str, data: Any) -> str:
    """One SSE message; JSON has no raw newlines, so `data` is one line."""
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def pause(seconds: float) -> None:
    """Between two reads of the database (a seam for tests, which advance a job here instead)."""
    await asyncio.sleep(seconds)


async def job_events(request: Request, workspace_id: str, job_id: str | None) -> AsyncIterator[str]:
    jobs, balance = await to_thread.run_sync(_read, request, workspace_id, job_id)
    yield f"retry: {RETRY_MS}\n\n"
    yield event("jobs", {"jobs": list(jobs.values()), "remaining_credits": balance})
    started = last_sent = time.monotonic()
    while time.monotonic() - started < MAX_STREAM_S:
        if job_id and all(j["status"] in FINAL for j in jobs.values()):
            job = jobs.get(job_id)
            yield event("end", {"id": job_id, "status": job["status"] if job else None})
            return
        await pause(POLL_S)
        if await request.is_disconnected():
            return
        latest, new_balance = await to_thread.run_sync(_read, request, workspace_id, job_id)
        # Oldest first, so a new job's card is added above the ones the page already shows in order.
        changed = [j for jid, j in reversed(latest.items()) if not _same(jobs.get(jid), j)]
        for job in changed:
            yield event("job", job)
        if new_balance != balance:
            yield event("credits", {"remaining_credits": new_balance})
        if changed or new_balance != balance:
            last_sent = time.monotonic()
        elif time.monotonic() - last_sent >= HEARTBEAT_S:
            yield ": keep-alive\n\n"
            last_sent = time.monotonic()
        jobs, balance = {**jobs, **latest}, new_balance


@router.get("/events/")
def events(request: Request, session: SignedIn, job: str | None = None) -> StreamingResponse:
    job_id = job.lower() if job and is_uuid(job) else None
    if job and job_id is None:
        job_id = "-"  # not a job id: follow nothing (the stream reports `end` with no status)
    return StreamingResponse(job_events(request, session.workspace.id, job_id), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
