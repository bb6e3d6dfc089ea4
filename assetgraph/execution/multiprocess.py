"""The multi-process executor: each step runs in a child process, at most ``max_concurrent`` at
once, in an order that respects the plan's dependencies, skips and blocking checks.

Children are forked from the run worker, so they share its loaded code location and resources
without re-importing user code. Each child opens its own connection to storage and writes its
step's events straight there; it sends the parent only the step's outcome. A child's stdout and
stderr (file descriptors 1 and 2, so subprocesses are captured too) go to
``<log_dir>/<step>.out`` and ``.err``. Must not import codelocation, orchestration, server or cli.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from assetgraph.definitions.errors import InternalError
from assetgraph.definitions.events import ErrorInfo, Event, EventType
from assetgraph.definitions.keys import AssetCheckKey, AssetKey
from assetgraph.execution.events import make_event
from assetgraph.execution.executor import ProgressCallback, skip_events, skip_reason
from assetgraph.execution.plan import Plan, Step
from assetgraph.execution.pools import PoolSlots
from assetgraph.execution.step import StepOutcome, StepRunner, StepServices, StepStatus
from assetgraph.storage.captured_logs import CAPTURED_LOGS_KIND

# How long a cancelled or interrupted child gets to exit after SIGTERM before SIGKILL.
TERMINATE_GRACE_SECONDS = 3.0
_POLL_SECONDS = 0.05


class StepProcessError(RuntimeError):
    """A step's process ended without reporting an outcome (killed, out of memory, crashed)."""


class StepCrashedInChild(RuntimeError):
    """The error a step raised in its child process, carried back as text."""


