"""Assets for the backfill tests: daily partitions, a weekly roll-up, a single-run asset, and
one that fails on chosen days."""

from __future__ import annotations

import os
import time

from assetgraph import (
    BackfillPolicy,
    DailyPartitionsDefinition,
    Definitions,
    WeeklyPartitionsDefinition,
    asset,
)

daily = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2025-01-01")
weekly = WeeklyPartitionsDefinition(start_date="2024-01-01", end_date="2025-01-01")
FAIL_DAYS = set(filter(None, os.environ.get("BACKFILL_FAIL_DAYS", "").split(";")))
SLEEP = float(os.environ.get("BACKFILL_SLEEP", "0"))


@asset(partitions_def=daily)
def events(context) -> str:  # type: ignore[no-untyped-def]
    if SLEEP:
        time.sleep(SLEEP)
    if context.partition_key in FAIL_DAYS:
        raise RuntimeError(f"no data for {context.partition_key}")
    return context.partition_key


@asset(partitions_def=weekly)
def weekly_rollup(context, events: dict[str, str]) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(events)


@asset(partitions_def=daily, backfill_policy=BackfillPolicy.single_run())
def wide(context) -> None:  # type: ignore[no-untyped-def]
    context.log.info("range %s", context.partition_key_range)


defs = Definitions(assets=[events, weekly_rollup, wide])
