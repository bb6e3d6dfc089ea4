"""Issue 3's partition targets, measured in one process (medians of repeats; not a test).

    .venv/bin/python bench/partitions/targets.py [--backfill-days 3650]

1. Status of an asset with ~1,000,000 hourly partitions (114 years) with scattered materialised
   ranges: `instance.get_partition_status(key)` and its counts.
2. Launching (creating) a single-run backfill over 100,000 hourly partitions.
3. A foreground multi-run backfill of N daily partitions of a trivial asset on persistent SQLite:
   time per partition (Dagster's figure here: 0.28 s per partition, one materialize call each).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from assetgraph import (
    AssetKey,
    BackfillPolicy,
    DailyPartitionsDefinition,
    Definitions,
    HourlyPartitionsDefinition,
    Instance,
    PartitionKeyRange,
    asset,
)
from assetgraph.definitions.events import Event, EventType
from assetgraph.execution.backfill import create_backfill, run_backfill_in_process
from assetgraph.execution.plan import PartitionRequest

hourly = HourlyPartitionsDefinition(start_date="1912-01-01-00:00", end_date="2026-01-01-00:00")


@asset(partitions_def=hourly, backfill_policy=BackfillPolicy.single_run())
def sensor_readings() -> None:
    """Written elsewhere; one million hourly partitions."""


def status_at_a_million(inst: Instance) -> None:
    inst.register_assets({sensor_readings.key: hourly})
    keys = hourly.get_partition_keys_in_range(PartitionKeyRange("2000-01-01-00:00", "2000-12-31-23:00"))
    starts = range(0, 300 * 24, 24)  # 300 scattered ranges of 6 hours, one per day
    events = [Event(event_type=EventType.ASSET_MATERIALIZATION, run_id=None, timestamp=time.time(),
                    asset_key=sensor_readings.key, partition_range=(keys[i], keys[i + 5])) for i in starts]
    inst.store_events(events)
    inst.store_events([Event(event_type=EventType.ASSET_MATERIALIZATION, run_id=None, timestamp=time.time(),
                             asset_key=sensor_readings.key,
                             partition_range=("1950-01-01-00:00", "1979-12-31-23:00"))])
    timings = []
    for _ in range(20):
        start = time.perf_counter()
        status = inst.get_partition_status(sensor_readings.key)
        counts = (len(status.materialized), len(status.missing), status.total)
        timings.append(time.perf_counter() - start)
    print(f"status of {status.total:,} hourly partitions ({len(status.materialized.ranges)} materialised ranges, "
          f"{counts[0]:,} materialised): median {statistics.median(timings) * 1000:.1f} ms")


def launch_single_run_backfill(inst: Instance) -> None:
    graph = Definitions(assets=[sensor_readings]).get_asset_graph()
    keys = hourly.get_partition_keys_in_range(PartitionKeyRange("2010-01-01-00:00", "2021-05-29-15:00"))
    request = PartitionRequest(range=PartitionKeyRange(keys[0], keys[-1]))
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        create_backfill(inst, graph, [sensor_readings.key], request)
        timings.append(time.perf_counter() - start)
    print(f"launch a single-run backfill over {len(keys):,} hourly partitions: "
          f"median {statistics.median(timings) * 1000:.1f} ms")


def multi_run_backfill(days: int) -> None:
    daily = DailyPartitionsDefinition(start_date="2000-01-01")

    @asset(partitions_def=daily)
    def trivial() -> int:
        return 1

    defs = Definitions(assets=[trivial])
    inst = Instance.from_url(f"sqlite:///{tempfile.mkdtemp()}/bench.db")
    keys = daily.get_partition_keys()[:days]
    bid = create_backfill(inst, defs.get_asset_graph(), [AssetKey("trivial")],
                          PartitionRequest(range=PartitionKeyRange(keys[0], keys[-1])))
    start = time.perf_counter()
    progress = run_backfill_in_process(inst, defs, bid)
    elapsed = time.perf_counter() - start
    print(f"multi-run backfill of {days:,} daily partitions, one run each: {progress.status.value}, "
          f"{elapsed / days * 1000:.1f} ms per partition ({0.28 / (elapsed / days):.0f}x Dagster's 0.28 s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backfill-days", type=int, default=3650)
    args = parser.parse_args()
    inst = Instance.from_url(f"sqlite:///{tempfile.mkdtemp()}/bench.db")
    status_at_a_million(inst)
    launch_single_run_backfill(inst)
    multi_run_backfill(args.backfill_days)


if __name__ == "__main__":
    main()
