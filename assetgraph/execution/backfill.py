"""Backfills: a stored record that materialises a selection over many partitions, chunk by chunk.

A backfill is created once (`create_backfill`) and then advanced: in the foreground by the
CLI (`run_backfill_in_process`), or by the daemon, which submits each chunk as a QUEUED run
(`advance_backfill`). Progress lives in the record after every chunk, so a backfill resumes
where it stopped after any crash. Chunks follow the assets' `BackfillPolicy`: one run for the
whole range (single-run), or runs of at most N partitions (multi-run; the default is one
partition per run). Must not import codelocation or later layers.
"""

from __future__ import annotations

import enum
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from assetgraph.definitions.errors import PartitionError, SelectionError
from assetgraph.definitions.events import (
    ALL_STEPS,
    MAX_RETRIES_TAG,
    PARENT_RUN_TAG,
    RETRY_NUMBER_TAG,
    RETRY_STRATEGY_TAG,
    ROOT_RUN_TAG,
    EventType,
    Run,
    RunStatus,
)
from assetgraph.definitions.keys import AssetKey
from assetgraph.execution.plan import PartitionRequest

if TYPE_CHECKING:
    from assetgraph.definitions.definitions import Definitions
    from assetgraph.definitions.partitions.base import PartitionKeyRange, PartitionsDefinition
    from assetgraph.graph.asset_graph import AssetGraph


class BackfillStatus(enum.StrEnum):
    REQUESTED = "REQUESTED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"

    @property
    def is_finished(self) -> bool:
        return self in (BackfillStatus.COMPLETED, BackfillStatus.FAILED, BackfillStatus.CANCELED)


BACKFILL_TAG = "assetgraph/backfill"


@dataclass(frozen=True)
class Chunk:
    """The partitions of one run of a backfill."""

    index: int
    keys: tuple[str, ...] = ()
    range: tuple[str, str] | None = None

    def request(self) -> PartitionRequest:
        from assetgraph.definitions.partitions.base import PartitionKeyRange

        if self.range is not None:
            return PartitionRequest(range=PartitionKeyRange(*self.range))
        return PartitionRequest(keys=self.keys)

    def describe(self) -> str:
        return f"{self.range[0]}...{self.range[1]}" if self.range else ", ".join(self.keys)


def _anchor(graph: AssetGraph, keys: Sequence[AssetKey], request: PartitionRequest, store: Any,
            now: datetime) -> PartitionsDefinition:
    """The partitions definition the requested keys belong to: the first selected asset (in
    topological order) whose definition contains them."""
    wanted = list(request.keys) if request.range is None else [request.range.start, request.range.end]
    selected = set(keys)
    for key in graph.toposort():
        if key not in selected:
            continue
        pdef = graph.get(key).partitions_def
        if pdef is not None and all(pdef.has_partition_key(k, current_time=now, dynamic_partitions_store=store)
                                    for k in wanted):
            return pdef
    partitioned = [k.to_user_string() for k in keys if graph.get(k).partitions_def is not None]
    if not partitioned:
        raise PartitionError("A backfill needs partitioned assets; the selection has none.")
    for key in keys:
        pdef = graph.get(key).partitions_def
        if pdef is not None:
            for k in wanted:
                pdef.validate_partition_key(k, current_time=now, dynamic_partitions_store=store)
    raise PartitionError(f"No selected asset has all of the partitions {', '.join(wanted)}.")


def chunk_size(graph: AssetGraph, keys: Sequence[AssetKey]) -> int | None:
    """Partitions per run for a phase: None for one run over everything (every asset single-run).
    Without a policy an asset gets one partition per run, as in Dagster."""
    policies = [graph.assets_def_for(k).backfill_policy for k in keys]
    if policies and all(p is not None and p.is_single_run for p in policies):
        return None
    sizes = [p.max_partitions_per_run for p in policies if p is not None and not p.is_single_run]
    return max(1, min(sizes)) if sizes else 1


@dataclass
class Phase:
    """Assets backfilled together: one partitions definition (or none), one target subset.
    Phases run in order, so a weekly roll-up starts after all of its days exist."""

    keys: list[AssetKey]
    partitions_def: PartitionsDefinition | None
    target: Any
    chunk_size: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"keys": [k.to_user_string() for k in self.keys],
                "partitions_def": self.partitions_def.to_dict() if self.partitions_def is not None else None,
                "target": self.target.to_dict() if self.target is not None else None,
                "chunk_size": self.chunk_size,
                "num_partitions": len(self.target) if self.target is not None else 1}

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Phase:
        from assetgraph.definitions.partitions import partitions_def_from_dict, partitions_subset_from_dict

        pdef = partitions_def_from_dict(data["partitions_def"]) if data["partitions_def"] is not None else None
        target = partitions_subset_from_dict(data["target"], pdef) if pdef is not None else None
        return Phase([AssetKey.from_user_string(k) for k in data["keys"]], pdef, target, data["chunk_size"])


