"""An index for the latest evaluation of a check over all its partitions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("idx_check_executions_latest_any_partition", "check_executions",
                    ["asset_key", "check_name", "evaluation_event_id"])


def downgrade() -> None:
    op.drop_index("idx_check_executions_latest_any_partition", table_name="check_executions")
