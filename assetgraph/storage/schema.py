"""The storage schema as SQLAlchemy Core tables, shared by SQLite and PostgreSQL.

Queries are built from these tables; migrations under `migrations/versions/` create them and
must stay equal to them (a test compares both). Imports SQLAlchemy, so only storage modules
that run after an instance is created may import this one.
"""

from __future__ import annotations

import sqlalchemy as sa

# The newest migration; opening a database whose `alembic_version` holds this skips Alembic.
HEAD_REVISION = "0002"

metadata = sa.MetaData()

# SQLite only autoincrements INTEGER PRIMARY KEY columns.
BigIntId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

runs = sa.Table(
    "runs",
    metadata,
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
    sa.Index("idx_runs_by_status", "status", "id"),
    sa.Index("idx_runs_by_backfill", "backfill_id", "id"),
)

run_tags = sa.Table(
    "run_tags",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(255), nullable=False),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Index("idx_run_tags_for_tag_filter", "key", "value", "run_id"),
    sa.Index("idx_run_tags_by_run", "run_id"),
)

event_log = sa.Table(
    "event_log",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(255)),
    sa.Column("event_type", sa.String(63), nullable=False),
    sa.Column("asset_key", sa.Text),
    sa.Column("partition_key", sa.Text),
    sa.Column("check_name", sa.Text),
    sa.Column("step_key", sa.Text),
    sa.Column("timestamp", sa.Float, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Index("idx_event_log_for_run_logs", "run_id", "id"),
    sa.Index("idx_event_log_for_type", "event_type", "id"),
    sa.Index("idx_event_log_for_asset_history", "asset_key", "event_type", "id"),
    sa.Index("idx_event_log_for_asset_partition", "asset_key", "event_type", "partition_key", "id"),
    sqlite_autoincrement=True,
)

assets = sa.Table(
    "assets",
    metadata,
    sa.Column("asset_key", sa.Text, primary_key=True),
    sa.Column("partitions_def", sa.Text),
    sa.Column("last_materialization_event_id", sa.BigInteger),
    sa.Column("wipe_timestamp", sa.Float),
    sa.Column("wipe_after_event_id", sa.BigInteger),
)

asset_partition_status = sa.Table(
    "asset_partition_status",
    metadata,
    sa.Column("asset_key", sa.Text, primary_key=True),
    sa.Column("status", sa.String(31), primary_key=True),
    sa.Column("subset", sa.Text, nullable=False),
    sa.Column("last_event_id", sa.BigInteger),
)

check_executions = sa.Table(
    "check_executions",
    metadata,
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
    sa.UniqueConstraint("asset_key", "check_name", "partition_key", "run_id", name="uq_check_executions_per_run"),
    sa.Index("idx_check_executions_latest", "asset_key", "check_name", "partition_key", "evaluation_event_id"),
    sa.Index("idx_check_executions_latest_any_partition", "asset_key", "check_name", "evaluation_event_id"),
)

dynamic_partitions = sa.Table(
    "dynamic_partitions",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("partition_key", sa.Text, nullable=False),
    sa.Column("create_timestamp", sa.Float, nullable=False),
    sa.UniqueConstraint("name", "partition_key", name="uq_dynamic_partitions_name_key"),
)

backfills = sa.Table(
    "backfills",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("backfill_id", sa.String(255), nullable=False, unique=True),
    sa.Column("status", sa.String(63), nullable=False),
    sa.Column("create_time", sa.Float, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Index("idx_backfills_by_status", "status", "id"),
)

ticks = sa.Table(
    "ticks",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("instigator_name", sa.Text, nullable=False),
    sa.Column("tick_type", sa.String(31), nullable=False),
    sa.Column("status", sa.String(31), nullable=False),
    sa.Column("timestamp", sa.Float, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Index("idx_ticks_for_instigator_history", "instigator_name", "timestamp"),
)

cursors = sa.Table(
    "cursors",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("update_time", sa.Float, nullable=False),
)

kvs = sa.Table(
    "kvs",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