def plan_phases(graph: AssetGraph, keys: Sequence[AssetKey], anchor: PartitionsDefinition, target: Any,
                now: datetime, store: Any) -> list[Phase]:
    """Split the selection into phases in topological order, mapping the target partitions
    from the anchor definition through each dependency's partition mapping."""
    from assetgraph.definitions.partitions.mapping import default_partition_mapping

    selected = set(keys)
    targets: dict[AssetKey, Any] = {}
    phases: list[Phase] = []
    for key in graph.toposort():
        if key not in selected:
            continue
        node = graph.get(key)
        pdef = node.partitions_def
        if pdef is None:
            subset = None
        elif pdef == anchor:
            subset = target
        else:
            subset = None
            for dep in node.spec.deps:
                up = targets.get(dep.asset_key)
                if up is None:
                    continue
                up_def = graph.get(dep.asset_key).partitions_def
                mapping = dep.partition_mapping or default_partition_mapping(up_def, pdef)
                down = mapping.get_downstream_partitions(up, up_def, pdef, current_time=now,
                                                         dynamic_partitions_store=store)
                subset = down if subset is None else subset | down
            if subset is None:
                raise PartitionError(
                    f'Asset "{key.to_user_string()}" has partitions of another kind than the backfill\'s and no '
                    f"selected upstream to map them from; backfill it on its own."
                )
        targets[key] = subset
        last = phases[-1] if phases else None
        # Parents come earlier in topological order, so they sit in this phase or a finished one.
        if last is not None and last.partitions_def == pdef and _same(last.target, subset):
            last.keys.append(key)
        else:
            phases.append(Phase([key], pdef, subset, None))
    for phase in phases:
        phase.chunk_size = chunk_size(graph, phase.keys) if phase.partitions_def is not None else None
    return phases


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return bool(a.to_dict() == b.to_dict())


def create_backfill(
    instance: Any,
    graph: AssetGraph,
    asset_keys: Sequence[AssetKey],
    partitions: PartitionRequest,
    *,
    tags: Mapping[str, str] | None = None,
    location: str | None = None,
    failed_and_missing_only: bool = False,
    now: datetime | None = None,
) -> str:
    """Store a new backfill (status REQUESTED) and return its id. Validates before storing."""
    now = now or datetime.now(UTC)
    keys = sorted(k for k in asset_keys if graph.get(k).is_executable)
    if not keys:
        raise SelectionError("The backfill's selection contains no asset that can be materialised.")
    anchor = _anchor(graph, keys, partitions, instance, now)
    # Status is kept under the definitions it is compared with (failed-and-missing, progress).
    instance.register_assets({k: graph.get(k).partitions_def for k in keys})
    target = _target_subset(anchor, partitions)
    if failed_and_missing_only:
        target = _failed_and_missing(instance, graph, keys, anchor, target)
    phases = [p.to_dict() for p in plan_phases(graph, keys, anchor, target, now, instance)]
    body = {
        "selection": [k.to_user_string() for k in keys],
        "partitions": _describe_request(partitions),
        "phases": phases,
        "num_partitions": sum(p["num_partitions"] for p in phases),
        "phase": 0,
        "cursor": 0,
        "runs": {},
        "failed_chunks": [],
        "done_partitions": 0,
        "failed_partitions": 0,
        "tags": dict(tags or {}),
        "location": location,
        "failed_and_missing_only": failed_and_missing_only,
    }
    backfill_id = uuid.uuid4().hex[:12]
    instance.add_backfill(backfill_id, BackfillStatus.REQUESTED.value, body)
    return backfill_id


def _describe_request(request: PartitionRequest) -> dict[str, Any]:
    if request.range is not None:
        return {"range": [request.range.start, request.range.end]}
    return {"keys": list(request.keys)}


def _target_subset(anchor: PartitionsDefinition, request: PartitionRequest) -> Any:
    if request.range is not None:
        return anchor.subset_with_key_range(request.range)
    return anchor.subset_with_keys(request.keys)


def _failed_and_missing(instance: Any, graph: AssetGraph, keys: Sequence[AssetKey], anchor: PartitionsDefinition,
                        target: Any) -> Any:
    """The part of ``target`` that some selected asset has not materialised (missing or failed)."""
    todo = anchor.empty_subset()
    for key in keys:
        if graph.get(key).partitions_def != anchor:
            continue
        status = instance.get_partition_status(key)
        todo = todo | (target - status.materialized)
    return todo


