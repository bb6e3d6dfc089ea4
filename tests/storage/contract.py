"""The storage contract: every backend subclasses `StorageContract` and passes all of it.

A subclass provides the ``url`` fixture (a database at the head revision with no data) and
declares what it supports: ``supports_processes`` (several processes share the database) and
``writer_processes`` (how many write at once in the concurrency test).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from assetgraph.definitions.errors import StorageError, UnknownPartitionKeyError
from assetgraph.definitions.events import (
    AssetCheckSeverity,
    AssetMaterialization,
    ErrorInfo,
    Event,
    EventType,
    Run,
    RunStatus,
)
from assetgraph.definitions.keys import AssetCheckKey, AssetKey
from assetgraph.definitions.metadata import MetadataValue
from assetgraph.definitions.partitions.base import DynamicPartitionsStore
from assetgraph.definitions.partitions.dynamic import DynamicPartitionsDefinition
from assetgraph.definitions.partitions.static import StaticPartitionsDefinition
from assetgraph.definitions.partitions.time_window import DailyPartitionsDefinition
from assetgraph.storage import EventSink, Instance, StatusReader
from assetgraph.storage.schema import asset_partition_status, assets, event_log

from . import workers

ORDERS = AssetKey(["raw", "orders"])
DAILY = AssetKey(["marts", "daily"])
REGIONS = AssetKey("regions")
FILES = AssetKey("files")

WEIRD_TEXT = [
    "it's", 'say "hi"', "a/b/c", "x,y", "p|q", "ünïcødé ✓ 🚀", "'; DROP TABLE event_log; --",
    "100%_like\\", "new\nline", "tab\there", " spaced ",
]


def ev(event_type: EventType, key: AssetKey | None = None, *, run_id: str | None = "r1",
       partition: str | None = None, partition_range: tuple[str, str] | None = None,
       **kwargs: object) -> Event:
    return Event(event_type=event_type, run_id=run_id, timestamp=time.time(), asset_key=key,
                 partition=partition, partition_range=partition_range, **kwargs)  # type: ignore[arg-type]


def status_rows(instance: Instance) -> dict[tuple[str, str], str]:
    with instance._engine.connect() as conn:
        rows = conn.execute(sa.select(asset_partition_status.c.asset_key, asset_partition_status.c.status,
                                      asset_partition_status.c.subset))
        return {(r.asset_key, r.status): r.subset for r in rows}


def last_materializations(instance: Instance) -> dict[str, int | None]:
    with instance._engine.connect() as conn:
        rows = conn.execute(sa.select(assets.c.asset_key, assets.c.last_materialization_event_id))
        return {r.asset_key: r.last_materialization_event_id for r in rows}


def assert_rebuild_matches(instance: Instance) -> None:
    incremental = status_rows(instance), last_materializations(instance)
    instance.rebuild_partition_status()
    assert (status_rows(instance), last_materializations(instance)) == incremental


class StorageContract:
    supports_processes = True
    writer_processes = 4

    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError("each backend provides a fresh database URL")

    @pytest.fixture
    def instance(self, url: str) -> Iterator[Instance]:
        with Instance.from_url(url) as instance:
            yield instance

    # -- protocols ---------------------------------------------------------------------------

    def test_instance_satisfies_execution_protocols(self, instance: Instance) -> None:
        assert isinstance(instance, EventSink)
        assert isinstance(instance, StatusReader)
        assert isinstance(instance, DynamicPartitionsStore)

    # -- runs --------------------------------------------------------------------------------

    def test_run_round_trips(self, instance: Instance) -> None:
        run = Run(run_id="r1", status=RunStatus.QUEUED, tags={"team": "core"}, job_name="daily",
                  asset_selection=(ORDERS, DAILY), asset_check_selection=(AssetCheckKey(ORDERS, "not_empty"),),
                  partition_range=("2024-01-01", "2024-01-31"), run_config={"ops": {"a": {"config": {"n": 1}}}},
                  parent_run_id="r0", root_run_id="r0", create_time=100.0, backfill_id="b1", code_location="loc")
        instance.create_run(run)
        assert instance.get_run("r1") == run
        assert instance.get_run("missing") is None

    def test_runs_are_listed_newest_first_and_filtered(self, instance: Instance) -> None:
        for i, status in enumerate([RunStatus.SUCCESS, RunStatus.FAILURE, RunStatus.SUCCESS]):
            instance.create_run(Run(run_id=f"r{i}", status=status, tags={"n": str(i), "team": "core"}))
        assert [r.run_id for r in instance.get_runs()] == ["r2", "r1", "r0"]
        assert [r.run_id for r in instance.get_runs(status=RunStatus.SUCCESS)] == ["r2", "r0"]
        assert [r.run_id for r in instance.get_runs(status=[RunStatus.FAILURE])] == ["r1"]
        assert [r.run_id for r in instance.get_runs(tags={"team": "core", "n": "1"})] == ["r1"]
        assert [r.run_id for r in instance.get_runs(limit=1)] == ["r2"]
        assert instance.get_runs(tags={"team": "other"}) == []

    def test_update_run_changes_status_and_times(self, instance: Instance) -> None:
        instance.create_run(Run(run_id="r1", status=RunStatus.STARTING))
        instance.update_run("r1", status=RunStatus.STARTED, start_time=10.0)
        instance.update_run("r1", status=RunStatus.SUCCESS, end_time=20.0)
        run = instance.get_run("r1")
        assert run is not None
        assert (run.status, run.start_time, run.end_time) == (RunStatus.SUCCESS, 10.0, 20.0)
        assert run.create_time > 0

    def test_unknown_or_duplicate_runs_raise_storage_errors(self, instance: Instance) -> None:
        with pytest.raises(StorageError, match="No run with id 'nope'"):
            instance.update_run("nope", status=RunStatus.FAILURE)
        instance.create_run(Run(run_id="r1", status=RunStatus.QUEUED))
        with pytest.raises(StorageError, match="already exists"):
            instance.create_run(Run(run_id="r1", status=RunStatus.QUEUED))

    def test_heartbeats_record_a_runs_last_sign_of_life(self, instance: Instance) -> None:
        instance.create_run(Run(run_id="r1", status=RunStatus.STARTED))
        instance.heartbeat_run("r1", timestamp=1234.5)
        assert instance.get_run_heartbeats(["r1", "missing"]) == {"r1": 1234.5}
        instance.update_run("r1", status=RunStatus.SUCCESS)
        assert instance.get_run_heartbeats(["r1"])["r1"] > 1234.5

    def test_add_run_tags_overwrites_and_filters(self, instance: Instance) -> None:
        instance.create_run(Run(run_id="r1", status=RunStatus.QUEUED, tags={"a": "1"}))
        instance.add_run_tags("r1", {"a": "2", "b": "3"})
        run = instance.get_run("r1")
        assert run is not None and run.tags == {"a": "2", "b": "3"}
        assert [r.run_id for r in instance.get_runs(tags={"a": "2"})] == ["r1"]
        assert instance.get_runs(tags={"a": "1"}) == []

    def test_concurrent_add_run_tags_lose_no_tag(self, instance: Instance) -> None:
        instance.create_run(Run(run_id="r1", status=RunStatus.STARTED))

        def tag(n: int) -> None:
            for i in range(15):
                instance.add_run_tags("r1", {f"t{n}-{i}": "x"})

        threads = [threading.Thread(target=tag, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        run = instance.get_run("r1")
        assert run is not None and len(run.tags) == 60

    # -- event log ---------------------------------------------------------------------------

    def test_store_events_returns_records_with_increasing_ids(self, instance: Instance) -> None:
        error = ErrorInfo("boom", "ValueError", "Traceback ...")
        records = instance.store_events([
            ev(EventType.STEP_START, step_key="s"),
            ev(EventType.ASSET_MATERIALIZATION, ORDERS, step_key="s",
               metadata={"rows": MetadataValue.int(3), "nan": MetadataValue.float(float("inf"))}),
            ev(EventType.STEP_FAILURE, step_key="s", error=error, message="failed"),
        ])
        ids = [r.id for r in records]
        assert ids == sorted(ids) and len(set(ids)) == 3
        stored = instance.get_event_records(run_id="r1")
        assert stored == records
        assert stored[1].metadata["rows"].value == 3 and stored[1].metadata["nan"].value == float("inf")
        assert stored[2].error == error and stored[2].message == "failed"
        assert instance.store_events([]) == []

    def test_event_with_unserialisable_data_is_refused_whole(self, instance: Instance) -> None:
        with pytest.raises(StorageError, match="not JSON-serialisable"):
            instance.store_events([ev(EventType.STEP_START), ev(EventType.LOG_MESSAGE, data={"x": object()})])
        assert instance.get_event_records() == []

    def test_event_from_a_newer_payload_version_is_refused_by_name(self, instance: Instance) -> None:
        with instance._engine.begin() as conn:
            conn.execute(sa.insert(event_log), {"event_type": "LOG_MESSAGE", "timestamp": 1.0,
                                                "payload": '{"v": 99}'})
        with pytest.raises(StorageError, match="payload version 99"):
            instance.get_event_records()

    def test_get_event_records_filters(self, instance: Instance) -> None:
        instance.store_events([
            ev(EventType.ASSET_MATERIALIZATION, ORDERS, run_id="a"),
            ev(EventType.ASSET_MATERIALIZATION, DAILY, run_id="a", partition="2024-01-01"),
            ev(EventType.ASSET_OBSERVATION, ORDERS, run_id="b"),
            ev(EventType.LOG_MESSAGE, run_id="b", message="hello"),
        ])
        mats = instance.get_event_records(event_type=EventType.ASSET_MATERIALIZATION)
        assert [r.asset_key for r in mats] == [ORDERS, DAILY]
        assert [r.event_type for r in instance.get_event_records(asset_key=ORDERS)] == [
            EventType.ASSET_MATERIALIZATION, EventType.ASSET_OBSERVATION]
        assert [r.asset_key for r in instance.get_event_records(partition="2024-01-01")] == [DAILY]
        assert [r.message for r in instance.get_event_records(run_id="b", event_type=EventType.LOG_MESSAGE)] == [
            "hello"]
        everything = instance.get_event_records()
        assert instance.get_event_records(after_id=everything[1].id) == everything[2:]
        assert instance.get_event_records(limit=2, ascending=False) == everything[:1:-1]
        assert instance.get_event_records(event_type=[EventType.LOG_MESSAGE, EventType.ASSET_OBSERVATION]) == (
            everything[2:])

    def test_latest_materialization_per_asset_and_partition(self, instance: Instance) -> None:
        first, second, _ = instance.store_events([
            ev(EventType.ASSET_MATERIALIZATION, DAILY, partition="2024-01-01"),
            ev(EventType.ASSET_MATERIALIZATION, DAILY, partition="2024-01-02"),
            ev(EventType.ASSET_OBSERVATION, DAILY, partition="2024-01-01"),
        ])
        assert instance.get_latest_materialization_event(DAILY) == second
        assert instance.get_latest_materialization_event(DAILY, partition="2024-01-01") == first
        assert instance.get_latest_materialization_event(DAILY, partition="2024-01-03") is None
        assert instance.get_latest_materialization_event(ORDERS) is None

    def test_runless_materialization_is_stored_and_validated(self, instance: Instance) -> None:
        record = instance.report_runless_asset_event(
            AssetMaterialization(ORDERS, metadata={"source": "s3"}, description="loaded"))
        assert record.run_id is None and record.metadata["source"].value == "s3" and record.message == "loaded"
        assert instance.get_latest_materialization_event(ORDERS) == record
        instance.register_assets({REGIONS: StaticPartitionsDefinition(["us", "eu"])})
        instance.report_runless_asset_event(AssetMaterialization(REGIONS, partition="us"))
        with pytest.raises(UnknownPartitionKeyError):
            instance.report_runless_asset_event(AssetMaterialization(REGIONS, partition="mars"))
        assert instance.get_materialized_partitions(REGIONS) == {"us"}

    # -- partition status --------------------------------------------------------------------

    def test_unpartitioned_status_follows_planned_materialized_failed(self, instance: Instance) -> None:
        instance.register_assets({ORDERS: None})
        status = instance.get_partition_status(ORDERS)
        assert (status.total, len(status.missing), status.is_partitioned) == (1, 1, False)
        instance.store_events([ev(EventType.ASSET_MATERIALIZATION_PLANNED, ORDERS)])
        status = instance.get_partition_status(ORDERS)
        assert None in status.in_progress and len(status.missing) == 0
        instance.store_events([ev(EventType.ASSET_MATERIALIZATION, ORDERS)])
        status = instance.get_partition_status(ORDERS)
        assert status.is_materialized() and len(status.in_progress) == 0
        instance.store_events([ev(EventType.ASSET_MATERIALIZATION_FAILED, ORDERS)])
        status = instance.get_partition_status(ORDERS)
        assert None in status.failed and status.is_materialized()
        assert instance.get_materialized_partitions(ORDERS) == set()
        assert instance.get_event_records(asset_key=ORDERS)[0].partition is None

    def test_static_partition_status(self, instance: Instance) -> None:
        instance.register_assets({REGIONS: StaticPartitionsDefinition(["us", "eu", "apac"])})
        instance.store_events([
            ev(EventType.ASSET_MATERIALIZATION_PLANNED, REGIONS, partition_range=("us", "apac")),
            ev(EventType.ASSET_MATERIALIZATION, REGIONS, partition="us"),
            ev(EventType.STEP_FAILURE, REGIONS, partition="eu"),
        ])
        status = instance.get_partition_status(REGIONS)
        assert status.materialized.get_partition_keys() == ["us"]
        assert status.failed.get_partition_keys() == ["eu"]
        assert status.in_progress.get_partition_keys() == ["apac"]
        assert len(status.missing) == 0 and status.total == 3
        instance.store_events([ev(EventType.ASSET_MATERIALIZATION, REGIONS, partition="eu")])
        status = instance.get_partition_status(REGIONS)
        assert status.materialized.get_partition_keys() == ["us", "eu"] and len(status.failed) == 0
        assert instance.get_materialized_partitions(REGIONS) == {"us", "eu"}

    def test_range_event_updates_status_without_expanding_keys(self, instance: Instance) -> None:
        daily = DailyPartitionsDefinition("2000-01-01")
        instance.register_assets({DAILY: daily})
        instance.store_events([
            ev(EventType.ASSET_MATERIALIZATION_PLANNED, DAILY, partition_range=("2000-01-01", "2019-12-31")),
            ev(EventType.ASSET_MATERIALIZATION, DAILY, partition_range=("2000-01-01", "2019-12-31")),
            ev(EventType.ASSET_MATERIALIZATION_FAILED, DAILY, partition="2020-01-01"),
        ])
        status = instance.get_partition_status(DAILY)
        assert len(status.materialized) == 7305 and len(status.materialized.ranges) == 1
        assert "2010-06-15" in status.materialized and "2020-01-01" in status.failed
        assert status.total == daily.num_partitions()
        assert len(status.missing) == status.total - 7305 - 1
        assert max(len(text) for text in status_rows(instance).values()) < 200
        latest = instance.get_latest_materialization_event(DAILY, partition="2005-05-05")
        assert latest is not None and latest.partition_range == ("2000-01-01", "2019-12-31")
        assert instance.get_latest_materialization_event(DAILY, partition="2020-01-01") is None

    def test_dynamic_partition_status_counts_keys_in_storage(self, instance: Instance) -> None:
        instance.register_assets({FILES: DynamicPartitionsDefinition("files")})
        instance.add_dynamic_partitions("files", ["a.csv", "b.csv", "c.csv"])
        instance.store_events([ev(EventType.ASSET_MATERIALIZATION, FILES, partition="b.csv")])
        status = instance.get_partition_status(FILES)
        assert status.total == 3 and status.missing.get_partition_keys() == ["a.csv", "c.csv"]

    def test_range_event_on_dynamic_partitions_updates_status(self, instance: Instance) -> None:
        instance.register_assets({FILES: DynamicPartitionsDefinition("files")})
        instance.add_dynamic_partitions("files", ["a.csv", "b.csv", "c.csv"])
        instance.store_events([ev(EventType.ASSET_MATERIALIZATION, FILES, partition_range=("a.csv", "b.csv"))])
        status = instance.get_partition_status(FILES)
        assert status.materialized.get_partition_keys() == ["a.csv", "b.csv"]
        assert status.missing.get_partition_keys() == ["c.csv"]
        latest = instance.get_latest_materialization_event(FILES, partition="a.csv")
        assert latest is not None and latest.partition_range == ("a.csv", "b.csv")
        assert_rebuild_matches(instance)

    def test_batch_of_single_partition_events_updates_status_in_one_set_operation(
            self, instance: Instance, monkeypatch: pytest.MonkeyPatch) -> None:
        # One set operation per event on a key set of N partitions made a batch of n events O(n * N).
        from assetgraph.storage import event_log

        keys = [f"file_{n:06d}.csv" for n in range(20_000)]
        instance.register_assets({FILES: DynamicPartitionsDefinition("files")})
        instance.add_dynamic_partitions("files", keys)
        instance.store_events([ev(EventType.ASSET_MATERIALIZATION, FILES, partition=k) for k in keys[:10_000]])
        applied: list[EventType] = []
        apply_event = event_log.apply_event
        monkeypatch.setattr(event_log, "apply_event",
                            lambda statuses, event_type, subset: applied.append(event_type) or apply_event(
                                statuses, event_type, subset))
        instance.store_events([
            *(ev(EventType.ASSET_MATERIALIZATION_PLANNED, FILES, partition=k) for k in keys[10_000:]),
            *(ev(EventType.ASSET_MATERIALIZATION, FILES, partition=k) for k in keys[10_000:19_999]),
            ev(EventType.ASSET_MATERIALIZATION_FAILED, FILES, partition=keys[-1]),
        ])
        monkeypatch.undo()
        assert applied == [EventType.ASSET_MATERIALIZATION_PLANNED, EventType.ASSET_MATERIALIZATION,
                           EventType.ASSET_MATERIALIZATION_FAILED]
        status = instance.get_partition_status(FILES)
        assert (len(status.materialized), status.failed.get_partition_keys(), len(status.in_progress)) == (
            19_999, [keys[-1]], 0)
        assert_rebuild_matches(instance)

    def test_status_of_unregistered_partitioned_asset_is_a_key_set(self, instance: Instance) -> None:
        instance.store_events([ev(EventType.ASSET_MATERIALIZATION, DAILY, partition=k) for k in ["b", "a"]])
        assert instance.get_materialized_partitions(DAILY) == {"a", "b"}
        instance.register_assets({DAILY: StaticPartitionsDefinition(["a", "b", "c"])})
        status = instance.get_partition_status(DAILY)
        assert status.materialized.get_partition_keys() == ["a", "b"] and status.total == 3

    def test_changed_partitions_definition_rebuilds_status(self, instance: Instance) -> None:
        instance.register_assets({REGIONS: StaticPartitionsDefinition(["us", "eu"])})
        instance.store_events([ev(EventType.ASSET_MATERIALIZATION, REGIONS, partition="eu")])
        instance.register_assets({REGIONS: StaticPartitionsDefinition(["apac", "eu", "us"])})
        status = instance.get_partition_status(REGIONS)
        assert status.materialized.get_partition_keys() == ["eu"] and status.total == 3

    def test_status_snapshot_reads_many_assets(self, instance: Instance) -> None:
        instance.register_assets({ORDERS: None, REGIONS: StaticPartitionsDefinition(["us"])})
        instance.store_events([ev(EventType.ASSET_MATERIALIZATION, ORDERS)])
        unknown = AssetKey("never_seen")
        snapshot = instance.get_partition_status_snapshot([ORDERS, REGIONS, unknown])
        assert snapshot[ORDERS].is_materialized()
        assert snapshot[REGIONS].missing.get_partition_keys() == ["us"]
        assert not snapshot[unknown].is_materialized() and snapshot[unknown].total == 1

    def test_rebuilt_status_equals_incremental_status(self, instance: Instance) -> None:
        rng = random.Random(7)
        regions = StaticPartitionsDefinition([f"r{i}" for i in range(20)])
        daily = DailyPartitionsDefinition("2024-01-01", end_date="2024-03-01")
        instance.register_assets({REGIONS: regions, DAILY: daily, ORDERS: None})
        days = daily.get_partition_keys()
        types = [EventType.ASSET_MATERIALIZATION_PLANNED, EventType.ASSET_MATERIALIZATION,
                 EventType.ASSET_MATERIALIZATION_FAILED, EventType.STEP_FAILURE]
        for _ in range(40):
            batch = []
            for _ in range(rng.randint(1, 6)):
                event_type = rng.choice(types)
                choice = rng.randrange(4)
                if choice == 0:
                    batch.append(ev(event_type, REGIONS, partition=rng.choice(regions.get_partition_keys())))
                elif choice == 1:
                    start, end = sorted(rng.sample(range(len(days)), 2))
                    batch.append(ev(event_type, DAILY, partition_range=(days[start], days[end])))
                elif choice == 2:
                    batch.append(ev(event_type, ORDERS))
                else:
                    batch.append(ev(event_type, FILES, partition=rng.choice(["x", "y", "z"])))
            instance.store_events(batch)
        assert len(status_rows(instance)) >= 9
        assert_rebuild_matches(instance)

    # -- checks ------------------------------------------------------------------------------

    def test_check_results_latest_and_history(self, instance: Instance) -> None:
        check = AssetCheckKey(ORDERS, "not_empty")
        assert instance.get_latest_check_result(check) is None
        instance.store_events([ev(EventType.ASSET_CHECK_EVALUATION_PLANNED, ORDERS, check_name="not_empty")])
        assert instance.get_latest_check_result(check) is None
        instance.store_events([
            ev(EventType.ASSET_MATERIALIZATION, ORDERS),
            ev(EventType.ASSET_CHECK_EVALUATION, ORDERS, check_name="not_empty", passed=False,
               data={"severity": "WARN"}, metadata={"rows": MetadataValue.int(0)}),
        ])
        instance.store_events([ev(EventType.ASSET_CHECK_EVALUATION, ORDERS, run_id="r2", check_name="not_empty",
                                  passed=True)])
        latest = instance.get_latest_check_result(check)
        assert latest is not None and latest.passed and latest.run_id == "r2"
        history = instance.get_check_history(check)
        assert [(h.passed, h.run_id) for h in history] == [(True, "r2"), (False, "r1")]
        assert history[1].severity == AssetCheckSeverity.WARN and history[1].metadata["rows"].value == 0

    def test_check_re_evaluated_in_same_run_keeps_one_execution(self, instance: Instance) -> None:
        check = AssetCheckKey(ORDERS, "fresh")
        for passed in (False, True):
            instance.store_events([ev(EventType.ASSET_CHECK_EVALUATION, ORDERS, check_name="fresh", passed=passed)])
        assert [h.passed for h in instance.get_check_history(check)] == [True]

    def test_partitioned_check_results(self, instance: Instance) -> None:
        check = AssetCheckKey(DAILY, "rows")
        instance.store_events([
            ev(EventType.ASSET_CHECK_EVALUATION, DAILY, partition="2024-01-01", check_name="rows", passed=True),
            ev(EventType.ASSET_CHECK_EVALUATION, DAILY, partition="2024-01-02", check_name="rows", passed=False),
        ])
        first = instance.get_latest_check_result(check, partition="2024-01-01")
        assert first is not None and first.passed and first.partition == "2024-01-01"
        latest = instance.get_latest_check_result(check)
        assert latest is not None and latest.partition == "2024-01-02"

    # -- wipe --------------------------------------------------------------------------------

    def test_wipe_hides_history_and_clears_status(self, instance: Instance) -> None:
        instance.register_assets({REGIONS: StaticPartitionsDefinition(["us", "eu"])})
        instance.store_events([
            ev(EventType.ASSET_MATERIALIZATION, REGIONS, partition="us"),
            ev(EventType.ASSET_CHECK_EVALUATION, REGIONS, partition="us", check_name="c", passed=True),
            ev(EventType.ASSET_MATERIALIZATION, ORDERS),
        ])
        instance.wipe_assets([REGIONS])
        assert instance.get_materialized_partitions(REGIONS) == set()
        assert instance.get_latest_materialization_event(REGIONS) is None
        assert instance.get_latest_materialization_event(REGIONS, partition="us") is None
        assert instance.get_latest_check_result(AssetCheckKey(REGIONS, "c")) is None
        assert instance.get_event_records(asset_key=REGIONS) == []
        assert len(instance.get_event_records(run_id="r1")) == 3  # the log itself is append-only
        assert instance.get_latest_materialization_event(ORDERS) is not None
        instance.store_events([ev(EventType.ASSET_MATERIALIZATION, REGIONS, partition="eu")])
        assert instance.get_materialized_partitions(REGIONS) == {"eu"}
        assert_rebuild_matches(instance)

    # -- dynamic partitions and daemon state ---------------------------------------------------

    def test_dynamic_partitions(self, instance: Instance) -> None:
        instance.add_dynamic_partitions("files", ["b", "a", "b"])
        instance.add_dynamic_partitions("files", ["a", "c"])
        instance.add_dynamic_partitions("other", ["z"])
        assert instance.get_dynamic_partitions("files") == ["b", "a", "c"]
        assert instance.has_dynamic_partition("files", "a") and not instance.has_dynamic_partition("files", "z")
        instance.delete_dynamic_partition("files", "a")
        assert instance.get_dynamic_partitions("files") == ["b", "c"]
        assert instance.get_dynamic_partitions("nothing") == []

    def test_cursors_and_kvs(self, instance: Instance) -> None:
        assert instance.get_cursor("sensor:s") is None
        instance.set_cursor("sensor:s", "1")
        instance.set_cursor("sensor:s", "2")
        assert instance.get_cursor("sensor:s") == "2"
        instance.set_kvs({"a": "1", "b": "2"})
        instance.set_kvs({"a": "3"})
        assert instance.get_kvs(["a", "b", "c"]) == {"a": "3", "b": "2"}

    def test_backfills_and_ticks(self, instance: Instance) -> None:
        instance.add_backfill("b1", "REQUESTED", {"partitions": ["2024-01-01"]})
        instance.add_backfill("b2", "REQUESTED", {})
        instance.update_backfill("b1", "COMPLETED", {"partitions": [], "done": 1})
        b1 = instance.get_backfill("b1")
        assert b1 is not None and b1.status == "COMPLETED" and b1.body == {"partitions": [], "done": 1}
        assert [b.backfill_id for b in instance.get_backfills()] == ["b2", "b1"]
        assert [b.backfill_id for b in instance.get_backfills(status="REQUESTED")] == ["b2"]
        with pytest.raises(StorageError):
            instance.add_backfill("b1", "REQUESTED", {})
        tick = instance.create_tick("daily_schedule", "schedule", "STARTED", 10.0, {})
        instance.create_tick("daily_schedule", "schedule", "SKIPPED", 20.0, {"reason": "none"})
        instance.update_tick(tick.id, "SUCCESS", {"run_ids": ["r1"]})
        assert [(t.status, t.body) for t in instance.get_ticks("daily_schedule")] == [
            ("SKIPPED", {"reason": "none"}), ("SUCCESS", {"run_ids": ["r1"]})]

    # -- batched reads for the server --------------------------------------------------------

    def test_latest_materializations_follow_writes_made_through_another_handle(self, instance: Instance,
                                                                                 url: str) -> None:
        keys = [AssetKey(["many", f"k{i}"]) for i in range(2500)]  # enough to read the whole assets table
        for start in range(0, len(keys), 500):
            instance.store_events([Event(event_type=EventType.ASSET_MATERIALIZATION, run_id="r1", asset_key=key,
                                         timestamp=1.0, message="first") for key in keys[start:start + 500]])
        first = instance.get_latest_materialization_events(keys)  # decoded once, then reused
        assert len(first) == len(keys)
        writer = Instance.from_url(url) if self.supports_processes else instance
        try:
            writer.store_events([Event(event_type=EventType.ASSET_MATERIALIZATION, run_id="r2", asset_key=keys[7],
                                       timestamp=2.0, message="second")])
            writer.wipe_assets([keys[8]])
        finally:
            if writer is not instance:
                writer.dispose()
        second = instance.get_latest_materialization_events(keys)
        assert second[keys[7]].message == "second" and second[keys[7]].id > first[keys[7]].id
        assert keys[8] not in second
        assert second[keys[9]] == first[keys[9]] == instance.get_latest_materialization_event(keys[9])
        few = instance.get_latest_materialization_events(keys[:10])  # by key instead of the whole table
        assert few == {k: second[k] for k in keys[:10] if k in second}

    # -- keys are data -----------------------------------------------------------------------

    def test_keys_with_special_characters_round_trip(self, instance: Instance) -> None:
        keys = [AssetKey(text) for text in WEIRD_TEXT] + [AssetKey(WEIRD_TEXT[:3]), AssetKey(["a", "b/c"])]
        instance.add_dynamic_partitions("weird", WEIRD_TEXT)
        assert instance.get_dynamic_partitions("weird") == WEIRD_TEXT
        instance.register_assets({key: DynamicPartitionsDefinition("weird") for key in keys})
        for key in keys:
            instance.store_events([
                ev(EventType.ASSET_MATERIALIZATION, key, partition=p, run_id=p) for p in WEIRD_TEXT
            ] + [ev(EventType.ASSET_CHECK_EVALUATION, key, partition=WEIRD_TEXT[0], check_name=WEIRD_TEXT[6],
                    passed=True)])
        for key in keys:
            assert instance.get_materialized_partitions(key) == set(WEIRD_TEXT)
            assert {r.partition for r in instance.get_event_records(asset_key=key)} == set(WEIRD_TEXT)
            latest = instance.get_latest_materialization_event(key, partition=WEIRD_TEXT[6])
            assert latest is not None and latest.asset_key == key and latest.run_id == WEIRD_TEXT[6]
            result = instance.get_latest_check_result(AssetCheckKey(key, WEIRD_TEXT[6]))
            assert result is not None and result.partition == WEIRD_TEXT[0]
        instance.create_run(Run(run_id=WEIRD_TEXT[6], status=RunStatus.QUEUED, tags={t: t for t in WEIRD_TEXT}))
        assert [r.run_id for r in instance.get_runs(tags={WEIRD_TEXT[1]: WEIRD_TEXT[1]})] == [WEIRD_TEXT[6]]
        assert_rebuild_matches(instance)

    # -- many processes ----------------------------------------------------------------------

    def test_concurrent_writer_processes_lose_nothing(self, url: str, instance: Instance) -> None:
        if not self.supports_processes:
            pytest.skip("this backend lives in one process")
        n, batches = self.writer_processes, 25
        keys = [f"w{w}-b{i}" for w in range(n) for i in range(batches)]
        instance.register_assets({workers.PER_WORKER: StaticPartitionsDefinition(keys)})
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(n) as pool:
            assert sorted(pool.starmap(workers.write_batches, [(url, w, batches) for w in range(n)])) == list(
                range(n))
        records = instance.get_event_records()
        assert len(records) == n * batches * workers.EVENTS_PER_BATCH
        assert len({r.id for r in records}) == len(records)
        # Every read-modify-write of the shared status row saw the previous one.
        assert instance.get_materialized_partitions(workers.PER_WORKER) == set(keys)
        assert len(instance.get_check_history(AssetCheckKey(workers.SHARED, "rows"))) == n
        assert_rebuild_matches(instance)

    def test_killed_writer_loses_no_committed_batch(self, url: str, instance: Instance, tmp_path: Path) -> None:
        if not self.supports_processes:
            pytest.skip("this backend lives in one process")
        progress = tmp_path / "progress.txt"
        progress.touch()
        ctx = multiprocessing.get_context("spawn")
        writer = ctx.Process(target=workers.write_until_killed, args=(url, str(progress)))
        writer.start()
        deadline = time.monotonic() + 60
        while len(progress.read_text().split()) < 30 and time.monotonic() < deadline and writer.is_alive():
            time.sleep(0.02)
        assert writer.pid is not None
        os.kill(writer.pid, signal.SIGKILL)
        writer.join()
        committed = [int(x) for x in progress.read_text().split()]
        assert len(committed) >= 30
        records = instance.get_event_records(run_id="crash")
        per_step: dict[str | None, int] = {}
        for record in records:
            per_step[record.step_key] = per_step.get(record.step_key, 0) + 1
        assert set(per_step.values()) == {workers.EVENTS_PER_BATCH}  # no half-written batch
        assert {f"step-{i}" for i in committed} <= set(per_step)
        materialized = instance.get_materialized_partitions(workers.PER_WORKER)
        assert materialized == {f"p{s.split('-')[1]}" for s in per_step if s}
        assert_rebuild_matches(instance)
