"""The daemon, the run workers and this test as separate processes sharing one PostgreSQL database.

Nothing here calls the daemon's loops in-process: `assetgraph daemon -f pg_service_location.py`
runs as a subprocess (its own code-location process and warm worker process), configured only by
``$ASSETGRAPH_STORAGE_URL`` and ``$ASSETGRAPH_HOME/assetgraph.yaml``; this process writes intent
into PostgreSQL (`launch_run`, `reexecute_run`, `create_backfill`) and reads the outcome back, partly
with plain SQL. Covered: queued runs executed by worker processes with their events stored once,
a run launched through a separate server process (GraphQL ``launchRun``), a worker SIGKILLed
mid-step (seen by the daemon that launched it, and by a restarted daemon through the heartbeats
in storage), its re-execution from failure and its automatic retry, backfills advanced to
COMPLETED (and to FAILED, one partition failing) with exact partition status, and
``max_concurrent_runs: 1``. The last test pins a PostgreSQL-only race of the retry loop's cursor
(event ids committed out of order) without processes.

Every process started here carries a marker in its environment; each test ends by stopping the
daemon (SIGTERM, then SIGKILL of its process group) and killing whatever still carries the marker
(run workers live in their own sessions and outlive the daemon by design).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assetgraph import AssetKey, EventType, RunStatus
from assetgraph.codelocation.launch import MAX_RETRIES_TAG, PARENT_RUN_TAG, launch_run, reexecute_run
from assetgraph.codelocation.loader import CodeLocationTarget, load_definitions
from assetgraph.codelocation.snapshot import DefinitionsSnapshot, build_snapshot
from assetgraph.definitions.events import Event
from assetgraph.definitions.partitions.base import PartitionKeyRange
from assetgraph.execution.backfill import BACKFILL_TAG, create_backfill
from assetgraph.execution.plan import PartitionRequest
from assetgraph.orchestration.config import DaemonConfig
from assetgraph.orchestration.daemon import DAEMON_HEARTBEAT_KEY
from assetgraph.orchestration.retries import RunRetries
from assetgraph.storage.config import HOME_ENV_VAR, URL_ENV_VAR
from tests.execution.conftest import PG_HOST, PG_PORT, PG_USER, _admin_connection
from tests.orchestration.conftest import wait_for

pytestmark = pytest.mark.postgres

LOCATION_FILE = Path(__file__).with_name("pg_service_location.py")
TARGET = CodeLocationTarget(file=str(LOCATION_FILE), working_directory=str(LOCATION_FILE.parent))
MARKER_ENV = "ASSETGRAPH_PG_SERVICE_TEST"
MONITOR_INTERVAL = 0.25
IN_PROGRESS = [RunStatus.STARTING, RunStatus.STARTED, RunStatus.CANCELING]


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """A fresh database for this module, dropped at the end (the pattern of tests/execution/conftest.py)."""
    try:
        admin = _admin_connection()
    except Exception as exc:
        pytest.skip(f"PostgreSQL at {PG_HOST}:{PG_PORT} is not reachable ({exc}); start it with "
                    f"`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`.")
    name = f"assetgraph_service_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with _admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def instance(pg_url: str) -> Iterator[Any]:
    """This process's view of the shared storage (opening it first creates the schema)."""
    from assetgraph import Instance

    inst = Instance.from_url(pg_url)
    yield inst
    inst.dispose()


@pytest.fixture(scope="module")
def snapshot() -> DefinitionsSnapshot:
    return DefinitionsSnapshot.from_dict(build_snapshot(load_definitions(TARGET), TARGET.name))