def _chunker(phase: Phase) -> Callable[[int], Chunk | None]:
    """Chunk ``i`` of a phase, or None past its end. Single-run phases keep ranges as ranges
    (never expanded); multi-run ones walk the keys."""
    if phase.partitions_def is None:
        return lambda i: Chunk(i) if i == 0 else None
    size = phase.chunk_size
    if size is None:
        ranges = [(r.start, r.end) for r in phase.target.ranges]
        return lambda i: Chunk(i, range=ranges[i]) if i < len(ranges) else None
    keys: list[str] = list(phase.target.get_partition_keys())
    pdef = phase.partitions_def

    def chunk(i: int) -> Chunk | None:
        part = keys[i * size:(i + 1) * size]
        if not part:
            return None
        if len(part) > 1 and pdef.get_partition_keys_in_range(_krange(part[0], part[-1])) == part:
            return Chunk(i, range=(part[0], part[-1]))
        return Chunk(i, keys=tuple(part))

    return chunk


def _krange(start: str, end: str) -> PartitionKeyRange:
    from assetgraph.definitions.partitions.base import PartitionKeyRange

    return PartitionKeyRange(start, end)


class BackfillProgress:
    """A backfill record read back, with its phases and chunks."""

    def __init__(self, instance: Any, backfill_id: str) -> None:
        record = instance.get_backfill(backfill_id)
        if record is None:
            raise SelectionError(f"No backfill {backfill_id!r}.")
        self.instance = instance
        self.id = backfill_id
        self.status = BackfillStatus(record.status)
        self.body: dict[str, Any] = dict(record.body)
        self.phases = [Phase.from_dict(p) for p in self.body["phases"]]
        self._chunkers: dict[int, Callable[[int], Chunk | None]] = {}

    @property
    def keys(self) -> list[AssetKey]:
        return [AssetKey.from_user_string(k) for k in self.body["selection"]]

    def slot(self) -> str:
        """The current chunk's key in the body's ``runs`` and ``retries``: ``PHASE:CURSOR``."""
        return f"{self.body['phase']}:{self.body['cursor']}"

    def current(self) -> tuple[Phase, Chunk] | None:
        """The chunk to run next, moving on to the next phase when one is exhausted."""
        while self.body["phase"] < len(self.phases):
            index = self.body["phase"]
            if index not in self._chunkers:
                self._chunkers[index] = _chunker(self.phases[index])
            chunk = self._chunkers[index](self.body["cursor"])
            if chunk is not None:
                return self.phases[index], chunk
            self.body["phase"] += 1
            self.body["cursor"] = 0
        return None

    def run_for_chunk(self, chunk: Chunk) -> str | None:
        """The run of ``chunk`` in the current phase."""
        return self.body["runs"].get(f"{self.body['phase']}:{chunk.index}")

    def run_for_current(self) -> str | None:
        return self.body["runs"].get(self.slot())

    def assign_run(self, run_id: str) -> None:
        self.body["runs"][self.slot()] = run_id

    def save(self, status: BackfillStatus | None = None) -> None:
        if status is not None:
            self.status = status
        self.instance.update_backfill(self.id, self.status.value, self.body)

    def record_outcome(self, phase: Phase, chunk: Chunk, run_status: RunStatus, failed: int | None = None) -> None:
        """Count the chunk's partitions as done or failed. ``failed`` (from partition status)
        lets a failed single-run chunk count only the partitions that really failed."""
        if phase.partitions_def is None:
            n = 1
        elif chunk.range is not None:
            n = len(phase.partitions_def.subset_with_key_range(_krange(*chunk.range)))
        else:
            n = len(chunk.keys)
        if run_status == RunStatus.SUCCESS:
            self.body["done_partitions"] += n
        else:
            bad = n if failed is None or failed == 0 else min(failed, n)
            self.body["failed_partitions"] += bad
            self.body["done_partitions"] += n - bad
            self.body["failed_chunks"].append(self.slot())
        self.body["cursor"] = chunk.index + 1

    def finish_status(self) -> BackfillStatus:
        return BackfillStatus.FAILED if self.body["failed_chunks"] else BackfillStatus.COMPLETED


