"""Backfills: chunks follow the backfill policy, progress is stored, resumes after a crash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assetgraph import AssetKey, EventType, Instance, PartitionKeyRange, RunStatus
from assetgraph.execution.backfill import (
    BackfillProgress,
    BackfillStatus,
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
