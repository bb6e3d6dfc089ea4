"""What the GraphQL resolvers do: reads through the instance and the snapshot indexes; writes
through the instance and the functions every launcher shares (`codelocation.launch` for runs,
`execution.backfill` for backfills, `orchestration.instigators` for schedule and sensor state).

Plain synchronous functions over plain values, so they run in a worker thread and are tested
without HTTP. No SQL (storage owns it) and no GraphQL types. Must not import strawberry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from assetgraph.definitions.errors import PartitionError, SelectionError, close_matches
from assetgraph.definitions.events import (
    AssetCheckEvaluation,
    AssetMaterialization,
    EventRecord,
    EventType,
    Run,
    RunStatus,
)
from assetgraph.definitions.keys import AssetCheckKey, AssetKey
from assetgraph.definitions.partitions.base import PartitionKeyRange, PartitionsDefinition
from assetgraph.server.index import LocationIndex, WorkspaceIndex
from assetgraph.server.partition_view import status_for_definition
from assetgraph.storage.captured_logs import CapturedLogFile, LogChunk, LogStream, read_chunk
from assetgraph.storage.daemon_state import BackfillRecord, TickRecord
from assetgraph.storage.instance import Instance
from assetgraph.storage.status import PartitionStatus

MAX_PAGE = 1000


class RequestError(ValueError):
    """A request does not fit: unknown run, bad page size, nothing to re-execute. Shown to clients."""


def check_first(first: int, maximum: int = MAX_PAGE) -> int:
    """Validate a page size; absurd values are an error, not a 500 or a huge read."""
    if not 0 <= first <= maximum:
        raise RequestError(f"`first` must be between 0 and {maximum}, got {first}.")
    return first


def _now() -> datetime:
    return datetime.now(UTC)


# -- assets -------------------------------------------------------------------------------------


def select_assets(index: WorkspaceIndex, selection: str | None) -> list[tuple[LocationIndex, AssetKey]]:
    """Every asset, or those a selection string picks (raises `SelectionError` with the position)."""
    if selection is None or not selection.strip():
        return index.all_keys()
    return index.select(selection)


def find_asset(index: WorkspaceIndex, key: AssetKey) -> LocationIndex | None:
    return index.location_by_key.get(key)


def require_asset(index: WorkspaceIndex, key: AssetKey) -> LocationIndex:
    loc = index.location_by_key.get(key)
    if loc is None:
        known = [k.to_user_string() for k in index.location_by_key]
        hint = close_matches(key.to_user_string(), known)
        suffix = f"\n  did you mean: {', '.join(hint)}" if hint else ""
        raise RequestError(f'No asset "{key.to_user_string()}" in any loaded code location.{suffix}')
    return loc


def latest_materializations(instance: Instance, keys: Sequence[AssetKey]) -> list[EventRecord | None]:
    """The newest materialization of each key, in one batch."""
    found = instance.get_latest_materialization_events(keys)
    return [found.get(k) for k in keys]


def materializations(instance: Instance, key: AssetKey, first: int, partition: str | None) -> list[EventRecord]:
    """A key's materializations, newest first."""
    return instance.get_event_records(EventType.ASSET_MATERIALIZATION, asset_key=key, partition=partition,
                                      limit=check_first(first), ascending=False)


def partition_statuses(instance: Instance, index: WorkspaceIndex, keys: Sequence[AssetKey]) -> list[PartitionStatus]:
    """Each key's partition status under its location's current partitions definition, in one read."""
    stored = instance.get_partition_status_snapshot(keys)
    now = _now()
    result = []
    for key in keys:
        loc = index.location_by_key.get(key)
        pdef = loc.graph.get(key).partitions_def if loc is not None else stored[key].partitions_def
        result.append(status_for_definition(stored[key], pdef, instance, now))
    return result


def latest_check_results(instance: Instance, check_keys: Sequence[AssetCheckKey]) -> list[AssetCheckEvaluation | None]:
    return [instance.get_latest_check_result(k) for k in check_keys]


def check_history(instance: Instance, check_key: AssetCheckKey, first: int) -> list[AssetCheckEvaluation]:
    return instance.get_check_history(check_key, limit=check_first(first))


def wipe_assets(instance: Instance, keys: Sequence[AssetKey]) -> list[AssetKey]:
    if not keys:
        raise RequestError("wipeAssets needs at least one asset key.")
    instance.wipe_assets(keys)
    return list(keys)


