"""`materialize` and `materialize_to_memory`: run assets in this process and return the result.

Must not import codelocation, orchestration, server or cli.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from assetgraph.definitions.asset import AssetsDefinition
from assetgraph.definitions.checks import AssetChecksDefinition
from assetgraph.definitions.definitions import Definitions
from assetgraph.definitions.errors import RunFailedError, SelectionError
from assetgraph.definitions.events import AssetCheckEvaluation, EventRecord, EventType, Run, RunStatus
from assetgraph.definitions.io_manager import InputContext
from assetgraph.definitions.keys import AssetCheckKey, AssetKey, coerce_asset_key
from assetgraph.definitions.spec import AssetSpec
from assetgraph.execution.executor import InProcessExecutor, ProgressCallback, RunOutcome, run_plan
from assetgraph.execution.inputs import io_manager_for
from assetgraph.execution.io_managers import FilesystemIOManager, InMemoryIOManager
from assetgraph.execution.plan import PartitionRequest, Plan, build_plan
from assetgraph.execution.resources import run_resources
from assetgraph.execution.step import StepServices

if TYPE_CHECKING:
    from assetgraph.graph.asset_graph import AssetGraph
    from assetgraph.storage.instance import Instance


_log = logging.getLogger("assetgraph.execution")


class ExecuteResult:
    """The outcome of `materialize`: success, run id, events, and the assets' values."""

    def __init__(self, outcome: RunOutcome, graph: AssetGraph, resources: Mapping[str, Any], plan: Plan) -> None:
        self._outcome = outcome
        self._graph = graph
        self._resources = resources
        self.plan = plan

    @property
    def success(self) -> bool:
        return self._outcome.success

    @property
    def run_id(self) -> str:
        return self._outcome.run.run_id

    @property
    def run(self) -> Run:
        return self._outcome.run

    @property
    def all_events(self) -> list[EventRecord]:
        return list(self._outcome.records)

    def get_asset_materialization_events(self) -> list[EventRecord]:
        return [r for r in self._outcome.records if r.event_type == EventType.ASSET_MATERIALIZATION]

    def get_asset_check_evaluations(self) -> list[EventRecord]:
        return [r for r in self._outcome.records if r.event_type == EventType.ASSET_CHECK_EVALUATION]

    def get_check_evaluation(self, check_key: AssetCheckKey) -> AssetCheckEvaluation | None:
        for r in reversed(self.get_asset_check_evaluations()):
            if r.check_key == check_key:
                return AssetCheckEvaluation.from_record(r)
        return None

    def get_step_failure_events(self) -> list[EventRecord]:
        return [r for r in self._outcome.records if r.event_type == EventType.STEP_FAILURE]

    def get_step_skipped_events(self) -> list[EventRecord]:
        return [r for r in self._outcome.records if r.event_type == EventType.STEP_SKIPPED and r.asset_key is None]

    def asset_value(self, key: Any, partition: str | None = None) -> Any:
        """The stored value of an asset materialised by this run, loaded through its IO manager."""
        from assetgraph.execution.context import Resources

        asset_key = coerce_asset_key(key)
        node = self._graph.get(asset_key)
        keys = [partition] if partition is not None else list(_run_partitions(self.plan, asset_key))
        ctx = InputContext(asset_key=asset_key, run_id=self.run_id, partition_keys=keys,
                           partitions_def=node.partitions_def)
        return io_manager_for(self._graph, asset_key, Resources(self._resources)).load_input(ctx)

    def output_for_node(self, node_name: str) -> Any:
        for step in self.plan.steps:
            if step.node_name == node_name and step.asset_keys:
                return self.asset_value(step.asset_keys[0])
        raise KeyError(node_name)


def _run_partitions(plan: Plan, key: AssetKey) -> Sequence[str]:
    for step in plan.steps:
        if key in step.asset_keys:
            return step.partition_keys
    return ()


def _resolve_selection(graph: AssetGraph, selection: Any, assets: Sequence[Any]
                       ) -> tuple[set[AssetKey], set[AssetCheckKey] | None]:
    """The assets and checks a selection picks. Checks are None when they follow the assets (every
    check of a selected asset runs); a selection that names checks resolves them exactly."""
    if selection is None:
        return {k for a in assets if isinstance(a, AssetsDefinition) and a.is_executable for k in a.keys}, None
    if isinstance(selection, str) or hasattr(selection, "resolve"):
        from assetgraph.graph.selection import AssetSelection

        sel = AssetSelection.from_string(selection) if isinstance(selection, str) else selection
        return set(sel.resolve(graph)), set(sel.resolve_checks(graph))
    keys: set[AssetKey] = set()
    checks: set[AssetCheckKey] = set()
    for item in selection:
        if isinstance(item, AssetsDefinition):
            keys.update(item.keys)
        elif isinstance(item, AssetSpec):
            keys.add(item.key)
        elif isinstance(item, AssetChecksDefinition):
            checks.update(item.check_keys)
        elif isinstance(item, AssetCheckKey):
            checks.add(item)
        else:
            keys.add(coerce_asset_key(item))
    if not checks:
        return keys, None
    from assetgraph.graph.selection import checks_of

    return keys, checks | checks_of(graph, keys)


