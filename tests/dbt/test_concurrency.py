"""Two processes running dbt against one DuckDB file queue instead of failing on DuckDB's lock."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("dbt.cli.main", reason="dbt-core is not installed (pip install 'assetgraph[dbt]')")
pytest.importorskip("dbt.adapters.duckdb", reason="dbt-duckdb is not installed (pip install 'assetgraph[dbt]')")

from assetgraph_dbt import DbtProject

RUN = """
import sys
from assetgraph_dbt import DbtCliResource
DbtCliResource(project_dir=sys.argv[1]).cli(["seed"]).wait()
print("seeded")
"""


@pytest.mark.slow
def test_two_processes_seeding_one_duckdb_file_both_succeed(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "numbers.csv").write_text("n\n1\n2\n")
    (tmp_path / "dbt_project.yml").write_text("name: tiny\nversion: '1.0'\nprofile: tiny\n")
    (tmp_path / "profiles.yml").write_text(
        f"tiny:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: {tmp_path / 'tiny.duckdb'}\n")
    DbtProject(tmp_path).prepare()  # parsed once here, so each process only checks the parse
    procs = [subprocess.Popen([sys.executable, "-c", RUN, str(tmp_path)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err[-2000:]
        assert "seeded" in out
