"""What schedules and sensors share in the daemon: their identity, their RUNNING/STOPPED state, and
submitting a run request exactly once.

An instigator is identified as ``"LOCATION:NAME"``; its ticks are stored under that id. A run
request becomes a run tagged ``assetgraph/instigator_run_key``; before creating a run the daemon
looks that tag up, so a request resubmitted after a crash finds its run instead of making a
second one. Must not import server or cli.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from assetgraph.codelocation.launch import launch_run
from assetgraph.codelocation.workspace import LOADED, CodeLocation, Workspace
from assetgraph.definitions.events import Run
from assetgraph.definitions.schedules import RunRequest

log = logging.getLogger("assetgraph.daemon")

RUNNING = "RUNNING"
STOPPED = "STOPPED"
RUN_KEY_TAG = "assetgraph/run_key"
INSTIGATOR_RUN_KEY_TAG = "assetgraph/instigator_run_key"
SCHEDULE_TAG = "assetgraph/schedule_name"
SENSOR_TAG = "assetgraph/sensor_name"
TICK_TAG = "assetgraph/tick_id"


def instigator_id(location: str, name: str) -> str:
    return f"{location}:{name}"


def _status_key(ident: str) -> str:
    return f"instigator_status/{ident}"


def instigator_status(instance: Any, ident: str, default_status: str) -> str:
    """RUNNING or STOPPED: what was set with `set_instigator_status`, else the definition's default."""
    return instance.get_kvs([_status_key(ident)]).get(_status_key(ident), default_status)


def instigator_statuses(instance: Any, defaults: Mapping[str, str]) -> dict[str, str]:
    """`instigator_status` of many instigators (id → default status) in one read."""
    stored = instance.get_kvs([_status_key(i) for i in defaults])
    return {i: stored.get(_status_key(i), d) for i, d in defaults.items()}


def set_instigator_status(instance: Any, location: str, name: str, status: str) -> None:
    """Start (``RUNNING``) or stop (``STOPPED``) a schedule or sensor; what `startSchedule` and friends call.

    Starting a schedule makes it tick from now on: ticks missed while it was stopped are not caught up.
    """
    if status not in (RUNNING, STOPPED):
        raise ValueError(f"status must be {RUNNING} or {STOPPED}, not {status!r}")
    ident = instigator_id(location, name)
    instance.set_kvs({_status_key(ident): status})
    if status == RUNNING:
        instance.set_cursor(schedule_cursor_key(ident), str(time.time()))


def schedule_cursor_key(ident: str) -> str:
    return f"schedule/{ident}"


def sensor_cursor_key(ident: str) -> str:
    return f"sensor/{ident}"


def loaded_instigators(workspace: Workspace, kind: str) -> list[tuple[CodeLocation, Mapping[str, Any]]]:
    """(location, snapshot entry) for every schedule (``kind="schedules"``) or sensor of loaded locations."""
    found: list[tuple[CodeLocation, Mapping[str, Any]]] = []
    for loc in workspace.locations:
        if loc.status == LOADED and loc.snapshot is not None:
            found.extend((loc, entry) for entry in loc.snapshot.data.get(kind, []))
    return found


def find_run(instance: Any, instigator_run_key: str) -> Run | None:
    runs = instance.get_runs(tags={INSTIGATOR_RUN_KEY_TAG: instigator_run_key}, limit=1)
    return runs[0] if runs else None


def submit_request(instance: Any, location: CodeLocation, request: Mapping[str, Any], instigator_run_key: str,
                   tags: Mapping[str, str]) -> tuple[Run, bool]:
    """The run for ``request``: the existing one with the same ``instigator_run_key``, else a new
    QUEUED run. Returns (run, created)."""
    existing = find_run(instance, instigator_run_key)
    if existing is not None:
        return existing, False
    rr = RunRequest.from_dict(request)
    run_tags = {**rr.tags, **tags, INSTIGATOR_RUN_KEY_TAG: instigator_run_key}
    if rr.run_key is not None:
        run_tags[RUN_KEY_TAG] = rr.run_key
    run = launch_run(instance, location, asset_keys=rr.asset_selection or (), partition_key=rr.partition_key,
                     tags=run_tags, run_config=dict(rr.run_config) or None, job_name=request.get("job_name"))
    return run, True