def report_materialization(instance: Instance, index: WorkspaceIndex, key: AssetKey, partition: str | None,
                           metadata: Mapping[str, Any] | None, description: str | None) -> EventRecord:
    """Record a materialization that happened outside assetgraph (external assets, usually)."""
    loc = require_asset(index, key)
    pdef = loc.graph.get(key).partitions_def
    if pdef is None and partition is not None:
        raise PartitionError(f'Asset "{key.to_user_string()}" is not partitioned; report it without a partition.')
    if pdef is not None:
        if partition is None:
            raise PartitionError(f'Asset "{key.to_user_string()}" is partitioned; give the partition that was materialized.')
        pdef.validate_partition_key(partition, dynamic_partitions_store=instance)
    instance.register_assets({key: pdef})
    return instance.report_runless_asset_event(
        AssetMaterialization(key, partition=partition, metadata=dict(metadata or {}), description=description))


# -- dynamic partitions -------------------------------------------------------------------------


def dynamic_partition_names(index: WorkspaceIndex) -> set[str]:
    names: set[str] = set()
    for loc in index.locations:
        for key in loc.order:
            _collect_dynamic(loc.graph.get(key).partitions_def, names)
    return names


def _collect_dynamic(pdef: Any, names: set[str]) -> None:
    if pdef is None:
        return
    data = pdef.to_dict()
    if data.get("type") == "dynamic":
        names.add(str(data["name"]))
    for sub in getattr(pdef, "partitions_defs", {}).values() if data.get("type") == "multi" else ():
        _collect_dynamic(sub, names)


def _require_dynamic_name(index: WorkspaceIndex, name: str) -> None:
    names = dynamic_partition_names(index)
    if name not in names:
        hint = close_matches(name, sorted(names))
        known = ", ".join(sorted(names)) or "none"
        raise RequestError(f"No dynamic partitions definition named {name!r} in the workspace (known: {known})."
                           + (f"\n  did you mean: {', '.join(hint)}" if hint else ""))


def add_dynamic_partitions(instance: Instance, index: WorkspaceIndex, name: str, keys: Sequence[str]) -> list[str]:
    _require_dynamic_name(index, name)
    bad = [k for k in keys if not k or k != k.strip() or "|" in k]
    if bad or not keys:
        raise PartitionError(f"Dynamic partition keys must be non-empty, without surrounding spaces or '|': {bad!r}.")
    instance.add_dynamic_partitions(name, list(keys))
    return instance.get_dynamic_partitions(name)


def delete_dynamic_partition(instance: Instance, index: WorkspaceIndex, name: str, key: str) -> list[str]:
    _require_dynamic_name(index, name)
    if not instance.has_dynamic_partition(name, key):
        raise PartitionError(f"Dynamic partitions definition {name!r} has no key {key!r}.")
    instance.delete_dynamic_partition(name, key)
    return instance.get_dynamic_partitions(name)


# -- launching runs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What a launch asks for: executable keys in one code location."""

    location: LocationIndex
    keys: tuple[AssetKey, ...]


def resolve_target(index: WorkspaceIndex, selection: str) -> Target:
    """The executable assets of ``selection``; they must live in one code location."""
    picked = select_assets(index, selection)
    executable = [(loc, k) for loc, k in picked if loc.is_executable(k)]
    if not executable:
        unloaded = index.unloaded()
        raise SelectionError(f"The selection {selection!r} contains no asset that can be materialised "
                             "(external assets are materialised elsewhere)"
                             + (f"; not loaded at the moment: {unloaded}." if unloaded else "."))
    names = sorted({loc.name for loc, _ in executable})
    if len(names) > 1:
        raise SelectionError(f"The selection {selection!r} spans code locations {', '.join(names)}; "
                             "launch one run per location.")
    return Target(executable[0][0], tuple(sorted(k for _, k in executable)))


def _partitions_defs(target: Target) -> list[PartitionsDefinition]:
    found: list[PartitionsDefinition] = []
    for key in target.keys:
        pdef = target.location.graph.get(key).partitions_def
        if pdef is not None and pdef not in found:
            found.append(pdef)
    return found


def launch_run(instance: Instance, index: WorkspaceIndex, selection: str, partition_key: str | None = None,
               partition_range: PartitionKeyRange | None = None, tags: Mapping[str, str] | None = None,
               partition_keys: Sequence[str] | None = None) -> Run:
    """Queue a run of ``selection`` through `assetgraph.codelocation.launch` (the daemon starts it)."""
    from assetgraph.codelocation import launch

    target = resolve_target(index, selection)
    return launch.launch_run(instance, target.location.snapshot, asset_keys=target.keys, partition_key=partition_key,
                             partition_range=(partition_range.start, partition_range.end) if partition_range else None,
                             partition_keys=partition_keys, tags=tags)


