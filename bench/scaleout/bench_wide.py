"""Wide DAG (64 assets x 0.5 s sleep): 4 Dask workers against the in-process executor.

    .venv/bin/python bench/scaleout/bench_wide.py [--pairs 3] [--workers 4] [--storage sqlite|postgres]
                                                  [--postgres postgresql://postgres@127.0.0.1:5432/test]

A cluster (``dask scheduler`` and ``dask worker --nworkers 4 --nthreads 1`` subprocesses) is
started once, outside the timed region, as it would be in a deployment. Every measured run is a
fresh child process that times one ``execute_definitions`` call on a new storage (SQLite file, or
a fresh PostgreSQL database). After one warm-up run per side, the sides alternate in-process,
Dask, in-process, Dask ... One more sample times the run with ``DaskExecutor(n_workers=4)`` and no
address, so the executor starts (and closes) its own LocalCluster inside the timed call.
Prints medians and the median of the per-pair ratios; never asserts a time.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PYTHON = Path(sys.executable)


def child(mode: str, address: str | None, storage_url: str, workers: int) -> None:
    """One measured run, in this (fresh) process; prints a JSON line."""
    sys.path.insert(0, str(REPO))
    started = time.perf_counter()
    from assetgraph import Instance
    from assetgraph.codelocation.loader import CodeLocationTarget, load_definitions
    from assetgraph.execution.dask_executor import DaskExecutor
    from assetgraph.execution.materialize import execute_definitions
    from bench.scaleout.wide_dag import defs

    executor: Any = None
    if mode != "inprocess":
        loader = functools.partial(load_definitions, CodeLocationTarget(module="bench.scaleout.wide_dag",
                                                                        attribute="defs"))
        executor = DaskExecutor(address if mode == "dask" else None, workers, load_definitions=loader)
    with Instance.from_url(storage_url) as instance:
        t0 = time.perf_counter()
        result = execute_definitions(defs, instance=instance, executor=executor)
        seconds = time.perf_counter() - t0
    print(json.dumps({"mode": mode, "seconds": seconds, "success": result.success,
                      "startup": t0 - started}))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_cluster(workers: int, log_dir: Path) -> tuple[str, list[subprocess.Popen[bytes]]]:
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(REPO), "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"}
    dask = str(PYTHON.parent / "dask")
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--dashboard-address", ":0"], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=open(log_dir / "scheduler.log", "wb"))]  # noqa: SIM115
    procs.append(subprocess.Popen([dask, "worker", address, "--nworkers", str(workers), "--nthreads", "1",
                                   "--no-dashboard"], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                                  stderr=open(log_dir / "workers.log", "wb")))  # noqa: SIM115
    from distributed import Client

    with Client(address, timeout=60, set_as_default=False) as client:
        client.wait_for_workers(workers, timeout=120)
    return address, procs


def stop_cluster(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in reversed(procs):
        p.send_signal(signal.SIGINT)
    for p in reversed(procs):
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


class Storage:
    """A new, empty storage per measured run."""

    def __init__(self, kind: str, postgres: str, tmp: Path) -> None:
        self.kind, self.postgres, self.tmp = kind, postgres, tmp
        self.made: list[str] = []

    def new(self) -> str:
        if self.kind == "sqlite":
            folder = Path(tempfile.mkdtemp(dir=self.tmp))
            return f"sqlite:///{folder / 'assetgraph.db'}"
        import psycopg

        name = f"assetgraph_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.postgres, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        return self.postgres.rsplit("/", 1)[0] + f"/{name}"

    def drop_all(self) -> None:
        if not self.made:
            return
        import psycopg

        with psycopg.connect(self.postgres, autocommit=True) as conn:
            for name in self.made:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def measure(mode: str, address: str | None, storage: Storage, workers: int) -> dict[str, Any]:
    cmd = [str(PYTHON), __file__, "--child", mode, "--address", address or "", "--url", storage.new(),
           "--workers", str(workers)]
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    line = [x for x in out.stdout.splitlines() if x.startswith("{")][-1]
    result: dict[str, Any] = json.loads(line)
    if not result["success"]:
        raise SystemExit(f"{mode} run failed:\n{out.stderr[-3000:]}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--storage", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--child")
    parser.add_argument("--address")
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.address or None, args.url, args.workers)
        return
    tmp = Path(tempfile.mkdtemp(prefix="assetgraph-scaleout-"))
    storage = Storage(args.storage, args.postgres, tmp)
    t0 = time.perf_counter()
    address, procs = start_cluster(args.workers, tmp)
    print(f"cluster of {args.workers} workers up in {time.perf_counter() - t0:.1f}s at {address}", flush=True)
    samples: dict[str, list[float]] = {"inprocess": [], "dask": []}
    try:
        for mode in ("inprocess", "dask"):
            print(f"warm-up {mode}: {measure(mode, address, storage, args.workers)['seconds']:.2f}s", flush=True)
        for i in range(args.pairs):
            for mode in ("inprocess", "dask"):
                seconds = measure(mode, address, storage, args.workers)["seconds"]
                samples[mode].append(seconds)
                print(f"pair {i + 1} {mode}: {seconds:.2f}s", flush=True)
        local = measure("dask-local", None, storage, args.workers)["seconds"]
    finally:
        stop_cluster(procs)
        storage.drop_all()
        shutil.rmtree(tmp, ignore_errors=True)
    ratios = [a / b for a, b in zip(samples["inprocess"], samples["dask"], strict=True)]
    print(json.dumps({"storage": args.storage, "workers": args.workers,
                      "inprocess_median_s": round(statistics.median(samples["inprocess"]), 2),
                      "dask_median_s": round(statistics.median(samples["dask"]), 2),
                      "speedup_median_of_pairs": round(statistics.median(ratios), 2),
                      "dask_with_own_local_cluster_s": round(local, 2),
                      "load_average": os.getloadavg()}, indent=1))


if __name__ == "__main__":
    main()