def _runnable_checks(graph: AssetGraph, keys: set[AssetKey], checks: set[AssetCheckKey]) -> set[AssetCheckKey]:
    """Drop the checks an asset reports itself when that asset is not in the run: nothing can
    evaluate them (a selection of such a check alone still reaches the planner's error)."""
    from assetgraph.execution.plan import checks_def_for

    return {ck for ck in checks if ck.asset_key in keys or checks_def_for(graph, ck) is not None}


def materialize(
    assets: Sequence[AssetsDefinition | AssetSpec | AssetChecksDefinition],
    selection: Any = None,
    partition_key: str | None = None,
    instance: Instance | None = None,
    resources: Mapping[str, Any] | None = None,
    run_config: Any = None,
    tags: Mapping[str, str] | None = None,
    raise_on_error: bool = True,
    *,
    partition_range: Any = None,
    check_keys: Sequence[AssetCheckKey] | None = None,
    progress: ProgressCallback | None = None,
    run_id: str | None = None,
    executor: Any = None,
) -> ExecuteResult:
    """Materialise ``assets`` (or the ``selection`` among them) in this process.

    Checks of the selected assets run after them. A selection that names checks
    (``AssetSelection.checks(...)``, ``checks_for_assets(...)``, check definitions or
    `AssetCheckKey`s in a list) runs exactly those; when it selects checks only, they run
    against the last stored values (loaded through the IO manager) and nothing is materialised.
    With ``raise_on_error`` (the default) the first failure is raised, wrapped with the asset
    key, partition and run id.

    >>> @asset
    ... def numbers():
    ...     return [1, 2, 3]
    >>> @asset
    ... def total(numbers):
    ...     return sum(numbers)
    >>> result = materialize([numbers, total])
    >>> result.success, result.asset_value("total")
    (True, 6)
    """
    defs = Definitions(assets=assets)
    return execute_definitions(defs, selection=selection, assets=assets, partition_key=partition_key,
                               partition_range=partition_range, instance=instance, resources=resources,
                               run_config=run_config, tags=tags, raise_on_error=raise_on_error,
                               check_keys=check_keys, progress=progress, run_id=run_id, executor=executor)


def materialize_to_memory(
    assets: Sequence[AssetsDefinition | AssetSpec | AssetChecksDefinition],
    selection: Any = None,
    partition_key: str | None = None,
    instance: Instance | None = None,
    resources: Mapping[str, Any] | None = None,
    run_config: Any = None,
    tags: Mapping[str, str] | None = None,
    raise_on_error: bool = True,
) -> ExecuteResult:
    """Like `materialize`, but every asset's value stays in memory (an `InMemoryIOManager`)."""
    memory = InMemoryIOManager()
    given = dict(resources or {})
    for a in assets:
        if isinstance(a, AssetsDefinition):
            given[a.io_manager_key] = memory
    given.setdefault("io_manager", memory)
    return materialize(assets, selection=selection, partition_key=partition_key, instance=instance, resources=given,
                       run_config=run_config, tags=tags, raise_on_error=raise_on_error)