def require_run(instance: Instance, run_id: str) -> Run:
    run = instance.get_run(run_id)
    if run is None:
        raise RequestError(f"No run with id {run_id!r}.")
    return run


@dataclass(frozen=True)
class CapturedLogRead:
    """A chunk of a step's captured output, and whether the file can still grow."""

    file: CapturedLogFile
    chunk: LogChunk
    is_complete: bool


def captured_log(instance: Instance, run_id: str, step_key: str, stream: LogStream, cursor: str | None,
                 max_bytes: int, from_end: bool = False) -> CapturedLogRead | None:
    """Read a step's captured ``stream`` from the byte offset ``cursor``; None when the step's output
    was not captured. Raises `RequestError` for an unknown run or a bad cursor or size."""
    run = require_run(instance, run_id)  # read first: a run finished now has a file that no longer grows
    file = instance.get_captured_log(run_id, step_key, stream)
    if file is None:
        return None
    offset = parse_byte_cursor(cursor)
    try:
        chunk = read_chunk(file, offset, max_bytes, from_end=from_end, final=run.status.is_finished)
    except ValueError as exc:
        raise RequestError(str(exc)) from exc
    return CapturedLogRead(file, chunk, run.status.is_finished)


def parse_byte_cursor(cursor: str | None) -> int | None:
    if cursor is None or cursor == "":
        return None
    if not (cursor.isascii() and cursor.isdigit()):
        raise RequestError(f"Log cursor {cursor!r} is not a byte offset (use the previous chunk's `cursor`).")
    return int(cursor)


def cancel_run(instance: Instance, run_id: str) -> Run:
    """Stop a run: a queued one is CANCELED at once, a running one becomes CANCELING (its worker stops it)."""
    from assetgraph.codelocation import launch

    run = require_run(instance, run_id)
    if run.status.is_finished:
        raise RequestError(f"Run {run_id} already finished with status {run.status.value}; nothing to cancel.")
    launch.cancel_run(instance, run_id)
    return require_run(instance, run_id)


def reexecute_run(instance: Instance, index: WorkspaceIndex, run_id: str, from_failure: bool) -> Run:
    """Queue a new run of a finished run's assets (from failure: only those that did not materialise)."""
    from assetgraph.codelocation import launch

    parent = require_run(instance, run_id)
    if not parent.status.is_finished:
        raise RequestError(f"Run {run_id} is {parent.status.value}; re-execute it once it has finished.")
    if from_failure and parent.status == RunStatus.SUCCESS:
        raise RequestError(f"Run {run_id} succeeded; nothing to re-execute from failure (re-execute all instead).")
    location = index.location(parent.code_location or "") if parent.code_location else None
    if location is None:
        location = _location_of_keys(index, parent.asset_selection)
    return launch.reexecute_run(instance, location.snapshot, run_id,
                                launch.FROM_FAILURE if from_failure else launch.ALL_STEPS)


def _location_of_keys(index: WorkspaceIndex, keys: Sequence[AssetKey]) -> LocationIndex:
    for key in keys:
        loc = index.location_by_key.get(key)
        if loc is not None:
            return loc
    raise RequestError("The run's code location is not loaded; reload it before re-executing the run.")


@dataclass(frozen=True)
class RunFilter:
    statuses: tuple[RunStatus, ...] = ()
    tags: Mapping[str, str] | None = None
    backfill_id: str | None = None


def runs_page(instance: Instance, first: int, after: str | None, runs_filter: RunFilter) -> tuple[list[Run], bool]:
    """A page of runs, newest first, after the run id ``after``; and whether more follow."""
    check_first(first)
    statuses = list(runs_filter.statuses) or None
    if after is not None and instance.get_run(after) is None:
        raise RequestError(f"Cursor {after!r} is not a run id (use pageInfo.endCursor).")
    runs = instance.get_runs_page(status=statuses, tags=runs_filter.tags, backfill_id=runs_filter.backfill_id,
                                  after_run_id=after, limit=first + 1)
    return runs[:first], len(runs) > first


def run_events(instance: Instance, run_id: str, after: str | None, first: int) -> tuple[list[EventRecord], bool]:
    """Events of a run after the cursor ``after`` (an event id), oldest first; and whether more follow."""
    check_first(first, 10_000)
    after_id = parse_event_cursor(after)
    records = instance.get_event_records(run_id=run_id, after_id=after_id, limit=first + 1)
    return records[:first], len(records) > first


