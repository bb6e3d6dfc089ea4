"""The backfill loop: chunks submitted one after the other, a daemon killed around a chunk's
submission neither duplicates nor skips a chunk, a backfill waits for its code location, and
retries of its runs are its own."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from assetgraph import EventType, RunStatus
from assetgraph.codelocation.loader import load_definitions
from assetgraph.codelocation.workspace import ERROR, Workspace
from assetgraph.definitions.events import Event
from assetgraph.execution.backfill import create_backfill
from assetgraph.execution.plan import PartitionRequest
from assetgraph.orchestration.backfills import BackfillLoop
from assetgraph.orchestration.config import DaemonConfig
from assetgraph.orchestration.retries import RunRetries
from tests.codelocation.conftest import SHOP, file_location
from tests.orchestration.conftest import CRASH_EXIT_CODE, crash_at

FILES = ("a.csv", "b.csv", "c.csv")


def new_backfill(instance: Any) -> str:
    graph = load_definitions(SHOP.target).get_asset_graph()
    instance.add_dynamic_partitions("files", list(FILES))
    from assetgraph import AssetKey

    return create_backfill(instance, graph, [AssetKey("file_rows")], PartitionRequest(keys=FILES), location="shop")


def finish_runs(instance: Any, backfill_id: str) -> None:
    """Stand in for the run queue and workers: every queued run of the backfill succeeds."""
    for run in instance.get_runs(backfill_id=backfill_id, status=RunStatus.QUEUED):
        instance.update_run(run.run_id, status=RunStatus.SUCCESS)


def drive(instance: Any, shop: Workspace, backfill_id: str, passes: int = 10) -> None:
    loop = BackfillLoop(instance, shop)
    for _ in range(passes):
        loop.tick()
        finish_runs(instance, backfill_id)


def test_a_backfill_runs_one_chunk_per_partition_to_completion(instance: Any, shop: Workspace) -> None:
    backfill_id = new_backfill(instance)
    drive(instance, shop, backfill_id)
    runs = instance.get_runs(backfill_id=backfill_id)
    assert sorted(r.partition_key for r in runs) == list(FILES)
    assert {r.code_location for r in runs} == {"shop"}
    assert instance.get_backfill(backfill_id).status == "COMPLETED"


@pytest.mark.parametrize("point", ["backfill:before_submit", "backfill:after_submit"])
def test_a_daemon_killed_around_a_chunk_neither_duplicates_nor_skips(instance: Any, shop: Workspace,
                                                                      point: str) -> None:
    backfill_id = new_backfill(instance)
    drive(instance, shop, backfill_id, passes=1)  # the first chunk is done
    code = crash_at(point, lambda inst, hook: BackfillLoop(inst, shop, crash_hook=hook).tick(), instance.url)
    assert code == CRASH_EXIT_CODE
    drive(instance, shop, backfill_id)  # the restarted daemon
    runs = instance.get_runs(backfill_id=backfill_id)
    assert sorted(r.partition_key for r in runs) == list(FILES)
    assert instance.get_backfill(backfill_id).status == "COMPLETED"


def test_a_backfill_waits_while_its_code_location_is_not_loaded(instance: Any, tmp_path: Path) -> None:
    path = tmp_path / "shop.py"
    path.write_text("raise RuntimeError('broken for now')\n")
    with Workspace([file_location(path, "shop")], load_timeout=30) as ws:
        assert ws.locations[0].status == ERROR
        backfill_id = new_backfill(instance)
        assert BackfillLoop(instance, ws).tick() == 0  # no run that could only fail to start
        assert instance.get_runs(backfill_id=backfill_id) == []
        path.write_text(Path(SHOP.target.file or "").read_text())
        ws.reload("shop")
        drive(instance, ws, backfill_id)
    assert sorted(r.partition_key for r in instance.get_runs(backfill_id=backfill_id)) == list(FILES)
    assert instance.get_backfill(backfill_id).status == "COMPLETED"


def test_the_retry_loop_leaves_the_runs_of_a_backfill_to_the_backfill(instance: Any, shop: Workspace) -> None:
    retries = RunRetries(instance, shop, DaemonConfig(max_retries=3))
    retries.tick()  # places the cursor
    backfill_id = new_backfill(instance)
    BackfillLoop(instance, shop).tick()
    [run] = instance.get_runs(backfill_id=backfill_id)
    instance.store_events([Event(event_type=EventType.RUN_FAILURE, run_id=run.run_id, timestamp=time.time())])
    instance.update_run(run.run_id, status=RunStatus.FAILURE)
    assert retries.tick() == []
    loop = BackfillLoop(instance, shop, config=DaemonConfig(max_retries=3))
    assert loop.tick() == 1  # the backfill retries its chunk itself, by the same policy
    runs = instance.get_runs(backfill_id=backfill_id)
    assert [r.parent_run_id for r in runs] == [run.run_id, None] and runs[0].partition_key == run.partition_key