def _run_for_chunk(progress: BackfillProgress, phase: Phase, chunk: Chunk, run_id: str, status: RunStatus,
                   location: str | None = None) -> Run:
    """The run of ``chunk``; a retry (recorded under ``retries`` for the current slot) selects only
    what its failed parent left undone and links to it."""
    tags = {**progress.body.get("tags", {}), BACKFILL_TAG: progress.id}
    keys = tuple(phase.keys)
    parent = root = None
    retry = progress.body.get("retries", {}).get(progress.slot())
    if retry is not None and retry["run_id"] == run_id:
        keys = tuple(AssetKey.from_user_string(k) for k in retry["keys"])
        parent, root = retry["parent"], retry["root"]
        tags.update({PARENT_RUN_TAG: parent, ROOT_RUN_TAG: root, RETRY_NUMBER_TAG: str(retry["number"])})
    return Run(run_id=run_id, status=status, tags=tags, asset_selection=keys,
               partition_key=chunk.keys[0] if len(chunk.keys) == 1 else None,
               partition_range=chunk.range, partition_keys=chunk.keys if len(chunk.keys) > 1 else (),
               backfill_id=progress.id, code_location=location or progress.body.get("location"),
               parent_run_id=parent, root_run_id=root, create_time=time.time())


def run_backfill_in_process(
    instance: Any,
    defs: Definitions,
    backfill_id: str,
    *,
    on_chunk: Callable[[Chunk, RunStatus, BackfillProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> BackfillProgress:
    """Advance a backfill to its end in this process (the CLI's foreground mode); resumable."""
    from assetgraph.execution.materialize import execute_definitions

    progress = BackfillProgress(instance, backfill_id)
    if progress.status.is_finished:
        return progress
    progress.save(BackfillStatus.IN_PROGRESS)
    _settle_interrupted_chunk(progress)
    while True:
        current = BackfillProgress(instance, backfill_id).status
        if current in (BackfillStatus.CANCELING, BackfillStatus.CANCELED) or (should_stop and should_stop()):
            progress.save(BackfillStatus.CANCELED)
            return progress
        step = progress.current()
        if step is None:
            progress.save(progress.finish_status())
            return progress
        phase, chunk = step
        run_id = str(uuid.uuid4())
        progress.assign_run(run_id)
        progress.save()
        request = chunk.request() if phase.partitions_def is not None else None
        result = execute_definitions(
            defs, selection=phase.keys, instance=instance, raise_on_error=False, run_id=run_id,
            partition_key=request.keys[0] if request is not None and len(request.keys) == 1 else None,
            partition_range=(request.range.start, request.range.end) if request is not None and request.range else None,
            partition_keys=request.keys if request is not None and len(request.keys) > 1 else None,
            tags={**progress.body.get("tags", {}), BACKFILL_TAG: backfill_id},
        )
        status = RunStatus.SUCCESS if result.success else RunStatus.FAILURE
        progress.record_outcome(phase, chunk, status, _failed_in_chunk(instance, phase, chunk))
        progress.save()
        if on_chunk is not None:
            on_chunk(chunk, status, progress)


def _failed_in_chunk(instance: Any, phase: Phase, chunk: Chunk) -> int | None:
    """How many of the chunk's partitions are marked failed for some asset of the phase."""
    pdef = phase.partitions_def
    if pdef is None:
        return None
    subset = pdef.subset_with_key_range(_krange(*chunk.range)) if chunk.range else pdef.subset_with_keys(chunk.keys)
    failed = pdef.empty_subset()
    for key in phase.keys:
        failed = failed | (instance.get_partition_status(key).failed & subset)
    return len(failed)


def _settle_interrupted_chunk(progress: BackfillProgress) -> None:
    """A chunk whose run started but whose process died: mark that run FAILURE (its worker is
    gone) so nothing stays STARTED, and run the chunk again."""
    run_id = progress.run_for_current()
    if run_id is None:
        return
    run = progress.instance.get_run(run_id)
    if run is not None and run.status.is_finished:
        step = progress.current()
        if step is not None:
            progress.record_outcome(step[0], step[1], run.status)
            progress.save()
        return
    if run is not None:
        progress.instance.update_run(run_id, status=RunStatus.FAILURE, end_time=time.time())


def _undone_keys(instance: Any, phase: Phase, chunk: Chunk, run: Run) -> list[AssetKey]:
    """The assets of ``run``'s selection that it did not materialise for every partition of ``chunk``."""
    pdef = phase.partitions_def
    records = instance.get_event_records(event_type=EventType.ASSET_MATERIALIZATION, run_id=run.run_id)
    undone = []
    for key in run.asset_selection:
        mine = [r for r in records if r.asset_key == key]
        if pdef is None:
            done = bool(mine)
        else:
            wanted = pdef.subset_with_key_range(_krange(*chunk.range)) if chunk.range else pdef.subset_with_keys(
                chunk.keys)
            got = pdef.empty_subset()
            for r in mine:
                if r.partition_range is not None:
                    got = got | pdef.subset_with_key_range(_krange(*r.partition_range))
                elif r.partition is not None:
                    got = got | pdef.subset_with_keys([r.partition])
            done = len(wanted - got) == 0
        if not done:
            undone.append(key)
    return undone


WORKER_LOST = "worker_lost"  # in the data of a RUN_FAILURE written because the run's worker is gone


def _worker_lost(instance: Any, run: Run) -> bool:
    """Whether ``run`` failed because its worker went away (run monitoring), not through its steps."""
    failures = instance.get_event_records(event_type=EventType.RUN_FAILURE, run_id=run.run_id)
    return any(r.data.get(WORKER_LOST) for r in failures)


def _retry_chunk(progress: BackfillProgress, phase: Phase, chunk: Chunk, run: Run, max_retries: int,
                 retry_strategy: str) -> str | None:
    """Record a retry of the failed run of ``chunk`` in the current slot, when the backfill's retry
    policy allows one and something is left to do; return the retry's run id (not yet submitted)."""
    policy = progress.body.get("tags", {})
    number = int(run.tags.get(RETRY_NUMBER_TAG, 0))
    if run.status != RunStatus.FAILURE or number >= int(policy.get(MAX_RETRIES_TAG, max_retries)):
        return None
    strategy = policy.get(RETRY_STRATEGY_TAG, retry_strategy)
    keys = list(phase.keys) if strategy == ALL_STEPS else _undone_keys(progress.instance, phase, chunk, run)
    if not keys:
        return None
    run_id = str(uuid.uuid4())
    progress.body.setdefault("retries", {})[progress.slot()] = {
        "run_id": run_id, "parent": run.run_id, "root": run.root_run_id or run.run_id, "number": number + 1,
        "keys": [k.to_user_string() for k in keys]}
    progress.assign_run(run_id)
    return run_id


def advance_backfill(instance: Any, backfill_id: str, submit: Callable[[Run], None],
                     location: str | None = None, *, max_retries: int = 0,
                     retry_strategy: str = "FROM_FAILURE") -> BackfillStatus:
    """One step of a daemon-driven backfill: record the outcome of the chunk in flight (if its
    run finished) and submit the next chunk as a QUEUED run. Safe to call again after a crash:
    a chunk's run id is stored before the run is submitted, and submitted at most once.

    A chunk whose run failed is run again, up to the backfill's ``assetgraph/max_retries`` tag (else
    ``max_retries``) times, with its ``assetgraph/retry_strategy`` (else ``retry_strategy``): a retry
    of ``FROM_FAILURE`` selects only the assets the failed run did not materialise for the chunk. The
    chunk's outcome is that of its last run."""
    progress = BackfillProgress(instance, backfill_id)
    if progress.status.is_finished:
        return progress.status
    in_flight = progress.run_for_current()
    run = instance.get_run(in_flight) if in_flight else None
    if progress.status == BackfillStatus.CANCELING:
        if run is None or run.status.is_finished:
            progress.save(BackfillStatus.CANCELED)
        return progress.status
    if in_flight is not None:
        step = progress.current()
        if run is None and step is not None:
            submit(_run_for_chunk(progress, step[0], step[1], in_flight, RunStatus.QUEUED, location))
            return progress.status
        if run is not None and not run.status.is_finished:
            return progress.status
        if run is not None and step is not None:
            if run.status == RunStatus.FAILURE and _worker_lost(instance, run) and not _undone_keys(
                    instance, step[0], step[1], run):
                progress.record_outcome(step[0], step[1], RunStatus.SUCCESS)  # its worker died after the last write
            else:
                retry = _retry_chunk(progress, step[0], step[1], run, max_retries, retry_strategy)
                if retry is not None:
                    progress.save(BackfillStatus.IN_PROGRESS)
                    submit(_run_for_chunk(progress, step[0], step[1], retry, RunStatus.QUEUED, location))
                    return progress.status
                progress.record_outcome(step[0], step[1], run.status)
    step = progress.current()
    if step is None:
        progress.save(progress.finish_status())
        return progress.status
    run_id = str(uuid.uuid4())
    progress.assign_run(run_id)
    progress.save(BackfillStatus.IN_PROGRESS)
    submit(_run_for_chunk(progress, step[0], step[1], run_id, RunStatus.QUEUED, location))
    return progress.status


def cancel_backfill(instance: Any, backfill_id: str) -> None:
    """Ask a backfill to stop: no new chunk starts; the one in flight finishes."""
    progress = BackfillProgress(instance, backfill_id)
    if not progress.status.is_finished:
        progress.save(BackfillStatus.CANCELING)
