"""The Dask executor on a real `dask.distributed` cluster (a scheduler in this process, worker
processes of their own): dependencies, skips after a failure, retries, blocking checks,
cancellation, and events that workers write exactly once into SQLite and PostgreSQL."""

from __future__ import annotations

import functools
import os
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from assetgraph import (
    AssetCheckResult,
    AssetKey,
    DailyPartitionsDefinition,
    Definitions,
    EventType,
    Instance,
    RetryPolicy,
    RunStatus,
    StorageError,
    asset,
    asset_check,
    materialize,
)
from assetgraph import DaskExecutor as DaskExecutorDef
from assetgraph.codelocation.loader import CodeLocationTarget, load_definitions
from assetgraph.execution.dask_executor import DaskExecutor
from assetgraph.execution.materialize import execute_definitions

pytest.importorskip("distributed")


def stamp(seconds: float) -> dict[str, float]:
    start = time.time()
    time.sleep(seconds)
    return {"pid": os.getpid(), "start": start, "end": time.time()}


# -- code locations the workers import by module name ---------------------------------------------

@asset
def source() -> dict[str, float]:
    return stamp(0.3)


@asset
def left(source: dict[str, float]) -> dict[str, float]:
    return stamp(0.3)


@asset
def right(source: dict[str, float]) -> dict[str, float]:
    return stamp(0.3)


@asset
def joined(left: dict[str, float], right: dict[str, float]) -> dict[str, float]:
    return stamp(0.0)


diamond = Definitions(assets=[source, left, right, joined])


@asset
def broken() -> None:
    raise ValueError("broken on purpose")


@asset
def after_broken(broken: Any) -> int:
    return 1


@asset
def beside_broken() -> int:
    return 2


failing = Definitions(assets=[broken, after_broken, beside_broken])


@asset(retry_policy=RetryPolicy(max_retries=2, delay=0.01))
def flaky(context: Any) -> int:
    if context.retry_number < 2:
        raise RuntimeError(f"attempt {context.retry_number} fails")
    return int(context.retry_number)


retrying = Definitions(assets=[flaky])


@asset
def checked() -> int:
    return -1


@asset_check(asset=checked, blocking=True)
def checked_is_positive(checked: int) -> AssetCheckResult:
    return AssetCheckResult(passed=checked > 0)


@asset
def after_checked(checked: int) -> int:
    return checked


blocking = Definitions(assets=[checked, after_checked], asset_checks=[checked_is_positive])


@asset
def slow_first() -> int:
    time.sleep(1.0)
    return 1


@asset
def slow_second(slow_first: int) -> int:
    return 2


@asset
def slow_third(slow_second: int) -> int:
    return 3


chain = Definitions(assets=[slow_first, slow_second, slow_third])


def _sleeper(name: str) -> Any:
    @asset(name=name)
    def sleeps() -> int:
        time.sleep(2.0)
        return 1

    return sleeps


three_slow = Definitions(assets=[_sleeper(f"slow_{i}") for i in range(3)])

@asset
def dies() -> None:
    os._exit(13)  # the worker process ends in the middle of the step


@asset
def after_dies(dies: Any) -> int:
    return 1


dying = Definitions(assets=[dies, after_dies])

days = DailyPartitionsDefinition(start_date="2024-01-01")
FAILING_DAYS = {"2024-01-04", "2024-01-11", "2024-01-18"}


@asset(partitions_def=days)
def daily_events(context: Any) -> str:
    for i in range(5):
        context.log.info("line %d of %s", i, context.partition_key)
    time.sleep(0.2)
    if context.partition_key in FAILING_DAYS:
        raise ValueError(f"partition {context.partition_key} fails on purpose")
    return str(context.partition_key)


partitioned = Definitions(assets=[daily_events])


def loader(attribute: str) -> Any:
    """How workers import this module's Definitions: the run worker's handle, by module name."""
    return functools.partial(load_definitions, CodeLocationTarget(module=__name__, attribute=attribute))


def run(defs: Definitions, attribute: str, instance: Instance, address: str, **kw: Any) -> Any:
    executor = DaskExecutor(address, load_definitions=loader(attribute), **kw.pop("executor_kw", {}))
    return execute_definitions(defs, instance=instance, executor=executor, **kw)


@pytest.fixture
def sqlite_instance(tmp_path: Path) -> Any:
    with Instance.from_url(f"sqlite:///{tmp_path / 'assetgraph.db'}") as instance:
        yield instance


