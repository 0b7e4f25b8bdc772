"""Browser sessions of the web app: one row per signed-in cookie, deleted on sign-out (revocation).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "browser_sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("workspace_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"],
                                name="fk_browser_sessions_workspace_id_workspaces"),
        sa.PrimaryKeyConstraint("id", name="pk_browser_sessions"),
    )
    op.create_index("ix_browser_sessions_workspace_id", "browser_sessions", ["workspace_id"])


def downgrade() -> None:
    op.drop_index("ix_browser_sessions_workspace_id", table_name="browser_sessions")
    op.drop_table("browser_sessions")
