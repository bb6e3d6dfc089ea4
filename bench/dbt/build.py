"""What `materialize` of a dbt project adds over a plain `dbt build` of the same project.

The project is the layered one of generate.py (default 50 models, all views, 100 tests) on a
DuckDB file. Each measurement is a fresh process, timed from outside: ``dbt build`` (the CLI)
against ``python -c`` loading the manifest into assets and running `materialize` on an
ephemeral instance. The sides alternate after a warm-up; the report gives medians and the
median of per-pair ratios.

    python bench/dbt/build.py --models 50 --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import write_project  # noqa: E402

MATERIALIZE = """
import sys
from assetgraph import materialize
from assetgraph_dbt import DbtCliResource, DbtProject, dbt_assets
project = DbtProject(sys.argv[1])
@dbt_assets(manifest=project.manifest_path)
def models(context, dbt: DbtCliResource):
    yield from dbt.cli(["build"], context=context).stream()
result = materialize([models, *models.source_specs], resources={"dbt": DbtCliResource(project_dir=sys.argv[1])})
assert result.success
"""


def prepare(n: int) -> Path:
    import duckdb

    root = HERE / "generated" / f"build_{n}"
    write_project(root, n)
    con = duckdb.connect(str(root / "bench.duckdb"))
    con.execute("create or replace table main.events as select range as id from range(100)")
    con.close()
    from assetgraph_dbt import DbtProject

    DbtProject(root).prepare()
    return root


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root = prepare(args.models)
    dbt = str(Path(sys.executable).parent / "dbt")
    sides = {
        "dbt build": [dbt, "build", "--project-dir", str(root), "--profiles-dir", str(root), "--quiet",
                      "--no-send-anonymous-usage-stats"],
        "materialize": [sys.executable, "-c", MATERIALIZE, str(root)],
    }
    for cmd in sides.values():
        timed(cmd)
    runs: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(args.repeat):
        for name, cmd in sides.items():
            runs[name].append(timed(cmd))
    for name, ts in runs.items():
        print(f"{args.models} models, {name:>12}: {statistics.median(ts):.2f} s (runs: "
              f"{', '.join(f'{t:.2f}' for t in ts)})")
    ratios = [m / d for d, m in zip(runs["dbt build"], runs["materialize"], strict=True)]
    print(f"materialize / dbt build: {statistics.median(ratios):.2f}x")


if __name__ == "__main__":
    main()