@pytest.fixture
def postgres_instance(dask_postgres_url: str) -> Any:
    with Instance.from_url(dask_postgres_url) as instance:
        yield instance


def ids_by(records: list[Any], event_type: EventType) -> dict[str, int]:
    return {r.step_key: r.id for r in records if r.event_type == event_type and r.asset_key is None}


def assert_exactly_once(instance: Instance, run_id: str, steps: list[str]) -> None:
    records = instance.get_event_records(run_id=run_id)
    counts = Counter((r.event_type, r.step_key, r.asset_key) for r in records)
    assert all(n == 1 for n in counts.values()), [k for k, n in counts.items() if n > 1]
    expected = Counter({EventType.RUN_START: 1, EventType.RUN_SUCCESS: 1,
                        EventType.ASSET_MATERIALIZATION_PLANNED: len(steps), EventType.STEP_START: len(steps),
                        EventType.ASSET_MATERIALIZATION: len(steps), EventType.STEP_SUCCESS: len(steps)})
    assert Counter(r.event_type for r in records) == expected
    assert len({r.id for r in records}) == len(records)


# -- behaviour --------------------------------------------------------------------------------------

def test_steps_run_on_workers_after_their_upstream_steps(sqlite_instance: Instance, dask_address: str) -> None:
    result = run(diamond, "diamond", sqlite_instance, dask_address)

    assert result.success
    records = sqlite_instance.get_event_records(run_id=result.run_id)
    started, succeeded = ids_by(records, EventType.STEP_START), ids_by(records, EventType.STEP_SUCCESS)
    for step, upstream in {"left": ["source"], "right": ["source"], "joined": ["left", "right"]}.items():
        assert all(started[step] > succeeded[up] for up in upstream), step
    values = {name: result.asset_value(name) for name in ("source", "left", "right", "joined")}
    assert {v["pid"] for v in values.values()}.isdisjoint({os.getpid()})
    # Two workers: the two middle steps run at the same time, on different processes.
    assert values["left"]["pid"] != values["right"]["pid"]
    assert max(values["left"]["start"], values["right"]["start"]) < min(values["left"]["end"], values["right"]["end"])


def test_a_failure_skips_downstream_and_the_rest_still_runs(sqlite_instance: Instance, dask_address: str) -> None:
    result = run(failing, "failing", sqlite_instance, dask_address, raise_on_error=False)

    assert not result.success
    assert sqlite_instance.get_run(result.run_id).status == RunStatus.FAILURE  # type: ignore[union-attr]
    [failure] = result.get_step_failure_events()
    assert failure.step_key == "broken" and "broken on purpose" in (failure.error.message if failure.error else "")
    [skipped] = result.get_step_skipped_events()
    assert skipped.step_key == "after_broken" and "upstream step 'broken' failed" in skipped.message
    assert [r.asset_key for r in result.get_asset_materialization_events()] == [AssetKey("beside_broken")]


def test_the_first_failure_is_raised_with_the_asset_named(sqlite_instance: Instance, dask_address: str) -> None:
    with pytest.raises(Exception, match=r'Asset "broken" raised ValueError: broken on purpose'):
        run(failing, "failing", sqlite_instance, dask_address, selection=[AssetKey("broken")])


def test_retry_policy_runs_the_step_again_on_the_worker(sqlite_instance: Instance, dask_address: str) -> None:
    result = run(retrying, "retrying", sqlite_instance, dask_address)

    assert result.success
    events = [r.event_type for r in result.all_events if r.step_key == "flaky" and r.asset_key is None]
    assert events == [EventType.STEP_START, EventType.STEP_UP_FOR_RETRY, EventType.STEP_UP_FOR_RETRY,
                      EventType.STEP_SUCCESS]
    assert result.asset_value("flaky") == 2


def test_a_failed_blocking_check_skips_downstream(sqlite_instance: Instance, dask_address: str) -> None:
    result = run(blocking, "blocking", sqlite_instance, dask_address, raise_on_error=False)

    assert not result.success
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.passed is False
    [skipped] = result.get_step_skipped_events()
    assert skipped.step_key == "after_checked" and "blocking check checked:checked_is_positive" in skipped.message


