"""The initial schema: runs, event log, derived asset tables, partitions, daemon state.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigIntId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(255), nullable=False, unique=True),
        sa.Column("status", sa.String(63), nullable=False),
        sa.Column("job_name", sa.Text),
        sa.Column("backfill_id", sa.String(255)),
        sa.Column("create_time", sa.Float, nullable=False),
        sa.Column("start_time", sa.Float),
        sa.Column("end_time", sa.Float),
        sa.Column("update_time", sa.Float, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("idx_runs_by_status", "runs", ["status", "id"])
    op.create_index("idx_runs_by_backfill", "runs", ["backfill_id", "id"])

    op.create_table(
        "run_tags",
        sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(255), nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_index("idx_run_tags_for_tag_filter", "run_tags", ["key", "value", "run_id"])
    op.create_index("idx_run_tags_by_run", "run_tags", ["run_id"])

    op.create_table(
        "event_log",
        sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(255)),
        sa.Column("event_type", sa.String(63), nullable=False),
        sa.Column("asset_key", sa.Text),
        sa.Column("partition_key", sa.Text),
        sa.Column("check_name", sa.Text),
        sa.Column("step_key", sa.Text),
        sa.Column("timestamp", sa.Float, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("idx_event_log_for_run_logs", "event_log", ["run_id", "id"])
    op.create_index("idx_event_log_for_type", "event_log", ["event_type", "id"])
    op.create_index("idx_event_log_for_asset_history", "event_log", ["asset_key", "event_type", "id"])
    op.create_index("idx_event_log_for_asset_partition", "event_log",
                    ["asset_key", "event_type", "partition_key", "id"])

    op.create_table(
        "assets",
        sa.Column("asset_key", sa.Text, primary_key=True),
        sa.Column("partitions_def", sa.Text),
        sa.Column("last_materialization_event_id", sa.BigInteger),
        sa.Column("wipe_timestamp", sa.Float),
        sa.Column("wipe_after_event_id", sa.BigInteger),
    )

    op.create_table(
        "asset_partition_status",
        sa.Column("asset_key", sa.Text, primary_key=True),
        sa.Column("status", sa.String(31), primary_key=True),
        sa.Column("subset", sa.Text, nullable=False),
        sa.Column("last_event_id", sa.BigInteger),
    )

    op.create_table(
        "check_executions",
        sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
        sa.Column("asset_key", sa.Text, nullable=False),
        sa.Column("check_name", sa.Text, nullable=False),
        sa.Column("partition_key", sa.Text, nullable=False),
        sa.Column("run_id", sa.String(255), nullable=False),
        sa.Column("status", sa.String(31), nullable=False),
        sa.Column("passed", sa.Boolean),
        sa.Column("severity", sa.String(31)),
        sa.Column("evaluation_event_id", sa.BigInteger),
        sa.Column("materialization_event_id", sa.BigInteger),
        sa.Column("timestamp", sa.Float, nullable=False),
        sa.UniqueConstraint("asset_key", "check_name", "partition_key", "run_id",
                            name="uq_check_executions_per_run"),
    )
    op.create_index("idx_check_executions_latest", "check_executions",
                    ["asset_key", "check_name", "partition_key", "evaluation_event_id"])

    op.create_table(
        "dynamic_partitions",
        sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("partition_key", sa.Text, nullable=False),
        sa.Column("create_timestamp", sa.Float, nullable=False),
        sa.UniqueConstraint("name", "partition_key", name="uq_dynamic_partitions_name_key"),
    )

    op.create_table(
        "backfills",
        sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
        sa.Column("backfill_id", sa.String(255), nullable=False, unique=True),
        sa.Column("status", sa.String(63), nullable=False),
        sa.Column("create_time", sa.Float, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("idx_backfills_by_status", "backfills", ["status", "id"])

    op.create_table(
        "ticks",
        sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
        sa.Column("instigator_name", sa.Text, nullable=False),
        sa.Column("tick_type", sa.String(31), nullable=False),
        sa.Column("status", sa.String(31), nullable=False),
        sa.Column("timestamp", sa.Float, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("idx_ticks_for_instigator_history", "ticks", ["instigator_name", "timestamp"])

    op.create_table(
        "cursors",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("update_time", sa.Float, nullable=False),
    )

    op.create_table(
        "kvs",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("kvs", "cursors", "ticks", "backfills", "dynamic_partitions", "check_executions",
                  "asset_partition_status", "assets", "event_log", "run_tags", "runs"):
        op.drop_table(table)
