"""The run worker: one process per launched run.

``python -m assetgraph.codelocation.worker RUN_ID (-m MODULE | -f FILE) [-a ATTR]``, with the storage
in ``$ASSETGRAPH_STORAGE_URL`` (or ``--instance-url``),
loads the code location, reads the run record, builds the plan and executes it with the
multi-process executor. While it runs it heart-beats to storage (`Instance.heartbeat_run`) and
watches for CANCELING; SIGTERM cancels too. When the run's own machinery fails (storage full or
unreachable), the worker records the run as FAILURE with that error, trying again while storage
cannot take it yet. Each step's stdout and stderr are captured under the instance's
``logs/RUN_ID/`` (`Instance.captured_logs`), where the server reads them. Must not import
orchestration, server or cli.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assetgraph.codelocation.loader import CodeLocationTarget, load_definitions
from assetgraph.definitions.definitions import Definitions
from assetgraph.definitions.events import ErrorInfo, Event, EventType, Run, RunStatus
from assetgraph.definitions.executors import DaskExecutor as DaskExecutorDef
from assetgraph.definitions.executors import InProcessExecutor as InProcessExecutorDef
from assetgraph.definitions.executors import MultiprocessExecutor as MultiprocessExecutorDef

log = logging.getLogger("assetgraph.worker")

HEARTBEAT_INTERVAL_ENV = "ASSETGRAPH_HEARTBEAT_INTERVAL"
DEFAULT_HEARTBEAT_INTERVAL = 5.0
END_RETRY_SECONDS = 300.0  # how long a worker whose run broke keeps trying to record that


def write_heartbeat(instance: Any, run_id: str) -> None:
    """Record that the worker of ``run_id`` is alive now (the run monitor reads it)."""
    instance.heartbeat_run(run_id)


def read_heartbeats(instance: Any, run_ids: list[str]) -> dict[str, float]:
    """The last sign of life (heartbeat or any update) of each run."""
    return dict(instance.get_run_heartbeats(run_ids))


def unfinished_asset_events(instance: Any, run_id: str, message: str) -> list[Event]:
    """ASSET_MATERIALIZATION_FAILED for each planned asset partition of a run that neither
    materialised nor failed, so its partition status leaves "in progress"."""
    kinds = [EventType.ASSET_MATERIALIZATION_PLANNED, EventType.ASSET_MATERIALIZATION,
             EventType.ASSET_MATERIALIZATION_FAILED]
    planned: dict[tuple[Any, ...], Event] = {}
    for r in instance.get_event_records(event_type=kinds, run_id=run_id):
        ident = (r.asset_key, r.partition, r.partition_range)
        if r.event_type == EventType.ASSET_MATERIALIZATION_PLANNED:
            planned[ident] = r
        else:
            planned.pop(ident, None)
    now = time.time()
    return [Event(event_type=EventType.ASSET_MATERIALIZATION_FAILED, run_id=run_id, timestamp=now,
                  asset_key=r.asset_key, partition=r.partition, partition_range=r.partition_range,
                  step_key=r.step_key, message=message) for r in planned.values()]


def pool_slots() -> Any:
    """The pools of ``pools:`` in ``$ASSETGRAPH_HOME/assetgraph.yaml`` (none configured: no limits)."""
    from assetgraph.execution.pools import PoolSlots, parse_pool_limits
    from assetgraph.storage.config import CONFIG_FILE, instance_home

    home = instance_home().resolve()
    path = home / CONFIG_FILE
    limits: dict[str, int] = {}
    if path.exists():
        import yaml

        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        limits = parse_pool_limits(data.get("pools") if isinstance(data, dict) else None, str(path))
    return PoolSlots(home / "pools", limits)


def run_log_dir(run_id: str) -> Path:
    """The folder of a launched worker's own output (``worker.log``): ``$ASSETGRAPH_HOME/logs/RUN_ID``."""
    from assetgraph.storage.config import instance_home

    return instance_home().resolve() / "logs" / run_id


