"""Event write throughput on PostgreSQL and SQLite, side by side: events/s for batches of 1 and 10
events per `store_events` call (one transaction per call), from 1 and from 4 writer processes.

    .venv/bin/python bench/scaleout/bench_events.py [--repeat 3] [--seconds 2]
                                                    [--postgres postgresql://postgres@127.0.0.1:5432/test]

Two kinds of event: LOG_MESSAGE (the event log only) and ASSET_MATERIALIZATION of a daily
partition (the event log plus the partition status table, in the same transaction). Every
measurement starts from a new storage (a SQLite file in a temporary folder, a fresh PostgreSQL
database), writes for about ``--seconds`` per writer, and reports the median of ``--repeat``.
Never asserts a figure.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from assetgraph import AssetKey, DailyPartitionsDefinition, Instance
from assetgraph.definitions.events import Event, EventType

KEY = AssetKey(["bench", "events"])
DAYS = DailyPartitionsDefinition(start_date="2000-01-01")


def events(kind: str, run_id: str, start: int, count: int) -> list[Event]:
    now = time.time()
    if kind == "log":
        return [Event(event_type=EventType.LOG_MESSAGE, run_id=run_id, timestamp=now, step_key="s",
                      message=f"line {start + i}") for i in range(count)]
    first = date(2000, 1, 1)
    return [Event(event_type=EventType.ASSET_MATERIALIZATION, run_id=run_id, timestamp=now, step_key="s",
                  asset_key=KEY, partition=(first + timedelta(days=(start + i) % 9000)).isoformat())
            for i in range(count)]


def writer(url: str, kind: str, batch: int, seconds: float, start_at: float, out: Any) -> None:
    with Instance.from_url(url) as instance:
        run_id = str(uuid.uuid4())
        while time.time() < start_at:
            time.sleep(0.001)
        written = 0
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            instance.store_events(events(kind, run_id, written, batch))
            written += batch
        out.put((written, time.perf_counter() - t0))


def measure(url: str, kind: str, batch: int, writers: int, seconds: float) -> float:
    """Events per second, all writers together."""
    with Instance.from_url(url) as instance:
        instance.register_assets({KEY: DAYS})
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    start_at = time.time() + 0.5
    procs = [ctx.Process(target=writer, args=(url, kind, batch, seconds, start_at, queue)) for _ in range(writers)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=seconds * 10 + 60) for _ in procs]
    for p in procs:
        p.join()
    total = sum(n for n, _ in results)
    return total / max(elapsed for _, elapsed in results)


class Databases:
    def __init__(self, postgres: str) -> None:
        self.postgres = postgres
        self.tmp = Path(tempfile.mkdtemp(prefix="assetgraph-bench-events-"))
        self.made: list[str] = []

    def new(self, backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tempfile.mkdtemp(dir=self.tmp)}/assetgraph.db"
        import psycopg

        name = f"assetgraph_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.postgres, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        return self.postgres.rsplit("/", 1)[0] + f"/{name}"

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)
        if self.made:
            import psycopg

            with psycopg.connect(self.postgres, autocommit=True) as conn:
                for name in self.made:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    dbs = Databases(args.postgres)
    rows = []
    try:
        for kind in ("log", "materialization"):
            for batch in (1, 10):
                for writers in (1, 4):
                    row: dict[str, Any] = {"event": kind, "batch": batch, "writers": writers}
                    for backend in ("postgresql", "sqlite"):
                        samples = [measure(dbs.new(backend), kind, batch, writers, args.seconds)
                                   for _ in range(args.repeat)]
                        row[backend] = round(statistics.median(samples))
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    finally:
        dbs.close()
    print("\n| event | batch | writers | PostgreSQL events/s | SQLite events/s |\n|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['event']} | {r['batch']} | {r['writers']} | {r['postgresql']:,} | {r['sqlite']:,} |")
    print(f"\nload average {os.getloadavg()}")


if __name__ == "__main__":
    main()
