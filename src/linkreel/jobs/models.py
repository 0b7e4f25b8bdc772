"""Database tables: the single source of truth for workspaces, links, jobs and credits.

SQLAlchemy 2 declarative models; the schema is created by Alembic migrations
(`src/linkreel/migrations`), never by `create_all` in production code.
"""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(at: datetime) -> datetime:
    """A stored time, timezone-aware (SQLite gives naive datetimes back; we store UTC)."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


# Named constraints: Alembic's SQLite batch mode can only alter constraints that have names.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Workspace(Base):
    __tablename__ = "workspaces"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(255), default="")
    api_id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    key_hash: Mapped[str] = mapped_column(String(255))  # hash of the secret API key, never the key
    webhook_secret: Mapped[str] = mapped_column(String(128))  # HMAC key for signing webhooks
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BrowserSession(Base):
    """A signed-in browser of the web app (web/session.py). The cookie names its row by a hash of the
    cookie's random part; sign-out deletes the row, so a copied cookie stops working at once."""

    __tablename__ = "browser_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the cookie's nonce
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CustomPersona(Base):
    """A workspace's own presenter built from an uploaded photo (contract §6.1 `type: "custom"`).

    The photo and its preview stills live in storage under `media_prefix`, a random path of its own: media
    URLs are capabilities, and the persona id is shown to the workspace, so it must not unlock the photo."""

    __tablename__ = "custom_personas"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id"), index=True)
    creator_name: Mapped[str] = mapped_column(String(255))
    gender: Mapped[str] = mapped_column(String(8), default="nb")
    age_range: Mapped[str] = mapped_column(String(16), default="adult")
    location: Mapped[str] = mapped_column(String(16), default="other")
    style: Mapped[str] = mapped_column(String(16), default="presenter")
    video_scene: Mapped[str | None] = mapped_column(String(255), nullable=True)
    suitable_industries: Mapped[list[Any]] = mapped_column(default=list)
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    process_status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, processing, done, failed
    failed_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    media_prefix: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class CreditEntry(Base):
    """The credits ledger: one row per grant, charge or refund; the balance is the sum.

    A charge is unique per (job, kind) so at-least-once execution can never charge twice.
    """

    __tablename__ = "credit_entries"
    __table_args__ = (UniqueConstraint("workspace_id", "job_id", "kind", name="uq_credit_job_kind"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id"), index=True)
    amount: Mapped[float] = mapped_column(Float)  # + grant/refund, - charge
    kind: Mapped[str] = mapped_column(String(64))  # "grant", "link", "preview", "render:<media_job>", "refund:…"
    job_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    note: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Link(Base):
    """Product content a video is built from (contract §2)."""

    __tablename__ = "links"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id"), index=True)
    url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    title: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    image_urls: Mapped[list[Any]] = mapped_column(default=list)
    video_urls: Mapped[list[Any]] = mapped_column(default=list)
    logo_url: Mapped[str | None] = mapped_column(String(200), nullable=True)
    reviews: Mapped[Any] = mapped_column(JSON, nullable=True)
    ai_summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    brief: Mapped[dict[str, Any]] = mapped_column(default=dict)  # our scrape.Brief (price, features…)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class VideoJob(Base):
    """A LinkToVideo (contract §3): request params, status, progress, outputs and previews."""

    __tablename__ = "video_jobs"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id"), index=True)
    link_id: Mapped[str] = mapped_column(ForeignKey("links.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # "create", "preview", "preview_list"
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the validated §3.2 request fields
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    stages: Mapped[list[Any]] = mapped_column(default=list)  # [{"name", "status", "progress"}]
    failed_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    media_job: Mapped[str | None] = mapped_column(String(36), nullable=True)
    video_output: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    video_thumbnail: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    duration: Mapped[float | None] = mapped_column(Float, nullable=True)
    preview: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    outputs: Mapped[list[Any]] = mapped_column(default=list)
    previews: Mapped[list[Any]] = mapped_column(default=list)
    credits_used: Mapped[float] = mapped_column(Float, default=0.0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The runner's own bookkeeping, never shown to clients: the Link's brief as it was when the job
    # was accepted (later edits must not change it), the storyboard scenes of each preview.
    work: Mapped[dict[str, Any]] = mapped_column(default=dict)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    @property
    def quality_report(self) -> dict[str, Any] | None:
        """The mirrored output's quality report (contract §7): kept in `outputs`, shown at the top level."""
        mirrored = next((o for o in self.outputs or [] if o.get("media_job") == self.media_job), None)
        return mirrored.get("quality_report") if mirrored else None


class IdempotencyRecord(Base):
    """A replayable POST response, kept 24 h per workspace (contract §7)."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("workspace_id", "key", name="uq_idempotency_key"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id"), index=True)
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WebhookDelivery(Base):
    """One webhook event for a job; retried until delivered or given up."""

    __tablename__ = "webhook_deliveries"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)  # X-Linkreel-Delivery
    job_id: Mapped[str] = mapped_column(ForeignKey("video_jobs.id"), index=True)
    url: Mapped[str] = mapped_column(String(1000))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, delivered, dropped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When the queued attempt is due (or the running one gives up): past it by STALE_S, the task was
    # lost with a dead worker and a sweep queues it again.
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True,
                                                             default=utcnow)
