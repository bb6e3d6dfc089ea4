"""The code location of the fault-injection scenarios (`test_faults_*.py`).

Two daily-partitioned assets backfilled together, each step taking ``$FAULTS_STEP_SECONDS`` so that
a kill lands mid-step as often as between steps, and a running sensor that always skips, so the
daemon talks to this location's process all the time (as it does in a real deployment). Knobs come
from the environment, which the daemon passes on to the location process and the run workers:
``$FAULTS_HANG_FILE`` makes the import hang while that file exists (a location that hangs on load),
``$FAULTS_BLOCK_FILE`` holds ``day_events`` while that file exists.
"""

from __future__ import annotations

import os
import time

from assetgraph import DailyPartitionsDefinition, Definitions, asset
from assetgraph.definitions.schedules import SkipReason
from assetgraph.definitions.sensors import DefaultSensorStatus, sensor

_hang = os.environ.get("FAULTS_HANG_FILE")
while _hang and os.path.exists(_hang):
    time.sleep(0.05)

days = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2025-01-01")
STEP_SECONDS = float(os.environ.get("FAULTS_STEP_SECONDS", "0.1"))


@asset(partitions_def=days)
def day_events(context) -> str:  # type: ignore[no-untyped-def]
    block = os.environ.get("FAULTS_BLOCK_FILE")
    while block and os.path.exists(block):
        time.sleep(0.05)
    time.sleep(STEP_SECONDS)
    return f"events of {context.partition_key}"


@asset(partitions_def=days)
def day_summary(day_events: str) -> str:
    time.sleep(STEP_SECONDS)
    return f"summary of {day_events}"


@sensor(target="key:day_events", minimum_interval_seconds=0, default_status=DefaultSensorStatus.RUNNING)
def idle(context):  # type: ignore[no-untyped-def]
    return SkipReason("nothing to do")


defs = Definitions(assets=[day_events, day_summary], sensors=[idle])
