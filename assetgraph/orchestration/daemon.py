"""The daemon: the loops that turn stored intent into running work.

Each loop runs in its own thread at its own interval, so a slow sensor never delays the run
queue: ``run_queue`` (QUEUED → worker), ``run_monitoring`` (dead workers → FAILURE, then retries),
``schedules``, ``sensors``, ``backfills`` (one chunk at a time per backfill), ``code_locations``
(restarts a location process that crashed, applies reloads requested in storage, each in a thread
of its own), and ``retention`` when configured. A loop that raises is logged and runs again next interval. Everything
the loops need to survive a restart is in storage, so the daemon may be killed at any point.
Must not import server or cli.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assetgraph.codelocation.workspace import Workspace
from assetgraph.orchestration.backfills import BackfillLoop
from assetgraph.orchestration.config import DaemonConfig
from assetgraph.orchestration.launcher import RunLauncher
from assetgraph.orchestration.monitor import RunMonitor
from assetgraph.orchestration.retention import Retention
from assetgraph.orchestration.retries import RunRetries
from assetgraph.orchestration.run_queue import RunQueue
from assetgraph.orchestration.schedules import CrashHook, ScheduleLoop
from assetgraph.orchestration.sensors import SensorLoop
from assetgraph.storage.config import instance_home

log = logging.getLogger("assetgraph.daemon")

DAEMON_HEARTBEAT_KEY = "daemon/heartbeat"


@dataclass
class Loop:
    """One of the daemon's loops: ``fn`` every ``interval`` seconds, or sooner when woken."""

    name: str
    interval: float
    fn: Callable[[], Any]
    wake: threading.Event = field(default_factory=threading.Event)
    next_due: Callable[[], float | None] | None = None  # seconds until the loop has work, when it knows
    errors: int = 0
    last_error: str | None = None


class Daemon:
    """The run queue, run monitoring, retries, schedules and sensors of one instance.

    ``start()`` runs the loops in background threads; ``stop()`` ends them. Tests call the loops'
    ``tick`` methods directly (``daemon.run_queue.tick()``) for determinism.
    """

    def __init__(self, instance: Any, workspace: Workspace, config: DaemonConfig | None = None, *,
                 launcher: RunLauncher | None = None, crash_hook: CrashHook | None = None) -> None:
        self.instance = instance
        self.workspace = workspace
        self.config = config or DaemonConfig()
        self.launcher = launcher or RunLauncher(instance.url, self.config.heartbeat_interval)
        self.run_queue = RunQueue(instance, workspace, self.launcher, self.config)
        self.monitor = RunMonitor(instance, self.launcher, self.config)
        self.retries = RunRetries(instance, workspace, self.config)
        self.schedules = ScheduleLoop(instance, workspace, self.config, crash_hook, self.wake_run_queue)
        self.sensors = SensorLoop(instance, workspace, self.config, crash_hook, self.wake_run_queue)
        self.backfills = BackfillLoop(instance, workspace, self.wake_run_queue, crash_hook, self.config)
        self.retention = Retention(instance, self.config, instance_home().resolve() / "logs")
        self.loops = [
            Loop("run_queue", self.config.queue_interval, self.run_queue.tick),
            Loop("run_monitoring", self.config.monitor_interval, self._monitor),
            Loop("schedules", self.config.schedule_interval, self.schedules.tick,
                 next_due=self.schedules.seconds_until_next_tick),
            Loop("sensors", self.config.sensor_interval, self.sensors.tick),
            Loop("backfills", self.config.backfill_interval, self.backfills.tick),
            Loop("code_locations", self.config.location_check_interval, self._supervise_locations),
        ]
        if self.retention.is_configured:
            self.loops.append(Loop("retention", self.config.retention_interval, self.retention.tick))
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def _monitor(self) -> None:
        self.monitor.tick()
        if self.retries.tick():
            self.wake_run_queue()
        self.instance.set_kvs({DAEMON_HEARTBEAT_KEY: json.dumps({"time": time.time(),
                                                                  "loops": {lp.name: lp.errors for lp in self.loops}})})

    def _supervise_locations(self) -> None:
        for name in self.workspace.supervise(self.workspace.reload_requests(self.instance)):
            log.info("code location %s: restarting or reloading its process", name)

    def wake_run_queue(self) -> None:
        self.loops[0].wake.set()

    def start(self) -> Daemon:
        """Run every loop in a background thread."""
        self._stop.clear()
        for loop in self.loops:
            thread = threading.Thread(target=self._run_loop, args=(loop,), name=f"assetgraph-{loop.name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info("daemon started: %s", ", ".join(lp.name for lp in self.loops))
        return self

    def _run_loop(self, loop: Loop) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                loop.fn()
            except Exception as exc:  # one bad pass must not end the loop; it is logged with its traceback
                loop.errors += 1
                loop.last_error = repr(exc)
                log.exception("daemon loop %s failed; it runs again in %.1fs", loop.name, loop.interval)
            remaining = loop.interval - (time.monotonic() - started)
            due = loop.next_due() if loop.next_due is not None else None
            if due is not None:
                remaining = min(remaining, due + 0.001)
            if remaining > 0 and loop.wake.wait(remaining):
                loop.wake.clear()

    def stop(self, *, cancel_runs: bool = False, timeout: float = 10.0) -> None:
        """Stop the loops. With ``cancel_runs``, the workers this daemon launched are asked to cancel
        (``assetgraph dev`` does this on Ctrl-C); otherwise they finish their runs on their own."""
        self._stop.set()
        for loop in self.loops:
            loop.wake.set()
        for thread in self._threads:
            thread.join(timeout=timeout)
        self._threads = []
        if cancel_runs:
            self.launcher.terminate_all()
        self.launcher.close()

    def run_until(self, stop: threading.Event) -> None:
        """Run the loops until ``stop`` is set (the ``assetgraph daemon`` command)."""
        self.start()
        try:
            stop.wait()
        finally:
            self.stop()
