"""Daemon-driven backfill, one run per partition, of a trivial daily-partitioned asset:
`assetgraph dev` against `dagster dev` (issue 5 target: at least 20x faster than Dagster).

    .venv/bin/python bench/service/daemon_backfill.py [--partitions 30] [--pairs 1] [--quick]

The asset is bench/workloads.py's daily workload (`events`, returns a dict) with exactly
--partitions daily partitions from 2023-01-01, and the whole range is backfilled. Each sample is
a fresh `dev` process tree (server, daemon, code location) on a new temporary instance; once the
location is loaded (and, for Dagster, its backfill and run-queue daemons report healthy) the
backfill is submitted over GraphQL, assetgraph `launchBackfill(selection, partitionRange)`,
Dagster `launchPartitionBackfill(assetSelection, partitionNames)`, and its status is polled
(assetgraph every 0.1 s, Dagster every 0.5 s) until it is terminal. Figures: seconds from
submission to COMPLETED divided by the number of partitions, seconds from submission to the
first run's start time, and the ratio assetgraph / Dagster.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from common import Server, context, graphql, load_average, median, module_for, table, workloads, write_results

AG_HEADERS = {"X-Assetgraph-Request": "1"}
AG_LAUNCH = """mutation($start: String!, $end: String!) {
  launchBackfill(selection: "events", partitionRange: {start: $start, end: $end}) { id status } }"""
AG_STATUS = "query($id: String!) { backfill(id: $id) { status numPartitions donePartitions } }"
AG_RUNS = "query($id: String!) { backfill(id: $id) { runs { status startTime endTime } } }"
D_LAUNCH = """mutation($p: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $p) {
  __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message } } }"""
D_STATUS = """query($id: String!) { partitionBackfillOrError(backfillId: $id) { __typename
  ... on PartitionBackfill { status } ... on PythonError { message } } }"""
D_RUNS = """query($id: String!) { runsOrError(filter: {tags: [{key: "dagster/backfill", value: $id}]}) {
  ... on Runs { results { status startTime endTime } } } }"""
D_DAEMONS = "{ instance { daemonHealth { allDaemonStatuses { daemonType healthy required } } } }"
TERMINAL = {"COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED", "CANCELING"}


def dagster_daemons_ready(server: Server) -> bool:
    try:
        statuses = graphql(server.base, D_DAEMONS, timeout=10)["instance"]["daemonHealth"]["allDaemonStatuses"]
    except (OSError, ValueError, RuntimeError, KeyError, TypeError):
        return False
    wanted = {s["daemonType"]: s["healthy"] for s in statuses}
    return bool(wanted.get("BACKFILL")) and bool(wanted.get("QUEUED_RUN_COORDINATOR"))


def sample(framework: str, count: int, timeout: float) -> dict[str, Any]:
    keys = workloads.daily_partition_keys(count)
    server = Server(framework, module_for(framework, "daily", count))
    server.start()
    try:
        loaded = server.wait(server.location_loaded, timeout=300, interval=0.2)
        if framework == "dagster":
            server.wait(lambda: dagster_daemons_ready(server), timeout=120, interval=0.5)
        time.sleep(2.0)  # let the daemon settle into its loop on both sides
        load_at_submit = load_average()
        submitted_wall, t0 = time.time(), time.perf_counter()
        if framework == "assetgraph":
            backfill_id = graphql(server.base, AG_LAUNCH, {"start": keys[0], "end": keys[-1]}, AG_HEADERS)[
                "launchBackfill"]["id"]
        else:
            got = graphql(server.base, D_LAUNCH, {"p": {"partitionNames": keys,
                                                        "assetSelection": [{"path": ["events"]}]}})
            got = got["launchPartitionBackfill"]
            if got["__typename"] != "LaunchBackfillSuccess":
                raise RuntimeError(f"dagster launch: {got}")
            backfill_id = got["backfillId"]
        submit_s = time.perf_counter() - t0
        interval = 0.1 if framework == "assetgraph" else 0.5
        status = ""
        while time.perf_counter() - t0 < timeout:
            if framework == "assetgraph":
                status = graphql(server.base, AG_STATUS, {"id": backfill_id})["backfill"]["status"]
            else:
                status = graphql(server.base, D_STATUS, {"id": backfill_id})["partitionBackfillOrError"]["status"]
            if status in TERMINAL:
                break
            time.sleep(interval)
        total_s = time.perf_counter() - t0
        if framework == "assetgraph":
            runs = graphql(server.base, AG_RUNS, {"id": backfill_id})["backfill"]["runs"]
        else:
            runs = graphql(server.base, D_RUNS, {"id": backfill_id})["runsOrError"]["results"]
        starts = [r["startTime"] for r in runs if r.get("startTime")]
        ends = [r["endTime"] for r in runs if r.get("endTime")]
        first_start = min(starts) - submitted_wall if starts else None
        last_end = max(ends) - submitted_wall if ends else None
        rss = server.tree_rss_mib()
    finally:
        server.stop()
    ok = sum(1 for r in runs if r["status"] == "SUCCESS")
    return {"framework": framework, "partitions": count, "status": status, "runs": len(runs), "runs_success": ok,
            "loaded_s": loaded, "submit_s": submit_s, "total_s": total_s, "per_partition_s": total_s / count,
            "first_run_start_s": first_start, "last_run_end_s": last_end, "rss_mib_after": rss,
            "loadavg_at_submit": load_at_submit, "loadavg_end": load_average(), "timed_out": status not in TERMINAL}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partitions", type=int, default=30)
    parser.add_argument("--pairs", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--quick", action="store_true", help="3 partitions, one pair")
    args = parser.parse_args(argv)
    count, pairs = (3, 1) if args.quick else (args.partitions, args.pairs)
    doc: dict[str, Any] = {"benchmark": "daemon_backfill", **context(), "samples": []}
    got: dict[str, list[dict[str, Any]]] = {"assetgraph": [], "dagster": []}
    for _ in range(pairs):
        for fw in ("assetgraph", "dagster"):
            s = sample(fw, count, args.timeout)
            got[fw].append(s)
            doc["samples"].append(s)
            first = f"{s['first_run_start_s']:.2f}s" if s["first_run_start_s"] is not None else "-"
            print(f"  {fw}: {s['status']} {s['runs_success']}/{s['runs']} runs ok, total {s['total_s']:.2f}s, "
                  f"{s['per_partition_s']:.3f}s per partition, first run started after {first}", flush=True)
    summary: dict[str, Any] = {"partitions": count, "pairs": pairs}
    for metric in ("per_partition_s", "total_s", "first_run_start_s"):
        a = [s[metric] for s in got["assetgraph"] if s[metric] is not None]
        d = [s[metric] for s in got["dagster"] if s[metric] is not None]
        pairs_ok = [x / y for x, y in zip(a, d, strict=False) if y]
        summary[metric] = {"assetgraph": median(a), "dagster": median(d), "ratio_median": median(pairs_ok)}
    doc["summary"] = summary
    doc["loadavg_end"] = load_average()
    rows = []
    for metric in ("per_partition_s", "total_s", "first_run_start_s"):
        m = summary[metric]
        ratio = f"{m['ratio_median']:.3f} ({1 / m['ratio_median']:.1f}x)" if m["ratio_median"] else "-"
        rows.append([metric, f"{m['assetgraph']:.3f} s", f"{m['dagster']:.3f} s", ratio])
    print(f"{count} daily partitions, one run each, {pairs} pair(s)")
    print(table(["metric", "assetgraph", "Dagster", "ratio ag/D (speed-up)"], rows))
    print(f"load average {doc['loadavg_start']} -> {doc['loadavg_end']}; results: "
          f"{write_results('daemon_backfill', doc)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
