"""Browser benchmarks of the web UI, measured in Debian's headless Chromium with the Performance API:

- first render of the 5,000-asset layered DAG (shared/notes/benchmarks.md) on the lineage page:
  navigation start → the first canvas frame with every node laid out;
- pan and zoom frame times on that graph, zoomed out (every node visible) and zoomed in (node
  details drawn): requestAnimationFrame intervals and canvas draw times while wheel and drag
  events arrive every frame;
- the asset page of an hourly asset with about 1,000,000 partitions: navigation start → its
  partition status bar drawn, and the draw itself.

    .venv/bin/python bench/ui/bench_ui.py [--assets 5000] [--repeat 3] [--json out.json]

Needs /usr/bin/chromium and the playwright package (as the UI's end-to-end tests). Benchmarks are
not tests: nothing here asserts a time. bench/ui/side_by_side.py measures this UI and
dagster-webserver's on the same generated graph with this file's gesture driver (DRIVE_JS).
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from assetgraph import Definitions, asset
from assetgraph.definitions.events import Event, EventType
from assetgraph.definitions.keys import AssetKey
from assetgraph.definitions.partitions import HourlyPartitionsDefinition
from assetgraph.server.app import create_app
from assetgraph.server.workspace import InProcessWorkspace
from assetgraph.storage.instance import Instance
from bench.workloads import asset_name, layered_parents

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MILLION_HOURS_START = "1912-01-01-00:00"  # about 1,000,000 hourly partitions until now
LOCATION = "bench"

# Drives a lineage view from inside the page: one synthetic wheel event (zoom) or one pointer and
# mouse event pair (pan: press, drag back and forth, release every 60 frames) per animation frame,
# so the figures are the page's own frame times and not the driver's round trips. Both event kinds
# are sent as a real mouse sends them; each UI listens to its own (assetgraph: pointer events,
# Dagster: mouse events). ``ui`` picks how the current zoom is read ('assetgraph': the canvas's
# view; 'dagster': the scale of the SVG viewport's transform); ``wheel`` holds the event's ctrlKey
# and the deltaY that zooms in and out, ``period`` the frames of one zoom-in-then-out cycle. It
# returns the frame intervals, assetgraph's draw times, the zoom range and ``moved``: the frames in
# which the view had changed since the frame before (proof that the UI followed the gesture).
DRIVE_JS = """async ({frames, mode, ui, target, wheel, period}) => {
  const el = document.querySelector(target);
  const r = el.getBoundingClientRect();
  const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
  const viewOf = ui === 'dagster'
    ? () => document.querySelector('[data-svg-viewport] > div').style.transform
    : () => { const v = window.__assetgraphGraph.view(); return `matrix(${v.scale}, 0, 0, ${v.scale}, ${v.tx}, ${v.ty})`; };
  const scaleOf = () => parseFloat(viewOf().slice(7));
  const drawMs = ui === 'assetgraph' ? window.__assetgraphGraph.drawMs : null;
  const drawStart = drawMs ? drawMs.length : 0;
  const fire = (type, x, y, buttons) => {
    const init = {clientX: x, clientY: y, bubbles: true, cancelable: true, button: 0, buttons};
    el.dispatchEvent(new PointerEvent('pointer' + type, {...init, pointerId: 1, pointerType: 'mouse', isPrimary: true}));
    el.dispatchEvent(new MouseEvent('mouse' + type, init));
  };
  const intervals = [];
  const scales = [scaleOf()];
  let last = null, view = viewOf(), moved = 0;
  await new Promise((resolve) => {
    let i = 0;
    const step = (t) => {
      if (last !== null) intervals.push(t - last);
      last = t;
      scales.push(scaleOf());
      if (viewOf() !== view) { moved++; view = viewOf(); }
      if (i >= frames) return resolve();
      if (mode === 'zoom') {
        const dy = i % period < period / 2 ? wheel.deltaIn : wheel.deltaOut;
        el.dispatchEvent(new WheelEvent('wheel', {deltaY: dy, ctrlKey: wheel.ctrlKey, clientX: cx + 50, clientY: cy,
                                                  bubbles: true, cancelable: true}));
      } else {
        const phase = i % 60;
        const dx = (phase < 30 ? phase : 60 - phase) * 12;
        if (phase === 0) fire('down', cx, cy, 1);
        fire('move', cx + dx, cy + dx / 3, 1);
        if (phase === 59) fire('up', cx, cy, 0);
      }
      i++;
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
  return {intervals, draws: drawMs ? drawMs.slice(drawStart) : [], moved,
          scale: {start: scales[0], min: Math.min(...scales), max: Math.max(...scales), end: scales[scales.length - 1]}};
}"""

# Zooms in at the centre, one wheel event per frame, until the view's scale reaches ``min``.
ZOOM_TO_JS = """async ({ui, target, wheel, min}) => {
  const el = document.querySelector(target);
  const r = el.getBoundingClientRect();
  const scaleOf = ui === 'dagster'
    ? () => parseFloat(document.querySelector('[data-svg-viewport] > div').style.transform.slice(7))
    : () => window.__assetgraphGraph.view().scale;
  for (let i = 0; i < 400 && scaleOf() < min; i++) {
    el.dispatchEvent(new WheelEvent('wheel', {deltaY: wheel.deltaIn, ctrlKey: wheel.ctrlKey, clientX: r.left + r.width / 2,
                                              clientY: r.top + r.height / 2, bubbles: true, cancelable: true}));
    await new Promise((resolve) => requestAnimationFrame(() => resolve()));
  }
  return scaleOf();
}"""
# assetgraph's wheel: zoom by exp(-deltaY * 0.0015) per event, so +-40 is x1.062 / x0.942.
ASSETGRAPH_WHEEL = {"ctrlKey": False, "deltaIn": -40, "deltaOut": 40}
CANVAS = '[data-testid="lineage-canvas"]'


def drive(page: Any, frames: int, mode: str, ui: str = "assetgraph", target: str = CANVAS,
          wheel: dict[str, Any] | None = None, period: int | None = None) -> dict[str, Any]:
    """Run DRIVE_JS in ``page``: ``frames`` frames of zoom or pan; its intervals, draws and scales."""
    return page.evaluate(DRIVE_JS, {"frames": frames, "mode": mode, "ui": ui, "target": target,
                                    "wheel": wheel or ASSETGRAPH_WHEEL, "period": period or frames})


def layered_defs(n: int, hourly: HourlyPartitionsDefinition) -> Definitions:
    """The layered DAG of ``n`` assets (groups of 1,000 assets), plus the hourly ``huge`` asset."""
    assets = []
    for i in range(n):
        def body() -> None: ...

        deps = [asset_name(p) for p in layered_parents(i)]
        assets.append(asset(name=asset_name(i), deps=deps, group_name=f"g{i // 1000}")(body))

    @asset(partitions_def=hourly, group_name="huge")
    def huge() -> None: ...

    return Definitions(assets=[*assets, huge])


def seed(instance: Instance, defs: Definitions, n: int, hourly: HourlyPartitionsDefinition) -> int:
    """Half the DAG materialized; ``huge`` with 200 materialized ranges and failed/in-progress keys."""
    graph = defs.get_asset_graph()
    instance.register_assets({k: graph.get(k).partitions_def for k in graph.keys})
    now = time.time()
    events = [Event(event_type=EventType.ASSET_MATERIALIZATION, run_id="seed", timestamp=now,
                    asset_key=AssetKey(asset_name(i))) for i in range(0, n, 2)]
    for start in range(0, len(events), 2000):
        instance.store_events(events[start:start + 2000])
    keys = hourly.get_partition_keys()
    status = []
    for block in range(min(200, len(keys) // 5000)):
        lo = block * 5000
        status.append(Event(event_type=EventType.ASSET_MATERIALIZATION, run_id="seed", timestamp=now,
                            asset_key=AssetKey("huge"), partition_range=(keys[lo], keys[lo + 3999])))
        status.append(Event(event_type=EventType.ASSET_MATERIALIZATION_FAILED, run_id="seed", timestamp=now,
                            asset_key=AssetKey("huge"), partition=keys[lo + 4100]))
        status.append(Event(event_type=EventType.ASSET_MATERIALIZATION_PLANNED, run_id="seed", timestamp=now,
                            asset_key=AssetKey("huge"), partition=keys[lo + 4200]))
    instance.store_events(status)
    return len(keys)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(defs: Definitions, instance: Instance) -> Iterator[str]:
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(create_app(InProcessWorkspace({LOCATION: defs}), instance), host="127.0.0.1",
                            port=port, log_level="warning", lifespan="off", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def summarize_frames(samples: dict[str, Any]) -> dict[str, float]:
    """Frame interval and draw time statistics of one DRIVE_JS gesture (and its zoom range)."""
    intervals, draws = samples["intervals"], samples["draws"]
    scale = samples.get("scale") or {}
    return {
        **{f"scale_{k}": v for k, v in scale.items()},
        "frames_moved": samples.get("moved", float("nan")),
        "frames": len(intervals),
        "interval_median_ms": statistics.median(intervals),
        "interval_p95_ms": percentile(intervals, 0.95),
        "interval_max_ms": max(intervals),
        "frames_over_33ms": sum(1 for v in intervals if v > 33.4),
        "draw_median_ms": statistics.median(draws) if draws else float("nan"),
        "draw_p95_ms": percentile(draws, 0.95) if draws else float("nan"),
    }


def graphql_ms(page: Any) -> float:
    """Duration of the page's first GraphQL request (resource timing)."""
    entries = page.evaluate("performance.getEntriesByType('resource').filter(e => e.name.endsWith('/graphql'))"
                            ".map(e => e.responseEnd - e.startTime)")
    return float(entries[0]) if entries else float("nan")


def timeline(page: Any) -> list[tuple[str, int, int]]:
    """Where the time went: each resource's start and end, and DOMContentLoaded (ms from navigation)."""
    entries = page.evaluate("""() => [
      ...performance.getEntriesByType('resource').map(e => [e.name.split('/').pop(), e.startTime, e.responseEnd]),
      ...performance.getEntriesByType('navigation').map(e => ['domContentLoaded', e.domContentLoadedEventStart,
                                                              e.domContentLoadedEventEnd])]""")
    return [(str(n), round(a), round(b)) for n, a, b in entries]


def measure_graph(browser: Any, url: str, count: int, frames: int = 120) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(url + "/")
    page.wait_for_function("n => window.__assetgraphGraph && window.__assetgraphGraph.nodes === n && "
                           "window.__assetgraphGraph.firstDrawAt !== null", arg=count, timeout=120_000)
    first = page.evaluate("performance.getEntriesByName('assetgraph:graph-first-draw')[0].startTime")
    result: dict[str, Any] = {"first_render_ms": first, "graphql_ms": graphql_ms(page), "timeline": timeline(page)}
    page.wait_for_timeout(300)
    result["zoom_fit"] = summarize_frames(drive(page, frames, "zoom"))
    result["pan_fit"] = summarize_frames(drive(page, frames, "pan"))
    # Zoom in until nodes draw with their text, then measure again.
    page.evaluate("""() => { const c = document.querySelector('[data-testid="lineage-canvas"]');
      const r = c.getBoundingClientRect();
      for (let i = 0; i < 40 && window.__assetgraphGraph.view().scale < 0.9; i++)
        c.dispatchEvent(new WheelEvent('wheel', {deltaY: -120, clientX: r.left + r.width / 2,
                                                 clientY: r.top + r.height / 2, bubbles: true})); }""")
    page.wait_for_timeout(300)
    result["zoom_detail"] = summarize_frames(drive(page, frames, "zoom"))
    result["pan_detail"] = summarize_frames(drive(page, frames, "pan"))
    context.close()
    return result


def measure_status_bar(browser: Any, url: str) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(url + "/assets/huge")
    page.wait_for_selector('[data-testid="partition-status-bar"] canvas[data-drawn="1"]', timeout=60_000)
    drawn = page.evaluate("performance.getEntriesByName('assetgraph:status-bar-drawn')[0].startTime")
    draw = page.evaluate("performance.getEntriesByName('assetgraph:status-bar-draw')[0].duration")
    total = page.inner_text('[data-testid="partition-stats"] .stat-value')
    result = {"status_bar_visible_ms": drawn, "status_bar_draw_ms": draw, "graphql_ms": graphql_ms(page),
              "partitions_shown": total, "timeline": timeline(page)}
    context.close()
    return result


def screenshots(browser: Any, url: str, count: int, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(url + "/")
    page.wait_for_function("n => window.__assetgraphGraph && window.__assetgraphGraph.nodes === n", arg=count,
                           timeout=120_000)
    page.wait_for_timeout(3000)  # statuses arrive after the structure
    page.screenshot(path=str(directory / "lineage-5000-assets.png"))
    page.goto(url + "/assets/huge")
    page.wait_for_selector('[data-testid="partition-status-bar"] canvas[data-drawn="1"]', timeout=60_000)
    page.screenshot(path=str(directory / "asset-1m-partitions.png"))
    context.close()


def median_of(runs: list[dict[str, Any]], path: list[str]) -> float:
    values = []
    for r in runs:
        v: Any = r
        for p in path:
            v = v[p]
        values.append(float(v))
    return statistics.median(values)


def run(assets: int, repeat: int, screenshot_dir: Path | None = None,
        hourly_start: str = MILLION_HOURS_START, frames: int = 120) -> dict[str, Any]:
    """Serve the workload, measure it in Chromium ``repeat`` times (after a warm-up), return the report."""
    from playwright.sync_api import sync_playwright

    hourly = HourlyPartitionsDefinition(start_date=hourly_start)
    defs = layered_defs(assets, hourly)
    with tempfile.TemporaryDirectory() as tmp:
        instance = Instance.from_url(f"sqlite:///{tmp}/bench.db")
        partitions = seed(instance, defs, assets, hourly)
        with serving(defs, instance) as url, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
            measure_graph(browser, url, assets + 1, frames)  # warm-up: server caches, browser code cache
            graphs = [measure_graph(browser, url, assets + 1, frames) for _ in range(repeat)]
            measure_status_bar(browser, url)
            bars = [measure_status_bar(browser, url) for _ in range(repeat)]
            if screenshot_dir:
                screenshots(browser, url, assets + 1, screenshot_dir)
            browser.close()
        instance.dispose()
    return {
        "assets": assets, "partitions": partitions, "repeat": repeat,
        "graph_first_render_ms": median_of(graphs, ["first_render_ms"]),
        "graph_graphql_ms": median_of(graphs, ["graphql_ms"]),
        "status_bar_visible_ms": median_of(bars, ["status_bar_visible_ms"]),
        "status_bar_draw_ms": median_of(bars, ["status_bar_draw_ms"]),
        "status_bar_graphql_ms": median_of(bars, ["graphql_ms"]),
        "frames": {k: {m: median_of(graphs, [k, m]) for m in graphs[0][k]}
                   for k in ("zoom_fit", "pan_fit", "zoom_detail", "pan_detail")},
        "runs": {"graph": graphs, "status_bar": bars},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assets", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--screenshots", type=Path, help="save screenshots of the big graph and the asset page here")
    args = parser.parse_args()
    report = run(args.assets, args.repeat, args.screenshots)
    partitions = report["partitions"]
    print(f"lineage graph, {args.assets} assets: first render {report['graph_first_render_ms']:.0f} ms "
          f"(GraphQL {report['graph_graphql_ms']:.0f} ms)")
    for name, f in report["frames"].items():
        print(f"  {name:12s} frame interval median {f['interval_median_ms']:.1f} ms, p95 {f['interval_p95_ms']:.1f} ms, "
              f"max {f['interval_max_ms']:.1f} ms, >33 ms: {f['frames_over_33ms']:.0f}/{f['frames']:.0f}; "
              f"draw median {f['draw_median_ms']:.2f} ms, p95 {f['draw_p95_ms']:.2f} ms")
    print(f"asset page, {partitions:,} partitions: status bar visible at {report['status_bar_visible_ms']:.0f} ms "
          f"(draw {report['status_bar_draw_ms']:.2f} ms, GraphQL {report['status_bar_graphql_ms']:.0f} ms)")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