def sql(url: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows of ``query`` read straight from PostgreSQL, bypassing assetgraph."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return list(conn.execute(query, params).fetchall())


class Services:
    """The daemon process of one test, and the files and environment its processes share."""

    def __init__(self, url: str, folder: Path, instance: Any) -> None:
        self.url = url
        self.folder = folder
        self.instance = instance
        self.home = folder / "home"
        self.home.mkdir()
        self.block_file = folder / "block"
        self.started_file = folder / "started"
        self.marker = uuid.uuid4().hex
        self.env = {**os.environ, URL_ENV_VAR: url, HOME_ENV_VAR: str(self.home), MARKER_ENV: self.marker,
                    "SVC_BLOCK_FILE": str(self.block_file), "SVC_STARTED_FILE": str(self.started_file)}
        self.daemon: subprocess.Popen[bytes] | None = None
        self.daemon_logs: list[Path] = []
        self.others: list[subprocess.Popen[bytes]] = []

    def start_daemon(self, max_concurrent_runs: int = 10, heartbeat_timeout: float = 20.0,
                     env: dict[str, str] | None = None) -> int:
        """Start ``assetgraph daemon`` with these settings (and ``env`` for it, its code location and
        its workers); return its pid once it heart-beats in storage."""
        assert self.daemon is None, "one daemon at a time"
        (self.home / "assetgraph.yaml").write_text(
            f"run_queue:\n  max_concurrent_runs: {max_concurrent_runs}\n"
            f"run_monitoring:\n  interval_seconds: {MONITOR_INTERVAL}\n"
            f"  heartbeat_timeout_seconds: {heartbeat_timeout}\n  startup_timeout_seconds: 30\n")
        log_path = self.folder / f"daemon-{len(self.daemon_logs)}.log"
        self.daemon_logs.append(log_path)
        started = time.time()
        with open(log_path, "wb") as log:
            self.daemon = subprocess.Popen(
                [sys.executable, "-m", "assetgraph.cli.main", "daemon", "-f", str(LOCATION_FILE)],
                cwd=self.folder, env={**self.env, **(env or {})}, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)

        def beating() -> bool:
            if self.daemon is not None and self.daemon.poll() is not None:
                raise AssertionError(f"the daemon exited with {self.daemon.returncode}:\n{self.logs()}")
            beat = self.instance.get_kvs([DAEMON_HEARTBEAT_KEY]).get(DAEMON_HEARTBEAT_KEY)
            return beat is not None and json.loads(beat)["time"] >= started

        wait_for(beating, timeout=30, interval=0.05)
        return self.daemon.pid

    def stop_daemon(self) -> int | None:
        """SIGTERM, as a service manager stops it; SIGKILL of its process group when that does not do."""
        process, self.daemon = self.daemon, None
        if process is None:
            return None
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        return process.returncode

    def start_server(self) -> int:
        """Start the web server (`assetgraph.server.app.serve`) over the same location and storage in
        a process of its own; return its port once ``/health`` answers."""
        port = free_port()
        script = ("import sys; from assetgraph.codelocation.workspace import Workspace, find_workspace; "
                  "from assetgraph.server.app import serve; from assetgraph.storage.instance import Instance; "
                  "serve(Workspace(find_workspace(file=sys.argv[1])), Instance.get(), port=int(sys.argv[2]))")
        log_path = self.folder / "server.log"
        self.daemon_logs.append(log_path)
        with open(log_path, "wb") as log:
            process = subprocess.Popen([sys.executable, "-c", script, str(LOCATION_FILE), str(port)], cwd=self.folder,
                                       env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       start_new_session=True)
        self.others.append(process)

        def healthy() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"the server exited with {process.returncode}:\n{self.logs()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:
                    return b'"LOADED"' in response.read()
            except OSError:
                return False

        wait_for(healthy, timeout=30, interval=0.1)
        return port

    def kill_leftovers(self) -> list[int]:
        """SIGKILL every process that still carries this test's marker (workers, step processes)."""
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

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.daemon_logs if p.exists())

    def close(self) -> None:
        self.block_file.unlink(missing_ok=True)
        try:
            self.stop_daemon()
            for process in self.others:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
                    try:
                        process.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        os.killpg(process.pid, signal.SIGKILL)
                        process.wait(timeout=10)
        finally:
            self.kill_leftovers()


@pytest.fixture
def services(pg_url: str, instance: Any, tmp_path: Path) -> Iterator[Services]:
    svc = Services(pg_url, tmp_path, instance)
    try:
        yield svc
    finally:
        svc.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def graphql(port: int, query: str) -> Any:
    """POST ``query`` to the server as the UI does; the ``data`` of the answer (errors fail the test)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json", "X-Assetgraph-Request": "1"})
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.loads(response.read())
    assert not answer.get("errors"), answer["errors"]
    return answer["data"]


def finished(instance: Any, run_id: str) -> RunStatus | None:
    run = instance.get_run(run_id)
    return run.status if run is not None and run.status.is_finished else None


def worker_pid(instance: Any, run_id: str) -> int | None:
    """The worker's pid, as it announced it in its RUN_START event."""
    starts = instance.get_event_records(event_type=EventType.RUN_START, run_id=run_id)
    return int(starts[0].data["pid"]) if starts else None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def keys_between(subset: Any, first: str, last: str) -> list[str]:
    """The keys of ``subset`` from ``first`` to ``last`` (the module's tests share one database, so
    each backfill looks only at its own days)."""
    return sorted(k for k in subset.get_partition_keys() if first <= k <= last)


