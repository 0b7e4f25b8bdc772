"""Signed webhooks (contract §5 payloads, §7 signing and retries).

A delivery is a row (`WebhookDelivery`) created in the same transaction as the status change it
reports, then queued on the light queue by id. Each attempt POSTs the stored payload through the
SSRF-safe fetcher (webhook URLs are user-supplied) with

    X-Linkreel-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
    X-Linkreel-Delivery:  <delivery id>            (the same on every retry)

A 2xx within 10 s is delivered; anything else is retried after about 30 s, 2 min, 10 min, 30 min
and 2 h (with jitter), then dropped. Nothing here touches the job: a bad receiver cannot fail it.
Each row keeps when its next attempt is due; a task lost with a killed worker leaves a pending row
past that time, which the recovery sweep (`requeue_lost`) queues again: at least once, never never.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from linkreel.config import Settings
from linkreel.errors import FetchError
from linkreel.jobs.db import Database
from linkreel.jobs.models import VideoJob, WebhookDelivery, Workspace, as_utc, utcnow
from linkreel.scrape.fetch import Fetcher

log = logging.getLogger("linkreel.webhooks")

SIGNATURE_HEADER = "X-Linkreel-Signature"
DELIVERY_HEADER = "X-Linkreel-Delivery"
TIMEOUT_S = 10.0
BACKOFF_S: tuple[float, ...] = (30, 120, 600, 1800, 7200)  # wait before retry 1..5; then dropped
LOST_AFTER_S = 60.0  # a pending delivery this far past its due time lost its queue task


def body_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact JSON, UTF-8."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode("utf-8"), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def verify(secret: str, body: bytes, header: str, tolerance_s: float = 300.0) -> bool:
    """What a receiver does: recompute the HMAC over "<t>.<body>" and compare in constant time."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        t = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - t) > tolerance_s:
        return False
    expected = sign(secret, body, t).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


# --------------------------------------------------------------------------- payloads


def render_payload(job: VideoJob) -> dict[str, Any]:
    """create, /preview/, /render/ and render_single_preview (contract §5)."""
    return {"id": job.id, "status": job.status, "failed_reason": job.failed_reason,
            "video_output": job.video_output, "video_thumbnail": job.video_thumbnail,
            "quality_report": job.quality_report}  # contract §7


def previews_payload(job: VideoJob) -> dict[str, Any]:
    """preview_list_async: sent once every preview is ready, or when generation failed."""
    return {"id": job.id, "status": job.status, "failed_reason": job.failed_reason, "previews": list(job.previews)}


def add_delivery(session: Session, job: VideoJob, payload: dict[str, Any]) -> str | None:
    """Record a delivery for the job's webhook_url (None when it has none). Queue it after commit."""
    url = (job.params or {}).get("webhook_url")
    if not url:
        return None
    delivery = WebhookDelivery(job_id=job.id, url=url, payload=payload, status="pending", attempts=0)
    session.add(delivery)
    session.flush()
    return delivery.id


# --------------------------------------------------------------------------- delivery


def deliver(settings: Settings, db: Database, delivery_id: str) -> float | None:
    """One attempt. Returns the delay before the next one, or None (delivered, or dropped)."""
    with db.session(write=True) as s:
        delivery = s.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.status != "pending":
            return None
        job = s.get(VideoJob, delivery.job_id)
        workspace = s.get(Workspace, job.workspace_id) if job else None
        if workspace is None:
            return None
        url, payload, secret, attempt = delivery.url, delivery.payload, workspace.webhook_secret, delivery.attempts + 1
        delivery.next_attempt_at = utcnow() + timedelta(seconds=TIMEOUT_S)  # this attempt's deadline

    body = body_bytes(payload)
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, body),
               DELIVERY_HEADER: delivery_id, "User-Agent": "linkreel-webhooks/1"}
    error: str | None = None
    try:
        with Fetcher(settings) as fetcher:
            status = fetcher.post(url, body, headers, timeout_s=TIMEOUT_S)
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except FetchError as exc:
        error = str(exc)
    except Exception as exc:  # a receiver must never be able to crash the consumer
        log.exception("webhook %s to %s", delivery_id, url)
        error = f"{type(exc).__name__}: {exc}"

    retry = error is not None and attempt <= len(BACKOFF_S)
    # Jitter spreads the retries of many deliveries to a receiver that has just come back.
    delay = BACKOFF_S[attempt - 1] * random.uniform(0.8, 1.2) if retry else None
    with db.session(write=True) as s:  # read-then-write: SQLite must not fail the upgrade (database is locked)
        delivery = s.get(WebhookDelivery, delivery_id)
        if delivery is None:
            return None
        delivery.attempts = attempt
        delivery.last_error = error
        delivery.status = "delivered" if error is None else ("pending" if retry else "dropped")
        delivery.next_attempt_at = utcnow() + timedelta(seconds=delay) if delay is not None else None
    if error is not None:
        log.info("webhook %s attempt %d to %s failed: %s", delivery_id, attempt, url, error)
    return delay


# --------------------------------------------------------------------------- deliveries a dead worker dropped


def requeue_lost(settings: Settings, db: Database) -> list[str]:
    """Queue again the pending deliveries whose attempt is overdue by LOST_AFTER_S: their task was taken
    by a worker that died (a taken queue task dies with its process) or never queued. Each is marked
    due now in the same conditional update, so concurrent sweeps queue it once. Returns their ids."""
    from linkreel.jobs.queue import enqueue_webhook

    now = utcnow()
    with db.session() as s:
        pending = s.execute(select(WebhookDelivery.id, WebhookDelivery.next_attempt_at, WebhookDelivery.created_at)
                            .where(WebhookDelivery.status == "pending")).all()
    lost = []
    for delivery_id, due, created in pending:
        if now - as_utc(due or created) <= timedelta(seconds=LOST_AFTER_S):
            continue
        with db.session(write=True) as s:
            same = WebhookDelivery.next_attempt_at.is_(None) if due is None else WebhookDelivery.next_attempt_at == due
            taken = s.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                                            WebhookDelivery.status == "pending", same)
                              .values(next_attempt_at=now)).rowcount
        if taken:
            enqueue_webhook(settings, delivery_id)
            lost.append(delivery_id)
    return lost
