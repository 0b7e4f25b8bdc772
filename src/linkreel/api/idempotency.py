"""`Idempotency-Key` on POST endpoints (contract §7), kept 24 h per workspace.

    return idempotent(request, db, workspace.id, data, lambda: create_the_thing())

The same key with the same request (method, path without its trailing slash, parsed body) replays
the first 200 response without running the handler again (so without a new charge); the same key
with another request → `400 ["Idempotency-Key reused with a different request."]`. The key is
reserved before the handler runs, so two concurrent requests with one key cannot both create: the
second gets 409 while the first is in flight. A request that fails (any error) releases its key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy import delete, select

from linkreel.api.errors import ApiError
from linkreel.jobs.db import Database
from linkreel.jobs.models import IdempotencyRecord

HEADER = "Idempotency-Key"
TTL = timedelta(hours=24)
MAX_KEY = 255
_IN_FLIGHT = 0  # status_code of a reserved key whose request has not finished


def fingerprint(request: Request, data: dict[str, Any]) -> str:
    path = request.url.path.rstrip("/")
    blob = json.dumps([request.method, path, data], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite hands back naive UTC


def idempotent(request: Request, db: Database, workspace_id: str, data: dict[str, Any],
               handler: Callable[[], Any]) -> Any:
    key = request.headers.get(HEADER)
    if key is None:
        return handler()
    key = key.strip()
    if not key or len(key) > MAX_KEY:
        raise ApiError.invalid(f"{HEADER} must be 1 to {MAX_KEY} characters.")
    digest = fingerprint(request, data)
    now = datetime.now(UTC)
    with db.session(write=True) as s:
        record = s.scalar(select(IdempotencyRecord).where(IdempotencyRecord.workspace_id == workspace_id,
                                                          IdempotencyRecord.key == key))
        if record is not None and now - _aware(record.created_at) > TTL:
            s.delete(record)
            s.flush()
            record = None
        if record is not None:
            if record.request_hash != digest:
                raise ApiError.invalid("Idempotency-Key reused with a different request.")
            if record.status_code == _IN_FLIGHT:
                raise ApiError.detail(409, "A request with this Idempotency-Key is still being processed.")
            return JSONResponse(record.body, status_code=record.status_code, headers={"Idempotent-Replayed": "true"})
        s.add(IdempotencyRecord(workspace_id=workspace_id, key=key, request_hash=digest, status_code=_IN_FLIGHT,
                                body={}, created_at=now))
    try:
        body = handler()
    except BaseException:
        with db.session(write=True) as s:
            s.execute(delete(IdempotencyRecord).where(IdempotencyRecord.workspace_id == workspace_id,
                                                      IdempotencyRecord.key == key))
        raise
    with db.session(write=True) as s:
        record = s.scalar(select(IdempotencyRecord).where(IdempotencyRecord.workspace_id == workspace_id,
                                                          IdempotencyRecord.key == key))
        if record is not None:
            record.status_code = 200
            record.body = body
    return body
