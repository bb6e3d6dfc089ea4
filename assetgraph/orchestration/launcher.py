"""The run launcher: starts one worker process per run, with the run's code location's Python.

Workers run in their own session, so stopping the daemon does not stop the runs it launched;
`RunLauncher.exit_status` tells the run monitor at once when a worker it launched has died.
Must not import server or cli.
"""

from __future__ import annotations

import os
import subprocess
import threading
from dataclasses import dataclass
from typing import Any

from assetgraph.codelocation.worker import HEARTBEAT_INTERVAL_ENV, run_log_dir
from assetgraph.codelocation.workspace import CodeLocation
from assetgraph.definitions.events import Run


@dataclass(frozen=True)
class WorkerExit:
    """How a worker process ended: its exit code (negative: killed by that signal)."""

    returncode: int


class RunLauncher:
    """Starts run workers and remembers their processes."""

    def __init__(self, instance_url: str, heartbeat_interval: float, env: dict[str, str] | None = None) -> None:
        self.instance_url = instance_url
        self.heartbeat_interval = heartbeat_interval
        self.env = env
        self._processes: dict[str, subprocess.Popen[bytes]] = {}
        self._lock = threading.Lock()

    def command(self, run: Run, location: CodeLocation) -> list[str]:
        return [location.python, "-m", "assetgraph.codelocation.worker", run.run_id,
                "--instance-url", self.instance_url, *location.spec.target_args()]

    def launch(self, run: Run, location: CodeLocation) -> int:
        """Start the worker of ``run``; its own output goes to ``logs/RUN_ID/worker.log``. Returns its pid."""
        log_dir = run_log_dir(run.run_id)
        log_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ if self.env is None else self.env)
        env[HEARTBEAT_INTERVAL_ENV] = str(self.heartbeat_interval)
        with open(log_dir / "worker.log", "ab") as log:
            process = subprocess.Popen(self.command(run, location), stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, cwd=location.target.working_directory or None,
                                       env=env, start_new_session=True)
        with self._lock:
            self._processes[run.run_id] = process
        return process.pid

    def exit_status(self, run_id: str) -> WorkerExit | None:
        """How the worker of ``run_id`` ended, or None while it runs or when this launcher did not start it."""
        with self._lock:
            process = self._processes.get(run_id)
        if process is None or process.poll() is None:
            return None
        return WorkerExit(process.returncode)

    def forget(self, run_id: str) -> None:
        with self._lock:
            self._processes.pop(run_id, None)

    def running_pids(self) -> dict[str, int]:
        with self._lock:
            return {r: p.pid for r, p in self._processes.items() if p.poll() is None}

    def terminate_all(self, timeout: float = 10.0) -> None:
        """Ask every running worker to cancel its run (SIGTERM) and wait for them."""
        with self._lock:
            running = [p for p in self._processes.values() if p.poll() is None]
        for p in running:
            p.terminate()
        for p in running:
            try:
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)

    def pid_of(self, run_id: str) -> Any:
        with self._lock:
            process = self._processes.get(run_id)
        return process.pid if process is not None else None
