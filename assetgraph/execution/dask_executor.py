"""The Dask executor: a run's steps execute as tasks on a `dask.distributed` cluster.

The driver (the run worker, or the process that calls `materialize`) walks the plan: it submits
a step once its upstream steps finished, computes skips with `skip_reason` and writes their
events, and watches for cancellation. Each task opens the instance from its URL, imports the
code location itself through a picklable `DefinitionsLoader`, runs the step with `StepRunner`
(retries included) and writes the step's events straight into the shared storage; it sends the
driver only the step's outcome. dask is imported when a run starts, never at import time.

Must not import codelocation, orchestration, server or cli.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from assetgraph.definitions.errors import InternalError, StorageError
from assetgraph.definitions.events import Event, EventType, RunStatus
from assetgraph.definitions.keys import AssetCheckKey, AssetKey
from assetgraph.execution.executor import ProgressCallback, RecordingWriter, skip_events, skip_reason
from assetgraph.execution.plan import Plan, Step
from assetgraph.execution.step import StepOutcome, StepRunner, StepServices, StepStatus

if TYPE_CHECKING:
    from assetgraph.definitions.definitions import Definitions
    from assetgraph.graph.asset_graph import AssetGraph

# How long a canceled run waits for steps already running on workers before it gives up on them.
CANCEL_GRACE_SECONDS = 10.0
# How often the driver looks for a CANCELING status in storage.
STATUS_POLL_SECONDS = 0.5
_CANCELED = "CANCELED"
# For the clusters the executor starts (set it on a scheduler of your own too, see docs/deployment.md):
# a task whose worker died fails instead of running again elsewhere and repeating events already written.
SCHEDULER_CONFIG = {"distributed.scheduler.allowed-failures": 0}


class DefinitionsLoader(Protocol):
    """A picklable way to get a code location's `Definitions` inside a worker process.

    The run worker passes ``functools.partial(load_definitions, CodeLocationTarget(...))``;
    `materialize` passes `ShippedDefinitions`.
    """

    def __call__(self) -> Definitions: ...


@dataclass(frozen=True)
class ShippedDefinitions:
    """The `Definitions` object itself, pickled to the workers (cloudpickle imports functions of
    importable modules by name there, and sends others by value)."""

    definitions: Definitions

    def __call__(self) -> Definitions:
        return self.definitions


class StepFailedOnWorker(RuntimeError):
    """The error a step raised on a Dask worker, carried back as text (its traceback is in the log)."""


class WorkerLost(RuntimeError):
    """A step's task ended without an outcome: its worker died, or the task could not run."""


@dataclass(frozen=True)
class StepTask:
    """Everything a worker needs to run one step, apart from the code location."""

    step: Step
    run_id: str
    instance_url: str
    storage_dir: str
    run_config: Mapping[str, Any]
    run_tags: Mapping[str, str]
    now: datetime | None
    echo_logs: bool = False


@dataclass(frozen=True)
class RunPayload:
    """What every task of a run shares, sent to the cluster once per run."""

    token: str
    load_definitions: DefinitionsLoader
    resources: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StepReport:
    """A step's outcome as the worker sends it back: plain, picklable values."""

    status: str
    blocked_by: tuple[tuple[tuple[str, ...], str], ...] = ()
    error: str | None = None
    failed_partitions: int = 0
    worker: str | None = None

    def to_outcome(self) -> StepOutcome:
        blocked = [AssetCheckKey(AssetKey(path), name) for path, name in self.blocked_by]
        error = StepFailedOnWorker(self.error) if self.error else None
        return StepOutcome(StepStatus(self.status), blocked_by=blocked, error=error,
                           failed_partitions=self.failed_partitions)


def require_shared_instance(instance: Any) -> str:
    """The URL workers open; an in-memory instance cannot be shared, so refuse it with the fix."""
    url = getattr(instance, "url", None)
    if not url or getattr(instance, "is_ephemeral", False):
        raise StorageError(
            "The Dask executor runs steps in other processes, which write their events straight into "
            "the run's storage; an in-memory (ephemeral) instance lives in one process and cannot be shared.\n"
            "Pass instance=Instance.from_url('postgresql://user@host/db') (several machines), or a "
            "'sqlite:///path/to.db' file that every worker can reach (one machine). See docs/deployment.md."
        )
    return str(url)


