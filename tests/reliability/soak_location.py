"""The code location of the soak test: a schedule ticking every five seconds (croniter's seconds
field), a sensor requesting a run every three seconds, a daily asset to backfill, all running in the
real daemon; the assets read a resource whose password comes from an `EnvVar` that must never be
logged."""

from __future__ import annotations

import time

from assetgraph import (
    AssetExecutionContext,
    ConfigurableResource,
    DailyPartitionsDefinition,
    Definitions,
    EnvVar,
    MaterializeResult,
    asset,
)
from assetgraph.definitions.schedules import DefaultScheduleStatus, RunRequest, ScheduleDefinition
from assetgraph.definitions.sensors import DefaultSensorStatus, SensorResult, sensor

SECRET_ENV = "SOAK_WAREHOUSE_PASSWORD"
SCHEDULE_SECONDS = 5
SENSOR_SECONDS = 3
DAYS = DailyPartitionsDefinition("2020-01-01")


class Warehouse(ConfigurableResource):
    password: str


@asset(group_name="soak")
def ticked(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    context.log.info("connected with a password of %d characters", len(warehouse.password))
    return MaterializeResult(metadata={"at": time.time()})


@asset(group_name="soak")
def sensed(warehouse: Warehouse) -> MaterializeResult:
    return MaterializeResult(metadata={"connected": bool(warehouse.password)})


@asset(group_name="soak", partitions_def=DAYS)
def daily(context: AssetExecutionContext) -> MaterializeResult:
    time.sleep(0.1)
    return MaterializeResult(metadata={"day": context.partition_key})


every_five_seconds = ScheduleDefinition(name="every_five_seconds", target="key:ticked",
                                        cron_schedule=f"* * * * * */{SCHEDULE_SECONDS}",
                                        default_status=DefaultScheduleStatus.RUNNING)


@sensor(target="key:sensed", minimum_interval_seconds=SENSOR_SECONDS, default_status=DefaultSensorStatus.RUNNING)
def every_evaluation(context):  # type: ignore[no-untyped-def]
    count = int(context.cursor or 0) + 1
    return SensorResult(run_requests=[RunRequest(run_key=str(count))], cursor=str(count))


defs = Definitions(assets=[ticked, sensed, daily], schedules=[every_five_seconds], sensors=[every_evaluation],
                   resources={"warehouse": Warehouse(password=EnvVar(SECRET_ENV))})
