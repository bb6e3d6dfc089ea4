"""CPU per step of the Dask executor: the wide DAG on a warm LocalCluster of 4 workers (in this
process), three runs; prints wall time and the CPU time that the workers and this process
(driver and scheduler) spent per step.

    .venv/bin/python bench/scaleout/probe_cpu.py [--runs 3]
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> None:
    import dask
    from distributed import Client, LocalCluster

    from assetgraph import Instance
    from assetgraph.codelocation.loader import CodeLocationTarget, load_definitions
    from assetgraph.execution.dask_executor import SCHEDULER_CONFIG, DaskExecutor
    from assetgraph.execution.materialize import execute_definitions
    from bench.scaleout.wide_dag import WIDTH, defs

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with dask.config.set(SCHEDULER_CONFIG):
        cluster = LocalCluster(n_workers=4, threads_per_worker=1, processes=True, dashboard_address=":0")
    client = Client(cluster, set_as_default=False)
    target = CodeLocationTarget(module="bench.scaleout.wide_dag", attribute="defs")
    executor = DaskExecutor(cluster.scheduler_address, load_definitions=functools.partial(load_definitions, target))
    try:
        for i in range(args.runs + 1):
            with Instance.from_url(f"sqlite:///{tempfile.mkdtemp()}/assetgraph.db") as instance:
                w0, d0, t0 = client.run(time.process_time), time.process_time(), time.time()
                execute_definitions(defs, instance=instance, executor=executor)
                wall, w1, d1 = time.time() - t0, client.run(time.process_time), time.process_time()
            workers = sum(w1[k] - w0[k] for k in w0) / WIDTH * 1000
            print(f"{'warm-up' if i == 0 else f'run {i}'}: {wall:.2f}s  workers {workers:.0f} ms CPU/step  "
                  f"driver+scheduler {(d1 - d0) / WIDTH * 1000:.0f} ms CPU/step", flush=True)
    finally:
        client.close()
        cluster.close()


if __name__ == "__main__":
    main()