def test_a_canceling_run_stops_submitting_steps(sqlite_instance: Instance, dask_address: str) -> None:
    run_id = str(uuid.uuid4())

    def cancel_when_first_step_starts() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if sqlite_instance.get_event_records(run_id=run_id, event_type=EventType.STEP_START):
                sqlite_instance.update_run(run_id, status=RunStatus.CANCELING)
                return
            time.sleep(0.05)

    canceler = threading.Thread(target=cancel_when_first_step_starts)
    canceler.start()
    result = run(chain, "chain", sqlite_instance, dask_address, run_id=run_id, raise_on_error=False)
    canceler.join()

    records = sqlite_instance.get_event_records(run_id=run_id)
    assert list(ids_by(records, EventType.STEP_START)) == ["slow_first"]
    assert list(ids_by(records, EventType.STEP_SUCCESS)) == ["slow_first"]  # it was running: it finishes
    skipped = [r for r in result.get_step_skipped_events()]
    assert [r.step_key for r in skipped] == ["slow_second", "slow_third"]
    assert all("the run was canceled" in r.message for r in skipped)


def test_after_the_grace_period_running_steps_fail_and_queued_ones_are_skipped(sqlite_instance: Instance,
                                                                                dask_address: str) -> None:
    run_id, cancel = str(uuid.uuid4()), threading.Event()

    def cancel_when_two_steps_run() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if len(sqlite_instance.get_event_records(run_id=run_id, event_type=EventType.STEP_START)) >= 2:
                cancel.set()  # as SIGTERM does to a run worker: storage does not say CANCELING yet
                return
            time.sleep(0.02)

    canceler = threading.Thread(target=cancel_when_two_steps_run)
    canceler.start()
    result = run(three_slow, "three_slow", sqlite_instance, dask_address, run_id=run_id, raise_on_error=False,
                 executor_kw={"cancel": cancel, "cancel_grace_seconds": 0.3})
    canceler.join()

    failed = {r.step_key for r in result.get_step_failure_events()}
    skipped = {r.step_key for r in result.get_step_skipped_events()}
    assert len(failed) == 2 and len(skipped) == 1 and failed | skipped == {"slow_0", "slow_1", "slow_2"}
    assert all("still running after 0.3s and was canceled" in r.message for r in result.get_step_failure_events())
    records = sqlite_instance.get_event_records(run_id=run_id)
    assert skipped.isdisjoint(r.step_key for r in records if r.event_type == EventType.STEP_START)
    # The two running functions cannot be interrupted; let them end before the next test.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(
            sqlite_instance.get_event_records(run_id=run_id, event_type=EventType.STEP_SUCCESS)) < 2:
        time.sleep(0.1)


def test_a_step_whose_worker_dies_fails_once_and_downstream_is_skipped(sqlite_instance: Instance,
                                                                       dask_address: str) -> None:
    from distributed import Client

    result = run(dying, "dying", sqlite_instance, dask_address, raise_on_error=False)

    records = sqlite_instance.get_event_records(run_id=result.run_id)
    assert [r.step_key for r in records if r.event_type == EventType.STEP_START] == ["dies"]
    [failure] = result.get_step_failure_events()
    assert failure.step_key == "dies" and "did not run to an outcome on the Dask cluster" in failure.message
    assert "KilledWorker" in failure.message
    [skipped] = result.get_step_skipped_events()
    assert skipped.step_key == "after_dies"
    with Client(dask_address, set_as_default=False) as client:  # the nanny restarts the worker
        client.wait_for_workers(2, timeout=30)


def test_definitions_declaring_the_dask_executor_ship_themselves(sqlite_instance: Instance,
                                                                 dask_address: str) -> None:
    defs = Definitions(assets=[source, left], executor=DaskExecutorDef(address=dask_address))

    result = execute_definitions(defs, instance=sqlite_instance)

    assert result.success
    assert result.asset_value("left")["pid"] != os.getpid()
    assert_exactly_once(sqlite_instance, result.run_id, ["source", "left"])


def test_an_ephemeral_instance_is_refused_with_the_fix() -> None:
    with pytest.raises(StorageError, match=r"in-memory \(ephemeral\) instance .* cannot be shared") as info:
        materialize([source], executor=DaskExecutorDef(address="tcp://127.0.0.1:1"))
    assert "Instance.from_url('postgresql://" in str(info.value)
    assert "docs/deployment.md" in str(info.value)


def test_declared_dask_executor_with_an_in_memory_instance_runs_in_process() -> None:
    defs = Definitions(assets=[source], executor=DaskExecutorDef(address="tcp://127.0.0.1:1"))

    result = execute_definitions(defs)  # what `assetgraph check --materialize` does

    assert result.success and result.asset_value("source")["pid"] == os.getpid()


# -- events land exactly once in shared storage ----------------------------------------------------

