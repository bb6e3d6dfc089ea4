"""Server benchmarks: the lineage query over 10,000 assets and partition status bars of an asset
with about 1,000,000 partitions, through a real uvicorn server on loopback.

    .venv/bin/python bench/server/bench_graphql.py [--assets 10000] [--repeat 7] [--json out.json]

The server runs in its own process (`serve_generated.py`), so that the client's decoding and
its garbage collections are not charged to the server. Reports medians (and min/max) in
milliseconds, measured end to end with HTTP (client-side wall time: request, GraphQL execution,
JSON encoding, transfer and decoding), and the server process's CPU time per request (from
/proc). Targets (issue 6): assetNodes with upstream, downstream and latest materialization for
10,000 assets < 300 ms; partitionStatusRanges for 1,000,000 partitions < 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assetgraph import Definitions, asset
from assetgraph.definitions.events import Event, EventType
from assetgraph.definitions.keys import AssetKey
from assetgraph.definitions.partitions import HourlyPartitionsDefinition
from assetgraph.storage.instance import Instance

LINEAGE_QUERY = """{ assetNodes { key { path } upstream(depth: 1) { key { path } }
  downstream(depth: 1) { key { path } } latestMaterialization { timestamp } } }"""
# The same data through the one-step fields (no arguments to coerce per node).
LINEAGE_QUERY_ONE_STEP = """{ assetNodes { key { path } parents { key { path } } children { key { path } }
  latestMaterialization { timestamp } } }"""
# The compact form for graph views: the same nodes, edges and timestamps as parallel arrays.
LINEAGE_COMPACT_QUERY = "{ lineage { keys groups edges latestMaterializationTimestamps } }"
STATUS_QUERY = """{ assetNode(key: ["huge"]) { partitionStats { total materialized failed inProgress missing }
  partitionStatusRanges { start end status count } } }"""
HOURLY = HourlyPartitionsDefinition(start_date="1912-01-01-00:00")


def generated_defs(n: int, seed: int = 7) -> Definitions:
    """``n`` assets in layers of 100; each depends on up to three assets of earlier layers."""
    rng = random.Random(seed)
    assets = []
    for i in range(n):
        deps = sorted({f"a{rng.randrange(0, i - i % 100)}" for _ in range(rng.randint(1, 3))}) if i >= 100 else []

        def body() -> None: ...

        assets.append(asset(name=f"a{i}", deps=deps, group_name=f"g{i // 1000}")(body))

    @asset(partitions_def=HOURLY)
    def huge() -> None: ...

    return Definitions(assets=[*assets, huge])


def seed_instance(instance: Instance, defs: Definitions, n: int) -> None:
    """A materialization for every generated asset, and range-encoded status for ``huge``."""
    graph = defs.get_asset_graph()
    instance.register_assets({k: graph.get(k).partitions_def for k in graph.keys})
    now = time.time()
    events = [Event(event_type=EventType.ASSET_MATERIALIZATION, run_id="seed", timestamp=now,
                    asset_key=AssetKey(f"a{i}")) for i in range(n)]
    for start in range(0, len(events), 2000):
        instance.store_events(events[start:start + 2000])
    keys = HOURLY.get_partition_keys()
    status_events = []
    # 200 materialized ranges of 4,000 hours, with failed and in-progress partitions between them
    for block in range(200):
        lo = block * 5000
        status_events.append(Event(event_type=EventType.ASSET_MATERIALIZATION, run_id="seed", timestamp=now,
                                   asset_key=AssetKey("huge"), partition_range=(keys[lo], keys[lo + 3999])))
        status_events.append(Event(event_type=EventType.ASSET_MATERIALIZATION_FAILED, run_id="seed", timestamp=now,
                                   asset_key=AssetKey("huge"), partition=keys[lo + 4100]))
        status_events.append(Event(event_type=EventType.ASSET_MATERIALIZATION_PLANNED, run_id="seed", timestamp=now,
                                   asset_key=AssetKey("huge"), partition=keys[lo + 4200]))
    instance.store_events(status_events)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(n: int, db: Path) -> Iterator[tuple[str, int]]:
    """`serve_generated.py` on a free port over ``db`` (seeded there): its GraphQL URL and pid."""
    port = _free_port()
    server = subprocess.Popen([sys.executable, str(Path(__file__).parent / "serve_generated.py"), "--assets", str(n),
                               "--db", str(db), "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the benchmark server did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/graphql", server.pid
    finally:
        server.terminate()
        server.wait(30)


def cpu_ms(pid: int) -> float:
    """User + system CPU time of a process so far, in milliseconds (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def post(url: str, query: str, pid: int) -> tuple[float, float, dict[str, Any]]:
    """Wall milliseconds (client side), the server's CPU milliseconds, and the data."""
    body = json.dumps({"query": query}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    started, cpu = time.perf_counter(), cpu_ms(pid)
    with urllib.request.urlopen(request, timeout=300) as response:
        raw = response.read()
    elapsed, cpu_used = (time.perf_counter() - started) * 1000, cpu_ms(pid) - cpu
    payload = json.loads(raw)
    if payload.get("errors"):
        raise RuntimeError(payload["errors"])
    return elapsed, cpu_used, payload["data"]


def measure(url: str, pid: int, query: str, repeat: int) -> dict[str, Any]:
    post(url, query, pid)  # warm-up: snapshot graph, partition definitions, caches
    samples = [post(url, query, pid)[:2] for _ in range(repeat)]
    walls, cpus = [w for w, _ in samples], [c for _, c in samples]
    return {"median_ms": round(statistics.median(walls), 1), "min_ms": round(min(walls), 1),
            "max_ms": round(max(walls), 1), "median_server_cpu_ms": round(statistics.median(cpus), 1),
            "runs": repeat}


def graphql_core_floor(n: int, repeat: int) -> dict[str, Any]:
    """The lineage query's shape executed by bare graphql-core over plain dicts: the executor's own
    cost, which no resolver work can go below."""
    from graphql import build_schema, graphql_sync

    schema = build_schema("type K { path: [String!]! } type M { timestamp: Float! } "
                          "type N { key: K! parents: [N!]! children: [N!]! latestMaterialization: M } "
                          "type Query { assetNodes: [N!]! }")
    rng = random.Random(7)
    nodes: list[dict[str, Any]] = [{"key": {"path": [f"a{i}"]}, "parents": [], "children": [],
                                    "latestMaterialization": {"timestamp": 1.0}} for i in range(n)]
    for i in range(100, n):
        for j in {rng.randrange(0, i - i % 100) for _ in range(rng.randint(1, 3))}:
            nodes[i]["parents"].append(nodes[j])
            nodes[j]["children"].append(nodes[i])
    walls = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = graphql_sync(schema, LINEAGE_QUERY_ONE_STEP, root_value={"assetNodes": nodes})
        json.dumps(result.data)
        walls.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(walls), 1), "runs": repeat}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, serving(args.assets, Path(tmp) / "bench.db") as (url, pid):
        data = post(url, LINEAGE_QUERY, pid)[2]
        assert len(data["assetNodes"]) == args.assets + 1
        node = post(url, STATUS_QUERY, pid)[2]["assetNode"]
        results = {
            "assets": args.assets,
            "loadavg_start": [round(x, 2) for x in os.getloadavg()],
            "asset_nodes_lineage": measure(url, pid, LINEAGE_QUERY, args.repeat),
            "asset_nodes_lineage_one_step_fields": measure(url, pid, LINEAGE_QUERY_ONE_STEP, args.repeat),
            "compact_lineage": measure(url, pid, LINEAGE_COMPACT_QUERY, args.repeat),
            "partitions": node["partitionStats"]["total"],
            "status_ranges": len(node["partitionStatusRanges"]),
            "partition_status_ranges": measure(url, pid, STATUS_QUERY, args.repeat),
            "loadavg_end": [round(x, 2) for x in os.getloadavg()],
        }
    results["graphql_core_floor_same_shape"] = graphql_core_floor(args.assets, args.repeat)
    print(json.dumps(results, indent=2))
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
