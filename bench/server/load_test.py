"""A bounded load test on loopback: N concurrent clients query the server for D seconds while a
writer stores run events (as workers would). Reports requests, errors, p50 and p99 latency.

    .venv/bin/python bench/server/load_test.py [--clients 50] [--seconds 30] [--assets 500]

The server runs in its own process (`serve_generated.py`, uvicorn) over a SQLite instance in a
temporary directory; the clients are threads of this process using urllib, and the writer
stores events into the same SQLite file. Any non-200 answer or GraphQL error counts as
an error (the target is none).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from bench_graphql import _free_port

from assetgraph.definitions.events import Event, EventType, Run, RunStatus
from assetgraph.definitions.keys import AssetKey
from assetgraph.storage.instance import Instance

QUERIES = [
    "{ runs(first: 20) { nodes { id status startTime } pageInfo { endCursor hasNextPage } } }",
    '{ assetNodes(selection: "group:g0") { key { path } parents { key { path } } latestMaterialization { timestamp } '
    "partitionStats { total materialized } } }",
    '{ assetNode(key: ["huge"]) { partitionStats { total materialized failed } partitionStatusRanges { start end status } } }',
    '{ runEvents(runId: "load-writer", first: 100) { nodes { id eventType } pageInfo { endCursor } } }',
    "{ codeLocations { name status } backfills(first: 5) { id status } }",
]


def _client(url: str, stop: threading.Event, latencies: list[float], errors: list[str], index: int) -> None:
    i = index
    while not stop.is_set():
        query = QUERIES[i % len(QUERIES)]
        i += 1
        body = json.dumps({"query": query}).encode()
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                payload = json.loads(response.read())
            if payload.get("errors"):
                errors.append(str(payload["errors"])[:200])
        except (urllib.error.URLError, OSError, ValueError) as exc:
            errors.append(repr(exc)[:200])
        latencies.append((time.perf_counter() - started) * 1000)


def _writer(instance: Instance, stop: threading.Event, written: list[int]) -> None:
    instance.create_run(Run(run_id="load-writer", status=RunStatus.STARTED))
    n = 0
    while not stop.is_set():
        now = time.time()
        instance.store_events([
            Event(event_type=EventType.LOG_MESSAGE, run_id="load-writer", timestamp=now, message=f"event {n}"),
            Event(event_type=EventType.ASSET_MATERIALIZATION, run_id="load-writer", timestamp=now,
                  asset_key=AssetKey(f"a{n % 500}")),
        ])
        n += 2
        time.sleep(0.01)
    written.append(n)


def _wait_for(health: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server process exited")
        try:
            with urllib.request.urlopen(health, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not answer /health within 120 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--assets", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        server = subprocess.Popen([sys.executable, str(Path(__file__).parent / "serve_generated.py"), "--assets",
                                   str(args.assets), "--db", f"{tmp}/load.db", "--port", str(port)])
        url = f"http://127.0.0.1:{port}/graphql"
        try:
            _wait_for(f"http://127.0.0.1:{port}/health", server)
            instance = Instance.from_url(f"sqlite:///{tmp}/load.db")
            stop = threading.Event()
            latencies: list[float] = []
            errors: list[str] = []
            written: list[int] = []
            threads = [threading.Thread(target=_client, args=(url, stop, latencies, errors, i))
                       for i in range(args.clients)]
            writer = threading.Thread(target=_writer, args=(instance, stop, written))
            writer.start()
            for t in threads:
                t.start()
            time.sleep(args.seconds)
            stop.set()
            for t in [*threads, writer]:
                t.join(timeout=120)
            instance.dispose()
        finally:
            server.terminate()
            server.wait(timeout=30)
    ordered = sorted(latencies)
    result: dict[str, Any] = {
        "clients": args.clients, "seconds": args.seconds, "requests": len(latencies),
        "requests_per_s": round(len(latencies) / args.seconds, 1), "errors": len(errors),
        "p50_ms": round(statistics.median(ordered), 1) if ordered else None,
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 1) if ordered else None,
        "events_written": written[0] if written else 0, "first_errors": errors[:3],
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
