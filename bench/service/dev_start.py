"""`assetgraph dev` against `dagster dev` on the same generated layered DAG: seconds from process
start until HTTP answers (assetgraph `/health`, Dagster `/server_info`) and until the code
location is loaded, and the RSS of the whole process tree once serving (issue 5).

    .venv/bin/python bench/service/dev_start.py [--sizes 1000 5000] [--pairs 3] [--quick]

Each sample is a fresh `dev` process in its own session on a free loopback port, stopped with
SIGTERM to its process group at the end. One warm-up per side and size, then pairs alternate
assetgraph, Dagster. Figures: medians, and the median of the per-pair ratios assetgraph / Dagster.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from common import Server, context, load_average, median, module_for, table, write_results

SETTLE = 3.0  # seconds after the location loaded before the RSS reading (daemons finish starting)


def sample(framework: str, n: int) -> dict[str, Any]:
    server = Server(framework, module_for(framework, "layered", n))
    server.start()
    try:
        t_http = server.wait(server.http_ok)
        t_loaded = server.wait(server.location_loaded, interval=0.1)
        peak = 0.0
        end = time.perf_counter() + SETTLE
        while time.perf_counter() < end:
            peak = max(peak, server.tree_rss_mib())
            time.sleep(0.25)
        rss = server.tree_rss_mib()
        procs = len(server.tree())
    finally:
        stop_s = server.stop()
    return {"framework": framework, "n": n, "http_s": t_http, "loaded_s": t_loaded, "rss_mib": rss,
            "peak_rss_mib": max(peak, rss), "processes": procs, "stop_s": stop_s, "loadavg": load_average()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="N=20, one pair, no warm-up")
    args = parser.parse_args(argv)
    sizes, pairs, warm = ([20], 1, False) if args.quick else (args.sizes, args.pairs, True)
    doc: dict[str, Any] = {"benchmark": "dev_start", **context(), "samples": [], "summary": []}
    rows = []
    for n in sizes:
        if warm:
            for fw in ("assetgraph", "dagster"):
                doc["samples"].append({**sample(fw, n), "warmup": True})
        got: dict[str, list[dict[str, Any]]] = {"assetgraph": [], "dagster": []}
        for _ in range(pairs):
            for fw in ("assetgraph", "dagster"):
                s = sample(fw, n)
                got[fw].append(s)
                doc["samples"].append(s)
                print(f"  N={n} {fw}: http {s['http_s']:.2f}s loaded {s['loaded_s']:.2f}s "
                      f"rss {s['rss_mib']:.0f} MiB ({s['processes']} processes)", flush=True)
        summary: dict[str, Any] = {"n": n}
        for metric in ("http_s", "loaded_s", "rss_mib", "peak_rss_mib"):
            a = [s[metric] for s in got["assetgraph"]]
            d = [s[metric] for s in got["dagster"]]
            summary[metric] = {"assetgraph": median(a), "dagster": median(d),
                               "ratio_median": median([x / y for x, y in zip(a, d, strict=True)])}
        summary["processes"] = {fw: median([s["processes"] for s in got[fw]]) for fw in got}
        doc["summary"].append(summary)
        for metric, unit in (("http_s", "s"), ("loaded_s", "s"), ("rss_mib", "MiB")):
            m = summary[metric]
            rows.append([n, metric, f"{m['assetgraph']:.2f} {unit}", f"{m['dagster']:.2f} {unit}",
                         f"{m['ratio_median']:.3f} ({1 / m['ratio_median']:.1f}x)"])
    doc["loadavg_end"] = load_average()
    print(table(["N", "metric", "assetgraph", "Dagster", "ratio ag/D (speed-up)"], rows))
    print(f"load average {doc['loadavg_start']} -> {doc['loadavg_end']}; results: {write_results('dev_start', doc)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
