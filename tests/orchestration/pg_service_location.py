"""The code location of `test_postgres_service.py`: tiny assets, one that blocks while a file
exists (to kill its worker mid-step), one that sleeps (to see whether runs overlap), and two
daily-partitioned assets for a backfill. Its knobs come from the environment, which the daemon
passes on to its code-location process and to the run workers."""

from __future__ import annotations

import os
import time
from pathlib import Path

from assetgraph import DailyPartitionsDefinition, Definitions, asset

days = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01")


@asset
def seed() -> int:
    return 1


@asset
def double(seed: int) -> int:
    return seed * 2


@asset
def blocker(seed: int) -> int:
    """Writes its pid to $SVC_STARTED_FILE, then waits while $SVC_BLOCK_FILE exists (at most a minute)."""
    started = os.environ.get("SVC_STARTED_FILE")
    if started:
        Path(started).write_text(str(os.getpid()))
    block = os.environ.get("SVC_BLOCK_FILE")
    deadline = time.monotonic() + 60
    while block and os.path.exists(block) and time.monotonic() < deadline:
        time.sleep(0.05)
    return seed + 1


@asset
def after_block(blocker: int) -> int:
    return blocker + 1


@asset
def sleeper() -> float:
    seconds = float(os.environ.get("SVC_SLEEP_SECONDS", "0.8"))
    time.sleep(seconds)
    return seconds


@asset(partitions_def=days)
def day_events(context) -> str:  # type: ignore[no-untyped-def]
    """Fails for the days listed in $SVC_FAIL_DAYS (comma-separated)."""
    if context.partition_key in os.environ.get("SVC_FAIL_DAYS", "").split(","):
        raise RuntimeError(f"no events for {context.partition_key}")
    return str(context.partition_key)


@asset(partitions_def=days)
def day_summary(day_events: str) -> str:
    return f"summary of {day_events}"


defs = Definitions(assets=[seed, double, blocker, after_block, sleeper, day_events, day_summary])
