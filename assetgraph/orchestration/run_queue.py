"""The run queue: starts QUEUED runs, oldest first, while ``max_concurrent_runs`` and the tag limits
allow.

A run is marked STARTING *before* its worker is spawned, and a worker only accepts a run that is
QUEUED or STARTING: a daemon killed between the two leaves a STARTING run with no heartbeat,
which the run monitor fails, never a run launched twice. Must not import server or cli.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from assetgraph.codelocation.workspace import LOADED, LOADING, Workspace
from assetgraph.definitions.events import Event, EventType, Run, RunStatus
from assetgraph.orchestration.config import DaemonConfig
from assetgraph.orchestration.launcher import RunLauncher

log = logging.getLogger("assetgraph.daemon.run_queue")

IN_PROGRESS = (RunStatus.STARTING, RunStatus.STARTED, RunStatus.CANCELING)


class RunQueue:
    """One pass (`tick`) launches what fits."""

    def __init__(self, instance: Any, workspace: Workspace, launcher: RunLauncher, config: DaemonConfig) -> None:
        self.instance = instance
        self.workspace = workspace
        self.launcher = launcher
        self.config = config

    def tick(self) -> list[str]:
        """Launch the queued runs that fit; return their ids."""
        queued = list(reversed(self.instance.get_runs(status=RunStatus.QUEUED)))
        if not queued:
            return []
        in_progress = self.instance.get_runs(status=list(IN_PROGRESS))
        launched = []
        for run in queued:
            if len(in_progress) >= self.config.max_concurrent_runs:
                break
            if self._over_tag_limit(run, in_progress):
                continue
            if self._launch(run):
                launched.append(run.run_id)
                in_progress.append(run)
        return launched

    def _over_tag_limit(self, run: Run, in_progress: list[Run]) -> bool:
        for limit in self.config.tag_concurrency_limits:
            if limit.matches(run.tags) and sum(1 for r in in_progress if limit.matches(r.tags)) >= limit.limit:
                return True
        return False

    def _launch(self, run: Run) -> bool:
        location = self.workspace.get(run.code_location)
        if location is not None and location.status == LOADING:
            return False  # still loading (``assetgraph dev`` serves before its locations are up): wait
        if location is None or location.status != LOADED or location.snapshot is None:
            what = f'code location "{run.code_location}"' if run.code_location else "the run's code location"
            reason = "is not in this workspace" if location is None else f"failed to load:\n{location.error}"
            self._fail(run, f"Cannot start the run: {what} {reason}")
            return False
        now = time.time()
        self.instance.update_run(run.run_id, status=RunStatus.STARTING)  # also its first sign of life
        self.instance.store_events([Event(event_type=EventType.RUN_STARTING, run_id=run.run_id, timestamp=now,
                                          message="Launching a run worker")])
        try:
            pid = self.launcher.launch(run, location)
        except OSError as exc:
            self._fail(run, f"Cannot start the run worker: {exc}")
            return False
        log.info("run %s: worker pid %d", run.run_id, pid)
        return True

    def _fail(self, run: Run, message: str) -> None:
        log.warning("run %s: %s", run.run_id, message)
        self.instance.store_events([Event(event_type=EventType.RUN_FAILURE, run_id=run.run_id, timestamp=time.time(),
                                          message=message)])
        self.instance.update_run(run.run_id, status=RunStatus.FAILURE, end_time=time.time())
