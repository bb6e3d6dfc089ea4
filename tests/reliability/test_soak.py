"""The soak test (issue 11, load): `assetgraph server` and `assetgraph daemon` as real processes on
one SQLite home, a schedule ticking every five seconds, a sensor every three, a backfill advancing,
and four clients polling GraphQL the way the UI's pages do. Quick form: 35 s of steady state; full
form (``ASSETGRAPH_CAMPAIGN=full``): 10 minutes.

What must hold:

- **Memory stays flat.** The resident set of the server and of the daemon is sampled every second.
  The first quarter of the run is warm-up (SQLAlchemy's statement cache, strawberry's schema caches,
  SQLite's page cache and CPython's arenas fill and then stay); after it, the median of the last
  tenth of the samples may exceed the median of the tenth after warm-up by at most
  ``max(12 MiB, 8 %)``. Quiet-service noise is a few MiB; over the 10-minute form (about 6,000
  requests and 300 runs) the bound catches a leak of about 2 KiB per request or 40 KiB per run.
- **Every tick is accounted for.** The schedule's ticks are consecutive five-second boundaries from
  its first tick to the stop, none missing or doubled, each SUCCESS with exactly one run; the
  sensor's evaluations are never closer than its interval and lag it by little.
- **Every requested run ran to completion.** Every run (schedule, sensor, backfill) is SUCCESS once
  the schedule and sensor are stopped and the queue drained; the backfill is COMPLETED.
- **No errors.** No GraphQL error or non-200 answer; no traceback or ERROR line in the server's and
  the daemon's logs or the run workers' logs; the resource's secret is in no log, no answer and
  nowhere in the SQLite files.
- Latency p50/p99 of each polling client is reported (and bounded loosely: the machine is shared).
"""

from __future__ import annotations

import datetime
import itertools
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from tests.reliability import soak_location
from tests.reliability.outcomes import Campaign, scale

pytestmark = pytest.mark.slow

SECRET = "soak-s3cret-Vx9!"
MIB = 1024 * 1024
HEADERS = {"X-Assetgraph-Request": "1"}
LOCATION = "soak_location"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Service:
    """One `assetgraph` command in its own process group, its output in a log file."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        """SIGTERM (what a service manager sends), then SIGKILL after 30 s; returns the exit code."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        with_children = psutil.Process(os.getpid()).children(recursive=True)
        for child in with_children:  # anything of ours the service left behind
            if child.pid != self.process.pid and _in_group(child, self.process.pid):
                child.kill()
        return int(self.process.returncode)


def _in_group(process: psutil.Process, group: int) -> bool:
    try:
        return os.getpgid(process.pid) == group
    except ProcessLookupError:
        return False


def _start(name: str, args: list[str], project: Path, env: dict[str, str]) -> Service:
    log = project / f"{name}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "assetgraph.cli.main", *args, "-f", "soak_location.py"],
                                   cwd=project, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    return Service(name, process, log)


@dataclass
class Sampler:
    """Resident set sizes of the services' main processes, once a second (seconds since start, bytes)."""

    services: list[Service]
    samples: dict[str, list[tuple[float, int]]] = field(default_factory=dict)
    tree_max: dict[str, int] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        started = time.monotonic()
        while not self.stop.wait(1.0):
            for service in self.services:
                try:
                    main = psutil.Process(service.process.pid)
                    rss = main.memory_info().rss
                    tree = rss + sum(c.memory_info().rss for c in main.children(recursive=True))
                except psutil.Error:
                    continue
                self.samples.setdefault(service.name, []).append((time.monotonic() - started, rss))
                self.tree_max[service.name] = max(self.tree_max.get(service.name, 0), tree)


@dataclass
class Poller:
    """A client polling like one of the UI's pages: requests in a loop, latencies and problems kept."""

    name: str
    requests: Callable[[httpx.Client], list[httpx.Response]]
    interval: float
    latencies: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self, url: str) -> None:
        with httpx.Client(base_url=url, timeout=30) as http:
            while not self.stop.is_set():
                started = time.perf_counter()
                try:
                    responses = self.requests(http)
                except httpx.HTTPError as exc:
                    self.problems.append(f"{self.name}: {exc!r}")
                    responses = []
                self.latencies.append(time.perf_counter() - started)
                for response in responses:
                    problem = _problem(response)
                    if problem:
                        self.problems.append(f"{self.name}: {problem}")
                self.stop.wait(self.interval)

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _problem(response: httpx.Response) -> str | None:
    if response.status_code != 200:
        return f"HTTP {response.status_code} on {response.request.url.path}: {response.text[:300]}"
    if SECRET in response.text:
        return "the secret is in an answer"
    if response.request.url.path == "/graphql" and response.json().get("errors"):
        return f"GraphQL errors: {response.json()['errors']}"
    return None


