"""Pieces of the event log storage that the contract suite cannot reach."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from assetgraph.definitions.keys import AssetCheckKey, AssetKey
from assetgraph.storage import Instance
from assetgraph.storage.event_log import PartitionsDefCache
from assetgraph.storage.status import KeySubset, subset_to_json


class _EvictedByAnotherThread(OrderedDict[Any, Any]):
    """Another thread evicts an entry between this thread's lookup and its LRU bump."""

    def get(self, key: Any, default: Any = None) -> Any:
        found = super().get(key, default)
        self.pop(key, None)
        return found


def test_subset_cache_survives_a_concurrent_eviction() -> None:
    cache = PartitionsDefCache()
    text = subset_to_json(KeySubset(["a"]))
    cache.remember(None, text, KeySubset(["a"]))
    cache._subsets = _EvictedByAnotherThread(cache._subsets)
    assert cache.subset(None, text) == KeySubset(["a"])


def test_latest_check_result_of_any_partition_reads_an_index_not_a_sort(tmp_path: Path) -> None:
    # Without an index ending in evaluation_event_id, SQLite sorts every partition's row:
    # 60 ms at 200,000 partitions, per check, per UI request.
    with Instance.from_url(f"sqlite:///{tmp_path / 'a.db'}") as instance:
        statements: list[tuple[str, Any]] = []

        def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
            if "check_executions" in statement:
                statements.append((statement, parameters))

        sa.event.listen(instance._engine, "before_cursor_execute", capture)
        instance.get_latest_check_result(AssetCheckKey(AssetKey("orders"), "has_rows"))
        sa.event.remove(instance._engine, "before_cursor_execute", capture)
        (statement, parameters), = statements
        with instance._engine.connect() as conn:
            plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
        assert "TEMP B-TREE" not in plan, plan


def test_a_batch_committed_late_with_a_lower_id_moves_nothing_back(tmp_path: Path) -> None:
    """On PostgreSQL a batch may take an asset's row lock after a batch with a higher id, or after a
    wipe whose cutoff lies above its ids: the latest materialization only moves forward, and what a
    wipe covers changes nothing. Simulated here by applying a stored record a second time, late."""
    from assetgraph.definitions.events import Event, EventType

    key = AssetKey("late")
    with Instance.from_url(f"sqlite:///{tmp_path / 'a.db'}") as instance:
        def materialize() -> Any:
            return instance.store_events([Event(event_type=EventType.ASSET_MATERIALIZATION, run_id="r",
                                                timestamp=1.0, asset_key=key)])[0]

        older, newer = materialize(), materialize()
        events = instance._events
        events._runner.run(lambda conn: events._update_asset(conn, key.to_db_string(), [older]), write=True)
        assert instance.get_latest_materialization_event(key) == newer
        assert instance.get_latest_materialization_events([key]) == {key: newer}
        instance.wipe_assets([key])
        events._runner.run(lambda conn: events._update_asset(conn, key.to_db_string(), [newer]), write=True)
        assert instance.get_latest_materialization_event(key) is None
        assert instance.get_latest_materialization_events([key]) == {}
        assert instance.get_materialized_partitions(key) == set()
