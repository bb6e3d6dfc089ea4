"""Smoke tests of the browser benchmarks (bench/ui/bench_ui.py, bench/ui/side_by_side.py) on small
graphs: they run and report every figure, and the side-by-side runs without Dagster installed. They
never assert a time."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
pytest.importorskip("playwright.sync_api", reason="the UI benchmark needs the playwright package")


def test_ui_benchmark_reports_every_figure() -> None:
    from bench.ui import bench_ui

    report = bench_ui.run(assets=60, repeat=1, hourly_start="2025-01-01-00:00", frames=10)
    assert report["partitions"] > 5000
    for name in ("graph_first_render_ms", "status_bar_visible_ms", "status_bar_draw_ms"):
        assert math.isfinite(report[name]), name
    assert set(report["frames"]) == {"zoom_fit", "pan_fit", "zoom_detail", "pan_detail"}
    assert report["runs"]["status_bar"][0]["partitions_shown"].replace(",", "").isdigit()


def test_side_by_side_measures_assetgraph_and_skips_a_missing_dagster(tmp_path: Path) -> None:
    from bench.ui import side_by_side

    report = side_by_side.run([30], pairs=1, quiet_s=1.0, frames=10, warmup=False,
                              dagster_venv=tmp_path / "no-venv", partitions=60)
    assert report["skipped"] is not None and "bench/.venv-dagster-web" in report["skipped"]
    assert report["sides"] == ["assetgraph"]
    sample = report["samples"][0]
    assert "error" not in sample
    assert sample["at_render"]["nodes_drawn"] == 30
    for gesture in side_by_side.GESTURES:
        assert sample[gesture]["frames"] == 10, gesture
    assert sample["pan_fit"]["frames_moved"] > 0
    assert math.isfinite(report["summary"][0]["rendered_ms"]["assetgraph"])
    partitions = report["samples"][1]
    assert partitions["page"] == "partitions" and "error" not in partitions
    assert "60Missing" in partitions["final_state"]
