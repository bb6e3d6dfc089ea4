"""Functions that run in spawned processes for the concurrency and crash tests."""

from __future__ import annotations

import os
import time

from assetgraph.definitions.events import Event, EventType
from assetgraph.definitions.keys import AssetKey

SHARED = AssetKey(["shared", "table"])
PER_WORKER = AssetKey(["per_worker"])
EVENTS_PER_BATCH = 5


def step_batch(run_id: str, step: str, partition: str) -> list[Event]:
    """The events of one step: start, a partitioned and an unpartitioned materialization, a check, success."""
    now = time.time()
    return [
        Event(event_type=EventType.STEP_START, run_id=run_id, timestamp=now, step_key=step),
        Event(event_type=EventType.ASSET_MATERIALIZATION, run_id=run_id, timestamp=now, step_key=step,
              asset_key=PER_WORKER, partition=partition, metadata={}),
        Event(event_type=EventType.ASSET_MATERIALIZATION, run_id=run_id, timestamp=now, step_key=step,
              asset_key=SHARED),
        Event(event_type=EventType.ASSET_CHECK_EVALUATION, run_id=run_id, timestamp=now, step_key=step,
              asset_key=SHARED, check_name="rows", passed=True),
        Event(event_type=EventType.STEP_SUCCESS, run_id=run_id, timestamp=now, step_key=step),
    ]


def write_batches(url: str, worker: int, batches: int) -> int:
    from assetgraph.storage import Instance

    with Instance.from_url(url) as instance:
        for i in range(batches):
            instance.store_events(step_batch(f"run-{worker}", f"step-{i}", f"w{worker}-b{i}"))
    return worker


def write_until_killed(url: str, progress_path: str) -> None:
    """Write batches forever, appending each committed batch's number to ``progress_path``."""
    from assetgraph.storage import Instance

    instance = Instance.from_url(url)
    with open(progress_path, "a", encoding="utf-8") as progress:
        i = 0
        while True:
            instance.store_events(step_batch("crash", f"step-{i}", f"p{i}"))
            progress.write(f"{i}\n")
            progress.flush()
            os.fsync(progress.fileno())
            i += 1
