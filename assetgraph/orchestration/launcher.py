"""The run launcher: starts one worker process per run, with the run's code location's Python.

Workers run in their own session, so stopping the daemon does not stop the runs it launched;
`RunLauncher.exit_status` tells the run monitor at once when a worker it launched has died.
Workers are forked from a warm process (`assetgraph.codelocation.zygote`) where available.
Must not import server or cli.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from assetgraph.codelocation.worker import HEARTBEAT_INTERVAL_ENV, run_log_dir
from assetgraph.codelocation.workspace import CodeLocation
from assetgraph.definitions.events import Run
from assetgraph.storage.config import URL_ENV_VAR

log = logging.getLogger("assetgraph.daemon.launcher")


@dataclass(frozen=True)
class WorkerExit:
    """How a worker process ended: its exit code (negative: killed by that signal)."""

    returncode: int


class _Zygote:
    """A warm process (`assetgraph.codelocation.zygote`) that forks run workers for one Python."""

    def __init__(self, python: str, env: dict[str, str], log_path: Path) -> None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen([python, "-m", "assetgraph.codelocation.zygote"], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=log, env=env)
        self._pids: dict[str, int] = {}
        self._codes: dict[int, int] = {}
        self._changed = threading.Condition()
        self._ready = False
        threading.Thread(target=self._read, name="assetgraph-zygote-reader", daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            message = json.loads(line)
            with self._changed:
                if message.get("ready"):
                    self._ready = True
                elif "run_id" in message:
                    self._pids[message["run_id"]] = int(message["pid"])
                elif "returncode" in message:
                    self._codes[int(message["pid"])] = int(message["returncode"])
                self._changed.notify_all()
        # Its stdout closes a moment before the process can be reaped: wait for that, or a launch
        # waiting on `alive()` would see it alive, sleep, and never be woken again.
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        with self._changed:
            self._changed.notify_all()

    def alive(self) -> bool:
        return self.process.poll() is None

    def launch(self, run_id: str, args: list[str], env: dict[str, str], cwd: str | None, log: Path,
               timeout: float = 30.0) -> int:
        """Ask for a worker; return its pid. Raises OSError when the zygote does not answer."""
        request = {"run_id": run_id, "args": args, "env": env, "cwd": cwd, "log": str(log)}
        with self._changed:
            if not self._changed.wait_for(lambda: self._ready or not self.alive(), timeout):
                raise OSError("the warm worker process did not start in time")
            if not self.alive():
                raise OSError("the warm worker process exited")
            assert self.process.stdin is not None
            self.process.stdin.write((json.dumps(request) + "\n").encode())
            self.process.stdin.flush()
            if not self._changed.wait_for(lambda: run_id in self._pids or not self.alive(), timeout):
                raise OSError("the warm worker process did not fork a worker in time")
            if run_id not in self._pids:
                raise OSError("the warm worker process exited")
            return self._pids[run_id]

    def returncode(self, pid: int) -> int | None:
        with self._changed:
            return self._codes.get(pid)

    def close(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()


@dataclass
class _Worker:
    pid: int
    process: subprocess.Popen[bytes] | None = None  # a cold worker
    zygote: _Zygote | None = None  # a worker forked by a warm process

    def returncode(self) -> int | None:
        if self.process is not None:
            return self.process.poll()
        assert self.zygote is not None
        return self.zygote.returncode(self.pid)


class RunLauncher:
    """Starts run workers and remembers their processes.

    With ``warm`` (the default on POSIX) workers are forked from a warm process per Python
    executable that has imported assetgraph once; without it, or when that process fails, each
    worker is a new Python process.
    """

    def __init__(self, instance_url: str, heartbeat_interval: float, env: dict[str, str] | None = None,
                 warm: bool = hasattr(os, "fork")) -> None:
        self.instance_url = instance_url
        self.heartbeat_interval = heartbeat_interval
        self.env = env
        self.warm = warm
        self._workers: dict[str, _Worker] = {}
        self._zygotes: dict[str, _Zygote] = {}
        self._lock = threading.Lock()

    def command(self, run: Run, location: CodeLocation) -> list[str]:
        return [location.python, "-m", "assetgraph.codelocation.worker", *self.worker_args(run, location)]

    def worker_args(self, run: Run, location: CodeLocation) -> list[str]:
        return [run.run_id, *location.spec.target_args()]

    def _env(self) -> dict[str, str]:
        env = dict(os.environ if self.env is None else self.env)
        env[HEARTBEAT_INTERVAL_ENV] = str(self.heartbeat_interval)
        env[URL_ENV_VAR] = self.instance_url  # not on the command line, where `ps` would show a password
        return env

    def launch(self, run: Run, location: CodeLocation) -> int:
        """Start the worker of ``run``; its own output goes to ``logs/RUN_ID/worker.log``. Returns its pid."""
        log_dir = run_log_dir(run.run_id)
        log_dir.mkdir(parents=True, exist_ok=True)
        env = self._env()
        cwd = location.target.working_directory or None
        if self.warm:
            zygote = self._zygote(location.python, env)
            try:
                pid = zygote.launch(run.run_id, self.worker_args(run, location), env, cwd, log_dir / "worker.log")
            except OSError as exc:
                log.warning("warm start of run %s failed (%s); starting a new Python instead", run.run_id, exc)
            else:
                with self._lock:
                    self._workers[run.run_id] = _Worker(pid, zygote=zygote)
                return pid
        with open(log_dir / "worker.log", "ab") as out:
            process = subprocess.Popen(self.command(run, location), stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, cwd=cwd, env=env, start_new_session=True)
        with self._lock:
            self._workers[run.run_id] = _Worker(process.pid, process=process)
        return process.pid

    def _zygote(self, python: str, env: dict[str, str]) -> _Zygote:
        with self._lock:
            zygote = self._zygotes.get(python)
            if zygote is None or not zygote.alive():
                if zygote is not None:
                    zygote.close()
                from assetgraph.storage.config import instance_home

                zygote = _Zygote(python, env, instance_home().resolve() / "logs" / "warm-worker.log")
                self._zygotes[python] = zygote
            return zygote

    def exit_status(self, run_id: str) -> WorkerExit | None:
        """How the worker of ``run_id`` ended, or None while it runs or when this launcher did not start it."""
        with self._lock:
            worker = self._workers.get(run_id)
        code = worker.returncode() if worker is not None else None
        return WorkerExit(code) if code is not None else None

    def stop_steps_of_dead_worker(self, run_id: str, timeout: float = 1.0) -> None:
        """SIGKILL what is left of the process group of a worker of ``run_id`` that this launcher started
        and that has exited (its step processes), and wait up to ``timeout`` for them to go."""
        with self._lock:
            worker = self._workers.get(run_id)
        if worker is None or worker.returncode() is None:
            return
        deadline = time.monotonic() + timeout
        try:
            os.killpg(worker.pid, signal.SIGKILL)  # the group outlives its leader while members remain
            while time.monotonic() < deadline:
                os.killpg(worker.pid, 0)
                time.sleep(0.01)
        except (ProcessLookupError, PermissionError):
            return  # no step process left

    def stop_worker(self, run_id: str, timeout: float = 5.0) -> bool:
        """SIGKILL the worker of ``run_id`` and its step processes (its process group) if this launcher
        started it and it still runs; True when it did."""
        with self._lock:
            worker = self._workers.get(run_id)
        if worker is None or worker.returncode() is not None:
            return False
        with contextlib.suppress(ProcessLookupError):  # workers lead their own session and process group
            os.killpg(worker.pid, signal.SIGKILL)
        deadline = time.monotonic() + timeout
        while worker.returncode() is None and time.monotonic() < deadline:
            if worker.process is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    worker.process.wait(timeout=0.05)
            else:
                time.sleep(0.05)
        return True

    def forget(self, run_id: str) -> None:
        with self._lock:
            self._workers.pop(run_id, None)

    def pid_of(self, run_id: str) -> int | None:
        with self._lock:
            worker = self._workers.get(run_id)
        return worker.pid if worker is not None else None

    def terminate_all(self, timeout: float = 10.0) -> None:
        """Ask every running worker to cancel its run (SIGTERM) and wait for them (SIGKILL after ``timeout``)."""
        with self._lock:
            running = [w for w in self._workers.values() if w.returncode() is None]
        for w in running:
            _signal(w.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while any(w.returncode() is None for w in running) and time.monotonic() < deadline:
            time.sleep(0.05)
        for w in running:
            if w.returncode() is None:
                _signal(w.pid, signal.SIGKILL)
            if w.process is not None:
                w.process.wait(timeout=5)

    def close(self) -> None:
        """Stop the warm processes (the workers they started keep running) and reap cold workers that ended."""
        with self._lock:
            zygotes, self._zygotes = list(self._zygotes.values()), {}
            cold = [w.process for w in self._workers.values() if w.process is not None]
        for zygote in zygotes:
            zygote.close()
        for process in cold:
            process.poll()


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended on its own meanwhile
        os.kill(pid, sig)
