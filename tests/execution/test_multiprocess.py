"""The multi-process executor: steps in child processes, dependencies, skips, blocking checks,
retries, captured output, cancellation and a killed step process."""

from __future__ import annotations

import itertools
import os
import signal
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from assetgraph import (
    AssetCheckResult,
    Definitions,
    EventType,
    Instance,
    RetryPolicy,
    Run,
    RunStatus,
    asset,
    asset_check,
)
from assetgraph.execution.executor import run_plan
from assetgraph.execution.io_managers import FilesystemIOManager
from assetgraph.execution.multiprocess import MultiprocessExecutor
from assetgraph.execution.plan import build_plan
from assetgraph.execution.resources import run_resources
from assetgraph.execution.step import StepServices, StepStatus


@pytest.fixture
def instance(tmp_path: Path) -> Any:
    inst = Instance.from_url(f"sqlite:///{tmp_path / 'db.sqlite'}")
    yield inst
    inst.dispose()


def execute(defs: Definitions, instance: Any, tmp_path: Path, *, max_concurrent: int = 4,
            cancel: threading.Event | None = None) -> tuple[Any, MultiprocessExecutor]:
    graph = defs.get_asset_graph()
    keys = {k for k in graph.keys if graph.get(k).is_executable}
    plan = build_plan(graph, keys, now=datetime.now(UTC))
    run = instance.create_run(Run(run_id=str(uuid.uuid4()), status=RunStatus.STARTING, asset_selection=tuple(keys)))
    executor = MultiprocessExecutor(max_concurrent, log_dir=tmp_path / "logs", cancel=cancel)
    with run_resources(defs.resources, FilesystemIOManager(str(tmp_path / "storage")), {}) as res:
        services = StepServices(run_id=run.run_id, graph=graph, resources=res, run_config={}, instance=instance,
                                now=datetime.now(UTC), write=lambda e: None)
        outcome = run_plan(run, plan, services, instance, executor=executor)  # type: ignore[arg-type]
    return outcome, executor


def step_events(instance: Any, run_id: str, kind: EventType) -> list[str]:
    return [r.step_key for r in instance.get_event_records(event_type=kind, run_id=run_id) if r.asset_key is None]


@asset
def numbers() -> list[int]:
    return [1, 2, 3]


@asset
def left(numbers: list[int]) -> int:
    time.sleep(0.3)
    return sum(numbers)


@asset
def right(numbers: list[int]) -> int:
    time.sleep(0.3)
    return len(numbers)


@asset
def joined(left: int, right: int) -> int:
    return left * right


def test_a_diamond_runs_in_child_processes_with_siblings_in_parallel(instance: Any, tmp_path: Path) -> None:
    outcome, _ = execute(Definitions(assets=[numbers, left, right, joined]), instance, tmp_path)
    assert outcome.success
    records = instance.get_event_records(run_id=outcome.run.run_id)
    starts = {r.step_key: r.timestamp for r in records if r.event_type == EventType.STEP_START}
    ends = {r.step_key: r.timestamp for r in records if r.event_type == EventType.STEP_SUCCESS}
    assert starts["left"] < ends["right"] and starts["right"] < ends["left"]  # overlapped
    assert starts["joined"] >= max(ends["left"], ends["right"])
    assert instance.get_latest_materialization_event(joined.key) is not None


def test_max_concurrent_one_runs_steps_one_at_a_time(instance: Any, tmp_path: Path) -> None:
    outcome, _ = execute(Definitions(assets=[numbers, left, right, joined]), instance, tmp_path, max_concurrent=1)
    records = instance.get_event_records(run_id=outcome.run.run_id)
    spans = {}
    for r in records:
        if r.event_type in (EventType.STEP_START, EventType.STEP_SUCCESS):
            spans.setdefault(r.step_key, []).append(r.timestamp)
    ordered = sorted(spans.values())
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(ordered))


@asset
def broken() -> int:
    raise ValueError("boom")


@asset
def after_broken(broken: int) -> int:
    return broken


@asset
def independent() -> int:
    return 5


def test_a_failure_skips_its_downstream_and_not_the_rest(instance: Any, tmp_path: Path) -> None:
    outcome, _ = execute(Definitions(assets=[broken, after_broken, independent]), instance, tmp_path)
    assert not outcome.success
    assert outcome.step_outcomes["broken"].status == StepStatus.FAILURE
    assert "boom" in str(outcome.step_outcomes["broken"].error)
    assert outcome.step_outcomes["after_broken"].status == StepStatus.SKIPPED
    assert outcome.step_outcomes["independent"].status == StepStatus.SUCCESS
    [failure] = instance.get_event_records(event_type=EventType.STEP_FAILURE, run_id=outcome.run.run_id)
    assert failure.error is not None and "ValueError" in (failure.error.cause or failure.error).cls_name


@asset
def checked() -> int:
    return -1


@asset_check(asset=checked, blocking=True)
def positive(checked: int) -> AssetCheckResult:
    return AssetCheckResult(passed=checked > 0)


@asset
def below_checked(checked: int) -> int:
    return checked


def test_a_failed_blocking_check_stops_downstream(instance: Any, tmp_path: Path) -> None:
    outcome, _ = execute(Definitions(assets=[checked, below_checked], asset_checks=[positive]), instance, tmp_path)
    assert outcome.step_outcomes["below_checked"].status == StepStatus.SKIPPED
    [skip] = [r for r in instance.get_event_records(event_type=EventType.STEP_SKIPPED, run_id=outcome.run.run_id)
              if r.asset_key is None]
    assert "blocking check" in skip.message