MAX_EVENT_ID = 2**63 - 1  # the largest id storage can hold (SQLite and PostgreSQL BIGINT)


def parse_event_cursor(after: str | None) -> int | None:
    """An event id from a cursor; `RequestError` for anything else (``str.isdigit`` alone would let
    ``"²"`` or 30-digit numbers through to storage, which fails on them)."""
    if after is None or after == "":
        return None
    if not (after.isascii() and after.isdigit()) or int(after) > MAX_EVENT_ID:
        raise RequestError(f"Event cursor {after[:40]!r} is not an event id (use pageInfo.endCursor).")
    return int(after)


def runs_by_ids(instance: Instance, run_ids: Sequence[str]) -> list[Run | None]:
    return [instance.get_run(r) for r in run_ids]


# -- backfills ----------------------------------------------------------------------------------


def launch_backfill(instance: Instance, index: WorkspaceIndex, selection: str,
                    partition_range: PartitionKeyRange | None, partition_keys: Sequence[str] | None,
                    tags: Mapping[str, str] | None = None, failed_and_missing_only: bool = False) -> BackfillRecord:
    """Request a backfill through `assetgraph.execution.backfill.create_backfill` (it validates and
    writes the body the daemon advances; docs/internals/contracts.md, "Launching work")."""
    from assetgraph.execution.backfill import create_backfill
    from assetgraph.execution.plan import PartitionRequest

    if (partition_range is None) == (partition_keys is None):
        raise RequestError("Give exactly one of partitionRange or partitionKeys.")
    if partition_keys is not None and not partition_keys:
        raise RequestError("partitionKeys is empty.")
    target = resolve_target(index, selection)
    if not _partitions_defs(target):
        raise PartitionError(f"The selection {selection!r} has no partitioned asset; launch a run instead.")
    request = PartitionRequest(range=partition_range) if partition_range is not None else PartitionRequest(
        keys=tuple(partition_keys or ()))
    graph: Any = target.location.graph
    backfill_id = create_backfill(instance, graph, list(target.keys), request,
                                  tags=dict(tags or {}), location=target.location.name,
                                  failed_and_missing_only=failed_and_missing_only)
    return require_backfill(instance, backfill_id)


def require_backfill(instance: Instance, backfill_id: str) -> BackfillRecord:
    record = instance.get_backfill(backfill_id)
    if record is None:
        raise RequestError(f"No backfill with id {backfill_id!r}.")
    return record


def cancel_backfill(instance: Instance, backfill_id: str) -> BackfillRecord:
    """Ask a backfill to stop: no new chunk starts; the run in flight finishes (CANCELING)."""
    from assetgraph.execution import backfill as backfill_engine

    record = require_backfill(instance, backfill_id)
    if record.status not in ("REQUESTED", "IN_PROGRESS"):
        raise RequestError(f"Backfill {backfill_id} is {record.status}; only a REQUESTED or IN_PROGRESS backfill "
                           "can be canceled.")
    backfill_engine.cancel_backfill(instance, backfill_id)
    return require_backfill(instance, backfill_id)


def resume_backfill(instance: Instance, index: WorkspaceIndex, backfill_id: str) -> BackfillRecord:
    """Continue a backfill: a CANCELED one is requested again and goes on from where it stopped; a
    FAILED one gets a new backfill over its failed and missing partitions (returned)."""
    record = require_backfill(instance, backfill_id)
    if record.status == "CANCELED":
        instance.update_backfill(backfill_id, "REQUESTED")
        return require_backfill(instance, backfill_id)
    if record.status != "FAILED":
        raise RequestError(f"Backfill {backfill_id} is {record.status}; only a FAILED or CANCELED backfill can be "
                           "resumed.")
    body = record.body
    partitions = body.get("partitions") or {}
    rng = partitions.get("range")
    from assetgraph.graph.selection import AssetSelection

    # Formatted, not pasted into quotes: keys may hold quotes, backslashes and stars.
    selection = str(AssetSelection.assets(*(AssetKey.from_user_string(k) for k in body.get("selection", []))))
    return launch_backfill(instance, index, selection, PartitionKeyRange(rng[0], rng[1]) if rng else None,
                           None if rng else list(partitions.get("keys") or []),
                           tags={**body.get("tags", {}), "assetgraph/resumed_from": backfill_id},
                           failed_and_missing_only=True)


def backfills(instance: Instance, first: int, status: str | None) -> list[BackfillRecord]:
    return instance.get_backfills(status=status, limit=check_first(first))