class RunWorker:
    """Executes one QUEUED/STARTING run to a finished status."""

    def __init__(self, instance: Any, run_id: str, target: CodeLocationTarget,
                 heartbeat_interval: float = DEFAULT_HEARTBEAT_INTERVAL) -> None:
        self.instance = instance
        self.run_id = run_id
        self.target = target
        self.heartbeat_interval = heartbeat_interval
        self.cancel = threading.Event()
        self._done = threading.Event()
        self._storage_lock = threading.Lock()  # the heartbeat holds it; step processes fork outside it

    def run(self) -> RunStatus:
        run = self.instance.get_run(self.run_id)
        if run is None:
            raise SystemExit(f"No run {self.run_id!r} in {self.instance.display_url}.")
        if run.status not in (RunStatus.QUEUED, RunStatus.STARTING):
            log.warning("run %s is %s; this worker leaves it alone", self.run_id, run.status.value)
            return RunStatus(run.status)
        write_heartbeat(self.instance, self.run_id)
        beat = threading.Thread(target=self._heartbeat, name="assetgraph-heartbeat", daemon=True)
        beat.start()
        try:
            return self._execute(run)
        except Exception as exc:  # the run's own machinery failed (storage full or unreachable), not a step
            return self._end_after_error(run, exc)
        finally:
            self._done.set()
            beat.join(timeout=self.heartbeat_interval + 1)

    def _end_after_error(self, run: Run, exc: Exception) -> RunStatus:
        """Record that the run stopped on ``exc``, retrying for `END_RETRY_SECONDS` while storage cannot
        take it (a full disk being freed, a database coming back); raise ``exc`` when it never can."""
        log.exception("run %s stopped", run.run_id)
        message = f"The run stopped: {exc}"
        deadline = time.monotonic() + END_RETRY_SECONDS
        delay = 0.1
        while True:
            try:
                current = self.instance.get_run(run.run_id)
                if current is not None and current.status.is_finished:
                    return RunStatus(current.status)  # run monitoring ended it meanwhile
                self.instance.store_events([
                    *unfinished_asset_events(self.instance, run.run_id, message),
                    Event(event_type=EventType.RUN_FAILURE, run_id=run.run_id, timestamp=time.time(),
                          message=message, error=ErrorInfo.from_exception(exc))])
                self.instance.update_run(run.run_id, status=RunStatus.FAILURE, end_time=time.time())
                return RunStatus.FAILURE
            except Exception:
                if time.monotonic() > deadline:
                    raise exc from None
                time.sleep(delay)
                delay = min(delay * 2, 2.0)

    def _heartbeat(self) -> None:
        while not self._done.wait(self.heartbeat_interval):
            try:
                with self._storage_lock:
                    write_heartbeat(self.instance, self.run_id)
                    current = self.instance.get_run(self.run_id)
                if current is not None and current.status == RunStatus.CANCELING:
                    self.cancel.set()
            except Exception:  # storage busy: the next beat tries again; the monitor tolerates gaps
                log.exception("heartbeat of run %s failed", self.run_id)

    def _fail(self, run: Run, message: str, exc: BaseException) -> RunStatus:
        self.instance.store_events([Event(event_type=EventType.RUN_FAILURE, run_id=run.run_id, timestamp=time.time(),
                                          message=message, error=ErrorInfo.from_exception(exc))])
        self.instance.update_run(run.run_id, status=RunStatus.FAILURE, end_time=time.time())
        return RunStatus.FAILURE

    def _execute(self, run: Run) -> RunStatus:
        try:
            defs = load_definitions(self.target)
        except Exception as exc:
            return self._fail(run, f"The run's code location did not load: {exc}", exc)
        try:
            prepared = _prepare(defs, run, self.instance)
        except Exception as exc:
            return self._fail(run, f"The run could not be planned: {exc}", exc)
        return _execute_prepared(prepared, run, self.instance, self._executor(defs, run), self.cancel)

    def _executor(self, defs: Definitions, run: Run) -> Any:
        from assetgraph.execution.executor import InProcessExecutor
        from assetgraph.execution.multiprocess import MultiprocessExecutor

        declared: Any = defs.executor
        if run.job_name:
            job = next((j for j in defs.jobs if j.name == run.job_name), None)
            declared = (job.executor_def if job is not None else None) or declared
        if isinstance(declared, InProcessExecutorDef):
            return InProcessExecutor()
        if isinstance(declared, DaskExecutorDef):
            import functools

            from assetgraph.execution.dask_executor import DaskExecutor

            # Dask workers load the code location themselves, from the same target as this worker.
            return DaskExecutor(declared.address, declared.n_workers, cancel=self.cancel,
                                load_definitions=functools.partial(load_definitions, self.target),
                                resources=defs.resources)
        max_concurrent = declared.max_concurrent if isinstance(declared, MultiprocessExecutorDef) else None
        return MultiprocessExecutor(max_concurrent, log_dir=self.instance.captured_logs.run_dir(run.run_id),
                                    cancel=self.cancel,
                                    pools=pool_slots(), fork_lock=self._storage_lock)


def _prepare(defs: Definitions, run: Run, instance: Any) -> dict[str, Any]:
    from assetgraph.definitions.partitions.base import PartitionKeyRange
    from assetgraph.execution.plan import PartitionRequest, build_plan

    graph = defs.get_asset_graph()
    now = datetime.now(UTC)
    partitions = None
    if run.partition_key is not None:
        partitions = PartitionRequest.single(run.partition_key)
    elif run.partition_range is not None:
        partitions = PartitionRequest(range=PartitionKeyRange(*run.partition_range))
    elif run.partition_keys:
        partitions = PartitionRequest(keys=tuple(run.partition_keys))
    plan = build_plan(graph, run.asset_selection, check_keys=run.asset_check_selection, partitions=partitions,
                      now=now, dynamic_partitions_store=instance)
    instance.register_assets({k: graph.get(k).partitions_def for k in plan.asset_keys})
    return {"defs": defs, "graph": graph, "plan": plan, "now": now}


