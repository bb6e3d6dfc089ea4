"""The run queue: concurrency and tag limits, and runs whose code location is missing or broken."""

from __future__ import annotations

from typing import Any

from assetgraph import RunStatus
from assetgraph.codelocation.launch import launch_run
from assetgraph.codelocation.workspace import CodeLocation, Workspace
from assetgraph.definitions.events import Run
from assetgraph.orchestration.config import DaemonConfig, TagLimit
from assetgraph.orchestration.launcher import RunLauncher
from assetgraph.orchestration.run_queue import RunQueue


class RecordingLauncher(RunLauncher):
    """Records launches instead of starting workers."""

    def __init__(self) -> None:
        super().__init__("sqlite://", 1.0)
        self.launched: list[str] = []

    def launch(self, run: Run, location: CodeLocation) -> int:
        self.launched.append(run.run_id)
        return 0


def queue(instance: Any, shop: Workspace, **config: Any) -> tuple[RunQueue, RecordingLauncher]:
    launcher = RecordingLauncher()
    return RunQueue(instance, shop, launcher, DaemonConfig(**config)), launcher


def test_runs_start_oldest_first_up_to_max_concurrent_runs(instance: Any, shop: Workspace) -> None:
    runs = [launch_run(instance, shop.locations[0], "key:first") for _ in range(3)]
    q, _ = queue(instance, shop, max_concurrent_runs=2)
    assert q.tick() == [runs[0].run_id, runs[1].run_id]
    assert instance.get_run(runs[0].run_id).status == RunStatus.STARTING
    assert q.tick() == []
    instance.update_run(runs[0].run_id, status=RunStatus.SUCCESS)
    assert q.tick() == [runs[2].run_id]


def test_tag_limits_hold_back_only_matching_runs(instance: Any, shop: Workspace) -> None:
    loc = shop.locations[0]
    a1, a2 = (launch_run(instance, loc, "key:first", tags={"team": "a"}) for _ in range(2))
    b = launch_run(instance, loc, "key:first", tags={"team": "b"})
    q, _ = queue(instance, shop, tag_concurrency_limits=(TagLimit("team", 1, "a"),))
    assert q.tick() == [a1.run_id, b.run_id]
    assert instance.get_run(a2.run_id).status == RunStatus.QUEUED


def test_a_run_of_an_unknown_location_fails_with_the_reason(instance: Any, shop: Workspace) -> None:
    run = launch_run(instance, shop.locations[0], "key:first")
    instance.create_run(run.replace(run_id="other", code_location="elsewhere"))
    q, _ = queue(instance, shop)
    assert q.tick() == [run.run_id]
    assert instance.get_run("other").status == RunStatus.FAILURE
    [event] = instance.get_event_records(run_id="other")
    assert 'code location "elsewhere" is not in this workspace' in event.message


def test_a_run_waits_while_its_location_loads(instance: Any, shop: Workspace) -> None:
    from assetgraph.codelocation.workspace import LOADED, LOADING

    run = launch_run(instance, shop.locations[0], "key:first")
    q, launcher = queue(instance, shop)
    shop.locations[0].status = LOADING
    try:
        assert q.tick() == []
        assert instance.get_run(run.run_id).status == RunStatus.QUEUED
    finally:
        shop.locations[0].status = LOADED
    assert q.tick() == [run.run_id] and launcher.launched == [run.run_id]
