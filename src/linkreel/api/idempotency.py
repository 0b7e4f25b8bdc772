"""`Idempotency-Key` on POST endpoints (contract §7), kept 24 h per workspace.

    return idempotent(request, db, workspace.id, data, lambda: create_the_thing())

The same key with the same request (method, path without its trailing slash, parsed body) replays
the first 200 response without running the handler again (so without a new charge); the same key
with another request → `400 ["Idempotency-Key reused with a different request."]`. The key is
reserved before the handler runs, so two concurrent requests with one key cannot both create: the
second gets 409 while the first is in flight. A request that fails (any error) releases its key.

A process killed mid-request leaves its reservation behind. A handler that creates a job (or a link)
notes its id on the reservation in the creating transaction (`note_created`), so a retry after the
crash can tell what happened: the reservation's process is gone (same host, dead pid; another host:
older than LEASE), and either the object exists (the retry answers with it: `replay`) or nothing was
committed (the retry runs the request). Endpoints without `replay` keep answering 409 until expiry.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from linkreel.api.errors import ApiError
from linkreel.jobs.db import Database
from linkreel.jobs.models import IdempotencyRecord, as_utc
from linkreel.processes import pid_alive

HEADER = "Idempotency-Key"
TTL = timedelta(hours=24)
MAX_KEY = 255
_IN_FLIGHT = 0  # status_code of a reserved key whose request has not finished
LEASE = timedelta(minutes=10)  # a reservation of another host this old lost its process
_CURRENT: ContextVar[tuple[str, str] | None] = ContextVar("idempotency_key", default=None)


def fingerprint(request: Request, data: dict[str, Any]) -> str:
    path = request.url.path.rstrip("/")
    blob = json.dumps([request.method, path, data], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _abandoned(record: IdempotencyRecord, now: datetime) -> bool:
    """An in-flight reservation whose process died (see the module docstring)."""
    host, _, pid = str((record.body or {}).get("owner", "")).rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return int(pid) != os.getpid() and not pid_alive(int(pid))
    return now - as_utc(record.created_at) > LEASE


def note_created(session: Session, job_id: str) -> None:
    """Record, in the transaction creating it, the job (or link) the current idempotent request makes."""
    current = _CURRENT.get()
    if current is None:
        return
    workspace_id, key = current
    record = session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.workspace_id == workspace_id,
                                                            IdempotencyRecord.key == key))
    if record is not None and record.status_code == _IN_FLIGHT:
        record.body = {**(record.body or {}), "job": job_id}


def _reserve(db: Database, workspace_id: str, key: str, digest: str,
             replay: Callable[[str], Any] | None) -> Any:
    """Reserve the key (None), or the answer for a request already made with it."""
    now = datetime.now(UTC)
    with db.session(write=True) as s:
        record = s.scalar(select(IdempotencyRecord).where(IdempotencyRecord.workspace_id == workspace_id,
                                                          IdempotencyRecord.key == key).with_for_update())
        if record is not None and now - as_utc(record.created_at) > TTL:
            s.delete(record)
            s.flush()
            record = None
        if record is None:
            s.add(IdempotencyRecord(workspace_id=workspace_id, key=key, request_hash=digest, status_code=_IN_FLIGHT,
                                    body={"owner": _owner()}, created_at=now))
            return None
        if record.request_hash != digest:
            raise ApiError.invalid("Idempotency-Key reused with a different request.")
        if record.status_code != _IN_FLIGHT:
            return JSONResponse(record.body, status_code=record.status_code, headers={"Idempotent-Replayed": "true"})
        if replay is None or not _abandoned(record, now):
            raise ApiError.detail(409, "A request with this Idempotency-Key is still being processed.")
        job_id = (record.body or {}).get("job")
        if job_id is None:  # the dead request committed nothing: this one makes it
            record.body, record.created_at = {"owner": _owner()}, now
            return None
    body = replay(job_id)  # (two such retries at once both read the same job)
    _finish(db, workspace_id, key, body)
    return JSONResponse(body, status_code=200, headers={"Idempotent-Replayed": "true"})


def _finish(db: Database, workspace_id: str, key: str, body: Any) -> None:
    with db.session(write=True) as s:
        record = s.scalar(select(IdempotencyRecord).where(IdempotencyRecord.workspace_id == workspace_id,
                                                          IdempotencyRecord.key == key))
        if record is not None:
            record.status_code = 200
            record.body = body


def idempotent(request: Request, db: Database, workspace_id: str, data: dict[str, Any],
               handler: Callable[[], Any], replay: Callable[[str], Any] | None = None) -> Any:
    """Run `handler` once per key. `replay(job_id)`: the answer for a job a killed request created."""
    key = request.headers.get(HEADER)
    if key is None:
        return handler()
    key = key.strip()
    if not key or len(key) > MAX_KEY:
        raise ApiError.invalid(f"{HEADER} must be 1 to {MAX_KEY} characters.")
    answered = _reserve(db, workspace_id, key, fingerprint(request, data), replay)
    if answered is not None:
        return answered
    token = _CURRENT.set((workspace_id, key))
    try:
        body = handler()
    except BaseException:
        with db.session(write=True) as s:
            s.execute(delete(IdempotencyRecord).where(IdempotencyRecord.workspace_id == workspace_id,
                                                      IdempotencyRecord.key == key))
        raise
    finally:
        _CURRENT.reset(token)
    _finish(db, workspace_id, key, body)
    return body
