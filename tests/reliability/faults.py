"""What the fault-injection scenarios (`test_faults_*.py`) share: a deployment of real processes,
seeds that replay, and the invariants every scenario ends with.

`Deployment` runs ``assetgraph daemon`` and ``assetgraph server`` as the commands a service manager
would run, over one ``$ASSETGRAPH_HOME`` and one storage URL; the daemon starts its code-location
process, its warm worker process and the run workers. Every process started here carries a marker
in its environment, and `Deployment.close` kills whatever still carries it (run workers live in
their own sessions and outlive the daemon by design).

`check_backfill` is the end of every scenario: nothing committed before a fault is gone, no run ran
twice, no chunk had two runs at once (nor a run after one that succeeded), no asset partition was
materialised twice by the backfill, no run is left in progress or queued, and the backfill
COMPLETED with every requested partition materialised exactly as its status table says.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assetgraph import AssetKey, EventType, RunStatus
from assetgraph.orchestration.daemon import DAEMON_HEARTBEAT_KEY
from assetgraph.storage.config import HOME_ENV_VAR, URL_ENV_VAR

ROOT = Path(__file__).resolve().parents[2]
LOCATION_FILE = Path(__file__).with_name("faults_location.py")
MARKER_ENV = "ASSETGRAPH_FAULTS_TEST"
SEED_ENV = "ASSETGRAPH_FAULT_SEED"
IN_PROGRESS = (RunStatus.STARTING, RunStatus.STARTED, RunStatus.CANCELING)


def seeds(count: int) -> list[int]:
    """``count`` random seeds, or the one in ``$ASSETGRAPH_FAULT_SEED`` (to replay a failure)."""
    fixed = os.environ.get(SEED_ENV)
    if fixed:
        return [int(fixed)]
    return [random.randrange(1, 2**31) for _ in range(count)]


def wait_for(condition: Callable[[], Any], timeout: float = 30.0, interval: float = 0.05,
             what: str = "condition") -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not met within {timeout:g}s")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def monitoring_yaml(*, interval: float = 0.2, heartbeat_interval: float = 0.5, heartbeat_timeout: float = 4.0,
                    startup_timeout: float = 8.0, load_timeout: float = 30.0, extra: str = "") -> str:
    """``assetgraph.yaml`` with run monitoring fast enough for a test."""
    return (f"run_monitoring:\n  interval_seconds: {interval}\n  heartbeat_interval_seconds: {heartbeat_interval}\n"
            f"  heartbeat_timeout_seconds: {heartbeat_timeout}\n  startup_timeout_seconds: {startup_timeout}\n"
            f"code_locations:\n  load_timeout_seconds: {load_timeout}\n  check_interval_seconds: 0.2\n{extra}")


class Deployment:
    """``assetgraph daemon`` and ``assetgraph server`` over one home and one storage URL."""

    def __init__(self, folder: Path, *, url: str | None = None, workspace: str | None = None,
                 config: str | None = None, env: dict[str, str] | None = None, home: Path | None = None) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.home = home or folder / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        self.url = url or f"sqlite:///{self.home / 'assetgraph.db'}"
        (self.home / "assetgraph.yaml").write_text(config if config is not None else monitoring_yaml())
        self.workspace = folder / "workspace.yaml"
        self.workspace.write_text(workspace or f"load_from:\n  - python_file: {{relative_path: {LOCATION_FILE}, "
                                                f"location_name: faults}}\n")
        self.marker = uuid.uuid4().hex
        self.env = {**os.environ, HOME_ENV_VAR: str(self.home), URL_ENV_VAR: self.url, MARKER_ENV: self.marker,
                    "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
                    **(env or {})}
        self.daemon: subprocess.Popen[bytes] | None = None
        self.server: subprocess.Popen[bytes] | None = None
        self.port: int | None = None
        self.logs: list[Path] = []
        self._instance: Any = None

    @property
    def instance(self) -> Any:
        """This process's view of the storage (opened on first use, after the daemon created it)."""
        if self._instance is None:
            from assetgraph import Instance

            self._instance = Instance.from_url(self.url)
        return self._instance

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        log_path = self.folder / f"{name}-{len(self.logs)}.log"
        self.logs.append(log_path)
        with open(log_path, "wb") as log:
            return subprocess.Popen([sys.executable, "-m", "assetgraph.cli.main", *args], cwd=self.folder, env=self.env,
                                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True)

    def start_daemon(self) -> int:
        """Start ``assetgraph daemon``; return its pid once it heart-beats in storage."""
        assert self.daemon is None or self.daemon.poll() is not None, "one daemon at a time"
        started = time.time()
        self.daemon = self._spawn("daemon", ["daemon", "-w", str(self.workspace), "--log-level", "INFO"])
        daemon = self.daemon

        def beating() -> bool:
            if daemon.poll() is not None:
                raise AssertionError(f"the daemon exited with {daemon.returncode}:\n{self.log_text()}")
            beat = self.instance.get_kvs([DAEMON_HEARTBEAT_KEY]).get(DAEMON_HEARTBEAT_KEY)
            return beat is not None and json.loads(beat)["time"] >= started

        wait_for(beating, timeout=60, what="the daemon heart-beats")
        return daemon.pid

    def start_server(self) -> int:
        """Start ``assetgraph server`` on a free port; return the port once ``/health`` answers with no
        location still loading."""
        assert self.server is None or self.server.poll() is not None, "one server at a time"
        self.port = free_port()
        self.server = self._spawn("server", ["server", "-w", str(self.workspace), "--port", str(self.port),
                                             "--log-level", "WARNING"])
        server = self.server

        def healthy() -> bool:
            if server.poll() is not None:
                raise AssertionError(f"the server exited with {server.returncode}:\n{self.log_text()}")
            health = self.health()
            return health is not None and all(loc["status"] != "LOADING" for loc in health["locations"])

        wait_for(healthy, timeout=60, interval=0.1, what="the server answers /health, its locations loaded")
        return self.port

    def health(self) -> dict[str, Any] | None:
        """The server's ``/health`` answer, or None when it does not answer."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2) as response:
                answer: dict[str, Any] = json.loads(response.read())
                return answer
        except OSError:
            return None

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        """POST ``query`` to the server as the UI does; the ``data`` of the answer (errors fail)."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/graphql", data=json.dumps({"query": query, "variables": variables or {}}).encode(),
            headers={"Content-Type": "application/json", "X-Assetgraph-Request": "1"})
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
        assert not answer.get("errors"), answer["errors"]
        return answer["data"]

    def launch_backfill(self, selection: str, first: str, last: str, tags: dict[str, str] | None = None) -> str:
        """Request a backfill through the server's GraphQL API; return its id."""
        data = self.graphql(
            "mutation($s: String!, $a: String!, $b: String!, $t: [TagInput!]) { launchBackfill(selection: $s, "
            "partitionRange: {start: $a, end: $b}, tags: $t) { id } }",
            {"s": selection, "a": first, "b": last, "t": [{"key": k, "value": v} for k, v in (tags or {}).items()]})
        return str(data["launchBackfill"]["id"])

    def kill(self, which: str) -> int:
        """SIGKILL the daemon or the server (only that process, as the OOM killer would); return its pid."""
        process = self.daemon if which == "daemon" else self.server
        assert process is not None and process.poll() is None, f"no {which} to kill"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        return process.pid

    def location_pid(self, owner: str = "daemon") -> int | None:
        """The pid of the code-location process the daemon (or the server) started."""
        import psutil

        process = self.daemon if owner == "daemon" else self.server
        if process is None or process.poll() is not None:
            return None
        try:
            children = psutil.Process(process.pid).children()
        except psutil.NoSuchProcess:
            return None
        for child in children:
            try:
                if "assetgraph.codelocation.server" in child.cmdline():
                    return int(child.pid)
            except psutil.NoSuchProcess:
                continue
        return None

    def running_worker(self) -> tuple[str, int] | None:
        """A run in progress whose worker announced its pid and is alive: (run id, pid)."""
        for run in self.instance.get_runs(status=RunStatus.STARTED):
            starts = self.instance.get_event_records(event_type=EventType.RUN_START, run_id=run.run_id)
            if starts and alive(int(starts[0].data["pid"])):
                return run.run_id, int(starts[0].data["pid"])
        return None

    def stop(self, which: str) -> int | None:
        """SIGTERM, as a service manager stops it (to the daemon alone: its run workers must outlive it,
        systemd's ``KillMode=process``); SIGKILL of its process group when that does not do."""
        process = self.daemon if which == "daemon" else self.server
        if process is None:
            return None
        if process.poll() is None:
            if which == "daemon":
                os.kill(process.pid, signal.SIGTERM)
            else:
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        return process.returncode

    def kill_leftovers(self) -> list[int]:
        """SIGKILL every process that still carries this deployment's marker."""
        import psutil

        killed = []
        for proc in psutil.process_iter():
            try:
                if proc.pid != os.getpid() and proc.environ().get(MARKER_ENV) == self.marker:
                    proc.kill()
                    killed.append(proc.pid)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        return killed

    def log_text(self, limit: int = 20_000) -> str:
        text = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')}" for p in self.logs if p.exists())
        return text[-limit:]

    def close(self) -> None:
        try:
            self.stop("server")
            self.stop("daemon")
        finally:
            self.kill_leftovers()
            if self._instance is not None:
                self._instance.dispose()


