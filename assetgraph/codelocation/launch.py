"""Launching work through storage: a launch writes a QUEUED run, which the daemon's run queue starts.

Keys and partitions are validated against the location's snapshot first, so a bad request fails
at once with a clear message, never later inside a worker. Used by the server, the CLI and the
daemon (schedules, sensors, retries). Must not import orchestration, server or cli.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from assetgraph.codelocation.snapshot import DefinitionsSnapshot
from assetgraph.definitions.errors import PartitionError, SelectionError, close_matches
from assetgraph.definitions.events import (  # noqa: F401 - the tags are part of this module's API
    ALL_STEPS,
    FROM_FAILURE,
    MAX_RETRIES_TAG,
    PARENT_RUN_TAG,
    RETRY_NUMBER_TAG,
    RETRY_STRATEGY_TAG,
    ROOT_RUN_TAG,
    Event,
    EventType,
    Run,
    RunStatus,
)
from assetgraph.definitions.keys import AssetKey, coerce_asset_key


def _snapshot_of(location: Any) -> tuple[str, DefinitionsSnapshot]:
    if isinstance(location, DefinitionsSnapshot):
        return location.location, location
    snapshot = getattr(location, "snapshot", None)
    if snapshot is None:
        raise SelectionError(f'Code location "{location.name}" is not loaded ({location.status}): '
                             f"{(location.error or '').splitlines()[0] if location.error else 'no snapshot'}. "
                             f"Fix it and reload the location.")
    return str(location.name), snapshot


def resolve_selection(snapshot: DefinitionsSnapshot, selection: Any = None,
                      asset_keys: Iterable[Any] | None = None) -> list[AssetKey]:
    """The executable keys a launch asks for. Raises `SelectionError` for unknown keys (with close
    matches), external assets, and an empty selection."""
    graph = snapshot.graph
    keys: set[AssetKey] = set()
    if selection is not None:
        keys |= set(graph.select(selection))
    for item in asset_keys or ():
        key = coerce_asset_key(item)
        if key not in snapshot.assets_by_key:
            hints = close_matches(key.to_user_string(), [k.to_user_string() for k in snapshot.assets_by_key])
            hint = f" Did you mean: {', '.join(hints)}?" if hints else ""
            raise SelectionError(f'Asset "{key.to_user_string()}" is not defined in code location '
                                 f'"{snapshot.location}".{hint}')
        if not snapshot.is_executable(key):
            raise SelectionError(f'Asset "{key.to_user_string()}" is external (declared with AssetSpec); it is '
                                 f"materialised elsewhere and cannot be launched.")
        keys.add(key)
    chosen = sorted(k for k in keys if snapshot.is_executable(k))
    if not chosen:
        raise SelectionError("The selection contains no asset that can be materialised (external assets are "
                             "materialised elsewhere).")
    return chosen


def _validate_partitions(snapshot: DefinitionsSnapshot, keys: list[AssetKey], wanted: list[str],
                         instance: Any) -> None:
    graph = snapshot.graph
    partitioned = [k for k in keys if graph.get(k).partitions_def is not None]
    if wanted and not partitioned:
        raise PartitionError(f"A partition ({'...'.join(wanted)}) was given, but none of the selected assets is "
                             f"partitioned.")
    if partitioned and not wanted:
        names = ", ".join(k.to_user_string() for k in partitioned[:3])
        raise PartitionError(f"{names} {'is' if len(partitioned) == 1 else 'are'} partitioned; pass a partition key "
                             f"or a range.")
    for key in partitioned:
        pdef = graph.get(key).partitions_def
        for p in wanted:
            pdef.validate_partition_key(p, dynamic_partitions_store=instance)


def launch_run(instance: Any, location: Any, selection: Any = None, *, asset_keys: Iterable[Any] | None = None,
               partition_key: str | None = None, partition_range: tuple[str, str] | None = None,
               partition_keys: Iterable[str] | None = None,
               tags: Mapping[str, str] | None = None, run_config: Any = None, run_id: str | None = None,
               job_name: str | None = None, parent_run_id: str | None = None,
               root_run_id: str | None = None) -> Run:
    """Validate a launch against ``location``'s snapshot and write a QUEUED run; return it.

    ``location`` is a workspace `CodeLocation` or a `DefinitionsSnapshot`; ``selection`` a selection
    string or `AssetSelection`, and/or ``asset_keys``; partitions as one key, an inclusive range
    ``(start, end)``, or a list of keys. Raises `SelectionError` or `PartitionError`
    when the request does not fit the location's graph.
    """
    from assetgraph.definitions.config import normalize_run_config

    name, snapshot = _snapshot_of(location)
    keys = resolve_selection(snapshot, selection, asset_keys)
    many = tuple(partition_keys or ())
    if sum(x is not None and x != () for x in (partition_key, partition_range, many)) > 1:
        raise PartitionError("Pass one of a partition key, a range or a list of keys.")
    wanted = [partition_key] if partition_key is not None else list(partition_range or many)
    _validate_partitions(snapshot, keys, wanted, instance)
    run = Run(run_id=run_id or str(uuid.uuid4()), status=RunStatus.QUEUED, tags=dict(tags or {}), job_name=job_name,
              asset_selection=tuple(keys), partition_key=partition_key,
              partition_range=tuple(partition_range) if partition_range else None,  # type: ignore[arg-type]
              partition_keys=many,
              run_config=normalize_run_config(run_config), parent_run_id=parent_run_id, root_run_id=root_run_id,
              create_time=time.time(), code_location=name)
    instance.create_run(run)
    instance.store_events([Event(event_type=EventType.RUN_ENQUEUED, run_id=run.run_id, timestamp=time.time(),
                                 message=f"Queued in code location {name}")])
    return run


def cancel_run(instance: Any, run_id: str) -> RunStatus:
    """Ask for a run to stop: a queued run is canceled at once; a running one becomes CANCELING and
    its worker stops it. Returns the new status (a finished run is left as it is)."""
    run = instance.get_run(run_id)
    if run is None:
        raise SelectionError(f"No run with id {run_id!r}.")
    now = time.time()
    if run.status == RunStatus.QUEUED:
        instance.update_run(run_id, status=RunStatus.CANCELED, end_time=now)
        instance.store_events([Event(event_type=EventType.RUN_CANCELED, run_id=run_id, timestamp=now,
                                     message="Canceled before it started")])
        return RunStatus.CANCELED
    if run.status in (RunStatus.STARTING, RunStatus.STARTED):
        instance.update_run(run_id, status=RunStatus.CANCELING)
        instance.store_events([Event(event_type=EventType.RUN_CANCELING, run_id=run_id, timestamp=now,
                                     message="Cancellation requested")])
        return RunStatus.CANCELING
    return RunStatus(run.status)


def succeeded_assets(instance: Any, run_id: str) -> set[AssetKey]:
    """The assets a run materialised."""
    records = instance.get_event_records(event_type=EventType.ASSET_MATERIALIZATION, run_id=run_id)
    return {r.asset_key for r in records if r.asset_key is not None}


def reexecute_run(instance: Any, location: Any, run_id: str, strategy: str = FROM_FAILURE,
                  tags: Mapping[str, str] | None = None) -> Run:
    """Queue a new run that repeats ``run_id``: every step (``ALL_STEPS``) or only the assets that did
    not materialise (``FROM_FAILURE``; their upstream values are read from what the first run
    stored). Raises `SelectionError` when there is nothing left to re-execute."""
    parent = instance.get_run(run_id)
    if parent is None:
        raise SelectionError(f"No run with id {run_id!r}.")
    if strategy not in (FROM_FAILURE, ALL_STEPS):
        raise SelectionError(f"Unknown re-execution strategy {strategy!r}; use {FROM_FAILURE} or {ALL_STEPS}.")
    keys = list(parent.asset_selection)
    if strategy == FROM_FAILURE:
        done = succeeded_assets(instance, run_id)
        keys = [k for k in keys if k not in done]
        if not keys:
            raise SelectionError(f"Run {run_id} materialised every asset it selected; nothing to re-execute "
                                 f"from failure.")
    root = parent.root_run_id or parent.run_id
    run_tags = {k: v for k, v in parent.tags.items() if not k.startswith("assetgraph/instigator")}
    run_tags.update({PARENT_RUN_TAG: parent.run_id, ROOT_RUN_TAG: root, **(tags or {})})
    return launch_run(instance, location, asset_keys=keys, partition_key=parent.partition_key,
                      partition_range=parent.partition_range, partition_keys=parent.partition_keys, tags=run_tags, run_config=dict(parent.run_config),
                      job_name=parent.job_name, parent_run_id=parent.run_id, root_run_id=root)