def test_retries_happen_inside_the_step_process(instance: Any, tmp_path: Path) -> None:
    marker = tmp_path / "attempts"

    @asset(retry_policy=RetryPolicy(max_retries=2, delay=0.01))
    def flaky() -> int:
        n = int(marker.read_text()) if marker.exists() else 0
        marker.write_text(str(n + 1))
        if n < 2:
            raise RuntimeError("not yet")
        return n

    outcome, _ = execute(Definitions(assets=[flaky]), instance, tmp_path)
    assert outcome.success
    assert len(instance.get_event_records(event_type=EventType.STEP_UP_FOR_RETRY, run_id=outcome.run.run_id)) == 2


def test_stdout_and_stderr_of_a_step_are_captured_and_linked(instance: Any, tmp_path: Path) -> None:
    @asset
    def chatty() -> int:
        import sys

        print("to stdout")
        print("to stderr", file=sys.stderr)
        os.system("echo from a subprocess")
        return 1

    outcome, _ = execute(Definitions(assets=[chatty]), instance, tmp_path)
    assert outcome.success
    [link] = [r for r in instance.get_event_records(event_type=EventType.LOG_MESSAGE, run_id=outcome.run.run_id)
              if r.data.get("kind") == "captured_logs"]
    assert Path(link.data["stdout"]).read_text() == "to stdout\nfrom a subprocess\n"
    assert Path(link.data["stderr"]).read_text() == "to stderr\n"


def test_a_killed_step_process_fails_the_step_with_the_signal(instance: Any, tmp_path: Path) -> None:
    @asset
    def doomed() -> int:
        os.kill(os.getpid(), signal.SIGKILL)
        return 1

    @asset
    def after_doomed(doomed: int) -> int:
        return doomed

    outcome, _ = execute(Definitions(assets=[doomed, after_doomed]), instance, tmp_path)
    assert "killed by SIGKILL" in str(outcome.step_outcomes["doomed"].error)
    assert outcome.step_outcomes["after_doomed"].status == StepStatus.SKIPPED
    failed = instance.get_event_records(event_type=EventType.ASSET_MATERIALIZATION_FAILED, run_id=outcome.run.run_id)
    assert [r.asset_key for r in failed] == [doomed.key]


def test_cancel_stops_running_steps_and_marks_the_rest(instance: Any, tmp_path: Path) -> None:
    started = tmp_path / "started"

    @asset
    def sleepy() -> int:
        started.write_text("x")
        time.sleep(30)
        return 1

    @asset
    def after_sleepy(sleepy: int) -> int:
        return sleepy

    cancel = threading.Event()

    def cancel_when_started() -> None:
        while not started.exists():
            time.sleep(0.02)
        cancel.set()

    threading.Thread(target=cancel_when_started, daemon=True).start()
    t0 = time.monotonic()
    outcome, _ = execute(Definitions(assets=[sleepy, after_sleepy]), instance, tmp_path, cancel=cancel)
    assert time.monotonic() - t0 < 10
    assert outcome.step_outcomes["sleepy"].status == StepStatus.FAILURE
    assert "canceled" in str(outcome.step_outcomes["sleepy"].error)
    assert outcome.step_outcomes["after_sleepy"].status == StepStatus.SKIPPED


def test_an_in_memory_instance_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    from assetgraph.definitions.errors import InternalError

    inst = Instance.ephemeral()
    try:
        with pytest.raises(InternalError, match="in-memory one lives in one process"):
            execute(Definitions(assets=[numbers]), inst, tmp_path)
    finally:
        inst.dispose()


def test_a_pool_limits_steps_across_runs(instance: Any, tmp_path: Path) -> None:
    from assetgraph.execution.pools import PoolSlots

    @asset(pool="warehouse")
    def load_a() -> int:
        time.sleep(0.3)
        return 1

    @asset(pool="warehouse")
    def load_b() -> int:
        time.sleep(0.3)
        return 2

    defs = Definitions(assets=[load_a, load_b])
    run_ids = [str(uuid.uuid4()), str(uuid.uuid4())]

    def one_run(run_id: str) -> None:
        # Each run in its own process, as run workers are: forking from a process whose other
        # threads use storage is what the worker's fork lock prevents.
        from assetgraph import Instance as Inst

        inst = Inst.from_url(instance.url)
        graph = defs.get_asset_graph()
        plan = build_plan(graph, set(graph.keys), now=datetime.now(UTC))
        run = inst.create_run(Run(run_id=run_id, status=RunStatus.STARTING))
        executor = MultiprocessExecutor(4, pools=PoolSlots(tmp_path / "pools", {"warehouse": 1}))
        services = StepServices(run_id=run.run_id, graph=graph, resources=_resources(tmp_path), run_config={},
                                instance=inst, now=datetime.now(UTC), write=lambda e: None)
        outcome = run_plan(run, plan, services, inst, executor=executor)  # type: ignore[arg-type]
        os._exit(0 if outcome.success else 1)

    import multiprocessing

    processes = [multiprocessing.get_context("fork").Process(target=one_run, args=(r,)) for r in run_ids]
    for p in processes:
        p.start()
    for p in processes:
        p.join(60)
    assert [p.exitcode for p in processes] == [0, 0]
    spans = []
    for run_id in run_ids:
        records = instance.get_event_records(run_id=run_id)
        starts = {r.step_key: r.timestamp for r in records if r.event_type == EventType.STEP_START}
        ends = {r.step_key: r.timestamp for r in records if r.event_type == EventType.STEP_SUCCESS}
        spans += [(starts[k], ends[k]) for k in starts]
    spans.sort()
    assert len(spans) == 4
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))  # never two warehouse steps at once


def _resources(tmp_path: Path) -> Any:
    from assetgraph.execution.context import Resources

    return Resources({"io_manager": FilesystemIOManager(str(tmp_path / "storage"))})
