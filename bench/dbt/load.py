"""Time manifest → assets → asset graph (with a topological sort) for assetgraph_dbt and dagster-dbt.

Each measurement is a fresh process; the two sides alternate (A B A B ...) after a warm-up,
and the report gives medians and the median of per-pair ratios. dagster-dbt is measured when
a virtual environment with it exists (bench/dbt/.venv-dagster-dbt or bench/.venv-dagster).

    python bench/dbt/generate.py 500 2000 5000
    python bench/dbt/load.py 500 2000 5000 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

ASSETGRAPH = """
import json, sys, time
t0 = time.perf_counter()
from assetgraph import Definitions
from assetgraph_dbt import DbtCliResource, dbt_assets
t1 = time.perf_counter()
@dbt_assets(manifest=sys.argv[1])
def models(context, dbt: DbtCliResource): ...
graph = Definitions(assets=[models, *models.source_specs]).get_asset_graph()
order = graph.toposort()
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "assets": len(order), "checks": len(models.check_specs)}))
"""

DAGSTER = """
import json, sys, time
t0 = time.perf_counter()
from dagster import AssetExecutionContext, Definitions
from dagster_dbt import DbtCliResource, dbt_assets
t1 = time.perf_counter()
@dbt_assets(manifest=sys.argv[1])
def models(context: AssetExecutionContext, dbt: DbtCliResource): ...
resources = {"dbt": DbtCliResource(project_dir=sys.argv[2])}  # any real project: only validated here
graph = Definitions(assets=[models], resources=resources).resolve_asset_graph()
order = graph.toposorted_asset_keys
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "assets": len(order),
                  "checks": len(list(models.check_keys))}))
"""


def peer_python() -> Path | None:
    for venv in (HERE / ".venv-dagster-dbt", ROOT / "bench" / ".venv-dagster"):
        python = venv / "bin" / "python"
        if python.exists() and subprocess.run([str(python), "-c", "import dagster_dbt"],
                                              capture_output=True).returncode == 0:
            return python
    return None


def measure(python: str, code: str, manifest: Path) -> dict[str, float]:
    project = HERE / "generated" / "models_500"
    out = subprocess.run([python, "-c", code, str(manifest), str(project)], capture_output=True, text=True, check=False,
                         cwd=ROOT, env={"PATH": f"{Path(python).parent}:/usr/bin:/bin",
                                        "DAGSTER_HOME": str(HERE / "generated"),
                                        "DO_NOT_TRACK": "1"})
    if out.returncode != 0:
        sys.exit(f"{python} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[500, 2000, 5000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    peer = peer_python()
    print(f"peer: {peer or 'dagster-dbt not installed; measuring assetgraph_dbt only'}")
    for n in args.sizes:
        manifest = HERE / "generated" / f"models_{n}" / "target" / "manifest.json"
        if not manifest.exists():
            sys.exit(f"{manifest} is missing: run python bench/dbt/generate.py {n}")
        sides = {"assetgraph_dbt": (sys.executable, ASSETGRAPH)}
        if peer is not None:
            sides["dagster-dbt"] = (str(peer), DAGSTER)
        for python, code in sides.values():  # warm-up: file cache, bytecode
            measure(python, code, manifest)
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in sides}
        for _ in range(args.repeat):
            for name, (python, code) in sides.items():
                runs[name].append(measure(python, code, manifest))
        size = manifest.stat().st_size / 1e6
        for name, rs in runs.items():
            load = statistics.median(r["load"] for r in rs)
            imp = statistics.median(r["import"] for r in rs)
            print(f"N={n:>5} ({size:.1f} MB manifest) {name:>15}: load+graph {load * 1000:8.0f} ms "
                  f"(import {imp * 1000:.0f} ms), {rs[0]['assets']:.0f} assets, {rs[0]['checks']:.0f} checks")
        if len(runs) == 2:
            ratios = [d["load"] / a["load"] for a, d in zip(runs["assetgraph_dbt"], runs["dagster-dbt"], strict=True)]
            print(f"N={n:>5} dagster-dbt / assetgraph_dbt load+graph: {statistics.median(ratios):.1f}x")


if __name__ == "__main__":
    main()
