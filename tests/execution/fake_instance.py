"""An in-memory stand-in for the instance's storage: the event sink and run records only.

Execution depends on the `EventSink` protocol, so its unit tests run without a database.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from typing import Any

from assetgraph.definitions.events import Event, EventRecord, EventType, Run
from assetgraph.definitions.keys import AssetKey


class FakeInstance:
    def __init__(self) -> None:
        self.records: list[EventRecord] = []
        self.runs: dict[str, Run] = {}
        self.storage_dir = tempfile.mkdtemp(prefix="assetgraph-fake-")
        self.registered: dict[AssetKey, Any] = {}

    def store_events(self, events: Sequence[Event]) -> list[EventRecord]:
        out = []
        for e in events:
            rec = EventRecord(id=len(self.records) + 1, **{f: getattr(e, f) for f in Event.__dataclass_fields__})
            self.records.append(rec)
            out.append(rec)
        return out

    def create_run(self, run: Run) -> None:
        self.runs[run.run_id] = run

    def update_run(self, run_id: str, only_from: Sequence[Any] | None = None, **changes: Any) -> bool:
        if only_from is not None and self.runs[run_id].status not in only_from:
            return False
        self.runs[run_id] = self.runs[run_id].replace(**changes)
        return True

    def register_assets(self, mapping: dict[AssetKey, Any]) -> None:
        self.registered.update(mapping)

    def get_latest_materialization_event(self, key: AssetKey, partition: str | None = None) -> EventRecord | None:
        for r in reversed(self.records):
            if r.event_type == EventType.ASSET_MATERIALIZATION and r.asset_key == key and r.partition == partition:
                return r
        return None

    def has_dynamic_partition(self, name: str, key: str) -> bool:
        return False

    def get_dynamic_partitions(self, name: str) -> list[str]:
        return []

    def types(self, run_id: str | None = None) -> list[str]:
        return [r.event_type.value for r in self.records if run_id is None or r.run_id == run_id]
