"""Smoke test of the benchmark harness: it imports, generates its workloads, runs the assetgraph
side of `load` in process and turns failures into error cells. It never asserts a time and never
needs the Dagster environment."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import probes
import report
import run
import workloads


def test_layered_dag_has_the_documented_shape() -> None:
    assert sum(1 for _ in workloads.layered_edges(1000)) == 1960
    assert sum(1 for _ in workloads.layered_edges(5000)) == 9960
    assert workloads.layered_parents(0) == []
    assert workloads.layered_parents(20) == [3, 10, 17]
    assert workloads.layered_parents(21) == [4]
    assert workloads.layered_parents(22) == [5, 12]


@pytest.mark.parametrize("framework", workloads.FRAMEWORKS)
def test_generated_modules_differ_only_in_the_import(tmp_path: Path, framework: str) -> None:
    layered = workloads.write_layered(45, framework, tmp_path).read_text()
    daily = workloads.write_daily(framework, 3, tmp_path).read_text()
    assert f"from {framework} import Definitions, asset" in layered
    assert "def a00044(a00030, a00037, a00024):\n    return a00030 + a00037 + a00024 + 1" in layered
    assert layered.rstrip().endswith("defs = Definitions(assets=assets)")
    assert 'end_date="2023-01-04"' in daily
    assert workloads.daily_partition_keys(3) == ["2023-01-01", "2023-01-02", "2023-01-03"]


def test_assetgraph_load_probe_runs_in_process(tmp_path: Path) -> None:
    module = workloads.write_layered(20, "assetgraph", tmp_path)
    result = probes.probe_load("assetgraph", str(module))
    assert result["assets"] == 20
    assert set(result["phases"]) == set(report.COMMON_LOAD_PHASES)


def test_a_failing_child_becomes_an_error_cell() -> None:
    argv = [sys.executable, "-c", "raise RuntimeError('engine not ready')"]
    sample, _ = run.run_child("assetgraph", argv, run.child_env(None), timeout=60)
    cell = report.Cell("load", "load N=20", 20, "graph_s", "s")
    summary = report.summarize(report.CellResult(cell, [sample]))
    assert sample.error == "RuntimeError: engine not ready"
    assert summary["median_ratio"] is None
    assert "error: RuntimeError: engine not ready" in report.table([summary])


def test_a_missing_peer_environment_is_reported_not_raised(tmp_path: Path) -> None:
    pythons = {"assetgraph": Path(sys.executable), "dagster": tmp_path / "no-venv" / "bin" / "python"}
    harness = run.Harness(pythons, ["dagster"], pairs=1, warmup=False, timeout=60)
    sample = harness.measure(run.cells("load", run.QUICK_SIZES)[0], "dagster")
    assert sample.error is not None and "peer_env.py" in sample.error


def test_ui_side_by_side_summary_leaves_a_timed_out_sample_out_of_the_ratios() -> None:
    from bench.ui import side_by_side

    pairs = [{"assetgraph": {"rendered_ms": 100.0}, "dagster": {"rendered_ms": 1000.0}},
             {"assetgraph": {"rendered_ms": 300.0}, "dagster": {"error": "not rendered within the 5 s timeout"}}]
    summary = side_by_side.summarize("graph", 5000, pairs, ["assetgraph", "dagster"])
    assert summary["rendered_ms"]["ratios"] == [0.1]
    assert summary["rendered_ms"]["assetgraph"] == 200.0
    assert summary["errors"] == {"assetgraph": [], "dagster": ["not rendered within the 5 s timeout"]}
