"""Backfills: chunks follow the backfill policy, progress is stored, resumes after a crash, failed chunks
are retried by the backfill's retry policy."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from assetgraph import AssetKey, EventType, Instance, PartitionKeyRange, RunStatus
from assetgraph.definitions.events import MAX_RETRIES_TAG, PARENT_RUN_TAG, RETRY_NUMBER_TAG, Event, Run
from assetgraph.execution.backfill import (
    WORKER_LOST,
    BackfillProgress,
    BackfillStatus,
    advance_backfill,
    cancel_backfill,
    create_backfill,
    run_backfill_in_process,
)
from assetgraph.execution.plan import PartitionRequest
from tests.execution import backfill_location as loc

ROOT = Path(__file__).resolve().parents[2]


def _instance(tmp_path: Path) -> Instance:
    return Instance.from_url(f"sqlite:///{tmp_path}/ag.db")


def test_multi_run_backfill_runs_one_partition_per_run(tmp_path: Path) -> None:
    inst = _instance(tmp_path)
    graph = loc.defs.get_asset_graph()
    bid = create_backfill(inst, graph, [AssetKey("events")],
                          PartitionRequest(range=PartitionKeyRange("2024-01-01", "2024-01-10")))
    progress = run_backfill_in_process(inst, loc.defs, bid)
    assert progress.status == BackfillStatus.COMPLETED
    assert progress.body["done_partitions"] == 10 and len(progress.body["runs"]) == 10
    status = inst.get_partition_status(AssetKey("events"))
    assert len(status.materialized) == 10


def test_single_run_backfill_is_one_run_and_one_event(tmp_path: Path) -> None:
    inst = _instance(tmp_path)
    bid = create_backfill(inst, loc.defs.get_asset_graph(), [AssetKey("wide")],
                          PartitionRequest(range=PartitionKeyRange("2024-01-01", "2024-12-31")))
    progress = run_backfill_in_process(inst, loc.defs, bid)
    assert progress.status == BackfillStatus.COMPLETED and len(progress.body["runs"]) == 1
    mats = inst.get_event_records(event_type=EventType.ASSET_MATERIALIZATION, asset_key=AssetKey("wide"))
    assert len(mats) == 1 and mats[0].partition_range == ("2024-01-01", "2024-12-31")
    assert len(inst.get_partition_status(AssetKey("wide")).materialized) == 366


def test_backfill_spanning_daily_and_weekly_runs_days_before_their_week(tmp_path: Path) -> None:
    inst = _instance(tmp_path)
    bid = create_backfill(inst, loc.defs.get_asset_graph(), [AssetKey("events"), AssetKey("weekly_rollup")],
                          PartitionRequest(range=PartitionKeyRange("2024-01-07", "2024-01-13")))
    progress = run_backfill_in_process(inst, loc.defs, bid)
    assert progress.status == BackfillStatus.COMPLETED
    assert [p.keys for p in progress.phases] == [[AssetKey("events")], [AssetKey("weekly_rollup")]]
    assert progress.body["num_partitions"] == 8 and len(progress.body["runs"]) == 8
    from assetgraph import FilesystemIOManager

    week = FilesystemIOManager(inst.storage_dir).path_for(AssetKey("weekly_rollup"), "2024-01-07")
    import pickle

    assert pickle.loads(week.read_bytes()) == [
        "2024-01-07", "2024-01-08", "2024-01-09", "2024-01-10", "2024-01-11", "2024-01-12", "2024-01-13"]


def test_range_run_keeps_the_range_in_one_step(tmp_path: Path) -> None:
    from assetgraph.execution.materialize import execute_definitions

    result = execute_definitions(loc.defs, selection=[AssetKey("wide")], instance=_instance(tmp_path),
                                 partition_range=("2024-01-07", "2024-01-13"))
    assert result.plan.steps[0].partition_range == PartitionKeyRange("2024-01-07", "2024-01-13")


def test_failed_partitions_are_recorded_and_rerun_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inst = _instance(tmp_path)
    monkeypatch.setattr(loc, "FAIL_DAYS", {"2024-01-03"})
    graph = loc.defs.get_asset_graph()
    request = PartitionRequest(range=PartitionKeyRange("2024-01-01", "2024-01-05"))
    first = run_backfill_in_process(inst, loc.defs, create_backfill(inst, graph, [AssetKey("events")], request))
    assert first.status == BackfillStatus.FAILED
    assert (first.body["done_partitions"], first.body["failed_partitions"]) == (4, 1)
    assert inst.get_partition_status(AssetKey("events")).failed.get_partition_keys() == ["2024-01-03"]
    monkeypatch.setattr(loc, "FAIL_DAYS", set())
    again = create_backfill(inst, graph, [AssetKey("events")], request, failed_and_missing_only=True)
    second = run_backfill_in_process(inst, loc.defs, again)
    assert second.status == BackfillStatus.COMPLETED and second.body["num_partitions"] == 1


def test_canceled_backfill_stops_before_the_next_chunk(tmp_path: Path) -> None:
    inst = _instance(tmp_path)
    bid = create_backfill(inst, loc.defs.get_asset_graph(), [AssetKey("events")],
                          PartitionRequest(range=PartitionKeyRange("2024-01-01", "2024-01-31")))
    seen: list[int] = []

    def after_chunk(chunk, status, progress):  # type: ignore[no-untyped-def]
        seen.append(chunk.index)
        if len(seen) == 3:
            cancel_backfill(inst, bid)

    progress = run_backfill_in_process(inst, loc.defs, bid, on_chunk=after_chunk)
    assert progress.status == BackfillStatus.CANCELED and progress.body["done_partitions"] == 3


def test_backfill_resumes_after_sigkill_with_nothing_lost_or_stuck(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/ag.db"
    inst = Instance.from_url(url)
    bid = create_backfill(inst, loc.defs.get_asset_graph(), [AssetKey("events")],
                          PartitionRequest(range=PartitionKeyRange("2024-02-01", "2024-02-29")))
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
            "from assetgraph import Instance\n"
            "from assetgraph.execution.backfill import run_backfill_in_process\n"
            "from tests.execution import backfill_location as loc\n"
            f"run_backfill_in_process(Instance.from_url({url!r}), loc.defs, {bid!r})\n")
    env = {**os.environ, "BACKFILL_SLEEP": "0.05", "ASSETGRAPH_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen([sys.executable, "-c", code], env=env)
    deadline = time.time() + 60
    while time.time() < deadline and BackfillProgress(inst, bid).body["done_partitions"] < 5:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = BackfillProgress(inst, bid).body["done_partitions"]
    assert 5 <= done_before < 29
    progress = run_backfill_in_process(inst, loc.defs, bid)
    assert progress.status == BackfillStatus.COMPLETED
    assert len(inst.get_partition_status(AssetKey("events")).materialized) == 29
    assert all(r.status != RunStatus.STARTED for r in inst.get_runs())


def test_single_run_step_can_fail_individual_partitions(tmp_path: Path) -> None:
    from assetgraph import BackfillPolicy, DailyPartitionsDefinition, Definitions, asset

    days = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01")

    @asset(partitions_def=days, backfill_policy=BackfillPolicy.single_run())
    def loads(context) -> None:  # type: ignore[no-untyped-def]
        context.fail_partitions(["2024-01-10", "2024-01-20"], "source file missing")

    defs = Definitions(assets=[loads])
    inst = _instance(tmp_path)
    bid = create_backfill(inst, defs.get_asset_graph(), [loads.key],
                          PartitionRequest(range=PartitionKeyRange("2024-01-01", "2024-01-31")))
    progress = run_backfill_in_process(inst, defs, bid)
    assert progress.status == BackfillStatus.FAILED
    assert (progress.body["done_partitions"], progress.body["failed_partitions"]) == (29, 2)
    status = inst.get_partition_status(loads.key)
    assert status.failed.get_partition_keys() == ["2024-01-10", "2024-01-20"]
    assert len(status.materialized) == 29
    mats = inst.get_event_records(event_type=EventType.ASSET_MATERIALIZATION, asset_key=loads.key)
    assert [m.partition_range for m in mats] == [("2024-01-01", "2024-01-09"), ("2024-01-11", "2024-01-19"),
                                                ("2024-01-21", "2024-01-31")]


def _two_daily_assets() -> tuple[Any, list[AssetKey]]:
    from assetgraph import DailyPartitionsDefinition, Definitions, asset

    days = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01")

    @asset(partitions_def=days)
    def raw(context) -> str:  # type: ignore[no-untyped-def]
        return str(context.partition_key)

    @asset(partitions_def=days)
    def clean(raw: str) -> str:
        return raw

    return Definitions(assets=[raw, clean]), [AssetKey("raw"), AssetKey("clean")]


class _Daemon:
    """Stands in for the backfill loop and the run queue: submitted runs are stored, and finished on demand."""

    def __init__(self, inst: Instance, backfill_id: str, max_retries: int = 0) -> None:
        self.inst, self.backfill_id, self.max_retries = inst, backfill_id, max_retries
        self.submitted: list[Run] = []

    def tick(self) -> None:
        advance_backfill(self.inst, self.backfill_id, self._submit, max_retries=self.max_retries)

    def _submit(self, run: Run) -> None:
        self.inst.create_run(run)
        self.submitted.append(run)

    def finish(self, run: Run, status: RunStatus, materialized: Sequence[AssetKey] = (), worker_lost: bool = False) -> None:
        events = [Event(event_type=EventType.ASSET_MATERIALIZATION, run_id=run.run_id, timestamp=time.time(),
                        asset_key=key, partition=run.partition_key, step_key=key.to_user_string())
                  for key in materialized]
        if status == RunStatus.FAILURE:
            events.append(Event(event_type=EventType.RUN_FAILURE, run_id=run.run_id, timestamp=time.time(),
                                data={WORKER_LOST: True} if worker_lost else {}))
        self.inst.store_events(events)
        self.inst.update_run(run.run_id, status=status, end_time=time.time())


def test_a_failed_chunk_is_retried_from_failure_by_the_backfill_and_counts_by_its_last_run(tmp_path: Path) -> None:
    inst = _instance(tmp_path)
    defs, keys = _two_daily_assets()
    raw, clean = keys
    bid = create_backfill(inst, defs.get_asset_graph(), keys, PartitionRequest(keys=("2024-01-02", "2024-01-03")),
                          tags={MAX_RETRIES_TAG: "2"})
    daemon = _Daemon(inst, bid)
    daemon.tick()
    [first] = daemon.submitted
    daemon.finish(first, RunStatus.FAILURE, materialized=[raw])  # raw stored, then the run failed
    daemon.tick()
    retry = daemon.submitted[-1]
    assert (retry.partition_key, retry.asset_selection, retry.parent_run_id, retry.backfill_id) == (
        "2024-01-02", (clean,), first.run_id, bid)  # only what the failed run left undone
    assert retry.tags[PARENT_RUN_TAG] == first.run_id and retry.tags[RETRY_NUMBER_TAG] == "1"
    daemon.tick()
    assert daemon.submitted[-1] is retry  # one run of a chunk at a time: it waits for the retry
    daemon.finish(retry, RunStatus.SUCCESS, materialized=[clean])
    daemon.tick()
    second = daemon.submitted[-1]
    assert second.partition_key == "2024-01-03" and set(second.asset_selection) == set(keys)
    daemon.finish(second, RunStatus.SUCCESS, materialized=keys)
    daemon.tick()
    progress = BackfillProgress(inst, bid)
    assert progress.status == BackfillStatus.COMPLETED
    assert (progress.body["done_partitions"], progress.body["failed_partitions"]) == (2, 0)


def test_a_chunk_fails_the_backfill_once_its_retries_are_used_up(tmp_path: Path) -> None:
    inst = _instance(tmp_path)
    defs, keys = _two_daily_assets()
    bid = create_backfill(inst, defs.get_asset_graph(), keys, PartitionRequest(keys=("2024-01-02",)))
    daemon = _Daemon(inst, bid, max_retries=1)  # the daemon's run_retries.max_retries, no tag on the backfill
    daemon.tick()
    daemon.finish(daemon.submitted[-1], RunStatus.FAILURE)
    daemon.tick()
    assert len(daemon.submitted) == 2
    daemon.finish(daemon.submitted[-1], RunStatus.FAILURE)
    daemon.tick()
    progress = BackfillProgress(inst, bid)
    assert len(daemon.submitted) == 2 and progress.status == BackfillStatus.FAILED
    assert (progress.body["done_partitions"], progress.body["failed_partitions"]) == (0, 1)


def test_a_run_whose_worker_died_after_its_last_write_completes_its_chunk(tmp_path: Path) -> None:
    inst = _instance(tmp_path)
    defs, keys = _two_daily_assets()
    bid = create_backfill(inst, defs.get_asset_graph(), keys, PartitionRequest(keys=("2024-01-02",)),
                          tags={MAX_RETRIES_TAG: "1"})
    daemon = _Daemon(inst, bid)
    daemon.tick()
    daemon.finish(daemon.submitted[-1], RunStatus.FAILURE, materialized=keys, worker_lost=True)
    daemon.tick()
    progress = BackfillProgress(inst, bid)
    assert len(daemon.submitted) == 1 and progress.status == BackfillStatus.COMPLETED  # nothing left to retry
