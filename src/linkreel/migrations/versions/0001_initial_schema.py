"""Initial schema: workspaces, credits ledger, links, video jobs, idempotency, webhook deliveries.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column:
    return sa.Column("id", sa.String(36), nullable=False)


def _created() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def _workspace_fk(table: str) -> list:
    return [
        sa.Column("workspace_id", sa.String(36), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], name=f"fk_{table}_workspace_id_workspaces"),
    ]


def upgrade() -> None:
    op.create_table(
        "workspaces",
        _id(),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("api_id", sa.String(64), nullable=False),
        sa.Column("key_hash", sa.String(255), nullable=False),
        sa.Column("webhook_secret", sa.String(128), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _created(),
        sa.PrimaryKeyConstraint("id", name="pk_workspaces"),
    )
    op.create_index("ix_workspaces_api_id", "workspaces", ["api_id"], unique=True)

    op.create_table(
        "credit_entries",
        _id(),
        *_workspace_fk("credit_entries"),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("job_id", sa.String(36), nullable=True),
        sa.Column("note", sa.String(255), nullable=False),
        _created(),
        sa.PrimaryKeyConstraint("id", name="pk_credit_entries"),
        sa.UniqueConstraint("workspace_id", "job_id", "kind", name="uq_credit_job_kind"),
    )
    op.create_index("ix_credit_entries_job_id", "credit_entries", ["job_id"])
    op.create_index("ix_credit_entries_workspace_id", "credit_entries", ["workspace_id"])

    op.create_table(
        "idempotency_records",
        _id(),
        *_workspace_fk("idempotency_records"),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        _created(),
        sa.PrimaryKeyConstraint("id", name="pk_idempotency_records"),
        sa.UniqueConstraint("workspace_id", "key", name="uq_idempotency_key"),
    )
    op.create_index("ix_idempotency_records_workspace_id", "idempotency_records", ["workspace_id"])

    op.create_table(
        "links",
        _id(),
        *_workspace_fk("links"),
        sa.Column("url", sa.String(1000), nullable=True),
        sa.Column("title", sa.String(1000), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("image_urls", sa.JSON(), nullable=False),
        sa.Column("video_urls", sa.JSON(), nullable=False),
        sa.Column("logo_url", sa.String(200), nullable=True),
        sa.Column("reviews", sa.JSON(), nullable=True),
        sa.Column("ai_summary", sa.Text(), nullable=True),
        sa.Column("brief", sa.JSON(), nullable=False),
        _created(),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_links"),
    )
    op.create_index("ix_links_created_at", "links", ["created_at"])
    op.create_index("ix_links_workspace_id", "links", ["workspace_id"])

    op.create_table(
        "video_jobs",
        _id(),
        *_workspace_fk("video_jobs"),
        sa.Column("link_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("stages", sa.JSON(), nullable=False),
        sa.Column("failed_reason", sa.Text(), nullable=True),
        sa.Column("media_job", sa.String(36), nullable=True),
        sa.Column("video_output", sa.String(1000), nullable=True),
        sa.Column("video_thumbnail", sa.String(1000), nullable=True),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("preview", sa.String(1000), nullable=True),
        sa.Column("outputs", sa.JSON(), nullable=False),
        sa.Column("previews", sa.JSON(), nullable=False),
        sa.Column("credits_used", sa.Float(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        _created(),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["link_id"], ["links.id"], name="fk_video_jobs_link_id_links"),
        sa.PrimaryKeyConstraint("id", name="pk_video_jobs"),
    )
    op.create_index("ix_video_jobs_created_at", "video_jobs", ["created_at"])
    op.create_index("ix_video_jobs_link_id", "video_jobs", ["link_id"])
    op.create_index("ix_video_jobs_status", "video_jobs", ["status"])
    op.create_index("ix_video_jobs_workspace_id", "video_jobs", ["workspace_id"])

    op.create_table(
        "webhook_deliveries",
        _id(),
        sa.Column("job_id", sa.String(36), nullable=False),
        sa.Column("url", sa.String(1000), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        _created(),
        sa.ForeignKeyConstraint(["job_id"], ["video_jobs.id"], name="fk_webhook_deliveries_job_id_video_jobs"),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_deliveries"),
    )
    op.create_index("ix_webhook_deliveries_job_id", "webhook_deliveries", ["job_id"])


def downgrade() -> None:
    for table in ("webhook_deliveries", "video_jobs", "links", "idempotency_records", "credit_entries", "workspaces"):
        op.drop_table(table)  # indexes go with their table