def _gql(http: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
    return http.post("/graphql", json={"query": query, "variables": variables or {}})


GRAPH = """{ lineage { keys groups edges executable latestMaterializationTimestamps }
  assetNodes { id key { path } groupName isPartitioned partitionStats { total materialized failed inProgress }
               latestMaterialization { timestamp runId } checks { name } } }"""
RUNS = """{ runs(first: 50) { nodes { id status startTime endTime assetSelection { path } partitionKey
  tags { key value } } pageInfo { endCursor hasNextPage } } }"""
EVENTS = """query($id: String!) { run(id: $id) { status events(first: 1000) { id eventType message stepKey
  metadata { label value } error { message } } } }"""
ASSET = """{ assetNode(key: ["daily"]) { partitionStatusRanges { start end status count }
  partitionStats { total materialized failed inProgress missing }
  materializations(first: 20) { id partition runId metadata { label value } } } }"""
AUTOMATION = """{ schedules { name status ticks(first: 20) { id status timestamp runIds error } }
  sensors { name status ticks(first: 20) { id status timestamp runIds error } }
  backfills(first: 10) { id status numPartitions donePartitions failedPartitions } codeLocations { name status } }"""


def _graph_page(http: httpx.Client) -> list[httpx.Response]:
    return [http.get("/"), _gql(http, GRAPH)]


def _runs_page(http: httpx.Client) -> list[httpx.Response]:
    runs = _gql(http, RUNS)
    nodes = runs.json()["data"]["runs"]["nodes"] if runs.status_code == 200 else []
    return [runs] + ([_gql(http, EVENTS, {"id": nodes[0]["id"]})] if nodes else [])


def _asset_page(http: httpx.Client) -> list[httpx.Response]:
    return [_gql(http, ASSET)]


def _automation_page(http: httpx.Client) -> list[httpx.Response]:
    return [_gql(http, AUTOMATION), http.get("/health")]


@dataclass
class Soak:
    project: Path
    home: Path
    url: str
    services: list[Service]


@pytest.fixture
def soak(tmp_path: Path) -> Iterator[Soak]:
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(soak_location.__file__, project / "soak_location.py")
    home = project / ".assetgraph"
    home.mkdir()
    (home / "assetgraph.yaml").write_text("run_queue:\n  max_concurrent_runs: 3\n", encoding="utf-8")
    env = {**os.environ, "ASSETGRAPH_HOME": str(home), soak_location.SECRET_ENV: SECRET,
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[2]), os.environ.get("PYTHONPATH", "")])}
    env.pop("ASSETGRAPH_STORAGE_URL", None)
    port = _free_port()
    services: list[Service] = []
    try:
        services.append(_start("daemon", ["daemon", "--log-level", "INFO"], project, env))
        services.append(_start("server", ["server", "--port", str(port), "--log-level", "INFO"], project, env))
        url = f"http://127.0.0.1:{port}"
        _wait_until_serving(url, services)
        yield Soak(project, home, url, services)
    finally:
        for service in services:
            service.stop()


