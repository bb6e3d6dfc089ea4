"""The batched storage reads the server relies on (`Instance.get_latest_materialization_events`,
`Instance.get_runs_page`) agree with their one-at-a-time counterparts."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assetgraph.definitions.errors import StorageError
from assetgraph.definitions.events import Event, EventType, Run, RunStatus
from assetgraph.definitions.keys import AssetKey
from assetgraph.storage.instance import Instance


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[Instance]:
    inst = Instance.from_url(f"sqlite:///{tmp_path / 'assetgraph.db'}")
    yield inst
    inst.dispose()


def _materialize(instance: Instance, key: AssetKey, n: int = 1) -> None:
    instance.store_events([Event(event_type=EventType.ASSET_MATERIALIZATION, run_id="r", timestamp=time.time(),
                                 asset_key=key, message=str(i)) for i in range(n)])


def test_latest_materializations_match_single_reads_and_respect_wipes(instance: Instance) -> None:
    keys = [AssetKey(["ns", f"a{i}"]) for i in range(1200)]  # more than one chunk
    for key in keys[:1100]:
        _materialize(instance, key, n=2)
    instance.wipe_assets([keys[0]])
    found = instance.get_latest_materialization_events(keys)
    assert set(found) == set(keys[1:1100])
    for key in (keys[1], keys[555], keys[1099]):
        single = instance.get_latest_materialization_event(key)
        assert single is not None and found[key] == single
    assert instance.get_latest_materialization_events([]) == {}


def test_runs_page_continues_after_a_run_with_filters(instance: Instance) -> None:
    for i in range(7):
        instance.create_run(Run(run_id=f"r{i}", status=RunStatus.SUCCESS if i % 2 else RunStatus.FAILURE,
                                tags={"team": "core"} if i < 5 else {}, backfill_id="b" if i == 3 else None))
    assert [r.run_id for r in instance.get_runs_page(limit=3)] == ["r6", "r5", "r4"]
    assert [r.run_id for r in instance.get_runs_page(after_run_id="r4", limit=3)] == ["r3", "r2", "r1"]
    assert [r.run_id for r in instance.get_runs_page(status=RunStatus.SUCCESS, after_run_id="r5")] == ["r3", "r1"]
    assert [r.run_id for r in instance.get_runs_page(tags={"team": "core"}, after_run_id="r6")] == [
        "r4", "r3", "r2", "r1", "r0"]
    assert [r.run_id for r in instance.get_runs_page(backfill_id="b", after_run_id="r6")] == ["r3"]
    with pytest.raises(StorageError):
        instance.get_runs_page(after_run_id="nope")


def test_latest_materializations_beyond_what_the_record_cache_holds(instance: Instance) -> None:
    from assetgraph.storage.event_log import RecordCache

    instance._events._latest_records = RecordCache(5)  # fewer than the assets asked for
    keys = [AssetKey(f"k{i}") for i in range(20)]
    for key in keys:
        _materialize(instance, key)
    for _ in range(2):  # cold, then with the cache full of other assets' records
        found = instance.get_latest_materialization_events(keys)
        assert set(found) == set(keys)
        assert all(found[k] == instance.get_latest_materialization_event(k) for k in keys)
