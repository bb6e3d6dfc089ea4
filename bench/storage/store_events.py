"""Cost of writing one step's events (STEP_START, ASSET_MATERIALIZATION, STEP_SUCCESS, ...) in one
transaction, on SQLite (file and memory) and PostgreSQL when reachable. Prints medians and p95.

    .venv/bin/python bench/storage/store_events.py [--batches 500] [--postgres postgresql://...]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from assetgraph import AssetKey, Instance
from assetgraph.definitions.events import Event, EventType


def step_batch(run_id: str, step: str, key: AssetKey) -> list[Event]:
    now = time.time()
    return [
        Event(event_type=EventType.STEP_START, run_id=run_id, timestamp=now, step_key=step),
        Event(event_type=EventType.LOG_MESSAGE, run_id=run_id, timestamp=now, step_key=step, message="hello"),
        Event(event_type=EventType.ASSET_MATERIALIZATION, run_id=run_id, timestamp=now, step_key=step,
              asset_key=key),
        Event(event_type=EventType.STEP_SUCCESS, run_id=run_id, timestamp=now, step_key=step),
    ]


def measure(url: str, batches: int) -> tuple[float, float]:
    inst = Instance.from_url(url)
    keys = [AssetKey(f"a{i}") for i in range(50)]
    inst.register_assets(dict.fromkeys(keys))
    timings = []
    for i in range(batches):
        batch = step_batch("bench", f"s{i}", keys[i % len(keys)])
        start = time.perf_counter()
        inst.store_events(batch)
        timings.append(time.perf_counter() - start)
    inst.dispose()
    timings.sort()
    return statistics.median(timings) * 1000, timings[int(len(timings) * 0.95)] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=500)
    parser.add_argument("--postgres", default=None, help="a postgresql:// URL of a scratch database")
    args = parser.parse_args()
    targets = {"sqlite file": f"sqlite:///{tempfile.mkdtemp()}/bench.db", "sqlite memory": "sqlite://"}
    if args.postgres:
        targets["postgresql"] = args.postgres
    for name, url in targets.items():
        median, p95 = measure(url, args.batches)
        print(f"{name:<14} one step's 4 events: median {median:.3f} ms, p95 {p95:.3f} ms")


if __name__ == "__main__":
    main()
