"""Run monitoring: heartbeats, the startup grace, what a dead run leaves behind, and workers that die
early, hang, or wake up after their run was given up on."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from assetgraph import AssetKey, ConfigError, EventType, RunStatus
from assetgraph.codelocation.launch import launch_run
from assetgraph.codelocation.workspace import Workspace
from assetgraph.definitions.events import Event
from assetgraph.orchestration.config import DaemonConfig, TagLimit
from assetgraph.orchestration.launcher import RunLauncher, WorkerExit
from assetgraph.orchestration.monitor import RunMonitor
from tests.codelocation.conftest import file_location
from tests.codelocation.test_workspace import GOOD

CONFIG = DaemonConfig(heartbeat_timeout=20, startup_timeout=60)


def monitor(instance: Any) -> RunMonitor:
    return RunMonitor(instance, RunLauncher(instance.url, 1.0, warm=False), CONFIG)


def started_run(instance: Any, shop: Workspace, status: RunStatus = RunStatus.STARTED) -> str:
    run = launch_run(instance, shop.locations[0], "key:orders+")
    instance.update_run(run.run_id, status=status, start_time=time.time())
    return run.run_id


def test_a_silent_started_run_fails_after_the_heartbeat_timeout(instance: Any, shop: Workspace) -> None:
    run_id = started_run(instance, shop)
    instance.store_events([Event(event_type=EventType.ASSET_MATERIALIZATION_PLANNED, run_id=run_id,
                                 timestamp=time.time(), asset_key=AssetKey("orders"), step_key="orders")])
    m, now = monitor(instance), time.time()
    assert m.tick(now + 10) == []
    assert m.tick(now + 25) == [run_id]
    assert instance.get_run(run_id).status == RunStatus.FAILURE
    failed = instance.get_event_records(event_type=EventType.ASSET_MATERIALIZATION_FAILED, run_id=run_id)
    assert [r.asset_key for r in failed] == [AssetKey("orders")]
    assert not instance.get_partition_status(AssetKey("orders")).in_progress


def test_a_starting_run_gets_the_startup_grace(instance: Any, shop: Workspace) -> None:
    run_id = started_run(instance, shop, RunStatus.STARTING)
    m, now = monitor(instance), time.time()
    assert m.tick(now + 30) == []
    assert m.tick(now + 65) == [run_id]
    [failure] = instance.get_event_records(event_type=EventType.RUN_FAILURE, run_id=run_id)
    assert "did not start the run within 60s" in failure.message


def test_a_starting_run_whose_worker_beats_but_never_starts_it_fails_after_the_startup_grace(
        instance: Any, shop: Workspace) -> None:
    run_id = started_run(instance, shop, RunStatus.STARTING)
    now = time.time()
    instance.store_events([Event(event_type=EventType.RUN_STARTING, run_id=run_id, timestamp=now)])
    instance.heartbeat_run(run_id, now + 60)  # its worker beats while the import of user code hangs
    m = monitor(instance)
    assert m.tick(now + 55) == []
    assert m.tick(now + 65) == [run_id]
    [failure] = instance.get_event_records(event_type=EventType.RUN_FAILURE, run_id=run_id)
    assert "did not start the run within 60s of its launch" in failure.message


def test_heartbeats_missed_while_the_monitor_could_not_read_storage_are_not_held_against_a_run(
        instance: Any, shop: Workspace) -> None:
    run_id = started_run(instance, shop)
    clock = [0.0]
    m = RunMonitor(instance, RunLauncher(instance.url, 1.0, warm=False), CONFIG, clock=lambda: clock[0])
    start = time.time()
    instance.heartbeat_run(run_id, start)

    def tick_at(offset: float) -> list[str]:
        clock[0] = offset
        return m.tick(start + offset)

    assert tick_at(0) == []
    assert tick_at(30) == []  # the pass comes 30 s late (the database restarted): nobody could beat meanwhile
    assert [tick_at(t) for t in range(31, 50)] == [[]] * 19  # (timeout 20 s)
    assert tick_at(50) == [run_id]  # silent for longer than the timeout since storage came back


def test_a_heartbeat_keeps_a_run_alive(instance: Any, shop: Workspace) -> None:
    run_id = started_run(instance, shop)
    now = time.time()
    instance.heartbeat_run(run_id, now + 15)
    assert monitor(instance).tick(now + 30) == []


def test_a_dead_canceling_run_ends_canceled(instance: Any, shop: Workspace) -> None:
    run_id = started_run(instance, shop, RunStatus.CANCELING)
    monitor(instance).tick(time.time() + 25)
    assert instance.get_run(run_id).status == RunStatus.CANCELED


def test_config_reads_every_section_and_names_bad_settings() -> None:
    config = DaemonConfig.from_dict({
        "run_queue": {"max_concurrent_runs": 3, "tag_concurrency_limits": [{"key": "team", "value": "a", "limit": 1}]},
        "run_monitoring": {"heartbeat_timeout_seconds": 9, "startup_timeout_seconds": 30,
                           "heartbeat_interval_seconds": 2},
        "schedules": {"max_catchup_ticks": 2}, "run_retries": {"max_retries": 2, "retry_strategy": "ALL_STEPS"},
        "code_locations": {"check_interval_seconds": 0.5, "load_timeout_seconds": 10},
        "storage": "sqlite:///x.db",
    })
    assert (config.max_concurrent_runs, config.tag_concurrency_limits) == (3, (TagLimit("team", 1, "a"),))
    assert (config.heartbeat_timeout, config.startup_timeout, config.max_catchup_ticks) == (9, 30, 2)
    assert (config.heartbeat_interval, config.location_check_interval) == (2, 0.5)
    with pytest.raises(ConfigError, match=r"heartbeat_timeout_seconds \(4\) must exceed heartbeat_interval_seconds"):
        DaemonConfig.from_dict({"run_monitoring": {"heartbeat_timeout_seconds": 4}})  # the interval is 5 s
    assert (config.max_retries, config.retry_strategy) == (2, "ALL_STEPS")
    with pytest.raises(ConfigError, match="retry_strategy must be FROM_FAILURE or ALL_STEPS"):
        DaemonConfig.from_dict({"run_retries": {"retry_strategy": "SOMETIMES"}}, "home/assetgraph.yaml")
    with pytest.raises(ConfigError, match="needs key: and limit:"):
        DaemonConfig.from_dict({"run_queue": {"tag_concurrency_limits": [{"key": "x"}]}})


def test_a_worker_that_exits_early_fails_its_run_with_the_last_line_of_its_log(
        instance: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSETGRAPH_HOME", str(tmp_path / "home"))
    path = tmp_path / "leaving.py"
    path.write_text(GOOD)
    with Workspace([file_location(path)]) as ws:
        run = launch_run(instance, ws.locations[0], "*")
        path.write_text("raise SystemExit('the storage went away, say')\n")  # what the worker will import
        launcher = RunLauncher(instance.url, 1.0, warm=False)
        instance.update_run(run.run_id, status=RunStatus.STARTING)  # as the run queue does
        launcher.launch(run, ws.locations[0])
        m = RunMonitor(instance, launcher, CONFIG)
        deadline = time.monotonic() + 30
        while not m.tick() and time.monotonic() < deadline:
            time.sleep(0.05)
        launcher.close()
    [failure] = instance.get_event_records(event_type=EventType.RUN_FAILURE, run_id=run.run_id)
    assert failure.message == (f"The run worker exited with code 1 before finishing the run: the storage went away, "
                               f"say (logs/{run.run_id}/worker.log has the rest).")


HANGS = ("import os, time\nopen(os.environ['HANG_FILE'] + '.reached', 'w').close()\n"
         "while os.path.exists(os.environ['HANG_FILE']):\n    time.sleep(0.05)\n")


def _hanging_worker(instance: Any, tmp_path: Path) -> tuple[str, RunLauncher, Path]:
    """A run whose worker hangs importing its location while the returned file exists."""
    path = tmp_path / "hangs.py"
    path.write_text(GOOD)
    hang = tmp_path / "hang"
    with Workspace([file_location(path)]) as ws:
        run = launch_run(instance, ws.locations[0], "*")
        path.write_text(HANGS + GOOD)
        hang.write_text("hold")
        launcher = RunLauncher(instance.url, 1.0, env={**os.environ, "HANG_FILE": str(hang)}, warm=False)
        instance.update_run(run.run_id, status=RunStatus.STARTING)
        launcher.launch(run, ws.locations[0])
    deadline = time.monotonic() + 30
    while not hang.with_suffix(".reached").exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # the worker is importing the location, and hangs there
    return run.run_id, launcher, hang


def _resolve(m: RunMonitor, run_id: str) -> None:
    assert m.tick(time.time() + 5) == [run_id]  # past the startup timeout


def test_a_worker_hanging_past_the_startup_timeout_is_killed_with_its_run(
        instance: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSETGRAPH_HOME", str(tmp_path / "home"))
    run_id, launcher, hang = _hanging_worker(instance, tmp_path)
    pid = launcher.pid_of(run_id)
    assert pid is not None
    _resolve(RunMonitor(instance, launcher, DaemonConfig(startup_timeout=1.0)), run_id)
    [failure] = instance.get_event_records(event_type=EventType.RUN_FAILURE, run_id=run_id)
    assert "did not start the run within 1s" in failure.message
    with pytest.raises(ProcessLookupError):  # killed (and reaped): it will not run the run when it wakes up
        os.kill(pid, 0)
    hang.unlink()
    launcher.close()


def test_a_worker_given_up_on_while_it_loaded_does_not_start_the_run(
        instance: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSETGRAPH_HOME", str(tmp_path / "home"))
    run_id, launcher, hang = _hanging_worker(instance, tmp_path)
    restarted = RunMonitor(instance, RunLauncher(instance.url, 1.0, warm=False), DaemonConfig(startup_timeout=1.0))
    _resolve(restarted, run_id)  # a daemon that did not launch the worker cannot stop it
    hang.unlink()  # the worker finishes loading now
    deadline = time.monotonic() + 30
    while launcher.exit_status(run_id) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    launcher.close()
    assert launcher.exit_status(run_id) == WorkerExit(1)
    assert instance.get_run(run_id).status == RunStatus.FAILURE
    kinds = [r.event_type for r in instance.get_event_records(run_id=run_id)]
    assert EventType.RUN_START not in kinds and EventType.STEP_START not in kinds
    assert "this worker does not start it" in (tmp_path / "home" / "logs" / run_id / "worker.log").read_text()


def test_the_cause_quoted_from_a_worker_log_is_the_exception_not_its_documentation_pointer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assetgraph.codelocation.worker import run_log_dir
    from assetgraph.orchestration.monitor import _last_log_line

    monkeypatch.setenv("ASSETGRAPH_HOME", str(tmp_path))
    log = run_log_dir("r1") / "worker.log"
    log.parent.mkdir(parents=True)
    log.write_text("Traceback (most recent call last):\n  File ...\nassetgraph.definitions.errors.StorageError: "
                   "Cannot open the storage at postgresql://db: the database system is shutting down\n"
                   "More: docs/errors/storage-error.md\n\n")
    assert _last_log_line("r1") == ("assetgraph.definitions.errors.StorageError: Cannot open the storage at "
                                    "postgresql://db: the database system is shutting down")