class DaskExecutor:
    """Executes a plan's steps as tasks on a `dask.distributed` cluster.

    ``address`` is a running scheduler (``tcp://host:8786``); without it a `LocalCluster` of
    ``n_workers`` processes (default: CPU count, ``threads_per_worker`` each) is started for the
    run and closed after it. ``load_definitions`` tells workers how to import the code location;
    ``resources`` are per-run overrides of the code location's resources, pickled to the workers.
    ``cancel`` stops the run when set, as does a CANCELING status in storage.

    >>> executor = DaskExecutor("tcp://scheduler:8786", load_definitions=my_loader)  # doctest: +SKIP
    """

    def __init__(self, address: str | None = None, n_workers: int | None = None, *,
                 threads_per_worker: int = 1, load_definitions: DefinitionsLoader | None = None,
                 resources: Mapping[str, Any] | None = None, cancel: threading.Event | None = None,
                 progress: ProgressCallback | None = None,
                 cancel_grace_seconds: float = CANCEL_GRACE_SECONDS) -> None:
        self.address = address
        self.n_workers = n_workers
        self.threads_per_worker = threads_per_worker
        self.load_definitions = load_definitions
        self.resources = dict(resources or {})
        self.cancel = cancel or threading.Event()
        self.progress = progress
        self.cancel_grace_seconds = cancel_grace_seconds

    def for_run(self, definitions: Definitions, resources: Mapping[str, Any] | None = None,
                progress: ProgressCallback | None = None) -> DaskExecutor:
        """A copy for one run of ``definitions``: ships them when no loader was given, and adds the
        run's resource overrides and progress callback."""
        return DaskExecutor(self.address, self.n_workers, threads_per_worker=self.threads_per_worker,
                            load_definitions=self.load_definitions or ShippedDefinitions(definitions),
                            resources={**self.resources, **dict(resources or {})}, cancel=self.cancel,
                            progress=self.progress or progress, cancel_grace_seconds=self.cancel_grace_seconds)

    def execute(self, plan: Plan, services: StepServices, writer: Callable[[list[Event]], None]) -> dict[str, StepOutcome]:
        url = require_shared_instance(services.instance)
        if self.load_definitions is None:
            raise InternalError("The Dask executor was given no load_definitions (how workers import the code "
                                "location); DaskExecutor.for_run(defs) sets it.")
        payload = RunPayload(f"{services.run_id}-{uuid.uuid4().hex[:8]}", self.load_definitions, self.resources)
        with self._client() as client:
            outcomes = _DaskRun(plan, services, writer, self, client, payload, url).execute()
        if isinstance(writer, RecordingWriter) and writer.keep:
            # Workers wrote most of the run's events; the run's result reads them back, in order.
            writer.records[:] = services.instance.get_event_records(run_id=services.run_id)
        return outcomes

    @contextlib.contextmanager
    def _client(self) -> Iterator[Any]:
        import dask
        from distributed import Client, LocalCluster

        if self.address is not None:
            with Client(self.address, set_as_default=False) as client:
                yield client
            return
        with dask.config.set(SCHEDULER_CONFIG), \
                LocalCluster(n_workers=self.n_workers or os.cpu_count() or 1, threads_per_worker=self.threads_per_worker,
                             processes=True, dashboard_address=":0") as cluster, \
                Client(cluster, set_as_default=False) as client:
            yield client


