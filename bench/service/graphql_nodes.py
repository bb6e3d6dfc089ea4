"""GraphQL: every asset node with its upstream and downstream keys, `assetgraph dev` against
`dagster dev` serving the same generated layered DAG (issue 6 target: at least 10x faster).

    .venv/bin/python bench/service/graphql_nodes.py [--sizes 1000 5000] [--repeat 7] [--latest] [--quick]

bench/server/bench_graphql.py measures assetgraph alone (its own generated graph, with latest
materializations); this is the side-by-side. Per size: both servers are started (fresh, own
process groups, free loopback ports), each answers the query twice to warm up, then the queries
alternate assetgraph, Dagster for --repeat pairs. Client-side wall time of the HTTP request
(execution, JSON encoding, transfer, decoding). Figures: medians per server, the median of the
per-pair ratios.

``--latest`` first records one materialization per asset in each instance (through each
framework's own API: assetgraph's ``report_runless_asset_event``, Dagster's
``DagsterInstance.report_runless_asset_event``) and adds the latest materialization's timestamp
to both queries: the issue's full shape.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

from common import (
    ASSETGRAPH_BIN,
    DAGSTER_WEB_VENV,
    Server,
    context,
    http,
    load_average,
    median,
    module_for,
    table,
    write_results,
)

# Dagster's dependencyKeys/dependedByKeys are the direct parents and children. assetgraph's
# `upstream`/`downstream` without arguments are ALL ancestors/descendants (the transitive closure:
# about N^2/2 keys on the layered DAG), so the equivalent query is `depth: 1` (the default here)
# or `parents`/`children`; `--variant transitive` measures the literal unbounded form,
# `--variant lineage` the compact parallel-array query with the same nodes and edges.
AG_VARIANTS = {
    "depth1": "{ assetNodes { key { path } upstream(depth: 1) { key { path } } downstream(depth: 1) { key { path } } } }",
    "parents": "{ assetNodes { key { path } upstream: parents { key { path } } downstream: children { key { path } } } }",
    "transitive": "{ assetNodes { key { path } upstream { key { path } } downstream { key { path } } } }",
    # the same nodes and direct edges as parallel arrays (bench/server's compact lineage query)
    "lineage": "{ lineage { keys edges } }",
}
QUERIES = {
    "assetgraph": AG_VARIANTS["depth1"],
    "dagster": "{ assetNodes { assetKey { path } dependencyKeys { path } dependedByKeys { path } } }",
}
# --latest: the same, with each node's latest materialization (its timestamp)
AG_LATEST = ("{ assetNodes { key { path } upstream(depth: 1) { key { path } } downstream(depth: 1) { key { path } } "
             "latestMaterialization { timestamp } } }")
DAGSTER_LATEST = ("{ assetNodes { assetKey { path } dependencyKeys { path } dependedByKeys { path } "
                  "assetMaterializations(limit: 1) { timestamp } } }")
# One materialization per asset of the layered DAG, recorded through each framework's own API.
SEED = {
    "assetgraph": ("import sys\nfrom assetgraph import AssetMaterialization, Instance\n"
                   "instance = Instance.get()\n"
                   "for i in range(int(sys.argv[1])):\n"
                   "    instance.report_runless_asset_event(AssetMaterialization(asset_key=f'a{i:05d}'))\n"),
    "dagster": ("import sys\nfrom dagster import AssetMaterialization, DagsterInstance\n"
                "instance = DagsterInstance.get()\n"
                "for i in range(int(sys.argv[1])):\n"
                "    instance.report_runless_asset_event(AssetMaterialization(asset_key=f'a{i:05d}'))\n"),
}


def seed_latest(server: Server, n: int) -> float:
    """Record one materialization per asset in the server's instance; seconds taken."""
    env = dict(os.environ)
    assert server.home is not None
    if server.framework == "assetgraph":
        env["ASSETGRAPH_HOME"] = str(Path(server.home.name) / "home")
        python = ASSETGRAPH_BIN.parent / "python"
    else:
        env["DAGSTER_HOME"] = server.home.name
        python = DAGSTER_WEB_VENV / "bin" / "python"
    t0 = time.perf_counter()
    subprocess.run([str(python), "-c", SEED[server.framework], str(n)], env=env, check=True, cwd=server.home.name)
    return time.perf_counter() - t0