def duplicated_events(url: str, run_ids: list[str]) -> list[tuple[Any, ...]]:
    """Events stored more than once, read with SQL: the same kind of event for the same run, step,
    asset and partition (captured-log messages aside, which a step may write several of)."""
    return sql(url, """
        SELECT run_id, event_type, step_key, asset_key, partition_key, count(*) FROM event_log
        WHERE run_id = ANY(%s) AND event_type <> 'LOG_MESSAGE'
        GROUP BY run_id, event_type, step_key, asset_key, partition_key HAVING count(*) > 1""", run_ids)


def test_queued_runs_are_executed_by_worker_processes_and_their_events_stored_once(
        services: Services, instance: Any, snapshot: DefinitionsSnapshot) -> None:
    daemon_pid = services.start_daemon()
    runs = [launch_run(instance, snapshot, asset_keys=["seed", "double"]) for _ in range(2)]
    runs.append(launch_run(instance, snapshot, asset_keys=["sleeper"]))
    assert all(r.status == RunStatus.QUEUED for r in runs)
    ids = [r.run_id for r in runs]
    wait_for(lambda: all(finished(instance, i) for i in ids), timeout=30)
    assert [finished(instance, i) for i in ids] == [RunStatus.SUCCESS] * 3, services.logs()
    pids = {worker_pid(instance, i) for i in ids}
    assert len(pids) == 3 and not pids & {os.getpid(), daemon_pid, None}  # one worker process per run
    for run in runs:
        types = [r.event_type for r in instance.get_event_records(run_id=run.run_id)]
        assert types[:3] == [EventType.RUN_ENQUEUED, EventType.RUN_STARTING, EventType.RUN_START]
        assert types[-1] == EventType.RUN_SUCCESS
    assert duplicated_events(services.url, ids) == []
    materialized = sql(services.url, """SELECT asset_key, count(*) FROM event_log
                                        WHERE run_id = ANY(%s) AND event_type = 'ASSET_MATERIALIZATION'
                                        GROUP BY asset_key ORDER BY asset_key""", ids)
    assert [(AssetKey.from_db_string(k).to_user_string(), n) for k, n in materialized] == [
        ("double", 2), ("seed", 2), ("sleeper", 1)]
    # what this process reads through assetgraph is exactly what PostgreSQL holds
    [(stored,)] = sql(services.url, "SELECT count(*) FROM event_log WHERE run_id = ANY(%s)", ids)
    assert stored == sum(len(instance.get_event_records(run_id=i)) for i in ids)
    assert services.stop_daemon() == 0, services.logs()


def test_a_run_launched_through_the_server_process_is_executed_by_the_daemon_process(
        services: Services, instance: Any) -> None:
    services.start_daemon()
    port = services.start_server()
    launched = graphql(port, 'mutation { launchRun(selection: "key:seed or key:double", '
                             'tags: [{key: "via", value: "server"}]) { runId status } }')["launchRun"]
    assert launched["status"] == "QUEUED"
    run_id = launched["runId"]
    assert wait_for(lambda: finished(instance, run_id), timeout=30) == RunStatus.SUCCESS, services.logs()
    run = instance.get_run(run_id)
    assert run.tags["via"] == "server" and sorted(k.to_user_string() for k in run.asset_selection) == ["double", "seed"]
    assert graphql(port, f'{{ run(id: "{run_id}") {{ status }} }}')["run"]["status"] == "SUCCESS"  # the server reads it back
    assert duplicated_events(services.url, [run_id]) == []


