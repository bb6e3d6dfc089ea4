"""The sensor loop: evaluate every RUNNING sensor at most once per ``minimum_interval_seconds``,
apply its dynamic partition requests, queue its runs and store its cursor.

Crash safety. After an evaluation that requests anything, the loop first records a STARTED tick
holding the requests and the new cursor; only then does it act on them. A daemon killed after
that point resumes the stored tick (it does not evaluate again), so the runs requested are the
ones submitted. Each run carries the instigator run key ``sensor:ID:RUN_KEY`` (or
``sensor:ID:tick:TICK:INDEX`` without a run key): a run key never runs twice for a sensor. The
cursor is stored after the runs exist, then the tick is marked done. Must not import server or cli.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from assetgraph.codelocation.protocol import CodeLocationUnavailableError, RemoteError
from assetgraph.codelocation.workspace import CodeLocation, Workspace
from assetgraph.definitions.sensors import AddDynamicPartitionsRequest, dynamic_partitions_request_from_dict
from assetgraph.orchestration.config import DaemonConfig
from assetgraph.orchestration.instigators import (
    RUNNING,
    SENSOR_TAG,
    TICK_TAG,
    instigator_id,
    instigator_statuses,
    loaded_instigators,
    sensor_cursor_key,
    submit_request,
)
from assetgraph.orchestration.schedules import (
    TICK_FAILURE,
    TICK_SKIPPED,
    TICK_STARTED,
    TICK_SUCCESS,
    CrashHook,
)

log = logging.getLogger("assetgraph.daemon.sensors")


class SensorLoop:
    """One pass (`tick`) evaluates the sensors whose interval has passed."""

    def __init__(self, instance: Any, workspace: Workspace, config: DaemonConfig,
                 crash_hook: CrashHook | None = None, on_submitted: Callable[[], None] | None = None) -> None:
        self.instance = instance
        self.workspace = workspace
        self.config = config
        self.crash_hook = crash_hook or (lambda point: None)
        self.on_submitted = on_submitted or (lambda: None)
        # When each sensor was last evaluated by this loop, so that a pass inside a sensor's
        # interval reads no ticks. Empty after a restart: storage is the truth then.
        self._evaluated_at: dict[str, float] = {}

    def tick(self, now: float | None = None) -> int:
        """Evaluate the sensors that are due; return how many runs were created."""
        now = time.time() if now is None else now
        found = {instigator_id(loc.name, e["name"]): (loc, e) for loc, e in loaded_instigators(self.workspace, "sensors")}
        statuses = instigator_statuses(self.instance, {i: e.get("default_status", "STOPPED") for i, (_, e) in found.items()})
        created = 0
        for ident, (location, entry) in found.items():
            if statuses[ident] != RUNNING:
                continue
            interval = float(entry.get("minimum_interval_seconds", 30))
            if ident in self._evaluated_at and now - self._evaluated_at[ident] < interval:
                continue
            try:
                created += self._sensor(location, entry, ident, now)
            except (CodeLocationUnavailableError, RemoteError) as exc:
                log.warning("sensor %s: %s", ident, exc)
        return created

    def _sensor(self, location: CodeLocation, entry: Mapping[str, Any], ident: str, now: float) -> int:
        last = next(iter(self.instance.get_ticks(ident, limit=1)), None)
        if last is not None:
            self._evaluated_at[ident] = last.timestamp
        if last is not None and last.status == TICK_STARTED:
            return self._act(location, ident, last)  # left behind by a daemon that stopped mid-tick
        interval = float(entry.get("minimum_interval_seconds", 30))
        if last is not None and now - last.timestamp < interval:
            return 0
        cursor = self.instance.get_cursor(sensor_cursor_key(ident))
        body: dict[str, Any] = {"location": location.name, "name": entry["name"], "cursor_before": cursor}
        self._evaluated_at[ident] = now
        try:
            evaluation = location.evaluate_sensor(entry["name"], cursor, last.timestamp if last else None,
                                                  self.instance.url)
        except (RemoteError, CodeLocationUnavailableError) as exc:
            body["error"] = f"{exc}\n\n{getattr(exc, 'remote_traceback', '')}".rstrip()
            self.instance.create_tick(ident, "SENSOR", TICK_FAILURE, now, body)
            log.warning("sensor %s failed: %s", ident, exc)
            return 0
        body.update(run_requests=evaluation["run_requests"], cursor=evaluation.get("cursor"),
                    dynamic_partitions_requests=evaluation.get("dynamic_partitions_requests", []), run_ids=[])
        if not body["run_requests"] and not body["dynamic_partitions_requests"]:
            self._store_cursor(ident, body)
            body["skip_message"] = evaluation.get("skip_message")
            self.instance.create_tick(ident, "SENSOR", TICK_SKIPPED, now, body)
            return 0
        tick = self.instance.create_tick(ident, "SENSOR", TICK_STARTED, now, body)
        self.crash_hook("sensor:after_evaluate")
        return self._act(location, ident, tick)

    def _store_cursor(self, ident: str, body: Mapping[str, Any]) -> None:
        cursor = body.get("cursor")
        if cursor is not None and cursor != body.get("cursor_before"):
            self.instance.set_cursor(sensor_cursor_key(ident), cursor)

    def _act(self, location: CodeLocation, ident: str, tick: Any) -> int:
        body = dict(tick.body)
        self._apply_dynamic_partitions(body.get("dynamic_partitions_requests", []))
        created, run_ids = 0, []
        for index, request in enumerate(body.get("run_requests", [])):
            run_key = request.get("run_key")
            key = f"sensor:{ident}:{run_key}" if run_key is not None else f"sensor:{ident}:tick:{tick.id}:{index}"
            self.crash_hook("sensor:before_submit")
            try:
                run, is_new = submit_request(self.instance, location, request, key,
                                             {SENSOR_TAG: body["name"], TICK_TAG: str(tick.id)})
            except Exception as exc:  # a request that does not fit the graph fails the tick, with the reason
                body["error"] = f"Run request {index} was refused: {exc}"
                self.instance.update_tick(tick.id, TICK_FAILURE, body)
                return created
            self.crash_hook("sensor:after_submit")
            created += int(is_new)
            run_ids.append(run.run_id)
        if created:
            self.on_submitted()
        self._store_cursor(ident, body)
        body["run_ids"] = run_ids
        self.instance.update_tick(tick.id, TICK_SUCCESS, body)
        return created

    def _apply_dynamic_partitions(self, requests: list[Mapping[str, Any]]) -> None:
        # Adding and deleting are idempotent, so a resumed tick may apply them again.
        for data in requests:
            req = dynamic_partitions_request_from_dict(data)
            if isinstance(req, AddDynamicPartitionsRequest):
                self.instance.add_dynamic_partitions(req.partitions_def_name, list(req.partition_keys))
            else:
                for key in req.partition_keys:
                    if self.instance.has_dynamic_partition(req.partitions_def_name, key):
                        self.instance.delete_dynamic_partition(req.partitions_def_name, key)
