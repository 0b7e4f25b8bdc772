"""Limits that keep one client from starving the others.

* `BodyLimitMiddleware`: request bodies over `LINKREEL_MAX_BODY_BYTES` → 413, whether the size is
  declared (Content-Length) or streamed (chunked), before any handler reads them. Upload paths (a
  custom persona's photo) get their own, larger limit; the handler checks the file itself.
* `RateLimiter`: a token bucket per workspace (`LINKREEL_RATE_LIMIT_PER_MINUTE`, bursts up to the same
  number), checked after authentication → 429 with `Retry-After`, in the contract's words. It counts
  per API process; behind a load balancer each process allows its share.
* `check_active_jobs`: at most `LINKREEL_MAX_ACTIVE_JOBS` unfinished video jobs per workspace → 429.
"""

from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from linkreel.api.errors import ApiError
from linkreel.jobs.models import VideoJob

ACTIVE = ("pending", "in_queue", "running")


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int, uploads: dict[str, int] | None = None) -> None:
        self.app, self.max_bytes = app, max_bytes
        self.uploads = {path.rstrip("/"): size for path, size in (uploads or {}).items()}

    def _limit(self, scope: Scope) -> int:
        upload = self.uploads.get(str(scope.get("path", "")).rstrip("/"))
        return max(self.max_bytes, upload) if upload and scope.get("method") == "POST" else self.max_bytes

    @staticmethod
    def _message(limit: int) -> str:
        return f"Request body is too large (the limit is {limit} bytes)."

    async def _reject(self, send: Send, limit: int) -> None:
        body = json.dumps({"detail": self._message(limit)}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._reject(send, limit)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:  # raised where the body is read: the error handlers answer 413
                    raise ApiError.detail(413, self._message(limit))
            return message

        await self.app(scope, counting_receive, send)


@dataclass
class RateLimiter:
    per_minute: int
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # key → (tokens, at)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, key: str) -> float | None:
        """Spend one request; None if allowed, else the seconds until one is available."""
        if self.per_minute <= 0:
            return None
        rate = self.per_minute / 60.0
        now = time.monotonic()
        with self._lock:
            tokens, at = self._buckets.get(key, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - at) * rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return (1.0 - tokens) / rate
            self._buckets[key] = (tokens - 1.0, now)
            return None


def throttled(seconds: float) -> ApiError:
    wait = max(1, math.ceil(seconds))
    return ApiError.detail(429, f"Request was throttled. Expected available in {wait} seconds.",
                           headers={"Retry-After": str(wait)})


def check_active_jobs(session: Session, workspace_id: str, cap: int) -> None:
    if cap <= 0:
        return
    active = session.scalar(select(func.count()).select_from(VideoJob)
                            .where(VideoJob.workspace_id == workspace_id, VideoJob.status.in_(ACTIVE))) or 0
    if active >= cap:
        raise ApiError.detail(429, f"Too many videos in progress ({active}; the limit is {cap}). "
                                   "Wait for some to finish.", headers={"Retry-After": "30"})