def _wait_until_serving(url: str, services: list[Service], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for service in services:
            if service.process.poll() is not None:
                raise AssertionError(f"{service.name} exited early:\n{service.output()[-3000:]}")
        try:
            body = httpx.post(url + "/graphql", json={"query": "{ codeLocations { status } }"}, timeout=5).json()
            if body["data"]["codeLocations"] == [{"status": "LOADED"}] and "instance" in services[0].output():
                return
        except (httpx.HTTPError, ValueError, KeyError, TypeError):
            pass
        time.sleep(0.3)
    raise AssertionError("the server or the daemon did not come up:\n" + "\n".join(s.output()[-2000:] for s in services))


def _mutate(url: str, query: str) -> dict[str, Any]:
    body: dict[str, Any] = httpx.post(url + "/graphql", json={"query": query}, headers=HEADERS, timeout=30).json()
    assert "errors" not in body, body
    return body["data"]


def _drain(url: str, timeout: float = 180.0) -> list[dict[str, Any]]:
    """Wait until no run is queued or running and the backfill has finished; return every run."""
    deadline = time.monotonic() + timeout
    query = """{ runs(first: 1000) { nodes { id status tags { key value } partitionKey } pageInfo { hasNextPage } }
                backfills { id status } }"""
    while True:
        data = httpx.post(url + "/graphql", json={"query": query}, timeout=30).json()["data"]
        runs = data["runs"]["nodes"]
        busy = [r for r in runs if r["status"] in ("QUEUED", "STARTING", "STARTED", "CANCELING")]
        if not busy and all(b["status"] in ("COMPLETED", "FAILED", "CANCELED") for b in data["backfills"]):
            assert not data["runs"]["pageInfo"]["hasNextPage"]
            return list(runs)
        if time.monotonic() > deadline:
            raise AssertionError(f"runs still busy after the stop: {busy[:5]}, backfills {data['backfills']}")
        time.sleep(1.0)


@dataclass
class Memory:
    """One process's resident set over the soak: start, end and max, and whether it stayed flat."""

    name: str
    start: float
    after_warm_up: float
    end: float
    peak: float
    slope_per_minute: float

    @staticmethod
    def of(name: str, samples: list[tuple[float, int]]) -> Memory:
        values = [rss / MIB for _, rss in samples]
        n = len(values)
        warm = n // 4
        tenth = max(1, n // 10)
        steady = samples[warm:]
        times = [t for t, _ in steady]
        slope = statistics.linear_regression(times, [rss / MIB for _, rss in steady]).slope * 60 if len(
            steady) > 2 else 0.0
        return Memory(name, values[0], statistics.median(values[warm:warm + tenth]),
                      statistics.median(values[-tenth:]), max(values), slope)

    @property
    def tolerance(self) -> float:
        return max(12.0, 0.08 * self.after_warm_up)

    @property
    def is_flat(self) -> bool:
        return self.end - self.after_warm_up <= self.tolerance

    def describe(self) -> str:
        return (f"{self.name} RSS start {self.start:.0f} MiB, after warm-up {self.after_warm_up:.0f}, end {self.end:.0f}, "
                f"max {self.peak:.0f} (+{self.end - self.after_warm_up:.1f} MiB after warm-up, tolerance "
                f"{self.tolerance:.0f}; trend {self.slope_per_minute:+.2f} MiB/min)")


def _consecutive(timestamps: list[float], period: int) -> list[str]:
    """What is wrong with a list of tick times that should be every ``period`` seconds, or []."""
    problems = []
    if len(set(timestamps)) != len(timestamps):
        problems.append("a tick time appears twice")
    for earlier, later in itertools.pairwise(timestamps):
        if round(later - earlier) != period:
            problems.append(f"ticks {earlier:.0f} and {later:.0f} are {later - earlier:.0f} s apart")
    return problems


def test_soak_service_memory_ticks_runs_and_latency(soak: Soak, campaign: Campaign) -> None:
    duration = scale(35, 600)
    backfill_days = scale(12, 240)
    last_day = (datetime.date(2020, 1, 1) + datetime.timedelta(days=backfill_days - 1)).isoformat()
    _mutate(soak.url, 'mutation { launchBackfill(selection: "daily", partitionRange: '
                      f'{{start: "2020-01-01", end: "{last_day}"}}) {{ id }} }}')
    sampler = Sampler(soak.services)
    pollers = [Poller("graph page", _graph_page, 0.5), Poller("runs page", _runs_page, 0.5),
               Poller("asset page", _asset_page, 0.5), Poller("automation page", _automation_page, 1.0)]
    threads = [threading.Thread(target=sampler.run, daemon=True)]
    threads += [threading.Thread(target=p.run, args=(soak.url,), daemon=True) for p in pollers]
    started = time.time()
    for thread in threads:
        thread.start()
    try:
        time.sleep(duration)
    finally:
        for poller in pollers:
            poller.stop.set()
        sampler.stop.set()
        for thread in threads:
            thread.join(timeout=60)
    stopped = time.time()
    _mutate(soak.url, 'mutation { stopSchedule(name: "every_five_seconds") { status } '
                      'stopSensor(name: "every_evaluation") { status } }')
    runs = _drain(soak.url)
    ticks = _mutate(soak.url, """{ schedules { ticks(first: 1000) { status timestamp runIds } }
                                   sensors { ticks(first: 1000) { status timestamp runIds } } }""")
    exits = {s.name: s.stop() for s in soak.services}

    memory = [Memory.of(name, sampler.samples[name]) for name in ("server", "daemon")]
    schedule_ticks = sorted(ticks["schedules"][0]["ticks"], key=lambda t: t["timestamp"])
    sensor_ticks = sorted(ticks["sensors"][0]["ticks"], key=lambda t: t["timestamp"])
    by_id = {r["id"]: r for r in runs}
    failures: list[str] = []

    # Ticks: every boundary from the first tick to the stop, each with one finished run.
    times = [t["timestamp"] for t in schedule_ticks]
    failures += _consecutive(times, soak_location.SCHEDULE_SECONDS)
    if not times or times[0] > started + 15 or times[-1] < stopped - soak_location.SCHEDULE_SECONDS - 2:
        failures.append(f"schedule ticks span {times[:1]}..{times[-1:]}, the soak {started:.0f}..{stopped:.0f}")
    failures += [f"schedule tick {t}" for t in schedule_ticks if t["status"] != "SUCCESS" or len(t["runIds"]) != 1]
    gaps = [b["timestamp"] - a["timestamp"] for a, b in itertools.pairwise(sensor_ticks)]
    if not sensor_ticks or min(gaps, default=99.0) < soak_location.SENSOR_SECONDS - 0.05:
        failures.append(f"sensor evaluated closer than its interval: {min(gaps, default=None)}")
    expected_sensor = (stopped - started) / soak_location.SENSOR_SECONDS
    if len(sensor_ticks) < 0.6 * expected_sensor:
        failures.append(f"{len(sensor_ticks)} sensor ticks, expected about {expected_sensor:.0f}")
    requested = [r for t in schedule_ticks + sensor_ticks for r in t["runIds"]]
    failures += [f"requested run {r} is {by_id.get(r, {}).get('status')}" for r in requested
                 if by_id.get(r, {}).get("status") != "SUCCESS"]
    failures += [f"run {r['id']} ended {r['status']}" for r in runs if r["status"] != "SUCCESS"]
    backfill_runs = [r for r in runs if any(t["key"] == "assetgraph/backfill" for t in r["tags"])]

    # Errors, secrets and exits.
    problems = [p for poller in pollers for p in poller.problems]
    failures += problems[:5]
    logs = {s.name: s.output() for s in soak.services}
    worker_logs = {str(p): p.read_text(errors="replace") for p in (soak.home / "logs").rglob("*.log")}
    for name, text in {**logs, **worker_logs}.items():
        if SECRET in text:
            failures.append(f"the secret is in {name}")
        if "Traceback" in text or " ERROR " in text:
            failures.append(f"errors in {name}: {text[text.find('Traceback') if 'Traceback' in text else 0:][:1500]}")
    for database in soak.home.glob("assetgraph.db*"):
        if SECRET.encode() in database.read_bytes():
            failures.append(f"the secret is stored in {database.name}")
    failures += [f"{name} exited with {code}" for name, code in exits.items() if code != 0]
    failures += [m.describe() for m in memory if not m.is_flat]

    requests = sum(len(p.latencies) for p in pollers)
    latency = "; ".join(f"{p.name} p50 {p.percentile(0.5) * 1000:.0f} ms p99 {p.percentile(0.99) * 1000:.0f} ms "
                        f"({len(p.latencies)} polls)" for p in pollers)
    details = (f"{duration} s, {len(schedule_ticks)} schedule ticks, {len(sensor_ticks)} sensor ticks, "
               f"{len(runs)} runs ({len(backfill_runs)} of the backfill), {requests} polls; "
               + "; ".join(m.describe() for m in memory)
               + f"; tree max server {sampler.tree_max.get('server', 0) / MIB:.0f} MiB, daemon "
               f"{sampler.tree_max.get('daemon', 0) / MIB:.0f} MiB; {latency}")
    print("\nsoak:", details)
    campaign.record("load", f"soak: server + daemon, schedule every 5 s, sensor every 3 s, backfill, 4 polling "
                            f"clients ({duration} s)", trials=1, survived=0 if failures else 1,
                    checked="RSS flat after warm-up, every tick and run accounted for and SUCCESS, no error in "
                            "answers or logs, no secret anywhere", details=details)
    assert not failures, "\n".join(failures[:30])
    assert all(p.percentile(0.99) < 10.0 for p in pollers), latency