def test_a_worker_sigkilled_mid_step_fails_its_run_and_a_reexecution_from_failure_completes(
        services: Services, instance: Any, snapshot: DefinitionsSnapshot) -> None:
    services.start_daemon()
    services.block_file.write_text("hold")
    run = launch_run(instance, snapshot, asset_keys=["seed", "blocker", "after_block"])
    wait_for(services.started_file.exists, timeout=30)  # the blocker step is running
    pid = worker_pid(instance, run.run_id)
    assert pid is not None and alive(pid)
    step_pid = int(services.started_file.read_text())

    os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    assert wait_for(lambda: finished(instance, run.run_id), timeout=20, interval=0.02) == RunStatus.FAILURE
    assert time.monotonic() - killed_at < MONITOR_INTERVAL + 1.5  # one monitor pass, plus polling
    [failure] = instance.get_event_records(event_type=EventType.RUN_FAILURE, run_id=run.run_id)
    assert "killed by SIGKILL" in failure.message
    assert instance.get_run(run.run_id).end_time is not None
    blocker = instance.get_partition_status(AssetKey("blocker"))
    assert not blocker.in_progress and blocker.failed and not blocker.is_materialized()
    assert instance.get_partition_status(AssetKey("seed")).is_materialized()
    wait_for(lambda: not alive(step_pid), timeout=5)  # the step process did not outlive its worker

    services.block_file.unlink()
    retry = reexecute_run(instance, snapshot, run.run_id)
    assert sorted(k.to_user_string() for k in retry.asset_selection) == ["after_block", "blocker"]
    assert wait_for(lambda: finished(instance, retry.run_id), timeout=30) == RunStatus.SUCCESS, services.logs()
    assert instance.get_run(retry.run_id).parent_run_id == run.run_id
    for key in ("blocker", "after_block"):
        status = instance.get_partition_status(AssetKey(key))
        assert status.is_materialized() and not status.failed and not status.in_progress
    assert duplicated_events(services.url, [run.run_id, retry.run_id]) == []


def test_a_killed_run_is_retried_by_the_daemon_process_by_its_tag_policy(
        services: Services, instance: Any, snapshot: DefinitionsSnapshot) -> None:
    services.start_daemon()
    services.block_file.write_text("hold")
    run = launch_run(instance, snapshot, asset_keys=["seed", "blocker", "after_block"], tags={MAX_RETRIES_TAG: "1"})
    wait_for(services.started_file.exists, timeout=30)
    pid = worker_pid(instance, run.run_id)
    assert pid is not None
    step_pid = int(services.started_file.read_text())
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not alive(step_pid), timeout=5)  # (a step notices its worker's death within 0.5 s)
    services.block_file.unlink()  # the retry's blocker step finds no block file
    retries = wait_for(lambda: instance.get_runs(tags={PARENT_RUN_TAG: run.run_id}), timeout=20)
    assert len(retries) == 1 and finished(instance, run.run_id) == RunStatus.FAILURE
    assert sorted(k.to_user_string() for k in retries[0].asset_selection) == ["after_block", "blocker"]
    assert wait_for(lambda: finished(instance, retries[0].run_id), timeout=30) == RunStatus.SUCCESS, services.logs()
    time.sleep(3 * MONITOR_INTERVAL)  # more monitor passes: still exactly one retry
    assert len(instance.get_runs(tags={PARENT_RUN_TAG: run.run_id})) == 1


def test_a_worker_killed_while_no_daemon_runs_is_failed_by_the_next_daemon_from_its_heartbeats(
        services: Services, instance: Any, snapshot: DefinitionsSnapshot) -> None:
    services.start_daemon()
    services.block_file.write_text("hold")
    run = launch_run(instance, snapshot, asset_keys=["seed", "blocker"])
    wait_for(services.started_file.exists, timeout=30)
    pid = worker_pid(instance, run.run_id)
    assert pid is not None
    assert services.stop_daemon() == 0, services.logs()
    time.sleep(0.3)
    assert alive(pid) and instance.get_run(run.run_id).status == RunStatus.STARTED  # runs outlive their daemon
    os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()

    services.start_daemon(heartbeat_timeout=6.0)  # a new daemon knows no worker process: only storage
    assert wait_for(lambda: finished(instance, run.run_id), timeout=20) == RunStatus.FAILURE
    assert time.monotonic() - killed_at < 6.0 + 5.0  # the timeout, at most one heartbeat interval late
    [failure] = instance.get_event_records(event_type=EventType.RUN_FAILURE, run_id=run.run_id)
    assert "stopped heart-beating" in failure.message
    assert not instance.get_partition_status(AssetKey("blocker")).in_progress