def execute_definitions(
    defs: Definitions,
    *,
    selection: Any = None,
    assets: Sequence[Any] | None = None,
    partition_key: str | None = None,
    partition_range: Any = None,
    instance: Instance | None = None,
    resources: Mapping[str, Any] | None = None,
    run_config: Any = None,
    tags: Mapping[str, str] | None = None,
    raise_on_error: bool = True,
    check_keys: Sequence[AssetCheckKey] | None = None,
    progress: ProgressCallback | None = None,
    run_id: str | None = None,
    partition_keys: Sequence[str] | None = None,
    executor: Any = None,
) -> ExecuteResult:
    """Plan and execute a run of ``defs`` in this process (what `materialize` and the CLI use).

    ``executor`` (else ``defs.executor`` when it declares a `DaskExecutor`) chooses where the
    steps run; see `_run_executor`.
    """
    from assetgraph.definitions.config import normalize_run_config

    graph = defs.get_asset_graph()
    if instance is None:
        from assetgraph.storage.instance import Instance

        instance = Instance.ephemeral()
    inst = instance
    runner = _run_executor(executor, defs, resources, progress, inst)
    keys, selected_checks = _resolve_selection(graph, selection, assets if assets is not None else defs.assets)
    keys = {k for k in keys if graph.get(k).is_executable}
    if check_keys is None and selected_checks is not None:
        runnable = _runnable_checks(graph, keys, selected_checks)
        check_keys = sorted(runnable if keys or runnable else selected_checks)
    if not keys and not check_keys:
        raise SelectionError("The selection contains no asset that can be materialised (external assets are "
                             "materialised elsewhere).")
    now = datetime.now(UTC)
    partitions = _partition_request(partition_key, partition_range, partition_keys)
    plan = build_plan(graph, keys, check_keys=check_keys, partitions=partitions, now=now,
                      dynamic_partitions_store=inst)
    config = normalize_run_config(run_config)
    run = Run(run_id=run_id or str(uuid.uuid4()), status=RunStatus.STARTING, tags=dict(tags or {}),
              asset_selection=tuple(sorted(keys)), partition_key=partition_key,
              asset_check_selection=tuple(sorted(check_keys)) if check_keys is not None else None,
              partition_range=(partitions.range.start, partitions.range.end) if partitions and partitions.range else None,
              partition_keys=tuple(partitions.keys) if partitions and len(partitions.keys) > 1 else (),
              run_config=config, create_time=now.timestamp())
    inst.register_assets({k: graph.get(k).partitions_def for k in plan.asset_keys})
    inst.create_run(run)
    given = {**defs.resources, **dict(resources or {})}
    default_io = FilesystemIOManager(_storage_dir(inst))
    with run_resources(given, default_io, config) as res:
        services = StepServices(run_id=run.run_id, graph=graph, resources=res, run_config=config, instance=inst,
                                now=now, write=lambda events: None, run_tags=run.tags, eager_step_start=False)
        outcome = run_plan(run, plan, services, inst, executor=runner)
        result = ExecuteResult(outcome, graph, res.original_dict(), plan)
    if raise_on_error and not outcome.success:
        error = outcome.first_error
        if error is not None:
            raise error
        raise RunFailedError(f"Run {run.run_id} failed: a blocking check failed, so downstream assets were skipped.")
    return result


def _run_executor(executor: Any, defs: Definitions, resources: Mapping[str, Any] | None,
                  progress: ProgressCallback | None, instance: Any) -> Any:
    """The executor of a materialize-style run. An executor object is used as it is; a declaration
    (`assetgraph.DaskExecutor`, ...) is turned into one. Without either, a `DaskExecutor` declared
    on ``defs`` is used; other declarations keep these runs in this process, as before."""
    from assetgraph.definitions import executors as declared

    choice = executor
    if choice is None and isinstance(defs.executor, declared.DaskExecutor):
        if getattr(instance, "is_ephemeral", False):
            # `assetgraph check --materialize` and tests run into an in-memory instance, which
            # workers cannot reach; an executor passed explicitly is refused instead.
            _log.info("Definitions declare a DaskExecutor, but the instance is in memory: running in process.")
        else:
            choice = defs.executor
    if choice is None or isinstance(choice, declared.InProcessExecutor):
        return InProcessExecutor(progress)
    if isinstance(choice, declared.MultiprocessExecutor):
        from assetgraph.execution.multiprocess import MultiprocessExecutor

        return MultiprocessExecutor(choice.max_concurrent, progress=progress)
    if isinstance(choice, declared.DaskExecutor):
        from assetgraph.execution.dask_executor import DaskExecutor

        choice = DaskExecutor(choice.address, choice.n_workers)
    if hasattr(choice, "for_run"):  # the Dask executor: refuse an in-memory instance before the run exists
        from assetgraph.execution.dask_executor import require_shared_instance

        require_shared_instance(instance)
        return choice.for_run(defs, resources, progress)
    return choice


def _storage_dir(instance: Any) -> str:
    """Where the default IO manager keeps values: the instance's storage folder, or a temporary
    folder that lives as long as an ephemeral instance."""
    path = getattr(instance, "storage_dir", None)
    if path is None:
        import tempfile

        path = tempfile.mkdtemp(prefix="assetgraph-ephemeral-")
        with contextlib.suppress(AttributeError):
            instance.storage_dir = path
    return str(path)


def _partition_request(partition_key: str | None, partition_range: Any,
                       partition_keys: Sequence[str] | None = None) -> PartitionRequest | None:
    given = [x for x in (partition_key, partition_range, partition_keys) if x is not None]
    if len(given) > 1:
        raise SelectionError("Pass one of partition_key, partition_range or partition_keys.")
    if partition_key is not None:
        return PartitionRequest.single(partition_key)
    if partition_keys is not None:
        if not partition_keys:
            raise SelectionError("partition_keys is empty.")
        return PartitionRequest(keys=tuple(partition_keys))
    if partition_range is not None:
        from assetgraph.definitions.partitions.base import PartitionKeyRange

        rng = partition_range if isinstance(partition_range, PartitionKeyRange) else PartitionKeyRange(*partition_range)
        return PartitionRequest(range=rng)
    return None
