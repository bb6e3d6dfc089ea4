"""Retention: old run, step and log events, finished ticks and step logs go; asset events stay."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from assetgraph import AssetKey, EventType
from assetgraph.definitions.events import Event
from assetgraph.orchestration.config import DaemonConfig
from assetgraph.orchestration.retention import Retention

DAY = 86400.0


def test_retention_prunes_what_is_old_and_keeps_asset_events(instance: Any, tmp_path: Path) -> None:
    now = time.time()
    old = now - 40 * DAY
    instance.store_events([
        Event(event_type=EventType.LOG_MESSAGE, run_id="r1", timestamp=old, message="old log"),
        Event(event_type=EventType.STEP_START, run_id="r1", timestamp=old, step_key="a"),
        Event(event_type=EventType.ASSET_MATERIALIZATION, run_id="r1", timestamp=old, asset_key=AssetKey("a")),
        Event(event_type=EventType.LOG_MESSAGE, run_id="r2", timestamp=now, message="new log"),
    ])
    instance.create_tick("shop:s", "SENSOR", "SKIPPED", old, {})
    instance.create_tick("shop:s", "SENSOR", "STARTED", old, {})  # a tick to resume is never pruned
    instance.create_tick("shop:s", "SENSOR", "SUCCESS", now, {})
    logs = tmp_path / "logs"
    (logs / "old-run").mkdir(parents=True)
    (logs / "new-run").mkdir()
    os.utime(logs / "old-run", (old, old))

    retention = Retention(instance, DaemonConfig(non_asset_events_days=30, ticks_days=7), logs)
    assert retention.is_configured
    assert retention.tick(now) == {"events": 2, "ticks": 1, "log_folders": 1}
    kept = [(r.event_type, r.message) for r in instance.get_event_records()]
    assert kept == [(EventType.ASSET_MATERIALIZATION, ""), (EventType.LOG_MESSAGE, "new log")]
    assert [t.status for t in instance.get_ticks("shop:s")] == ["SUCCESS", "STARTED"]
    assert [p.name for p in logs.iterdir()] == ["new-run"]
    assert instance.get_latest_materialization_event(AssetKey("a")) is not None


def test_retention_is_off_unless_configured(instance: Any) -> None:
    assert not Retention(instance, DaemonConfig()).is_configured