class _DaskRun:
    """One execution of a plan on the cluster: steps not yet submitted, futures, outcomes."""

    def __init__(self, plan: Plan, services: StepServices, writer: Callable[[list[Event]], None],
                 executor: DaskExecutor, client: Any, payload: RunPayload, url: str) -> None:
        self.plan = plan
        self.services = services
        self.writer = writer
        self.ex = executor
        self.client = client
        self.url = url
        # Steps not submitted yet, in plan order; ``ready`` holds those whose upstream steps all ended.
        self.pending: dict[str, Step] = {s.key: s for s in plan.steps}
        self.waiting = {s.key: len(set(s.upstream)) for s in plan.steps}
        self.children: dict[str, list[str]] = {}
        for s in plan.steps:
            for up in set(s.upstream):
                self.children.setdefault(up, []).append(s.key)
        self.ready: deque[Step] = deque(s for s in plan.steps if not s.upstream)
        self.futures: dict[Any, Step] = {}
        self.outcomes: dict[str, StepOutcome] = {}
        # Pickled once and passed by value: a task that depended on scattered data would be sent to
        # the worker holding it rather than to an idle one. Workers unpickle it once per run.
        import cloudpickle

        self.payload_token = payload.token
        self.payload_blob = cloudpickle.dumps(payload)
        self.storage_dir = str(services.instance.storage_dir)
        self._status_checked = 0.0
        self.wakeup = threading.Event()

    def execute(self) -> dict[str, StepOutcome]:
        try:
            while self.pending or self.futures:
                if self._is_canceled():
                    self._cancel_all("the run was canceled")
                    break
                self._submit_ready_steps()
                if self.pending and not self.futures and not self.ready:
                    raise InternalError(f"Steps {sorted(self.pending)} wait on steps that are not in the plan.")
                self._collect()
        except BaseException:
            self._cancel_all("the run's driver was interrupted")
            raise
        return self.outcomes

    def _submit_ready_steps(self) -> None:
        while self.ready:
            step = self.ready.popleft()
            del self.pending[step.key]
            reason = skip_reason(step, self.outcomes, self.plan)
            if reason is not None:
                self.writer(skip_events(step, self.services.run_id, reason))
                self._finish(step, StepOutcome(StepStatus.SKIPPED))
                continue
            future = self.client.submit(run_step_task, self._task(step), self.payload_token, self.payload_blob, pure=False,
                                        key=f"assetgraph-step-{step.key}-{uuid.uuid4().hex[:12]}")
            future.add_done_callback(lambda _: self.wakeup.set())  # runs on the client's event loop
            self.futures[future] = step

    def _task(self, step: Step) -> StepTask:
        s = self.services
        return StepTask(step=step, run_id=s.run_id, instance_url=self.url, storage_dir=self.storage_dir,
                        run_config=s.run_config, run_tags=dict(s.run_tags), now=s.now,
                        echo_logs=s.echo_logs)

    def _collect(self, timeout: float = 0.2) -> None:
        """Wait until a step's task ends (or ``timeout``), then record every ended one."""
        if not self.futures:
            return
        self.wakeup.wait(timeout)
        self.wakeup.clear()
        for future, step in list(self.futures.items()):
            if future.done():
                del self.futures[future]
                self._finish(step, self._outcome_of(step, future))

    def _outcome_of(self, step: Step, future: Any) -> StepOutcome:
        if future.status == "finished":
            report: StepReport = future.result()
            if report.status == _CANCELED:
                self.writer(skip_events(step, self.services.run_id, "the run was canceled"))
                return StepOutcome(StepStatus.SKIPPED)
            return report.to_outcome()
        # The task itself failed (worker died, resources did not set up, the payload did not load):
        # the step wrote no end event, so the driver writes its failure.
        exc = future.exception() if future.status == "error" else None
        why = f"{type(exc).__name__}: {exc}" if exc is not None else f"its task ended as {future.status!r}"
        error = WorkerLost(f"Step {step.key!r} did not run to an outcome on the Dask cluster: {why}")
        if exc is not None:
            error.__cause__ = exc
        self.writer(StepRunner(step, self.services)._failure_events(error))
        return StepOutcome(StepStatus.FAILURE, error=error)

    def _finish(self, step: Step, outcome: StepOutcome) -> None:
        self.outcomes[step.key] = outcome
        for child in self.children.get(step.key, ()):
            self.waiting[child] -= 1
            if self.waiting[child] == 0 and child in self.pending:
                self.ready.append(self.pending[child])
        if self.ex.progress is not None:
            self.ex.progress(step, outcome, len(self.outcomes), len(self.plan.steps))

    def _is_canceled(self) -> bool:
        if self.ex.cancel.is_set():
            return True
        now = time.monotonic()
        if now - self._status_checked < STATUS_POLL_SECONDS:
            return False
        self._status_checked = now
        get_run = getattr(self.services.instance, "get_run", None)
        run = get_run(self.services.run_id) if get_run is not None else None
        if run is not None and run.status == RunStatus.CANCELING:
            self.ex.cancel.set()
            return True
        return False

    def _started_steps(self) -> set[str]:
        get_records = getattr(self.services.instance, "get_event_records", None)
        if get_records is None:
            return {step.key for step in self.futures.values()}
        return {r.step_key for r in get_records(run_id=self.services.run_id, event_type=EventType.STEP_START)}

    def _mark_canceling(self) -> None:
        # Workers read the run's status before a step starts; a cancel that came through the
        # `cancel` event (SIGTERM of the run worker, a caller) must reach them the same way.
        instance = self.services.instance
        run = instance.get_run(self.services.run_id) if hasattr(instance, "get_run") else None
        if run is not None and run.status not in (RunStatus.CANCELING, RunStatus.CANCELED):
            instance.update_run(self.services.run_id, status=RunStatus.CANCELING)

    def _cancel_all(self, why: str) -> None:
        """Stop submitting; tasks that have not begun see CANCELING and return without running; wait
        a grace period for running ones (their events are real), then cancel the rest and mark them failed."""
        self._mark_canceling()
        deadline = time.monotonic() + self.ex.cancel_grace_seconds
        while self.futures and time.monotonic() < deadline:
            self._collect(timeout=min(0.2, max(0.0, deadline - time.monotonic())))
        if self.futures:
            with contextlib.suppress(Exception):  # best effort: the cluster may already be gone
                self.client.cancel(list(self.futures))
            started = self._started_steps()
            for step in self.futures.values():
                if step.key not in started:  # still queued: it would have seen CANCELING and not run
                    self.writer(skip_events(step, self.services.run_id, why))
                    self._finish(step, StepOutcome(StepStatus.SKIPPED))
                    continue
                error = WorkerLost(f"Step {step.key!r} was stopped: {why}; its task was still running after "
                                   f"{self.ex.cancel_grace_seconds:g}s and was canceled.")
                self.writer(StepRunner(step, self.services)._failure_events(error))
                self._finish(step, StepOutcome(StepStatus.FAILURE, error=error))
            self.futures.clear()
        for step in list(self.pending.values()):
            self.writer(skip_events(step, self.services.run_id, why))
            self._finish(step, StepOutcome(StepStatus.SKIPPED))
        self.pending.clear()
        self.ready.clear()