def log_file_stem(step_key: str) -> str:
    """A file name for a step's captured output: step keys are node names, but be safe."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", step_key)


class MultiprocessExecutor:
    """Executes a plan's steps in forked child processes.

    ``cancel`` is an event the caller sets to stop the run: running children are terminated and
    every unfinished step is marked. ``make_instance`` opens the storage a child writes to
    (default: ``Instance.from_url`` of the parent's instance URL).
    """

    def __init__(self, max_concurrent: int | None = None, *, log_dir: Path | None = None,
                 cancel: threading.Event | None = None, progress: ProgressCallback | None = None,
                 make_instance: Callable[[], Any] | None = None, pools: PoolSlots | None = None,
                 fork_lock: threading.Lock | None = None) -> None:
        self.max_concurrent = max(1, max_concurrent or os.cpu_count() or 1)
        self.pools = pools
        # Held by any other thread of this process while it is inside storage (the worker's
        # heartbeat): a fork must not copy a lock that SQLite holds at that instant.
        self.fork_lock = fork_lock or threading.Lock()
        self.log_dir = log_dir
        self.cancel = cancel or threading.Event()
        self.progress = progress
        self.make_instance = make_instance
        if "fork" not in multiprocessing.get_all_start_methods():
            raise InternalError("The multi-process executor needs the 'fork' start method (Linux, macOS).")
        self._ctx = multiprocessing.get_context("fork")

    def execute(self, plan: Plan, services: StepServices, writer: Callable[[list[Event]], None]) -> dict[str, StepOutcome]:
        run = _ExecutionState(plan, services, writer, self)
        return run.execute()

    def _instance_factory(self, services: StepServices) -> Callable[[], Any]:
        if self.make_instance is not None:
            return self.make_instance
        url = getattr(services.instance, "url", None)
        if not url or getattr(services.instance, "is_ephemeral", False):
            raise InternalError("The multi-process executor needs an instance on a file or server "
                                "(Instance.from_url('sqlite:///...')); an in-memory one lives in one process.")

        def open_instance() -> Any:
            from assetgraph.storage.engine import CONNECTION_RETRY_SECONDS
            from assetgraph.storage.instance import Instance

            return Instance.from_url(url, wait_seconds=CONNECTION_RETRY_SECONDS)  # a database restarting

        return open_instance


@dataclasses.dataclass
class _Running:
    step: Step
    process: BaseProcess
    conn: Connection
    started: float


class _ExecutionState:
    """One execution of a plan: pending steps, running children, outcomes."""

    def __init__(self, plan: Plan, services: StepServices, writer: Callable[[list[Event]], None],
                 executor: MultiprocessExecutor) -> None:
        self.plan = plan
        self.services = services
        self.writer = writer
        self.ex = executor
        self.pending: list[Step] = list(plan.steps)
        self.running: dict[str, _Running] = {}
        self.outcomes: dict[str, StepOutcome] = {}
        self.open_instance = executor._instance_factory(services)

    def execute(self) -> dict[str, StepOutcome]:
        try:
            while self.pending or self.running:
                if self.ex.cancel.is_set():
                    self._cancel_all("the run was canceled")
                    break
                self._start_ready_steps()
                if self.running:
                    self._wait_and_collect()
                elif self.pending:
                    time.sleep(_POLL_SECONDS)  # waiting for a pool slot held by another run
        except BaseException:
            self._cancel_all("the run worker was interrupted")
            raise
        finally:
            if self.ex.pools is not None:
                self.ex.pools.release_all()
        return self.outcomes

    def _start_ready_steps(self) -> None:
        for step in list(self.pending):
            if any(up not in self.outcomes for up in step.upstream):
                continue
            reason = skip_reason(step, self.outcomes, self.plan)
            if reason is not None:
                self.pending.remove(step)
                self.writer(skip_events(step, self.services.run_id, reason))
                self._finish(step, StepOutcome(StepStatus.SKIPPED))
                continue
            if len(self.running) >= self.ex.max_concurrent:
                continue
            if self.ex.pools is not None and not self.ex.pools.try_acquire(step.key, self._pool_of(step)):
                continue  # every slot of its pool is taken; the next pass tries again
            self.pending.remove(step)
            self._launch(step)

    def _pool_of(self, step: Step) -> str | None:
        if step.kind != "asset":
            return None
        pool: str | None = getattr(self.services.graph.assets_def_for(step.asset_keys[0]), "pool", None)
        return pool

    def _launch(self, step: Step) -> None:
        paths = self._log_paths(step)
        if paths is not None:
            self.writer([make_event(EventType.LOG_MESSAGE, self.services.run_id, step_key=step.key,
                                    message=f"stdout and stderr of step {step.key} are captured",
                                    data={"kind": CAPTURED_LOGS_KIND, "stdout": str(paths[0]), "stderr": str(paths[1]),
                                          "level": "DEBUG"})])
        receive, send = self._ex_ctx().Pipe(duplex=False)
        process = self._ex_ctx().Process(target=_child_main, name=f"assetgraph-step-{step.key}",
                                         args=(step, self.services, self.open_instance, send, paths, os.getpid()))
        with self.ex.fork_lock:
            process.start()
        send.close()
        self.running[step.key] = _Running(step, process, receive, time.monotonic())

    def _ex_ctx(self) -> Any:
        return self.ex._ctx

    def _log_paths(self, step: Step) -> tuple[Path, Path] | None:
        if self.ex.log_dir is None:
            return None
        self.ex.log_dir.mkdir(parents=True, exist_ok=True)
        stem = log_file_stem(step.key)
        return self.ex.log_dir / f"{stem}.out", self.ex.log_dir / f"{stem}.err"

    def _wait_and_collect(self) -> None:
        if not self.running:
            return
        handles: list[Any] = [r.conn for r in self.running.values()] + [r.process.sentinel for r in self.running.values()]
        wait(handles, timeout=_POLL_SECONDS * 4)
        for key, r in list(self.running.items()):
            message = _receive(r.conn)
            if message is None and r.process.is_alive():
                continue
            r.process.join(timeout=5)
            del self.running[key]
            self._finish(r.step, self._outcome_from(r, message))

    def _outcome_from(self, r: _Running, message: tuple[Any, ...] | None) -> StepOutcome:
        if message is not None and message[0] == "outcome":
            _, status, blocked, error_text = message
            blocked_by = [AssetCheckKey(AssetKey(p), n) for p, n in blocked]
            crashed = StepCrashedInChild(error_text) if error_text else None
            return StepOutcome(StepStatus(status), blocked_by=blocked_by, error=crashed)
        code = r.process.exitcode
        if message is not None:  # the child's own machinery failed (not the user's function)
            reason = f"the step process failed: {message[1]}"
        elif code is not None and code < 0:
            reason = f"the step process was killed by {_signal_name(-code)}"
        else:
            reason = f"the step process exited with code {code} without reporting an outcome"
        error = StepProcessError(f"Step {r.step.key!r}: {reason}.")
        self.writer(StepRunner(r.step, self.services)._failure_events(error))
        return StepOutcome(StepStatus.FAILURE, error=error)

    def _finish(self, step: Step, outcome: StepOutcome) -> None:
        if self.ex.pools is not None:
            self.ex.pools.release(step.key)
        self.outcomes[step.key] = outcome
        if self.ex.progress is not None:
            self.ex.progress(step, outcome, len(self.outcomes), len(self.plan.steps))

    def _cancel_all(self, why: str) -> None:
        for r in self.running.values():
            if r.process.is_alive():
                r.process.terminate()
        deadline = time.monotonic() + TERMINATE_GRACE_SECONDS
        for r in self.running.values():
            r.process.join(timeout=max(0.0, deadline - time.monotonic()))
            if r.process.is_alive():
                r.process.kill()
                r.process.join(timeout=5)
        for key, r in list(self.running.items()):
            message = _receive(r.conn)
            if message is not None and message[0] == "outcome":
                self._finish(r.step, self._outcome_from(r, message))
            else:
                error = StepProcessError(f"Step {key!r} was stopped: {why}.")
                self.writer(StepRunner(r.step, self.services)._failure_events(error))
                self._finish(r.step, StepOutcome(StepStatus.FAILURE, error=error))
            del self.running[key]
        for step in self.pending:
            self.writer(skip_events(step, self.services.run_id, why))
            self._finish(step, StepOutcome(StepStatus.SKIPPED))
        self.pending = []


def _receive(conn: Connection) -> tuple[Any, ...] | None:
    try:
        if conn.poll():
            message: tuple[Any, ...] = conn.recv()
            return message
    except (EOFError, OSError):
        return None
    return None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


# -- the child process ---------------------------------------------------------------------------

def _child_main(step: Step, services: StepServices, open_instance: Callable[[], Any], conn: Connection,
                log_paths: tuple[Path, Path] | None, parent_pid: int) -> None:
    """Run one step and send its outcome; never raises (the parent reads the outcome or the exit code)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent(parent_pid)
    if log_paths is not None:
        _capture_output(*log_paths)
    try:
        instance = open_instance()
    except BaseException as exc:
        conn.send(("error", f"cannot open storage: {ErrorInfo.from_exception(exc)}"))
        return
    try:
        from assetgraph.execution.executor import RecordingWriter

        writer = RecordingWriter(instance, keep=False)
        child = dataclasses.replace(services, instance=instance, write=writer)
        outcome = StepRunner(step, child).run()
        blocked = [[list(ck.asset_key.path), ck.name] for ck in outcome.blocked_by]
        error = str(outcome.error) if outcome.error is not None else None
        conn.send(("outcome", outcome.status.value, blocked, error))
    except BaseException as exc:
        conn.send(("error", ErrorInfo.from_exception(exc).traceback))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        instance.dispose()


def _capture_output(out_path: Path, err_path: Path) -> None:
    for fd, path in ((1, out_path), (2, err_path)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(target, fd)
        os.close(target)
    sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115 - lives as long as the process
    sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115


def _exit_with_parent(parent_pid: int) -> None:
    """A step process must not outlive its run worker (SIGKILL of the worker leaves no orphans)."""
    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(70)
            time.sleep(0.5)

    threading.Thread(target=watch, name="assetgraph-parent-watch", daemon=True).start()
