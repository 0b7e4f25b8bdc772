"""The credits ledger (contract §6.4): one row per grant, charge or refund; the balance is the sum.

    from linkreel.jobs import credits

    with db.session(write=True) as s:                    # write=True: SQLite serialises the check
        credits.charge(s, ws.id, credits.cost_create(30, "standard"), "create", job.id)
        s.add(job)                                        # ApiError 400 above → nothing is created
    ...
    with db.session(write=True) as s:
        credits.refund(s, ws.id, "create", job.id)       # the step failed: give it back, once

    credits.balance(s, ws.id)      -> 412.5
    credits.job_credits(s, job.id) -> net amount charged to a job (its `credits_used`)

`charge` is idempotent per (workspace, job, kind) thanks to the ledger's unique constraint: a
retried or re-queued step finds its row and is not charged twice. Kinds are short strings:
"link", "create", "preview", "render:<media_job>"; a refund's kind is "refund:<kind>".
"""

from __future__ import annotations

import math

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linkreel.api.errors import ApiError
from linkreel.jobs.models import CreditEntry, Workspace

MODEL_VERSIONS = ("standard", "aurora_v1", "aurora_v1_fast")
# Final renders on aurora models cost per second of video_length instead of per 30 s unit.
_PER_SECOND = {"aurora_v1": 1.0, "aurora_v1_fast": 0.5}
_PER_UNIT = {"create": 5, "render": 4, "preview": 1}
LINK_COST = 1


# --------------------------------------------------------------------------- prices


def units(video_length: int) -> int:
    """"Per 30 s" units: 15 and 30 s are 1, 45 and 60 s are 2."""
    return math.ceil(video_length / 30)


def _final_render(per_unit: int, video_length: int, model_version: str) -> float:
    if model_version not in MODEL_VERSIONS:
        raise ValueError(f"unknown model_version {model_version!r}")
    if model_version in _PER_SECOND:
        return _PER_SECOND[model_version] * video_length
    return per_unit * units(video_length)


def cost_link() -> float:
    return LINK_COST


def cost_create(video_length: int, model_version: str = "standard") -> float:
    return _final_render(_PER_UNIT["create"], video_length, model_version)


def cost_render(video_length: int, model_version: str = "standard") -> float:
    """`/{id}/render/` and `render_single_preview`."""
    return _final_render(_PER_UNIT["render"], video_length, model_version)


def cost_preview(video_length: int) -> float:
    """`/preview/`, and `preview_list_async` once per request however many previews."""
    return _PER_UNIT["preview"] * units(video_length)


def format_amount(amount: float) -> str:
    """5 → "5", 0.5 → "0.5", 412.25 → "412.25" (no float noise, no exponent)."""
    text = f"{round(amount, 6):.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# --------------------------------------------------------------------------- ledger


def balance(session: Session, workspace_id: str) -> float:
    total = session.scalar(select(func.coalesce(func.sum(CreditEntry.amount), 0.0)).where(
        CreditEntry.workspace_id == workspace_id))
    return float(total or 0.0)


def job_credits(session: Session, job_id: str) -> float:
    """Net credits charged to a job: charges minus refunds (the job's `credits_used`)."""
    total = session.scalar(select(func.coalesce(func.sum(CreditEntry.amount), 0.0)).where(
        CreditEntry.job_id == job_id))
    return -float(total or 0.0) + 0.0  # + 0.0 turns -0.0 into 0.0


def _entry(session: Session, workspace_id: str, job_id: str | None, kind: str) -> CreditEntry | None:
    return session.scalar(select(CreditEntry).where(
        CreditEntry.workspace_id == workspace_id, CreditEntry.job_id == job_id, CreditEntry.kind == kind))


def _insert_once(session: Session, entry: CreditEntry) -> CreditEntry:
    """Insert, or return the row another transaction inserted first (unique per job + kind)."""
    try:
        with session.begin_nested():
            session.add(entry)
    except IntegrityError:
        existing = _entry(session, entry.workspace_id, entry.job_id, entry.kind)
        if existing is None:
            raise
        return existing
    return entry


def insufficient(needed: float, remaining: float) -> ApiError:
    return ApiError.invalid(
        f"Insufficient credits: {format_amount(needed)} required, {format_amount(max(remaining, 0))} remaining."
    )


def charge(session: Session, workspace_id: str, amount: float, kind: str, job_id: str, note: str = "") -> CreditEntry:
    """Deduct `amount` for (job, kind), once. Raises ApiError 400 "Insufficient credits: …".

    Run it in the transaction that creates the job, before adding anything: on SQLite open it with
    `db.session(write=True)`; on PostgreSQL the workspace row is locked here (SELECT FOR UPDATE),
    so two concurrent charges cannot both spend the same credits.
    """
    existing = _entry(session, workspace_id, job_id, kind)
    if existing is not None:
        return existing
    session.scalar(select(Workspace.id).where(Workspace.id == workspace_id).with_for_update())
    remaining = balance(session, workspace_id)
    if amount > remaining + 1e-9:
        raise insufficient(amount, remaining)
    return _insert_once(session, CreditEntry(
        workspace_id=workspace_id, amount=-float(amount), kind=kind, job_id=job_id, note=note))


def refund(session: Session, workspace_id: str, kind: str, job_id: str, note: str = "") -> CreditEntry | None:
    """Give back the charge (job, kind), once. None when there was no such charge."""
    charged = _entry(session, workspace_id, job_id, kind)
    if charged is None or charged.amount >= 0:
        return None
    return _insert_once(session, CreditEntry(
        workspace_id=workspace_id, amount=-charged.amount, kind=f"refund:{kind}", job_id=job_id, note=note))


def grant(session: Session, workspace_id: str, amount: float, note: str = "") -> CreditEntry:
    """Add credits (admin top-up). Not tied to a job, so never deduplicated."""
    entry = CreditEntry(workspace_id=workspace_id, amount=float(amount), kind="grant", job_id=None, note=note)
    session.add(entry)
    session.flush()
    return entry