def test_a_backfill_created_here_is_advanced_by_the_daemon_process_to_completed(
        services: Services, instance: Any, snapshot: DefinitionsSnapshot) -> None:
    services.start_daemon()
    keys = [AssetKey("day_events"), AssetKey("day_summary")]
    days = ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]
    backfill_id = create_backfill(instance, snapshot.graph, keys, PartitionRequest(range=PartitionKeyRange(days[0], days[-1])),
                                  location=snapshot.location)
    record = wait_for(lambda: (b := instance.get_backfill(backfill_id)) is not None and b.status in
                      ("COMPLETED", "FAILED", "CANCELED") and b, timeout=45, interval=0.1)
    assert record.status == "COMPLETED", services.logs()

    runs = instance.get_runs(backfill_id=backfill_id)
    assert sorted(r.partition_key or "" for r in runs) == days  # one run per partition, none twice
    assert {r.status for r in runs} == {RunStatus.SUCCESS}
    assert all(r.tags.get(BACKFILL_TAG) == backfill_id for r in runs)
    for key in keys:
        status = instance.get_partition_status(key)
        assert keys_between(status.materialized, days[0], days[-1]) == days
        assert keys_between(status.failed, days[0], days[-1]) == keys_between(status.in_progress, "", "~") == []
        assert not set(days) & set(status.missing.get_partition_keys())
    rows = sql(services.url, """SELECT asset_key, partition_key, count(*) FROM event_log
                                WHERE event_type = 'ASSET_MATERIALIZATION' AND run_id = ANY(%s)
                                GROUP BY asset_key, partition_key""", [r.run_id for r in runs])
    assert sorted((AssetKey.from_db_string(k).to_user_string(), p, n) for k, p, n in rows) == sorted(
        (key.to_user_string(), day, 1) for key in keys for day in days)
    # the status table the daemon's workers kept equals the one rebuilt from the log
    before = {key: instance.get_partition_status(key).materialized for key in keys}
    instance.rebuild_partition_status(keys)
    assert {key: instance.get_partition_status(key).materialized for key in keys} == before


def test_a_backfill_with_a_failing_partition_ends_failed_with_exact_partition_status(
        services: Services, instance: Any, snapshot: DefinitionsSnapshot) -> None:
    services.start_daemon(env={"SVC_FAIL_DAYS": "2024-01-12"})
    days = ["2024-01-11", "2024-01-12", "2024-01-13"]
    events, summary = AssetKey("day_events"), AssetKey("day_summary")
    backfill_id = create_backfill(instance, snapshot.graph, [events, summary],
                                  PartitionRequest(keys=tuple(days)), location=snapshot.location)
    record = wait_for(lambda: (b := instance.get_backfill(backfill_id)) is not None and b.status in
                      ("COMPLETED", "FAILED", "CANCELED") and b, timeout=45, interval=0.1)
    assert record.status == "FAILED", services.logs()
    assert (record.body["done_partitions"], record.body["failed_partitions"]) == (2, 1)
    outcomes = {r.partition_key: r.status for r in instance.get_runs(backfill_id=backfill_id)}
    assert outcomes == {"2024-01-11": RunStatus.SUCCESS, "2024-01-12": RunStatus.FAILURE,
                        "2024-01-13": RunStatus.SUCCESS}  # a failed chunk does not stop the next ones
    done = ["2024-01-11", "2024-01-13"]

    def within(subset: Any) -> list[str]:
        return keys_between(subset, days[0], days[-1])

    status = instance.get_partition_status(events)
    assert (within(status.materialized), within(status.failed), within(status.in_progress)) == (
        done, ["2024-01-12"], [])
    status = instance.get_partition_status(summary)  # skipped after its upstream failed: missing, not failed
    assert (within(status.materialized), within(status.failed), within(status.in_progress)) == (done, [], [])
    assert "2024-01-12" in status.missing