@dataclass(frozen=True)
class BackfillPartition:
    partition: str
    status: str
    run_id: str | None


def backfill_partitions(instance: Instance, record: BackfillRecord) -> list[BackfillPartition]:
    """Each targeted partition with the status of the latest run of the backfill that covers it
    (``NOT_STARTED`` when none does yet), in the definition's order, phase by phase."""
    from assetgraph.execution.backfill import Phase

    phases = [Phase.from_dict(p) for p in record.body.get("phases", [])]
    keys: list[str] = []
    seen: set[str] = set()
    for phase in phases:
        if phase.target is not None:
            for key in phase.target.get_partition_keys():
                if key not in seen:
                    seen.add(key)
                    keys.append(key)
    pdefs = [p.partitions_def for p in phases if p.partitions_def is not None]
    latest: dict[str, Run] = {}
    for run in reversed(instance.get_runs(backfill_id=record.backfill_id)):  # oldest first: newer runs win
        for key in _run_partitions(run, pdefs, instance):
            latest[key] = run
    return [BackfillPartition(k, latest[k].status.value if k in latest else "NOT_STARTED",
                              latest[k].run_id if k in latest else None) for k in keys]


def _run_partitions(run: Run, pdefs: Sequence[PartitionsDefinition], instance: Instance) -> list[str]:
    if run.partition_key is not None:
        return [run.partition_key]
    if run.partition_keys:
        return list(run.partition_keys)
    if run.partition_range is not None:
        for pdef in pdefs:
            try:
                return list(pdef.get_partition_keys_in_range(PartitionKeyRange(*run.partition_range),
                                                             dynamic_partitions_store=instance))
            except PartitionError:
                continue
    return []


# -- schedules and sensors ----------------------------------------------------------------------


@dataclass(frozen=True)
class Instigator:
    """A schedule or sensor of a location, with its running state."""

    location: str
    kind: str  # "schedule" or "sensor"
    entry: Mapping[str, Any]
    status: str  # "RUNNING" or "STOPPED"

    @property
    def name(self) -> str:
        return str(self.entry["name"])

    @property
    def id(self) -> str:
        """``LOCATION:NAME``, under which the daemon stores its ticks."""
        from assetgraph.orchestration.instigators import instigator_id

        return instigator_id(self.location, self.name)


def instigators(instance: Instance, index: WorkspaceIndex, kind: str) -> list[Instigator]:
    """Every schedule (``kind="schedules"``) or sensor (``"sensors"``) with its state."""
    from assetgraph.orchestration.instigators import instigator_id, instigator_statuses

    found = [(loc.name, entry) for loc in index.locations for entry in loc.instigators(kind)]
    defaults = {instigator_id(loc, e["name"]): str(e.get("default_status", "STOPPED")) for loc, e in found}
    states = instigator_statuses(instance, defaults)
    return [Instigator(loc, "schedule" if kind == "schedules" else "sensor", entry,
                       states[instigator_id(loc, entry["name"])]) for loc, entry in found]


def set_instigator_state(instance: Instance, index: WorkspaceIndex, kind: str, name: str, running: bool) -> Instigator:
    """Start or stop a schedule or sensor (the daemon reads the state from storage)."""
    from assetgraph.orchestration.instigators import RUNNING, STOPPED, set_instigator_status

    known = instigators(instance, index, kind)
    matches = [i for i in known if i.name == name]
    if not matches:
        hint = close_matches(name, sorted(i.name for i in known))
        raise RequestError(f"No {kind[:-1]} named {name!r} in the workspace."
                           + (f"\n  did you mean: {', '.join(hint)}" if hint else ""))
    found = matches[0]
    status = RUNNING if running else STOPPED
    set_instigator_status(instance, found.location, name, status)
    return Instigator(found.location, found.kind, found.entry, status)


def ticks(instance: Instance, instigator_id: str, first: int) -> list[TickRecord]:
    return instance.get_ticks(instigator_id, limit=check_first(first))



# -- code locations -----------------------------------------------------------------------------


def reload_location(instance: Instance, index: WorkspaceIndex, name: str) -> None:
    """Reload location ``name`` here, after asking the daemon to reload it too (through storage)."""
    from assetgraph.codelocation.workspace import request_reload

    location = index.code_location(name)
    if location is None:
        known = [loc.name for loc in index.all_locations]
        raise RequestError(f"No code location named {name!r} (known: {', '.join(known) or 'none'}).")
    request_reload(instance, name)
    location.reload()