# -- on the worker ---------------------------------------------------------------------------------

_worker_lock = threading.Lock()
# One instance per storage URL and one loaded code location per run, per worker process: tasks
# of a run share them, so a step costs no reconnect and no re-import.
_worker_instances: dict[str, Any] = {}
_worker_locations: OrderedDict[str, _LoadedLocation] = OrderedDict()
_MAX_CACHED_LOCATIONS = 4
_MAX_CACHED_INSTANCES = 4


@dataclass(frozen=True)
class _LoadedLocation:
    graph: AssetGraph
    resources: Mapping[str, Any]


def run_step_task(task: StepTask, payload_token: str, payload_blob: bytes) -> StepReport:
    """The Dask task: run one step on this worker and report its outcome."""
    from assetgraph.execution.io_managers import FilesystemIOManager
    from assetgraph.execution.resources import run_resources

    instance = _worker_instance(task.instance_url)
    run = instance.get_run(task.run_id)
    if run is not None and run.status == RunStatus.CANCELING:  # queued before the driver canceled
        return StepReport(_CANCELED)
    location = _worker_location(payload_token, payload_blob)
    with run_resources(location.resources, FilesystemIOManager(task.storage_dir), task.run_config) as resources:
        services = StepServices(run_id=task.run_id, graph=location.graph, resources=resources,
                                run_config=task.run_config, instance=instance, now=task.now,
                                write=RecordingWriter(instance, keep=False), run_tags=task.run_tags,
                                echo_logs=task.echo_logs)
        outcome = StepRunner(task.step, services).run()
    return StepReport(
        status=outcome.status.value,
        blocked_by=tuple((ck.asset_key.path, ck.name) for ck in outcome.blocked_by),
        error=str(outcome.error) if outcome.error is not None else None,
        failed_partitions=outcome.failed_partitions,
        worker=_worker_address(),
    )


def _worker_instance(url: str) -> Any:
    with _worker_lock:
        instance = _worker_instances.get(url)
        if instance is None:
            from assetgraph.storage.instance import Instance

            instance = _worker_instances[url] = Instance.from_url(url)
            while len(_worker_instances) > _MAX_CACHED_INSTANCES:  # not disposed: a thread may still use it
                _worker_instances.pop(next(iter(_worker_instances)))
        return instance


def _worker_location(token: str, blob: bytes) -> _LoadedLocation:
    with _worker_lock:
        location = _worker_locations.get(token)
        if location is None:
            import pickle

            payload: RunPayload = pickle.loads(blob)
            defs = payload.load_definitions()
            location = _LoadedLocation(defs.get_asset_graph(), {**defs.resources, **payload.resources})
            _worker_locations[token] = location
            while len(_worker_locations) > _MAX_CACHED_LOCATIONS:
                _worker_locations.popitem(last=False)
        return location


def _worker_address() -> str | None:
    from distributed import get_worker

    try:
        return str(get_worker().address)
    except ValueError:  # called outside a worker
        return None
