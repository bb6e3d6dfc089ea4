"""A code location for the service tests: assets, an external source, dynamic partitions, a slow
asset that waits while a block file exists, a schedule and a sensor. Knobs come from the
environment so the worker and location processes see what the test set."""

from __future__ import annotations

import os
import time
from pathlib import Path

from assetgraph import AssetSpec, Definitions, DynamicPartitionsDefinition, asset, define_asset_job
from assetgraph.definitions.schedules import RunRequest, ScheduleDefinition, SkipReason, schedule
from assetgraph.definitions.sensors import AddDynamicPartitionsRequest, SensorResult, sensor

source = AssetSpec("raw/source")
files = DynamicPartitionsDefinition(name="files")


@asset(deps=[source])
def orders() -> list[int]:
    print("orders says hi")
    return [1, 2, 3]


@asset
def total(orders: list[int]) -> int:
    return sum(orders)


@asset
def first() -> int:
    return 1


@asset
def slow(first: int) -> int:
    """Waits while $SHOP_BLOCK_FILE exists; announces it started in $SHOP_STARTED_FILE."""
    started = os.environ.get("SHOP_STARTED_FILE")
    if started:
        Path(started).write_text(str(os.getpid()))
    block = os.environ.get("SHOP_BLOCK_FILE")
    while block and os.path.exists(block):
        time.sleep(0.05)
    return first + 1


@asset
def last(slow: int) -> int:
    return slow + 1


@asset(partitions_def=files)
def file_rows(context) -> str:  # type: ignore[no-untyped-def]
    return str(context.partition_key)


totals = define_asset_job("totals", selection="key:orders+", tags={"job": "totals"})

hourly = ScheduleDefinition(name="hourly", job=totals, cron_schedule="0 * * * *")


@schedule(cron_schedule="0 * * * *", target="key:first", name="twice_hourly")
def twice(context):  # type: ignore[no-untyped-def]
    if os.environ.get("SHOP_SCHEDULE_SKIP"):
        return SkipReason("asked to skip")
    return [RunRequest(run_key="a"), RunRequest(run_key="b")]


@sensor(target="key:file_rows", minimum_interval_seconds=0)
def inbox(context):  # type: ignore[no-untyped-def]
    """One run per new file in $SHOP_INBOX; the cursor is the last file name seen."""
    folder = os.environ.get("SHOP_INBOX")
    names = sorted(p.name for p in Path(folder).iterdir()) if folder else []
    new = [n for n in names if context.cursor is None or n > context.cursor]
    if not new:
        return SensorResult(skip_reason="no new files")
    return SensorResult(run_requests=[RunRequest(run_key=n, partition_key=n) for n in new], cursor=new[-1],
                        dynamic_partitions_requests=[AddDynamicPartitionsRequest("files", new)])


@sensor(target="key:orders", minimum_interval_seconds=0)
def broken(context):  # type: ignore[no-untyped-def]
    raise RuntimeError("the sensor broke")


@sensor(target="key:first", minimum_interval_seconds=60)
def periodic(context):  # type: ignore[no-untyped-def]
    return RunRequest()


defs = Definitions(assets=[source, orders, total, first, slow, last, file_rows], jobs=[totals],
                   schedules=[hourly, twice], sensors=[inbox, broken, periodic])