def timed_query(server: Server) -> tuple[float, int, int, int]:
    """Seconds, response bytes, nodes and edges counted in the answer."""
    t0 = time.perf_counter()
    status, raw = http(server.base + "/graphql", {"query": QUERIES[server.framework]}, timeout=600)
    took = time.perf_counter() - t0
    doc = json.loads(raw)
    if status != 200 or doc.get("errors"):
        raise RuntimeError(f"{server.framework}: HTTP {status} {raw[:300]!r}")
    if "lineage" in doc["data"]:
        return took, len(raw), len(doc["data"]["lineage"]["keys"]), len(doc["data"]["lineage"]["edges"]) // 2
    nodes = doc["data"]["assetNodes"]
    up = "upstream" if server.framework == "assetgraph" else "dependencyKeys"
    return took, len(raw), len(nodes), sum(len(node[up]) for node in nodes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--variant", choices=sorted(AG_VARIANTS), default="depth1",
                        help="assetgraph's form of the query (default: direct keys, as Dagster's)")
    parser.add_argument("--latest", action="store_true",
                        help="record a materialization per asset and ask for the latest one too")
    parser.add_argument("--quick", action="store_true", help="N=40, 2 repeats")
    args = parser.parse_args(argv)
    QUERIES["assetgraph"] = AG_VARIANTS[args.variant]
    if args.latest:
        QUERIES["assetgraph"], QUERIES["dagster"] = AG_LATEST, DAGSTER_LATEST
    sizes, repeat = ([40], 2) if args.quick else (args.sizes, args.repeat)
    doc: dict[str, Any] = {"benchmark": "graphql_nodes", **context(), "variant": args.variant, "latest": args.latest,
                           "queries": QUERIES, "samples": [], "summary": []}
    rows = []
    for n in sizes:
        servers = {fw: Server(fw, module_for(fw, "layered", n)) for fw in ("assetgraph", "dagster")}
        try:
            for server in servers.values():  # one at a time, so that neither start slows the other
                server.start()
                server.wait(server.location_loaded, timeout=600, interval=0.2)
                if args.latest:
                    print(f"  N={n}: {server.framework} seeded in {seed_latest(server, n):.1f} s", flush=True)
            info: dict[str, Any] = {}
            for fw, server in servers.items():
                for _ in range(2):
                    _, size, nodes, edges = timed_query(server)
                info[fw] = {"bytes": size, "nodes": nodes, "edges": edges}
            times: dict[str, list[float]] = {"assetgraph": [], "dagster": []}
            for i in range(repeat):
                for fw, server in servers.items():
                    took = timed_query(server)[0]
                    times[fw].append(took)
                    doc["samples"].append({"n": n, "framework": fw, "i": i, "seconds": took,
                                           "loadavg": load_average()})
                print(f"  N={n} pair {i + 1}: assetgraph {times['assetgraph'][-1] * 1000:.0f} ms, "
                      f"Dagster {times['dagster'][-1] * 1000:.0f} ms", flush=True)
        finally:
            for server in servers.values():
                server.stop()
        ratios = [a / d for a, d in zip(times["assetgraph"], times["dagster"], strict=True)]
        summary = {"n": n, "assetgraph_ms": median(times["assetgraph"]) * 1000,
                   "dagster_ms": median(times["dagster"]) * 1000, "ratio_median": median(ratios),
                   "min_ms": {fw: min(v) * 1000 for fw, v in times.items()}, "answers": info}
        doc["summary"].append(summary)
        rows.append([n, f"{summary['assetgraph_ms']:.0f} ms", f"{summary['dagster_ms']:.0f} ms",
                     f"{summary['ratio_median']:.3f} ({1 / summary['ratio_median']:.1f}x)",
                     f"{info['assetgraph']['nodes']}/{info['assetgraph']['edges']} vs "
                     f"{info['dagster']['nodes']}/{info['dagster']['edges']}"])
    doc["loadavg_end"] = load_average()
    print(table(["N", "assetgraph", "Dagster", "ratio ag/D (speed-up)", "nodes/edges ag vs D"], rows))
    print(f"load average {doc['loadavg_start']} -> {doc['loadavg_end']}; results: "
          f"{write_results('graphql_nodes', doc)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
