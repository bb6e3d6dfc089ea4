"""The example project validates and materialises a day end to end, as a newcomer would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "example_project"


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSETGRAPH_HOME": str(tmp_path / "home"), "SHOP_DATA_DIR": str(tmp_path / "data"),
           "SHOP_WAREHOUSE": str(tmp_path / "data" / "warehouse.duckdb")}
    return subprocess.run([sys.executable, "-m", "assetgraph.cli.main", *args], cwd=EXAMPLE, env=env,
                          capture_output=True, text=True, timeout=300)


def test_example_validates(tmp_path: Path) -> None:
    out = _cli(tmp_path, "validate")
    assert out.returncode == 0, out.stderr
    assert "OK:" in out.stdout


def test_example_materialises_a_day_then_the_reports(tmp_path: Path) -> None:
    day = _cli(tmp_path, "materialize", "--select", "* and not group:inbox", "--partition", "2024-03-01")
    assert day.returncode == 0, day.stderr
    assert (tmp_path / "data" / "landing" / "orders_2024-03-01.csv").exists()
    runs = _cli(tmp_path, "runs")
    assert runs.stdout.count("SUCCESS") == 1