def test_with_max_concurrent_runs_1_two_launched_runs_never_overlap(
        services: Services, instance: Any, snapshot: DefinitionsSnapshot) -> None:
    services.start_daemon(max_concurrent_runs=1)
    runs = [launch_run(instance, snapshot, asset_keys=["sleeper"]) for _ in range(2)]
    ids = {r.run_id for r in runs}
    most_at_once = 0

    def both_finished() -> bool:
        nonlocal most_at_once
        in_progress = [r for r in instance.get_runs(status=IN_PROGRESS) if r.run_id in ids]
        most_at_once = max(most_at_once, len(in_progress))
        return all(finished(instance, i) for i in ids)

    wait_for(both_finished, timeout=30, interval=0.02)
    first, second = sorted((instance.get_run(r.run_id) for r in runs), key=lambda r: r.start_time or 0)
    assert (first.status, second.status) == (RunStatus.SUCCESS, RunStatus.SUCCESS), services.logs()
    assert most_at_once == 1
    assert first.run_id == runs[0].run_id  # oldest first
    assert first.end_time is not None and second.start_time is not None
    assert second.start_time >= first.end_time
    [first_success] = instance.get_event_records(event_type=EventType.RUN_SUCCESS, run_id=first.run_id)
    [second_starting] = instance.get_event_records(event_type=EventType.RUN_STARTING, run_id=second.run_id)
    assert second_starting.timestamp >= first_success.timestamp  # not even launched before the first ended


class _OneLocation:
    """A workspace of one loaded location, for the daemon's retry loop run in this process."""

    def __init__(self, snapshot: DefinitionsSnapshot) -> None:
        self.snapshot = snapshot

    def get(self, name: str | None) -> DefinitionsSnapshot:
        return self.snapshot


def test_a_run_failure_committed_after_a_later_one_is_still_retried(
        pg_url: str, instance: Any, snapshot: DefinitionsSnapshot) -> None:
    """Event ids come from a sequence: on PostgreSQL a writer can commit id N after another writer
    committed N+1 (here the run monitor's batch for run a, which marks its unfinished asset failed,
    waits for that asset's row while a worker commits run b's failure). The retry loop must not
    move its cursor past a failure it has not seen yet."""
    from assetgraph import Instance

    retries = RunRetries(instance, _OneLocation(snapshot), DaemonConfig())  # type: ignore[arg-type]
    retries.tick()  # the first pass only places the cursor
    seed = AssetKey("seed")
    instance.register_assets({seed: None})
    a, b = (launch_run(instance, snapshot, asset_keys=["seed"], tags={MAX_RETRIES_TAG: "1"}) for _ in range(2))
    for run in (a, b):
        instance.update_run(run.run_id, status=RunStatus.FAILURE, end_time=time.time())
    monitor_side = Instance.from_url(pg_url)
    import psycopg

    try:
        with psycopg.connect(pg_url) as holder:  # a transaction that holds seed's row, as a step's write does
            holder.execute("SELECT asset_key FROM assets WHERE asset_key = %s FOR UPDATE", [seed.to_db_string()])
            late = threading.Thread(target=monitor_side.store_events, args=([
                Event(event_type=EventType.ASSET_MATERIALIZATION_FAILED, run_id=a.run_id, timestamp=time.time(),
                      asset_key=seed, step_key="seed", message="worker died"),
                Event(event_type=EventType.RUN_FAILURE, run_id=a.run_id, timestamp=time.time(), message="worker died"),
            ],))
            late.start()
            wait_for(lambda: sql(pg_url, "SELECT count(*) FROM pg_locks WHERE NOT granted AND pid IN "
                                         "(SELECT pid FROM pg_stat_activity WHERE datname = current_database())"
                                 )[0][0] > 0, timeout=10)  # a's events are inserted (ids taken), its transaction waits for seed's row
            instance.store_events([Event(event_type=EventType.RUN_FAILURE, run_id=b.run_id, timestamp=time.time(),
                                         message="step failed")])
            retries.tick()  # sees b's failure; a's, with the lower id, is not committed yet
            holder.rollback()
        late.join(timeout=10)
        assert [r.event_type for r in instance.get_event_records(run_id=a.run_id)][-1] == EventType.RUN_FAILURE
        retries.tick()
        assert len(instance.get_runs(tags={PARENT_RUN_TAG: b.run_id})) == 1
        assert len(instance.get_runs(tags={PARENT_RUN_TAG: a.run_id})) == 1
    finally:
        monitor_side.dispose()