def test_worker_events_land_exactly_once_in_sqlite(sqlite_instance: Instance, dask_address: str) -> None:
    result = run(diamond, "diamond", sqlite_instance, dask_address)

    assert_exactly_once(sqlite_instance, result.run_id, ["source", "left", "right", "joined"])
    assert [r.id for r in result.all_events] == [r.id for r in sqlite_instance.get_event_records(run_id=result.run_id)]


@pytest.mark.postgres
def test_worker_events_land_exactly_once_in_postgres(postgres_instance: Instance, dask_address: str) -> None:
    result = run(diamond, "diamond", postgres_instance, dask_address)

    assert_exactly_once(postgres_instance, result.run_id, ["source", "left", "right", "joined"])
    assert postgres_instance.get_partition_status(AssetKey("joined")).is_materialized()


@pytest.mark.postgres
def test_eight_workers_materialise_partitions_of_one_asset_at_once(dask_postgres_url: str,
                                                                   dask_address_8: str) -> None:
    """24 runs, one partition each, from 8 driver threads onto 8 workers, all on one asset."""
    keys = [f"2024-01-{day:02d}" for day in range(1, 25)]
    lanes = [keys[i::8] for i in range(8)]
    run_ids: dict[str, str] = {}
    errors: list[BaseException] = []

    def lane(partitions: list[str]) -> None:
        try:
            with Instance.from_url(dask_postgres_url) as instance:
                for key in partitions:
                    result = run(partitioned, "partitioned", instance, dask_address_8, partition_key=key,
                                 raise_on_error=False)
                    run_ids[key] = result.run_id
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=lane, args=(p,)) for p in lanes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    assert not any(t.is_alive() for t in threads), "a run did not finish (deadlock?)"
    assert not errors, errors

    with Instance.from_url(dask_postgres_url) as instance:
        key = AssetKey("daily_events")
        records = instance.get_event_records(asset_key=key)
        by_run = Counter(r.run_id for r in instance.get_event_records() if r.run_id in set(run_ids.values()))
        assert set(by_run.values()) == {11}  # RUN_START, PLANNED, STEP_START, 5 logs, 2 outcome events, RUN end
        materialized = [r.partition or "" for r in records if r.event_type == EventType.ASSET_MATERIALIZATION]
        assert sorted(materialized) == sorted(set(keys) - FAILING_DAYS)
        failed = [r.partition or "" for r in records if r.event_type == EventType.ASSET_MATERIALIZATION_FAILED]
        assert sorted(failed) == sorted(FAILING_DAYS)
        status = instance.get_partition_status(key)
        assert set(status.materialized.get_partition_keys()) == set(keys) - FAILING_DAYS
        assert set(status.failed.get_partition_keys()) == FAILING_DAYS
        assert len(status.in_progress) == 0
        for partition, run_id in run_ids.items():
            expected = RunStatus.FAILURE if partition in FAILING_DAYS else RunStatus.SUCCESS
            assert instance.get_run(run_id).status == expected  # type: ignore[union-attr]


# -- launched runs ------------------------------------------------------------------------------

def _declared_dask_location(address: str) -> Definitions:
    return Definitions(assets=[source, left, right, joined], executor=DaskExecutorDef(address=address))


def test_a_launched_run_executes_on_the_declared_dask_cluster(tmp_path: Path, dask_address: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from assetgraph.codelocation.worker import RunWorker
    from assetgraph.definitions.events import Run

    location = tmp_path / "dask_location.py"
    location.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})\n"
        "from tests.execution.test_dask_executor import _declared_dask_location\n"
        f"defs = _declared_dask_location({dask_address!r})\n"
    )
    instance = Instance.from_url(f"sqlite:///{tmp_path / 'assetgraph.db'}")
    run_id = str(uuid.uuid4())
    instance.create_run(Run(run_id=run_id, status=RunStatus.QUEUED,
                            asset_selection=tuple(AssetKey(k) for k in ("source", "left", "right", "joined"))))
    worker = RunWorker(instance, run_id, CodeLocationTarget(file=str(location), attribute="defs"))
    assert worker.run() == RunStatus.SUCCESS
    assert_exactly_once(instance, run_id, ["source", "left", "right", "joined"])
    import pickle

    from distributed import Client

    with Client(dask_address) as client:
        worker_pids = set(client.run(os.getpid).values())
    from assetgraph import FilesystemIOManager

    stored = FilesystemIOManager(instance.storage_dir).path_for(AssetKey("joined"), None)
    assert pickle.loads(stored.read_bytes())["pid"] in worker_pids
