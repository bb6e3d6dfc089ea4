"""The web UI end to end, in Debian's headless Chromium against a real server: the lineage graph,
the asset page, materialising a partition, a backfill, a failing run, and the other pages."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.ui import project
from tests.ui.conftest import LOCATION, UIServer, save_screenshot

pytestmark = pytest.mark.slow
expect = pytest.importorskip(
    "playwright.sync_api", reason="UI end-to-end tests need the playwright package (pip install playwright)").expect

RUN_TIMEOUT_MS = 60_000


def wait_for_graph(page: Any, count: int = project.ASSET_COUNT) -> None:
    page.wait_for_function(
        "n => window.__assetgraphGraph && window.__assetgraphGraph.nodes === n && window.__assetgraphGraph.draws > 0",
        arg=count)


def node_position(page: Any, key: str) -> dict[str, float]:
    position = page.evaluate("id => window.__assetgraphGraph.locate(id)", f"{LOCATION}:{key}")
    assert position is not None, f"{key} is not in the drawn graph"
    return dict(position)


def css_colour(page: Any, name: str) -> list[int]:
    """A CSS colour variable as the canvas would draw it: [r, g, b]."""
    return list(page.evaluate("""name => {
        const c = document.createElement('canvas').getContext('2d');
        c.fillStyle = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
        c.fillRect(0, 0, 1, 1);
        return Array.from(c.getImageData(0, 0, 1, 1).data.slice(0, 3));
    }""", name))


def status_bar_colour(page: Any, test_id: str, fraction: float) -> list[int]:
    """The colour of the status bar at ``fraction`` of its width (the middle row of pixels)."""
    return list(page.evaluate("""([id, f]) => {
        const canvas = document.querySelector(`[data-testid="${id}"] canvas`);
        const x = Math.floor(canvas.width * f), y = Math.floor(canvas.height / 2);
        return Array.from(canvas.getContext('2d').getImageData(x, y, 1, 1).data.slice(0, 3));
    }""", [test_id, fraction]))


def test_the_graph_shows_every_asset(page: Any) -> None:
    page.goto("/")
    wait_for_graph(page)
    assert page.get_by_test_id("lineage-canvas").get_attribute("aria-label") == (
        f"Lineage graph of {project.ASSET_COUNT} assets")
    assert f"{project.ASSET_COUNT} assets · 4 groups" in page.locator(".legend").inner_text()
    for key in ("raw_events", "orders", "orders_clean", "customers", "revenue", "flaky_report", "slow_daily"):
        node_position(page, key)
    save_screenshot(page, "lineage-graph")


def test_clicking_an_asset_selects_its_lineage_and_double_click_opens_it(page: Any) -> None:
    page.goto("/")
    wait_for_graph(page)
    at = node_position(page, "orders")
    page.mouse.click(at["x"], at["y"])
    panel = page.get_by_test_id("side-panel")
    expect(panel).to_contain_text("orders")
    expect(panel).to_contain_text("1 upstream · 1 downstream")
    save_screenshot(page, "lineage-selected")
    page.mouse.dblclick(at["x"], at["y"])
    page.wait_for_url("**/assets/orders")
    assert page.get_by_test_id("asset-title").inner_text() == "orders"
    assert "Orders of one day, deduplicated." in page.inner_text("body")


def test_the_selection_box_highlights_what_the_server_selects(page: Any) -> None:
    page.goto("/")
    wait_for_graph(page)
    page.get_by_test_id("selection-input").fill("group:marts")
    page.get_by_test_id("selection-input").press("Enter")
    page.get_by_role("button", name="Materialize selection (2)").wait_for()
    save_screenshot(page, "lineage-selection")
    page.get_by_role("button", name="Collapse groups").click()
    wait_for_graph(page, count=4)  # one node per group
    save_screenshot(page, "lineage-collapsed")
    page.get_by_role("button", name="Expand groups").click()
    wait_for_graph(page)
    page.get_by_test_id("selection-input").fill("key:nope(")
    page.get_by_test_id("selection-input").press("Enter")
    page.locator(".banner .error-box").wait_for()


def test_materializing_a_partition_from_the_dialog_turns_it_green(page: Any, ui_server: UIServer) -> None:
    page.goto("/assets/orders")
    page.get_by_test_id("partition-status-bar").wait_for()
    grey = css_colour(page, "--grey")
    assert status_bar_colour(page, "partition-status-bar", 0.45) == grey
    page.get_by_test_id("materialize").click()
    page.get_by_label("One partition").check()
    page.get_by_test_id("partition-key").fill("2024-01-05")
    expect(page.get_by_test_id("materialize-plan")).to_contain_text("Launches one run for partition 2024-01-05.")
    save_screenshot(page, "materialize-dialog")
    page.get_by_test_id("launch").click()
    page.wait_for_url(re.compile(r".*/runs/[0-9a-f-]+$"))
    page.locator("h1 .tag.status-success").wait_for(timeout=RUN_TIMEOUT_MS)
    page.get_by_test_id("gantt").wait_for()
    save_screenshot(page, "run-success")
    page.goto("/assets/orders")
    page.get_by_test_id("partition-stats").get_by_text("Materialized").wait_for()
    expect(page.get_by_test_id("partition-stats").locator(".stat.ok .stat-value")).to_have_text("1")
    # Partition 2024-01-05 is the fifth of ten: the middle of its tenth of the bar is green.
    assert status_bar_colour(page, "partition-status-bar", 0.45) == css_colour(page, "--green")
    assert status_bar_colour(page, "partition-status-bar", 0.15) == grey
    save_screenshot(page, "asset-page")


def test_a_backfill_of_a_range_completes(page: Any) -> None:
    page.goto("/assets/orders_clean")
    page.get_by_test_id("materialize").click()
    page.get_by_label("A range").check()
    page.get_by_test_id("range-start").fill("2024-01-01")
    page.get_by_test_id("range-end").fill("2024-01-03")
    page.get_by_test_id("launch").click()
    page.wait_for_url(re.compile(r".*/backfills/[0-9a-f]+$"))
    page.locator("h1 .tag.status-completed").wait_for(timeout=RUN_TIMEOUT_MS)
    assert status_bar_colour(page, "backfill-status-bar", 0.5) == css_colour(page, "--green")
    save_screenshot(page, "backfill")
    page.goto("/assets/orders_clean")
    page.get_by_test_id("partition-stats").wait_for()
    expect(page.get_by_test_id("partition-stats").locator(".stat.ok .stat-value")).to_have_text("3")
    page.goto("/backfills")
    page.locator("tbody tr").first.wait_for()
    save_screenshot(page, "backfills")


def test_failed_and_missing_backfills_only_what_is_not_materialized(page: Any) -> None:
    page.goto("/assets/orders")  # 2024-01-05 was materialized by the test above
    page.get_by_test_id("materialize").click()
    page.get_by_label("Failed and missing").check()
    expect(page.get_by_test_id("materialize-plan")).to_contain_text(
        "Launches a backfill of the 9 failed and missing partitions.")
    page.get_by_test_id("launch").click()
    page.wait_for_url(re.compile(r".*/backfills/[0-9a-f]+$"))
    page.locator("h1 .tag.status-completed").wait_for(timeout=RUN_TIMEOUT_MS)
    expect(page.locator(".card .chips").first).to_have_text("success: 9")
    page.goto("/assets/orders")
    expect(page.get_by_test_id("partition-stats").locator(".stat.ok .stat-value")).to_have_text("10")
    assert status_bar_colour(page, "partition-status-bar", 0.05) == css_colour(page, "--green")


def test_a_backfill_can_be_canceled_and_resumed(page: Any) -> None:
    page.goto("/assets/slow_daily")
    page.get_by_test_id("materialize").click()
    page.get_by_label("Missing only").check()
    expect(page.get_by_test_id("materialize-plan")).to_contain_text("Launches a backfill of 10 partitions.")
    page.get_by_test_id("launch").click()
    page.wait_for_url(re.compile(r".*/backfills/[0-9a-f]+$"))
    page.locator("h1 .tag.status-in_progress").wait_for(timeout=RUN_TIMEOUT_MS)
    page.get_by_role("button", name="Cancel").click()
    page.locator("h1 .tag.status-canceled").wait_for(timeout=RUN_TIMEOUT_MS)
    page.get_by_role("button", name="Resume").click()
    page.locator("h1 .tag.status-completed").wait_for(timeout=RUN_TIMEOUT_MS)
    assert status_bar_colour(page, "backfill-status-bar", 0.95) == css_colour(page, "--green")


def test_a_failing_run_shows_its_error_with_the_traceback(page: Any) -> None:
    page.goto("/assets/flaky_report")
    page.get_by_test_id("materialize").click()
    expect(page.get_by_test_id("materialize-plan")).to_contain_text("Launches one run of 1 asset.")
    page.get_by_test_id("launch").click()
    page.wait_for_url(re.compile(r".*/runs/[0-9a-f-]+$"))
    page.locator("h1 .tag.status-failure").wait_for(timeout=RUN_TIMEOUT_MS)
    error = page.get_by_test_id("run-error")
    expect(error).to_contain_text("upstream API returned 503")
    assert "Traceback" in error.inner_text() or "raise ValueError" in error.inner_text()
    save_screenshot(page, "run-failure")
    first_run = page.url
    page.get_by_role("button", name="Re-execute from failure").click()
    page.wait_for_url(lambda url: url != first_run and "/runs/" in url)
    page.locator("h1 .tag.status-failure").wait_for(timeout=RUN_TIMEOUT_MS)
    expect(page.locator("h1 + .chips")).to_contain_text("re-execution of")


def test_runs_automation_and_locations_pages(page: Any) -> None:
    page.goto("/runs")
    page.locator("tbody tr").first.wait_for()
    page.get_by_role("button", name="failure").click()
    page.wait_for_url("**/runs?status=FAILURE")
    page.locator("tbody tr .tag.status-failure").first.wait_for()
    page.get_by_role("button", name="All").click()
    save_screenshot(page, "runs")

    page.goto("/automation")
    switch = page.get_by_role("switch", name="Start nightly_marts")
    switch.click()
    page.get_by_role("switch", name="Stop nightly_marts").wait_for()
    save_screenshot(page, "automation")

    page.goto("/locations")
    page.get_by_test_id(f"location-{LOCATION}").get_by_text("LOADED").wait_for()
    page.get_by_role("button", name="Reload").click()
    page.get_by_role("button", name="Reload").wait_for()
    save_screenshot(page, "locations")


@pytest.mark.parametrize("page", ["dark"], indirect=True)
def test_dark_mode_lineage(page: Any) -> None:
    page.goto("/")
    wait_for_graph(page)
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(246, 247, 249)"
    save_screenshot(page, "lineage-graph-dark")
    page.goto("/assets/orders")
    page.get_by_test_id("partition-status-bar").wait_for()
    save_screenshot(page, "asset-page-dark")
