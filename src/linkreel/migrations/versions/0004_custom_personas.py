"""Custom personas: a workspace's presenters built from an uploaded photo (contract §6.1 `type: "custom"`).

Plain portable types only (String, Text, Boolean, JSON, DateTime): the same migration runs on SQLite and
PostgreSQL.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-09
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "custom_personas",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("workspace_id", sa.String(36), nullable=False),
        sa.Column("creator_name", sa.String(255), nullable=False),
        sa.Column("gender", sa.String(8), nullable=False),
        sa.Column("age_range", sa.String(16), nullable=False),
        sa.Column("location", sa.String(16), nullable=False),
        sa.Column("style", sa.String(16), nullable=False),
        sa.Column("video_scene", sa.String(255), nullable=True),
        sa.Column("suitable_industries", sa.JSON(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("process_status", sa.String(16), nullable=False),
        sa.Column("failed_reason", sa.Text(), nullable=True),
        sa.Column("media_prefix", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"],
                                name="fk_custom_personas_workspace_id_workspaces"),
        sa.PrimaryKeyConstraint("id", name="pk_custom_personas"),
    )
    op.create_index("ix_custom_personas_workspace_id", "custom_personas", ["workspace_id"])
    op.create_index("ix_custom_personas_created_at", "custom_personas", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_custom_personas_created_at", table_name="custom_personas")
    op.drop_index("ix_custom_personas_workspace_id", table_name="custom_personas")
    op.drop_table("custom_personas")
