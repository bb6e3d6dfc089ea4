"""The small project the UI's end-to-end tests serve: partitioned and unpartitioned assets in
four groups, an external asset, a check, an asset that always fails, a schedule and a sensor."""

from __future__ import annotations

import time

from assetgraph import (
    AssetCheckResult,
    AssetSpec,
    DailyPartitionsDefinition,
    Definitions,
    InProcessExecutor,
    MaterializeResult,
    asset,
    asset_check,
    define_asset_job,
)
from assetgraph.definitions.schedules import ScheduleDefinition
from assetgraph.definitions.sensors import SkipReason, sensor

daily = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-11")  # ten partitions

raw_events = AssetSpec("raw_events", group_name="raw", description="Click events landed by an outside loader.",
                       kinds={"s3"})


@asset(partitions_def=daily, group_name="staging", kinds={"python"}, deps=[raw_events],
       owners=["data@example.com"], tags={"tier": "silver"}, code_version="2")
def orders(context) -> MaterializeResult:  # type: ignore[no-untyped-def]
    """Orders of one day, deduplicated."""
    day = int(context.partition_key[-2:])
    return MaterializeResult(metadata={"row_count": 1000 + 37 * day, "source": "s3://events"})


@asset(partitions_def=daily, group_name="staging", kinds={"python"}, deps=[orders])
def orders_clean() -> MaterializeResult:
    """Orders with test accounts removed."""
    return MaterializeResult(metadata={"row_count": 900})


@asset(group_name="marts", kinds={"duckdb"})
def customers() -> MaterializeResult:
    """One row per customer."""
    return MaterializeResult(metadata={"row_count": 42})


@asset_check(asset=customers, description="The table has rows.")
def customers_not_empty() -> AssetCheckResult:
    return AssetCheckResult(passed=True, metadata={"rows": 42})


@asset(group_name="marts", kinds={"duckdb"}, deps=[customers])
def revenue() -> MaterializeResult:
    """Revenue per customer."""
    return MaterializeResult(metadata={"row_count": 42, "total": 1234.5})


@asset(group_name="fragile")
def flaky_report() -> None:
    """A report whose upstream API is down."""
    raise ValueError("upstream API returned 503")


@asset(partitions_def=daily, group_name="fragile")
def slow_daily() -> None:
    """Takes its time, so a backfill of it can be canceled halfway."""
    time.sleep(0.4)


marts_job = define_asset_job("marts_job", selection="group:marts")
nightly = ScheduleDefinition(name="nightly_marts", job=marts_job, cron_schedule="0 3 * * *")


@sensor(job=marts_job, minimum_interval_seconds=60)
def new_files_sensor(context):  # type: ignore[no-untyped-def]
    return SkipReason("no new files")


defs = Definitions(
    assets=[raw_events, orders, orders_clean, customers, revenue, flaky_report, slow_daily],
    asset_checks=[customers_not_empty],
    jobs=[marts_job],
    schedules=[nightly],
    sensors=[new_files_sensor],
    executor=InProcessExecutor(),
)

ASSET_COUNT = 7
