"""The small code location the server tests serve: lineage with an external asset, checks,
time-window, static and dynamic partitions, a failing asset, a job, a schedule and a sensor."""

from assetgraph import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetSpec,
    DailyPartitionsDefinition,
    Definitions,
    DynamicPartitionsDefinition,
    MaterializeResult,
    StaticPartitionsDefinition,
    asset,
    asset_check,
    define_asset_job,
)
from assetgraph.definitions.schedules import ScheduleDefinition
from assetgraph.definitions.sensors import sensor

raw_orders = AssetSpec("raw/orders", group_name="raw", description="Orders landed by the shop's export.")

DAILY = DailyPartitionsDefinition("2024-01-01", end_date="2024-02-01")
REGIONS = StaticPartitionsDefinition(["us", "eu", "apac"])
FILES = DynamicPartitionsDefinition(name="files")


@asset(deps=[raw_orders], group_name="shop", kinds=["python", "duckdb"], owners=["data@example.com"],
       tags={"team": "core"}, metadata={"rows": 10}, code_version="v1",
       check_specs=[AssetCheckSpec("has_rows", asset="orders")])
def orders() -> MaterializeResult:
    """Cleaned orders."""
    return MaterializeResult(metadata={"row_count": 3}, check_results=[AssetCheckResult(check_name="has_rows",
                                                                                         passed=True)])


@asset(deps=[orders], group_name="shop")
def revenue() -> None: ...


@asset_check(asset=revenue, blocking=True)
def revenue_positive() -> AssetCheckResult:
    return AssetCheckResult(passed=False, metadata={"min": -1})


@asset(partitions_def=DAILY, group_name="daily")
def daily_events() -> None: ...


@asset(partitions_def=REGIONS, group_name="regional")
def regional_sales() -> None: ...


@asset(partitions_def=FILES, group_name="files")
def file_rows() -> None: ...


@asset(group_name="fragile")
def boom() -> None:
    raise RuntimeError("boom")


@asset(deps=[boom], group_name="fragile")
def after_boom() -> None: ...


@asset(group_name="fragile")
def steady() -> None: ...


shop_job = define_asset_job("shop_job", selection="group:shop")
nightly = ScheduleDefinition(name="nightly", job=shop_job, cron_schedule="0 0 * * *")


@sensor(job=shop_job, minimum_interval_seconds=60)
def new_orders(context):  # type: ignore[no-untyped-def]
    return None


defs = Definitions(
    assets=[raw_orders, orders, revenue, daily_events, regional_sales, file_rows, boom, after_boom, steady],
    asset_checks=[revenue_positive], jobs=[shop_job], schedules=[nightly], sensors=[new_orders],
)
