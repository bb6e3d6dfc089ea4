"""Run monitoring: a run whose worker died (SIGKILL, the OOM killer, a lost machine) is marked
FAILURE with the reason, and its unfinished assets are marked failed, so nothing stays STARTED
or "in progress" forever.

Two signals: the exit status of workers this daemon launched (immediate), and heartbeats in
storage (for workers launched before a daemon restart, or elsewhere). When a worker this daemon
launched died, its step processes are killed before the run's events are read; one that is still
alive when its run is failed (it hangs, or stopped heart-beating) is killed with its step
processes, so that nothing it does later changes the run. Must not import server or cli.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Callable
from typing import Any

from assetgraph.codelocation.worker import read_heartbeats, run_log_dir, unfinished_asset_events
from assetgraph.definitions.events import Event, EventType, Run, RunStatus
from assetgraph.execution.backfill import WORKER_LOST
from assetgraph.orchestration.config import DaemonConfig
from assetgraph.orchestration.launcher import RunLauncher
from assetgraph.orchestration.run_queue import IN_PROGRESS

log = logging.getLogger("assetgraph.daemon.monitor")


STALL_SECONDS = 2.0  # a pass that sees storage this much later than due could not look meanwhile


class RunMonitor:
    """One pass (`tick`) resolves the runs whose worker is gone.

    When the monitor itself could not look for a while (storage unreachable, as during a database
    restart, or the daemon paused), heartbeats missed meanwhile say nothing about the workers, which
    could not write them either: timeouts are judged again only a heartbeat timeout later.
    """

    def __init__(self, instance: Any, launcher: RunLauncher, config: DaemonConfig,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.instance = instance
        self.launcher = launcher
        self.config = config
        self.clock = clock
        self._last_pass: float | None = None  # when the last pass had read storage
        self._blind_until = 0.0  # timeouts are not judged before this (clock time)

    def tick(self, now: float | None = None) -> list[str]:
        """Resolve dead runs; return their ids."""
        now = time.time() if now is None else now
        started = self.clock()
        runs = self.instance.get_runs(status=list(IN_PROGRESS))
        beats = read_heartbeats(self.instance, [r.run_id for r in runs]) if runs else {}
        seen = self.clock()
        if seen - (self._last_pass if self._last_pass is not None else started) > (
                self.config.monitor_interval + STALL_SECONDS):
            self._blind_until = seen + self.config.heartbeat_timeout
            log.warning("run monitoring could not read storage for %.0fs; heartbeat and startup timeouts are "
                        "judged again in %gs", seen - (self._last_pass or started), self.config.heartbeat_timeout)
        self._last_pass = seen
        resolved = []
        for run in runs:
            reason = self._death_reason(run, beats.get(run.run_id), now)
            if reason is None:
                continue
            current = self.instance.get_run(run.run_id)
            if current is None or current.status.is_finished:  # the worker finished just now
                self.launcher.forget(run.run_id)
                continue
            # A dead worker's step processes notice within half a second; end them now, before
            # reading what the run stored, so that nothing lands after it was read.
            self.launcher.stop_steps_of_dead_worker(run.run_id)
            resolve_dead_run(self.instance, current, reason)
            if self.launcher.stop_worker(run.run_id):  # alive but silent (hung): the run's end must be final
                log.warning("run %s: its worker was still alive; it was killed", run.run_id)
            self.launcher.forget(run.run_id)
            resolved.append(run.run_id)
        return resolved

    def _death_reason(self, run: Run, heartbeat: float | None, now: float) -> str | None:
        exit_status = self.launcher.exit_status(run.run_id)
        if exit_status is not None:
            code = exit_status.returncode
            if code < 0:
                return f"The run worker was killed by {_signal_name(-code)} (out of memory, or stopped by hand)."
            last = _last_log_line(run.run_id)
            return (f"The run worker exited with code {code} before finishing the run" +
                    (f": {last} (logs/{run.run_id}/worker.log has the rest)." if last else "."))
        if self.clock() < self._blind_until:
            return None
        if run.status == RunStatus.STARTING:  # the worker is still loading the code location
            # Measured from the launch, not from heartbeats: a worker beats while it imports user
            # code, and an import that hangs must not keep the run STARTING forever.
            launched = self.instance.get_event_records(event_type=EventType.RUN_STARTING, run_id=run.run_id,
                                                       limit=1, ascending=False)
            since = launched[0].timestamp if launched else run.create_time
            if now - since > self.config.startup_timeout:
                return (f"The run worker did not start the run within {self.config.startup_timeout:g}s of its "
                        f"launch (it hangs loading the code location?); see logs/{run.run_id}/worker.log.")
            return None
        if heartbeat is None:
            heartbeat = run.start_time or run.create_time
        age = now - heartbeat
        if age > self.config.heartbeat_timeout:
            return (f"The run worker stopped heart-beating ({age:.0f}s since its last heartbeat; the limit is "
                    f"{self.config.heartbeat_timeout:g}s): it was killed or its machine went away.")
        return None


def _last_log_line(run_id: str, limit: int = 500) -> str:
    """The last line the worker of ``run_id`` wrote to its log (the exception that ended it, usually)."""
    try:
        with open(run_log_dir(run_id) / "worker.log", "rb") as log_file:
            log_file.seek(0, os.SEEK_END)
            log_file.seek(max(0, log_file.tell() - 8192))
            lines = [line.strip() for line in log_file.read().decode(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    lines = [line for line in lines if not line.startswith("More: docs/")]  # an error's pointer to its page
    return lines[-1][:limit] if lines else ""


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def resolve_dead_run(instance: Any, run: Run, reason: str) -> RunStatus:
    """Finish a run whose worker is gone: CANCELED if it was canceling, else FAILURE, with ``reason``."""
    log.warning("run %s: %s", run.run_id, reason)
    now = time.time()
    canceled = run.status == RunStatus.CANCELING
    final = EventType.RUN_CANCELED if canceled else EventType.RUN_FAILURE
    events = [*unfinished_asset_events(instance, run.run_id, reason),
              Event(event_type=final, run_id=run.run_id, timestamp=now, message=reason, data={WORKER_LOST: True})]
    instance.store_events(events)
    status = RunStatus.CANCELED if canceled else RunStatus.FAILURE
    instance.update_run(run.run_id, status=status, end_time=now)
    return status
