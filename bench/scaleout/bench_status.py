"""The partition status query of an asset with 1,000,000 partitions, on PostgreSQL (and SQLite
beside it): median milliseconds of `Instance.get_partition_status(key)`.

    .venv/bin/python bench/scaleout/bench_status.py [--partitions 1000000] [--chunks 2000] [--queries 21]
                                                    [--postgres postgresql://postgres@127.0.0.1:5432/test]

The asset is hourly from 1900-01-01 with exactly ``--partitions`` partitions. Its history is
written as runs would write it: ``--chunks`` range materialisations (ASSET_MATERIALIZATION with a
``partition_range``), a gap of missing partitions after each, one failed partition per chunk and
one range in progress, so the status holds a few thousand ranges rather than one. The figure is
the median of ``--queries`` calls on a warm connection; the first (cold) call is shown apart.
Never asserts a figure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from assetgraph import AssetKey, HourlyPartitionsDefinition, Instance
from assetgraph.definitions.events import Event, EventType

KEY = AssetKey(["bench", "hourly"])
START = datetime(1900, 1, 1)
FMT = "%Y-%m-%d-%H:%M"


def key(i: int) -> str:
    return (START + timedelta(hours=i)).strftime(FMT)


def history(n: int, chunks: int) -> list[list[Event]]:
    """Batches of events: per chunk, a materialised range, then a failed partition; gaps stay missing."""
    size = n // chunks
    done = int(size * 0.9)
    now = time.time()
    batches = []
    for c in range(chunks):
        first = c * size
        ev = [Event(event_type=EventType.ASSET_MATERIALIZATION, run_id=f"r{c}", timestamp=now, asset_key=KEY,
                    partition_range=(key(first), key(first + done - 1)), step_key="hourly")]
        ev.append(Event(event_type=EventType.ASSET_MATERIALIZATION_FAILED, run_id=f"r{c}", timestamp=now,
                        asset_key=KEY, partition=key(first + done + 1), step_key="hourly"))
        batches.append(ev)
    last = (chunks - 1) * size + done + 3
    batches.append([Event(event_type=EventType.ASSET_MATERIALIZATION_PLANNED, run_id="running", timestamp=now,
                          asset_key=KEY, partition_range=(key(last), key(min(last + 40, n - 1))),
                          step_key="hourly")])
    return batches


def run(url: str, n: int, chunks: int, queries: int) -> dict[str, Any]:
    pdef = HourlyPartitionsDefinition(start_date=START, end_date=START + timedelta(hours=n))
    with Instance.from_url(url) as instance:
        instance.register_assets({KEY: pdef})
        t0 = time.perf_counter()
        for batch in history(n, chunks):
            instance.store_events(batch)
        write_s = time.perf_counter() - t0
    with Instance.from_url(url) as instance:
        t0 = time.perf_counter()
        status = instance.get_partition_status(KEY)
        cold_ms = (time.perf_counter() - t0) * 1000
        samples = []
        for _ in range(queries):
            t0 = time.perf_counter()
            status = instance.get_partition_status(KEY)
            samples.append((time.perf_counter() - t0) * 1000)
        return {"total": status.total, "materialized": len(status.materialized), "failed": len(status.failed),
                "in_progress": len(status.in_progress), "missing": len(status.missing),
                "ranges": len(status.materialized.ranges), "history_write_s": round(write_s, 2),
                "cold_ms": round(cold_ms, 1), "median_ms": round(statistics.median(samples), 2),
                "max_ms": round(max(samples), 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--partitions", type=int, default=1_000_000)
    parser.add_argument("--chunks", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=21)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    import psycopg

    name = f"assetgraph_bench_{uuid.uuid4().hex[:10]}"
    tmp = Path(tempfile.mkdtemp(prefix="assetgraph-bench-status-"))
    with psycopg.connect(args.postgres, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        for backend, url in (("postgresql", args.postgres.rsplit("/", 1)[0] + f"/{name}"),
                             ("sqlite", f"sqlite:///{tmp / 'assetgraph.db'}")):
            print(json.dumps({"backend": backend, **run(url, args.partitions, args.chunks, args.queries)}),
                  flush=True)
    finally:
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
