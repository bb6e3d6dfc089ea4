"""Smoke test of the browser benchmark (bench/ui/bench_ui.py) on a small graph: it runs and
reports every figure. It never asserts a time."""

from __future__ import annotations

import math

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
