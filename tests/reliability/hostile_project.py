"""The code location the hostile-input scenarios serve: daily, cron, static, dynamic and
multi-dimensional partitions, checks (one blocking and failing), an external asset, a failing
asset, a resource whose password comes from an `EnvVar`, a job, a schedule and a sensor; and assets
and partitions whose keys hold quotes, slashes, commas, unicode, markup and SQL text.

`seed` fills an instance with what a server a few days old holds: successful and failed runs,
materialisations, check results, dynamic partitions and a backfill.
"""

from __future__ import annotations

from assetgraph import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetKey,
    AssetSpec,
    ConfigurableResource,
    DailyPartitionsDefinition,
    Definitions,
    DynamicPartitionsDefinition,
    EnvVar,
    InProcessExecutor,
    MaterializeResult,
    MultiPartitionsDefinition,
    StaticPartitionsDefinition,
    TimeWindowPartitionsDefinition,
    asset,
    asset_check,
    define_asset_job,
)
from assetgraph.definitions.schedules import ScheduleDefinition
from assetgraph.definitions.sensors import SkipReason, sensor
from assetgraph.storage.instance import Instance

SECRET_ENV = "HOSTILE_WAREHOUSE_PASSWORD"
# Partition keys and key components that are data, not syntax (no '|': it separates the dimensions
# of multi-partition keys, and dynamic keys refuse it).
ODD_TEXT = ["it's", 'say "hi"', "a/b", "x,y", "ünïcødé ✓ 🚀", "'; DROP TABLE event_log; --", "100%_like\\",
            "<b>bold</b>", " spaced "]
ODD_ASSET = AssetKey(["odd", "it's \"quoted\" ünïcødé ✓"])
SQL_ASSET = AssetKey(["odd", "'; DROP TABLE runs; --"])
ODD_PARTITION = 'say "hi"'

DAILY = DailyPartitionsDefinition("2024-01-01", end_date="2024-01-15")
REGIONS = StaticPartitionsDefinition(["us", "eu", "apac"])
FILES = DynamicPartitionsDefinition(name="files")
ODD_PARTITIONS = StaticPartitionsDefinition(ODD_TEXT)
SHIFTS = TimeWindowPartitionsDefinition("*/15 9-17 * * 1-5", "2024-01-01", "%Y-%m-%d %H:%M")  # walked with croniter
DAILY_BY_REGION = MultiPartitionsDefinition({"date": DailyPartitionsDefinition("2024-01-01", end_date="2024-01-08"),
                                             "region": REGIONS})


class Warehouse(ConfigurableResource):
    """A resource with a secret: the password comes from the environment when a run starts."""

    user: str
    password: str


raw_orders = AssetSpec("raw/orders", group_name="raw", description="Orders landed by the shop's export.")


@asset(deps=[raw_orders], group_name="shop", kinds=["python"], owners=["data@example.com"], tags={"team": "core"},
       check_specs=[AssetCheckSpec("has_rows", asset="orders")])
def orders(warehouse: Warehouse) -> MaterializeResult:
    """Cleaned orders, read with the warehouse's credentials."""
    connected = bool(warehouse.password)
    return MaterializeResult(metadata={"row_count": 3, "connected": connected},
                             check_results=[AssetCheckResult(check_name="has_rows", passed=True)])


@asset(deps=[orders], group_name="shop")
def revenue() -> None: ...


@asset_check(asset=revenue, blocking=True)
def revenue_positive() -> AssetCheckResult:
    return AssetCheckResult(passed=False, metadata={"min": -1})


@asset(partitions_def=DAILY, group_name="daily", deps=[orders])
def daily_events() -> MaterializeResult:
    return MaterializeResult(metadata={"rows": 10})


@asset(partitions_def=REGIONS, group_name="regional")
def regional_sales() -> None: ...


@asset(partitions_def=SHIFTS, group_name="daily")
def shift_metrics() -> None: ...


@asset(partitions_def=FILES, group_name="files")
def file_rows() -> None: ...


@asset(partitions_def=DAILY_BY_REGION, group_name="regional")
def daily_regional() -> None: ...


@asset(key=ODD_ASSET, partitions_def=ODD_PARTITIONS, group_name="odd", deps=[orders],
       description="An asset whose key and partitions are data, not syntax.")
def odd_asset() -> MaterializeResult:
    return MaterializeResult(metadata={"note": "'; DROP TABLE event_log; --"})


@asset(key=SQL_ASSET, group_name="odd", deps=[ODD_ASSET])
def sql_asset() -> None: ...


@asset(group_name="fragile")
def boom() -> None:
    raise RuntimeError("boom")


@asset(deps=[boom], group_name="fragile")
def after_boom() -> None: ...


shop_job = define_asset_job("shop_job", selection="group:shop")
nightly = ScheduleDefinition(name="nightly", job=shop_job, cron_schedule="0 0 * * *")


@sensor(job=shop_job, minimum_interval_seconds=60)
def new_orders(context):  # type: ignore[no-untyped-def]
    return SkipReason("no new orders")


ASSETS = [raw_orders, orders, revenue, daily_events, regional_sales, shift_metrics, file_rows, daily_regional, odd_asset, sql_asset,
          boom, after_boom]
defs = Definitions(
    assets=ASSETS, asset_checks=[revenue_positive], jobs=[shop_job], schedules=[nightly], sensors=[new_orders],
    resources={"warehouse": Warehouse(user="loader", password=EnvVar(SECRET_ENV))}, executor=InProcessExecutor(),
)


def key_selection(key: AssetKey) -> str:
    """``key:"..."`` for any key, with quotes and backslashes escaped as the UI writes them."""
    text = key.to_user_string().replace("\\", "\\\\").replace('"', '\\"')
    return f'key:"{text}"'


def seed(instance: Instance) -> None:
    """Runs, materialisations, check results, dynamic partitions and a backfill, as a used server has."""
    from assetgraph.definitions.partitions.base import PartitionKeyRange
    from assetgraph.execution.backfill import create_backfill
    from assetgraph.execution.materialize import execute_definitions
    from assetgraph.execution.plan import PartitionRequest

    execute_definitions(defs, selection="key:orders or key:revenue", instance=instance, raise_on_error=False)
    for day in ("2024-01-02", "2024-01-03"):
        execute_definitions(defs, selection="daily_events", partition_key=day, instance=instance)
    execute_definitions(defs, selection="regional_sales", partition_key="eu", instance=instance)
    execute_definitions(defs, selection="shift_metrics", partition_key="2024-01-02 09:15", instance=instance)
    execute_definitions(defs, selection="daily_regional", partition_key="2024-01-02|us", instance=instance)
    for key in (ODD_PARTITION, "ünïcødé ✓ 🚀"):
        execute_definitions(defs, selection=key_selection(ODD_ASSET), partition_key=key, instance=instance)
    execute_definitions(defs, selection="boom+", instance=instance, raise_on_error=False)
    instance.add_dynamic_partitions("files", ["a.csv", "b.csv", *ODD_TEXT[:3]])
    execute_definitions(defs, selection="file_rows", partition_key="a.csv", instance=instance)
    graph = defs.get_asset_graph()
    create_backfill(instance, graph, [AssetKey("daily_events")],
                    PartitionRequest(range=PartitionKeyRange("2024-01-05", "2024-01-09")), location="hostile")
