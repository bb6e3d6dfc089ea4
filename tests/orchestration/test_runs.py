"""Runs launched by the daemon, end to end: a run worker per run, SIGKILL of a worker mid-step
(FAILURE within the monitor's limit), re-execution from failure, automatic retries, cancellation."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assetgraph import AssetKey, EventType, RunStatus
from assetgraph.codelocation.launch import (
    MAX_RETRIES_TAG,
    PARENT_RUN_TAG,
    cancel_run,
    launch_run,
    reexecute_run,
)
from assetgraph.codelocation.workspace import Workspace
from assetgraph.orchestration.daemon import Daemon
from assetgraph.orchestration.launcher import RunLauncher
from tests.orchestration.conftest import FAST, wait_for


@pytest.fixture
def daemon(instance: Any, shop: Workspace, shop_env: dict[str, str], inbox: Path) -> Iterator[Daemon]:
    d = Daemon(instance, shop, FAST, launcher=RunLauncher(instance.url, FAST.heartbeat_interval, env=shop_env))
    d.start()
    yield d
    d.stop(cancel_runs=True)


def status_of(instance: Any, run_id: str) -> RunStatus:
    return instance.get_run(run_id).status


def finished(instance: Any, run_id: str) -> RunStatus | None:
    status = status_of(instance, run_id)
    return status if status.is_finished else None


def block(shop_env: dict[str, str]) -> tuple[Path, Path]:
    blocker, started = Path(shop_env["SHOP_BLOCK_FILE"]), Path(shop_env["SHOP_STARTED_FILE"])
    blocker.write_text("hold")
    return blocker, started


def test_a_queued_run_is_executed_by_a_worker(instance: Any, shop: Workspace, daemon: Daemon) -> None:
    run = launch_run(instance, shop.locations[0], "key:orders+")
    assert wait_for(lambda: finished(instance, run.run_id)) == RunStatus.SUCCESS
    types = [r.event_type for r in instance.get_event_records(run_id=run.run_id)]
    assert types[:3] == [EventType.RUN_ENQUEUED, EventType.RUN_STARTING, EventType.RUN_START]
    assert types[-1] == EventType.RUN_SUCCESS
    [link] = [r for r in instance.get_event_records(event_type=EventType.LOG_MESSAGE, run_id=run.run_id)
              if r.step_key == "orders" and r.data.get("kind") == "captured_logs"]
    assert Path(link.data["stdout"]).read_text() == "orders says hi\n"


def test_a_sigkilled_worker_fails_the_run_and_a_retry_from_failure_completes_it(
        instance: Any, shop: Workspace, daemon: Daemon, shop_env: dict[str, str]) -> None:
    blocker, started = block(shop_env)
    run = launch_run(instance, shop.locations[0], "key:first+")
    wait_for(started.exists)
    step_pid = int(started.read_text())
    worker_pid = daemon.launcher.pid_of(run.run_id)
    killed_at = time.monotonic()
    os.kill(worker_pid, signal.SIGKILL)
    assert wait_for(lambda: finished(instance, run.run_id), timeout=30) == RunStatus.FAILURE
    assert time.monotonic() - killed_at < 30
    [failure] = instance.get_event_records(event_type=EventType.RUN_FAILURE, run_id=run.run_id)
    assert "killed by SIGKILL" in failure.message
    assert not instance.get_partition_status(AssetKey("slow")).in_progress  # nothing left "in progress"
    assert not _running(step_pid)  # its step process was ended before the run's events were read

    blocker.unlink()
    retry = reexecute_run(instance, shop.locations[0], run.run_id)
    assert sorted(k.to_user_string() for k in retry.asset_selection) == ["last", "slow"]
    assert wait_for(lambda: finished(instance, retry.run_id)) == RunStatus.SUCCESS
    assert instance.get_run(retry.run_id).parent_run_id == run.run_id


def test_a_worker_that_dies_while_no_daemon_watches_is_found_by_its_heartbeat(
        instance: Any, shop: Workspace, shop_env: dict[str, str], inbox: Path) -> None:
    _, started = block(shop_env)
    first = Daemon(instance, shop, FAST, launcher=RunLauncher(instance.url, FAST.heartbeat_interval, env=shop_env))
    first.start()
    run = launch_run(instance, shop.locations[0], "key:first+")
    wait_for(started.exists)
    worker_pid = first.launcher.pid_of(run.run_id)
    first.stop()  # the daemon goes away; its worker keeps running
    os.kill(worker_pid, signal.SIGKILL)
    second = Daemon(instance, shop, FAST)  # a restarted daemon knows no worker processes
    t0 = time.monotonic()
    wait_for(lambda: second.monitor.tick() or finished(instance, run.run_id), timeout=30)
    assert FAST.heartbeat_timeout - 1 < time.monotonic() - t0 < FAST.heartbeat_timeout + 5
    [failure] = instance.get_event_records(event_type=EventType.RUN_FAILURE, run_id=run.run_id)
    assert "stopped heart-beating" in failure.message


def test_a_failed_run_is_retried_by_its_tag_policy(instance: Any, shop: Workspace, daemon: Daemon,
                                                    shop_env: dict[str, str]) -> None:
    blocker, started = block(shop_env)
    run = launch_run(instance, shop.locations[0], "key:first+", tags={MAX_RETRIES_TAG: "1"})
    wait_for(started.exists)
    blocker.unlink()
    os.kill(daemon.launcher.pid_of(run.run_id), signal.SIGKILL)
    retries = wait_for(lambda: instance.get_runs(tags={PARENT_RUN_TAG: run.run_id}))
    assert len(retries) == 1
    assert wait_for(lambda: finished(instance, retries[0].run_id)) == RunStatus.SUCCESS
    time.sleep(0.5)
    assert len(instance.get_runs(tags={PARENT_RUN_TAG: run.run_id})) == 1


def test_cancel_stops_the_worker_cleanly_and_marks_unfinished_steps(
        instance: Any, shop: Workspace, daemon: Daemon, shop_env: dict[str, str]) -> None:
    _, started = block(shop_env)
    run = launch_run(instance, shop.locations[0], "key:first+")
    wait_for(started.exists)
    assert cancel_run(instance, run.run_id) == RunStatus.CANCELING
    assert wait_for(lambda: finished(instance, run.run_id), timeout=20) == RunStatus.CANCELED
    records = instance.get_event_records(run_id=run.run_id)
    assert any(r.event_type == EventType.STEP_FAILURE and r.step_key == "slow" for r in records)
    assert any(r.event_type == EventType.STEP_SKIPPED and r.step_key == "last" for r in records)
    assert records[-1].event_type == EventType.RUN_CANCELED


def test_a_queued_run_is_canceled_at_once(instance: Any, shop: Workspace) -> None:
    run = launch_run(instance, shop.locations[0], "key:first")
    assert cancel_run(instance, run.run_id) == RunStatus.CANCELED
    assert status_of(instance, run.run_id) == RunStatus.CANCELED


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