def _execute_prepared(prepared: dict[str, Any], run: Run, instance: Any, executor: Any,
                      cancel: threading.Event) -> RunStatus:
    """The run's lifecycle around the executor: STARTED, run events, steps, then the final status."""
    from assetgraph.execution.events import make_event
    from assetgraph.execution.executor import RecordingWriter, planned_events, steps_that_did_not_succeed
    from assetgraph.execution.io_managers import FilesystemIOManager
    from assetgraph.execution.resources import run_resources
    from assetgraph.execution.step import StepServices

    defs, plan = prepared["defs"], prepared["plan"]
    writer = RecordingWriter(instance, keep=False)
    current = instance.get_run(run.run_id)
    if current is not None and current.status == RunStatus.CANCELING:  # canceled while the worker started
        writer([make_event(EventType.RUN_CANCELED, run.run_id, message="Run canceled before it started")])
        instance.update_run(run.run_id, status=RunStatus.CANCELED, end_time=time.time())
        return RunStatus.CANCELED
    if not instance.update_run(run.run_id, status=RunStatus.STARTED, start_time=time.time(),
                               only_from=(RunStatus.QUEUED, RunStatus.STARTING)):
        # Given up on while this worker loaded the code location (run monitoring's startup timeout):
        # the run's end is recorded already, and a retry may be running it.
        now = instance.get_run(run.run_id)
        log.warning("run %s is %s; this worker does not start it", run.run_id, now.status.value if now else "gone")
        return RunStatus(now.status) if now is not None else RunStatus.FAILURE
    writer([make_event(EventType.RUN_START, run.run_id, message=f"Worker pid {os.getpid()}",
                       data={"pid": os.getpid()}), *planned_events(plan, run.run_id)])
    with run_resources(defs.resources, FilesystemIOManager(str(instance.storage_dir)), run.run_config) as res:
        services = StepServices(run_id=run.run_id, graph=prepared["graph"], resources=res, run_config=run.run_config,
                                instance=instance, now=prepared["now"], write=writer, run_tags=run.tags)
        outcomes = executor.execute(plan, services, writer)
    failed = steps_that_did_not_succeed(outcomes)
    end = time.time()
    if cancel.is_set():
        writer([make_event(EventType.RUN_CANCELED, run.run_id, message="Run canceled; unfinished steps were stopped")])
        instance.update_run(run.run_id, status=RunStatus.CANCELED, end_time=end)
        return RunStatus.CANCELED
    status = RunStatus.FAILURE if failed else RunStatus.SUCCESS
    event = EventType.RUN_FAILURE if failed else EventType.RUN_SUCCESS
    message = f"Steps that did not succeed: {', '.join(failed)}" if failed else "Run succeeded"
    writer([make_event(event, run.run_id, message=message)])
    instance.update_run(run.run_id, status=status, end_time=end)
    return status


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m assetgraph.codelocation.worker")
    parser.add_argument("run_id")
    parser.add_argument("--instance-url", default=None,
                        help="Storage URL (default: $ASSETGRAPH_STORAGE_URL, else the instance of $ASSETGRAPH_HOME).")
    parser.add_argument("-m", "--module")
    parser.add_argument("-f", "--file")
    parser.add_argument("-a", "--attribute")
    parser.add_argument("--working-directory")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")
    from assetgraph.storage.engine import CONNECTION_RETRY_SECONDS
    from assetgraph.storage.instance import Instance

    wait = CONNECTION_RETRY_SECONDS  # a database restarting as the worker starts is waited for
    instance = Instance.from_url(args.instance_url, wait_seconds=wait) if args.instance_url else Instance.get(
        wait_seconds=wait)
    if args.working_directory:
        os.chdir(args.working_directory)
    target = CodeLocationTarget(args.module, args.file, args.attribute, args.working_directory)
    interval = float(os.environ.get(HEARTBEAT_INTERVAL_ENV) or DEFAULT_HEARTBEAT_INTERVAL)
    worker = RunWorker(instance, args.run_id, target, heartbeat_interval=interval)
    signal.signal(signal.SIGTERM, lambda *_: worker.cancel.set())
    status = worker.run()
    instance.dispose()
    sys.exit(0 if status in (RunStatus.SUCCESS, RunStatus.CANCELED) else 1)


if __name__ == "__main__":
    main()