@dataclass
class Committed:
    """What storage held at one moment: event ids with their kind, and materialised partitions."""

    events: dict[int, tuple[str, str | None, str | None, str | None]] = field(default_factory=dict)
    materialized: dict[AssetKey, set[str]] = field(default_factory=dict)


def committed(instance: Any, keys: Sequence[AssetKey]) -> Committed:
    """Every event and every materialised partition of ``keys`` stored so far."""
    seen = Committed()
    for record in instance.get_event_records():
        seen.events[record.id] = (str(record.event_type), record.run_id, record.step_key,
                                  record.asset_key.to_user_string() if record.asset_key else None)
    for key in keys:
        seen.materialized[key] = set(instance.get_partition_status(key).materialized.get_partition_keys())
    return seen


def lost_since(before: Committed, after: Committed) -> list[str]:
    """What ``before`` held that ``after`` does not: lost or altered events, unmaterialised partitions."""
    problems = [f"event {i} {kind} lost or altered" for i, kind in before.events.items() if after.events.get(i) != kind]
    for key, parts in before.materialized.items():
        gone = parts - after.materialized.get(key, set())
        if gone:
            problems.append(f"{key.to_user_string()}: partitions {sorted(gone)} no longer materialised")
    return problems


def check_backfill(instance: Any, backfill_id: str, keys: Sequence[AssetKey], partitions: Sequence[str],
                   history: Sequence[Committed] = (), *, others_may_run: bool = False) -> list[str]:
    """The invariants at the end of a scenario; the list of those that do not hold (empty: all hold).
    With ``others_may_run``, runs outside this backfill may still be in progress or queued."""
    problems: list[str] = []
    now = committed(instance, keys)
    for before in history:
        problems += lost_since(before, now)
    record = instance.get_backfill(backfill_id)
    if record is None or record.status != "COMPLETED":
        problems.append(f"backfill {backfill_id} is {record.status if record else 'missing'}, not COMPLETED")
    stuck = [f"{r.run_id} {r.status.value}" for r in instance.get_runs(status=[*IN_PROGRESS, RunStatus.QUEUED])
             if not others_may_run or r.backfill_id == backfill_id]
    if stuck:
        problems.append(f"runs left in progress or queued: {stuck}")
    runs = instance.get_runs(backfill_id=backfill_id)
    starts: dict[str, int] = {}
    for r in instance.get_event_records(event_type=EventType.RUN_START):
        starts[r.run_id or ""] = starts.get(r.run_id or "", 0) + 1
    twice = sorted(run_id for run_id, n in starts.items() if n > 1)
    if twice:
        problems.append(f"runs started more than once: {twice}")
    by_partition: dict[str, list[Any]] = {}
    for run in runs:
        by_partition.setdefault(run.partition_key or "", []).append(run)
    for partition, chain in sorted(by_partition.items()):
        chain.sort(key=lambda r: r.create_time)
        succeeded = [r for r in chain if r.status == RunStatus.SUCCESS]
        if len(succeeded) > 1:  # (none: its last run's worker died after its last write)
            problems.append(f"partition {partition}: {len(succeeded)} successful runs: "
                            f"{[(r.run_id[:8], r.status.value) for r in chain]}")
        for earlier, later in itertools.pairwise(chain):
            if earlier.end_time is None or (later.start_time or later.create_time) < earlier.end_time:
                problems.append(f"partition {partition}: run {later.run_id} started before {earlier.run_id} ended")
            if earlier.status == RunStatus.SUCCESS:
                problems.append(f"partition {partition}: run {later.run_id} launched after a success")
    missing_runs = sorted(set(partitions) - set(by_partition))
    if missing_runs:
        problems.append(f"partitions never launched: {missing_runs}")
    for key in keys:
        status = instance.get_partition_status(key)
        done = set(status.materialized.get_partition_keys())
        if set(partitions) - done:
            problems.append(f"{key.to_user_string()}: not materialised: {sorted(set(partitions) - done)}")
        in_progress = set(status.in_progress.get_partition_keys()) & set(partitions)
        if in_progress:
            problems.append(f"{key.to_user_string()}: left in progress: {sorted(in_progress)}")
        records = instance.get_event_records(event_type=EventType.ASSET_MATERIALIZATION, asset_key=key)
        stored = {r.partition for r in records}
        if stored != done:
            problems.append(f"{key.to_user_string()}: status table {sorted(done)} != event log {sorted(stored)}")
        mine = [r.partition for r in records if r.run_id in {run.run_id for run in runs}]
        again = sorted({p for p in mine if mine.count(p) > 1})
        if again:
            problems.append(f"{key.to_user_string()}: materialised more than once by the backfill: {again}")
    return problems


def days(first: str, n: int) -> list[str]:
    """``n`` consecutive days from ``first`` (YYYY-MM-DD)."""
    from datetime import date, timedelta

    start = date.fromisoformat(first)
    return [(start + timedelta(days=i)).isoformat() for i in range(n)]


def iter_outcomes(results: dict[int, list[str]]) -> Iterator[str]:
    for seed, problems in results.items():
        if problems:
            yield f"seed {seed} (replay with {SEED_ENV}={seed}):\n  " + "\n  ".join(problems)
