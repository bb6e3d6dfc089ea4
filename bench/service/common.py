"""Shared helpers of the service benchmarks: start a server in its own process group on a free
loopback port, wait for HTTP, sum the RSS of its process tree from /proc, stop it cleanly.

Standard library only, so that it runs under either interpreter.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SERVICE_DIR = Path(__file__).resolve().parent
BENCH_DIR = SERVICE_DIR.parent
REPO = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
ASSETGRAPH_BIN = REPO / ".venv" / "bin" / "assetgraph"
# dagster-webserver 1.13.29 is not published (the newest is 1.13.27, which pins dagster==1.13.27),
# so `dagster dev` runs from its own environment; bench/.venv-dagster keeps dagster 1.13.29.
DAGSTER_WEB_VENV = BENCH_DIR / ".venv-dagster-web"
DAGSTER_WEB_VERSION = "1.13.27"

sys.path.insert(0, str(BENCH_DIR))
import workloads  # noqa: E402  (bench/workloads.py, standard library only)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def http(url: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
         timeout: float = 120.0) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def graphql(base: str, query: str, variables: dict[str, Any] | None = None,
            headers: dict[str, str] | None = None, timeout: float = 300.0) -> dict[str, Any]:
    status, raw = http(f"{base}/graphql", {"query": query, "variables": variables or {}}, headers, timeout)
    doc = json.loads(raw)
    if status != 200 or doc.get("errors"):
        raise RuntimeError(f"GraphQL HTTP {status}: {raw[:500]!r}")
    return doc["data"]


def _proc_table() -> dict[int, int]:
    """pid -> ppid of every process."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            table[int(entry)] = int(stat[stat.rindex(")") + 2:].split()[1])
    return table


def _start_time(pid: int) -> int | None:
    """The process's start time in clock ticks (field 22 of /proc/<pid>/stat), None when gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat[stat.rindex(")") + 2:].split()[19])


def descendants(root: int) -> list[int]:
    """``root`` and every process below it."""
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, ppid in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], [root] if root in table else []
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


@dataclass
class Server:
    """A dev server of either framework, its own session and process group, on a free port."""

    framework: str
    module_path: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    home: tempfile.TemporaryDirectory[str] | None = None
    started: float = 0.0
    seen: set[tuple[int, int | None]] = field(default_factory=set)  # (pid, start time) of every descendant

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        if self.framework == "assetgraph":
            return [str(ASSETGRAPH_BIN), "dev", "-f", str(self.module_path), "--host", "127.0.0.1",
                    "--port", str(self.port), "--no-watch"]
        return [str(DAGSTER_WEB_VENV / "bin" / "dagster"), "dev", "-f", str(self.module_path),
                "--host", "127.0.0.1", "--port", str(self.port)]

    def start(self) -> None:
        self.home = tempfile.TemporaryDirectory(prefix=f"svc-{self.framework}-")
        env = dict(os.environ)
        if self.framework == "assetgraph":
            env["ASSETGRAPH_HOME"] = str(Path(self.home.name) / "home")
        else:
            env["DAGSTER_HOME"] = self.home.name
            Path(self.home.name, "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
        self.log = open(Path(self.home.name) / "server.log", "wb")  # noqa: SIM115
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(self.command(), cwd=self.home.name, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def tree(self) -> list[int]:
        pids = descendants(self.proc.pid) if self.proc else []
        self.seen.update((pid, _start_time(pid)) for pid in pids)
        return pids

    def tree_rss_mib(self) -> float:
        return rss_bytes(self.tree()) / 2**20

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self) -> str:
        try:
            return (Path(self.home.name) / "server.log").read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def http_ok(self) -> bool:
        path = "/health" if self.framework == "assetgraph" else "/server_info"
        try:
            return http(self.base + path, timeout=2)[0] == 200
        except (OSError, ValueError):
            return False

    def location_loaded(self) -> bool:
        """The code location's definitions are loaded (assetgraph: /health; Dagster: workspace)."""
        try:
            if self.framework == "assetgraph":
                doc = json.loads(http(self.base + "/health", timeout=5)[1])
                locs = doc.get("locations") or []
                return bool(locs) and all(loc.get("status") == "LOADED" for loc in locs)
            data = graphql(self.base, "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus "
                                      "locationOrLoadError { __typename } } } } }", timeout=10)
            entries = data["workspaceOrError"]["locationEntries"]
            return bool(entries) and all(e["loadStatus"] == "LOADED" and
                                         e["locationOrLoadError"]["__typename"] == "RepositoryLocation"
                                         for e in entries)
        except (OSError, ValueError, RuntimeError, KeyError, TypeError):
            return False

    def wait(self, check: Callable[[], bool], timeout: float = 300.0, interval: float = 0.05) -> float:
        """Seconds from process start until ``check()`` first holds."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.framework} dev exited {self.proc.returncode}: {self.log_tail()}")
            self.tree()
            if check():
                return time.perf_counter() - self.started
            time.sleep(interval)
        raise TimeoutError(f"{self.framework} dev not ready after {timeout}s: {self.log_tail()}")

    def stop(self, grace: float = 20.0) -> float:
        """SIGTERM the process group, then SIGKILL what is left of it and of the processes seen
        below it; returns the seconds the clean stop took."""
        if self.proc is None:
            return 0.0
        self.tree()
        t0 = time.perf_counter()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        took = time.perf_counter() - t0
        time.sleep(0.5)
        for pid, started in self.seen:  # children that left the group (their own sessions), same process only
            if _start_time(pid) == started:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        self.log.close()
        self.home.cleanup()
        self.proc = None
        return took

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def module_for(framework: str, kind: str, n: int) -> Path:
    if kind == "layered":
        return workloads.write_layered(n, framework)
    return workloads.write_daily(framework, n)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def write_results(name: str, doc: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-service-{name}.json"
    path.write_text(json.dumps(doc, indent=2))
    return path


def context() -> dict[str, Any]:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                            text=True, check=False).stdout.strip()
    return {"date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()), "commit": commit,
            "loadavg_start": load_average(), "cpus": os.cpu_count(), "dagster_webserver": DAGSTER_WEB_VERSION}


def table(headers: list[str], rows: list[list[Any]]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)
