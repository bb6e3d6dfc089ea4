"""When things run: a schedule for the daily partitions, and a sensor for files that land in the
inbox folder (each new file becomes a dynamic partition and a run)."""

from __future__ import annotations

from pathlib import Path

from assetgraph import (
    AddDynamicPartitionsRequest,
    AssetSelection,
    DefaultScheduleStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    build_schedule_from_partitioned_job,
    define_asset_job,
    sensor,
)
from shop.assets.inbox import INBOX_PARTITIONS, inbox_dir
from shop.partitions import daily

daily_job = define_asset_job(
    "daily_orders",
    selection=AssetSelection.groups("raw", "staging", "marts") - AssetSelection.assets("raw/customers"),
    partitions_def=daily,
)

daily_schedule = build_schedule_from_partitioned_job(daily_job, default_status=DefaultScheduleStatus.RUNNING)


@sensor(target="key:raw/inbox_files", minimum_interval_seconds=10)
def inbox_sensor(context: SensorEvaluationContext) -> SensorResult | SkipReason:
    """A new CSV file in data/inbox/ becomes a partition of raw/inbox_files and is loaded."""
    seen = set(filter(None, (context.cursor or "").split("\n")))
    new = sorted(p.name for p in Path(inbox_dir()).glob("*.csv") if p.name not in seen)
    if not new:
        return SkipReason(f"No new files in {inbox_dir()}.")
    return SensorResult(
        run_requests=[RunRequest(run_key=name, partition_key=name) for name in new],
        dynamic_partitions_requests=[AddDynamicPartitionsRequest(INBOX_PARTITIONS.name, new)],
        cursor="\n".join(sorted(seen | set(new))),
    )
