"""The schedule loop: for every RUNNING schedule, evaluate each tick that came due and queue its runs.

Crash safety. A schedule's cursor is the time of its last *completed* tick. For the next due tick
the loop records a STARTED tick, asks the code location for the run requests, submits each with
the instigator run key ``schedule:ID:TICK_TIME:RUN_KEY`` (found, not duplicated, when retried),
marks the tick done, and only then advances the cursor. A daemon killed anywhere in between
repeats the tick after a restart: no tick is skipped and no run is made twice. After downtime at
most ``max_catchup_ticks`` missed ticks run; older ones are recorded as SKIPPED. Must not import
server or cli.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from assetgraph.codelocation.protocol import CodeLocationUnavailableError, RemoteError
from assetgraph.codelocation.workspace import CodeLocation, Workspace
from assetgraph.definitions.schedules import next_schedule_tick, schedule_ticks_between
from assetgraph.orchestration.config import DaemonConfig
from assetgraph.orchestration.instigators import (
    RUNNING,
    SCHEDULE_TAG,
    TICK_TAG,
    instigator_id,
    instigator_statuses,
    loaded_instigators,
    schedule_cursor_key,
    submit_request,
)

log = logging.getLogger("assetgraph.daemon.schedules")

TICK_STARTED, TICK_SUCCESS, TICK_SKIPPED, TICK_FAILURE = "STARTED", "SUCCESS", "SKIPPED", "FAILURE"
CrashHook = Callable[[str], None]


def _cadence_of(entry: Mapping[str, Any]) -> tuple[str, str]:
    return str(entry["cron_schedule"]), str(entry.get("execution_timezone", "UTC"))


class ScheduleLoop:
    """One pass (`tick`) handles every tick that came due since the last pass."""

    def __init__(self, instance: Any, workspace: Workspace, config: DaemonConfig,
                 crash_hook: CrashHook | None = None, on_submitted: Callable[[], None] | None = None) -> None:
        self.instance = instance
        self.workspace = workspace
        self.config = config
        self.crash_hook = crash_hook or (lambda point: None)
        self.on_submitted = on_submitted or (lambda: None)
        # The next tick time of each schedule (with the cron it came from: a reload may change it),
        # so that a pass between ticks reads no cursor.
        self._next_tick: dict[str, tuple[tuple[str, str], float]] = {}

    def tick(self, now: float | None = None) -> int:
        """Evaluate due ticks of every running schedule; return how many runs were created."""
        now = time.time() if now is None else now
        found = {instigator_id(loc.name, e["name"]): (loc, e) for loc, e in loaded_instigators(self.workspace, "schedules")}
        statuses = instigator_statuses(self.instance, {i: e.get("default_status", "STOPPED") for i, (_, e) in found.items()})
        created = 0
        for ident, (location, entry) in found.items():
            if statuses[ident] != RUNNING:
                self._next_tick.pop(ident, None)
                continue
            cached = self._next_tick.get(ident)
            if cached is not None and cached[0] == _cadence_of(entry) and now < cached[1]:
                continue
            try:
                created += self._schedule(location, entry, ident, now)
            except (CodeLocationUnavailableError, RemoteError) as exc:
                log.warning("schedule %s: %s", ident, exc)
                continue
            upcoming = next_schedule_tick(entry["cron_schedule"], entry.get("execution_timezone", "UTC"), now)
            self._next_tick[ident] = (_cadence_of(entry), upcoming.timestamp())
        return created

    def seconds_until_next_tick(self, now: float | None = None) -> float | None:
        """How long until the next known tick of a running schedule (None when none is known), so
        the daemon wakes on time instead of polling."""
        if not self._next_tick:
            return None
        now = time.time() if now is None else now
        return max(0.0, min(t for _, t in self._next_tick.values()) - now)

    def _due_ticks(self, entry: Mapping[str, Any], ident: str, now: float) -> list[float]:
        stored = self.instance.get_cursor(schedule_cursor_key(ident))
        if stored is None:  # first sight of a running schedule: tick from now on
            self.instance.set_cursor(schedule_cursor_key(ident), str(now))
            return []
        ticks = schedule_ticks_between(entry["cron_schedule"], entry.get("execution_timezone", "UTC"),
                                       float(stored), now)
        return [t.timestamp() for t in ticks]

    def _schedule(self, location: CodeLocation, entry: Mapping[str, Any], ident: str, now: float) -> int:
        due = self._due_ticks(entry, ident, now)
        limit = max(1, self.config.max_catchup_ticks)
        if len(due) > limit:
            missed, due = due[:-limit], due[-limit:]
            self.instance.create_tick(ident, "SCHEDULE", TICK_SKIPPED, missed[-1], {
                "location": location.name, "name": entry["name"], "scheduled_time": missed[-1],
                "skip_message": f"{len(missed)} tick(s) from {missed[0]:.0f} to {missed[-1]:.0f} were missed while "
                                f"the daemon was down (max_catchup_ticks={limit})"})
            self.instance.set_cursor(schedule_cursor_key(ident), str(missed[-1]))
        created = 0
        for scheduled in due:
            created += self._run_tick(location, entry, ident, scheduled)
            self.instance.set_cursor(schedule_cursor_key(ident), str(scheduled))
        return created

    def _open_tick(self, ident: str, location: CodeLocation, name: str, scheduled: float) -> Any:
        """The tick record for ``scheduled``: a new STARTED one, the STARTED one a stopped daemon left
        behind (resumed), or None when that tick already finished (the daemon stopped before moving
        the cursor)."""
        for tick in self.instance.get_ticks(ident, limit=3):
            if tick.body.get("scheduled_time") == scheduled:
                return tick if tick.status == TICK_STARTED else None
        return self.instance.create_tick(ident, "SCHEDULE", TICK_STARTED, scheduled,
                                         {"location": location.name, "name": name, "scheduled_time": scheduled,
                                          "run_ids": []})

    def _run_tick(self, location: CodeLocation, entry: Mapping[str, Any], ident: str, scheduled: float) -> int:
        name = entry["name"]
        tick = self._open_tick(ident, location, name, scheduled)
        if tick is None:
            return 0
        body = dict(tick.body)
        try:
            evaluation = location.evaluate_schedule(name, scheduled, self.instance.url)
        except (RemoteError, CodeLocationUnavailableError) as exc:
            body["error"] = f"{exc}\n\n{getattr(exc, 'remote_traceback', '')}".rstrip()
            self.instance.update_tick(tick.id, TICK_FAILURE, body)
            log.warning("schedule %s tick %.0f failed: %s", ident, scheduled, exc)
            return 0
        created = 0
        run_ids = []
        for index, request in enumerate(evaluation["run_requests"]):
            key = f"schedule:{ident}:{scheduled:.0f}:{request.get('run_key') or index}"
            self.crash_hook("schedule:before_submit")
            try:
                run, is_new = submit_request(self.instance, location, request, key,
                                             {SCHEDULE_TAG: name, TICK_TAG: str(tick.id)})
            except Exception as exc:  # a request that does not fit the graph fails the tick, with the reason
                body["error"] = f"Run request {index} was refused: {exc}"
                self.instance.update_tick(tick.id, TICK_FAILURE, body)
                return created
            self.crash_hook("schedule:after_submit")
            created += int(is_new)
            run_ids.append(run.run_id)
        if created:
            self.on_submitted()
        body["run_ids"] = run_ids
        if not run_ids:
            body["skip_message"] = evaluation.get("skip_message")
        self.instance.update_tick(tick.id, TICK_SUCCESS if run_ids else TICK_SKIPPED, body)
        self.crash_hook("schedule:after_tick")
        return created
