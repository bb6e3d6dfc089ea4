"""assetgraph's web UI against dagster-webserver's, side by side in Debian's headless Chromium, on
the same generated workloads (bench/workloads.py, one module per framework that differs only in
its import line): first render of the global lineage graph of the layered DAG and pan/zoom frame
times on it, then the partitions page of a daily asset.

    .venv/bin/python bench/ui/side_by_side.py [--sizes 1000 5000] [--pairs 3] [--partitions 10000]
        [--timeout 300] [--json bench/ui/side_by_side_results.json] [--screenshots DIR]
    .venv/bin/python bench/ui/side_by_side.py --quick     # N=40 and 100 partitions, one pair, no cold load

Each sample is a fresh dev server (`assetgraph dev`, or `dagster dev` from bench/.venv-dagster-web;
bench/service/common.py's Server: own session, free 127.0.0.1 port, new temporary instance) and a
fresh Chromium; only one of them runs at a time. Per page and size, samples alternate assetgraph,
Dagster for --pairs pairs. In each sample the page is loaded once in a throwaway browser context
(the "cold" load: the first after the server started), then measured in a new context (no HTTP
cache, no IndexedDB); on the graph page the gestures of bench_ui.DRIVE_JS follow, then the same tab
loads the page again (the "revisit": HTTP cache and IndexedDB kept).

Rendered (Performance API: ms since navigation start): an init script watches, once per animation
frame, the page's visible state. Graph: assetgraph: the canvas has drawn all N nodes, and its view;
Dagster: the SVG viewport's transform, the SVG's size and its count of node (foreignObject) and edge
(path) elements. Partitions: the status bar drawn and the partition counts shown. The render time
is the first frame after the state last changed, once it has stayed unchanged for --quiet seconds.
The renderer's CPU time (Chrome DevTools Protocol metrics, workers included) is recorded beside it.
Without bench/.venv-dagster-web the Dagster side is skipped with a message. Benchmarks are not
tests: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.service import common
from bench.ui.bench_ui import (
    ASSETGRAPH_WHEEL,
    CANVAS,
    CHROMIUM,
    FLAGS,
    ZOOM_TO_JS,
    drive,
    summarize_frames,
)

SIDES = ("assetgraph", "dagster")
DAGSTER_HINT = ("python3 -m venv bench/.venv-dagster-web && bench/.venv-dagster-web/bin/pip install "
                f"dagster=={common.DAGSTER_WEB_VERSION} dagster-webserver=={common.DAGSTER_WEB_VERSION}")
VIEWPORT = {"width": 1440, "height": 900}
GESTURES = ("zoom_fit", "pan_fit", "zoom_detail", "pan_detail")
DETAIL_PERIOD = 20  # frames per zoom-in-then-out cycle when zoomed in: stays within the detail range
SETTLE_S = 3.0  # after the code location loaded, before the browser opens (daemons finish starting)

# Dagster's SVG viewport zooms on ctrl+wheel (a trackpad pinch; a plain wheel pans), measured here by
# (1 - 0.01 * deltaY) per event for small deltas (|deltaY| up to about 30), (1 - 0.002 * deltaY)
# above: these deltas zoom by the same x1.062 / x0.942 per event as assetgraph's +-40.
DAGSTER_WHEEL = {"ctrlKey": True, "deltaIn": -6.18, "deltaOut": 5.82}

ASSETGRAPH_STATE = """() => { const g = window.__assetgraphGraph;
  if (!g || g.firstDrawAt === null) return null;
  const v = g.view();
  return ['drawn', g.nodes, v.scale.toFixed(6), Math.round(v.tx), Math.round(v.ty)].join('|'); }"""
DAGSTER_STATE = """() => { const v = document.querySelector('[data-svg-viewport] > div');
  const svg = v && v.querySelector('svg');
  if (!svg) return null;
  return [v.style.transform, svg.getAttribute('width'), svg.getAttribute('height'),
          v.querySelectorAll('foreignObject').length, svg.querySelectorAll('path').length].join('|'); }"""

# Installed before the page's own scripts: records each change of the graph's visible state with the
# time it was seen and the time of the next animation frame, and the longest frame gap.
MONITOR_JS = """(() => {
  const state = %s;
  const s = window.__benchRender = {changes: [], maxGapMs: 0, longFrames: 0, stop: false};
  let prev = null, last;
  const tick = (t) => {
    if (s.stop) return;
    const now = performance.now();
    if (prev !== null) { const gap = t - prev; s.maxGapMs = Math.max(s.maxGapMs, gap); if (gap > 50) s.longFrames++; }
    prev = t;
    const open = s.changes[s.changes.length - 1];
    if (open && open.frameAfter === null) open.frameAfter = now;
    let v = null;
    try { v = state(); } catch (e) { v = null; }
    if (v !== last) { s.changes.push({at: now, frameAfter: null, state: v}); last = v; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();"""
RENDERED_JS = """(quietMs) => { const c = window.__benchRender && window.__benchRender.changes;
  const l = c && c[c.length - 1];
  return !!l && l.state !== null && l.frameAfter !== null && performance.now() - l.at >= quietMs; }"""
GRAPHQL_JS = """() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/graphql'))
  .map((e) => [e.name.split('op=')[1] || 'graphql', Math.round(e.startTime), Math.round(e.responseEnd), e.transferSize])"""


ASSETGRAPH_PARTITIONS_STATE = """() => {
  const bar = document.querySelector('[data-testid="partition-status-bar"] canvas[data-drawn="1"]');
  const stats = document.querySelector('[data-testid="partition-stats"]');
  return bar && stats ? stats.textContent : null; }"""
DAGSTER_PARTITIONS_STATE = """() => {
  const bar = document.querySelector('[class*="PartitionStatusBar_partitionSpansContainer"]');
  if (!bar) return null;
  const counts = [...document.querySelectorAll('label')].map((l) => l.textContent).filter((t) => /\\(\\d+\\)$/.test(t));
  return counts.join('|') + '|' + bar.childElementCount; }"""


@dataclass(frozen=True)
class View:
    """A page of one UI: where it is, its visible state (MONITOR_JS) and the GraphQL operation that
    carries its data (None: the page's first request)."""

    path: str
    state_js: str
    data_op: str | None


@dataclass(frozen=True)
class Side:
    """How one UI is opened, driven and recognised as rendered."""

    name: str
    graph: View  # the global asset lineage page
    partitions: View  # the partition status of the asset `events`
    target: str  # the element that takes wheel and mouse events
    wheel: dict[str, Any]
    detail_scale: float  # zoom at which it draws whole nodes with their text


SIDE_CONFIG = {
    "assetgraph": Side("assetgraph", View("/", ASSETGRAPH_STATE, None),
                       View("/assets/events", ASSETGRAPH_PARTITIONS_STATE, None), CANVAS, ASSETGRAPH_WHEEL, 0.9),
    "dagster": Side("dagster", View("/asset-groups", DAGSTER_STATE, "LocationWorkspaceAssetsQuery"),
                    View("/assets/events?view=partitions", DAGSTER_PARTITIONS_STATE, "PartitionHealthQuery"),
                    "[data-svg-viewport]", DAGSTER_WHEEL, 0.75),
}
# What each partitions page shows once the status of every partition is in (PARTITIONS missing ones).
PARTITIONS_DONE = {"assetgraph": "{count:,}Missing", "dagster": "Missing ({count})"}
PARTITIONS_START = date(1999, 1, 1)  # 10,000 daily partitions end on 2026-05-18: all in the past


@dataclass
class SideServer(common.Server):
    """common.Server with the executable chosen here (this interpreter's `assetgraph`, or the
    `dagster` of a given environment)."""

    executable: Path = field(default_factory=Path)

    def command(self) -> list[str]:
        cmd = super().command()
        cmd[0] = str(self.executable)
        return cmd


def assetgraph_executable() -> Path:
    here = Path(sys.executable).with_name("assetgraph")
    return here if here.exists() else common.ASSETGRAPH_BIN


def dagster_versions(venv: Path) -> dict[str, str] | None:
    """Versions of dagster and dagster-webserver in ``venv``, or None when it is not usable."""
    python = venv / "bin" / "python"
    if not (venv / "bin" / "dagster").exists() or not python.exists():
        return None
    code = "from importlib.metadata import version as v; print(v('dagster'), v('dagster-webserver'))"
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return None
    dagster, webserver = out.stdout.split()
    return {"dagster": dagster, "dagster-webserver": webserver}


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def _state_counts(side: Side, state: str | None) -> dict[str, Any]:
    """What the view holds at render: assetgraph nodes drawn; Dagster node and edge elements, scale."""
    if state is None:
        return {}
    parts = state.split("|")
    if side.name == "assetgraph":
        return {"nodes_drawn": int(parts[1]), "scale": float(parts[2])}
    scale = float(parts[0][len("matrix("):].split(",")[0]) if parts[0].startswith("matrix(") else None
    return {"scale": scale, "layout_px": [float(parts[1]), float(parts[2])],
            "node_elements": int(parts[3]), "edge_paths": int(parts[4]) - 1}  # minus the arrow marker's path


def _dom_counts(page: Any) -> dict[str, int]:
    return page.evaluate("""() => ({node_elements: document.querySelectorAll('[data-svg-viewport] foreignObject').length,
                                    edge_paths: Math.max(0, document.querySelectorAll('[data-svg-viewport] svg path').length - 1)})""")


def load(page: Any, cdp: Any, view: View, base: str, timeout_s: float, quiet_s: float) -> dict[str, Any]:
    """Navigate ``page`` (MONITOR_JS installed) to ``view`` and wait until it rendered; its figures."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    result: dict[str, Any] = {}
    try:
        page.goto(base + view.path, timeout=timeout_s * 1000)
        page.wait_for_function(RENDERED_JS, arg=quiet_s * 1000, polling=100, timeout=timeout_s * 1000)
    except PlaywrightTimeout:
        result["error"] = f"not rendered within the {timeout_s:.0f} s timeout"
    monitor = page.evaluate("() => { const s = window.__benchRender || {changes: []}; s.stop = true; return s; }")
    drawn = [c for c in monitor["changes"] if c["state"] is not None]
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    queries = page.evaluate(GRAPHQL_JS)
    data = [q for q in queries if view.data_op is None or q[0] == view.data_op]
    result.update({
        "first_state_ms": drawn[0]["at"] if drawn else None,
        "state_changes": len(drawn),
        "final_state": drawn[-1]["state"] if drawn else None,
        "max_frame_gap_ms": monitor.get("maxGapMs"),
        "long_frames": monitor.get("longFrames"),
        "data_query_end_ms": data[0][2] if data else None,
        "graphql": queries,
        "js_heap_mib": metrics.get("JSHeapUsedSize", 0) / 2**20,
        "dom_nodes": metrics.get("Nodes"),
        "main_thread_task_s": metrics.get("TaskDuration"),
        "main_thread_cpu_s": metrics.get("ThreadTime"),
        "renderer_cpu_s": metrics.get("ProcessTime"),  # the page's renderer process, workers included
    })
    if "error" not in result:
        result["rendered_ms"] = drawn[-1]["frameAfter"]
    return result


def first_render(browser: Any, view: View, base: str, timeout_s: float, quiet_s: float,
                 keep: bool = False) -> tuple[dict[str, Any], Any]:
    """Open ``view`` in a new browser context; its render figures (and the page and its CDP session,
    when ``keep``)."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    page.add_init_script(MONITOR_JS % view.state_js)
    result = load(page, cdp, view, base, timeout_s, quiet_s)
    if keep:
        return result, (page, cdp)
    context.close()
    return result, None


def gestures(page: Any, side: Side, frames: int, screenshot: Path | None) -> dict[str, Any]:
    """Zoom and pan at the fitted view, zoom in to the detail scale, zoom and pan again."""
    out: dict[str, Any] = {}
    page.wait_for_timeout(300)
    ui = side.name
    out["zoom_fit"] = summarize_frames(drive(page, frames, "zoom", ui, side.target, side.wheel))
    out["pan_fit"] = summarize_frames(drive(page, frames, "pan", ui, side.target, side.wheel))
    out["detail_scale"] = page.evaluate(ZOOM_TO_JS, {"ui": ui, "target": side.target, "wheel": side.wheel,
                                                     "min": side.detail_scale})
    page.wait_for_timeout(500)
    if ui == "dagster":
        out["at_detail"] = _dom_counts(page)
    if screenshot:
        page.screenshot(path=str(screenshot))
    out["zoom_detail"] = summarize_frames(drive(page, frames, "zoom", ui, side.target, side.wheel, DETAIL_PERIOD))
    out["pan_detail"] = summarize_frames(drive(page, frames, "pan", ui, side.target, side.wheel))
    return out


@contextlib.contextmanager
def serving(side: Side, module: Path, executable: Path, timeout_s: float, doc: dict[str, Any]) -> Iterator[str]:
    """A fresh dev server of ``side`` on ``module``, ready for a browser; its base URL."""
    server = SideServer(side.name, module, executable=executable)
    server.start()
    try:
        doc["server_loaded_s"] = server.wait(server.location_loaded, timeout=max(timeout_s, 120), interval=0.2)
        if side.name == "dagster":  # a fresh instance would open with the newsletter dialog over the page
            common.graphql(server.base, "mutation { setNuxSeen }")
        time.sleep(SETTLE_S)
        yield server.base
    finally:
        doc["stop_s"] = server.stop()


def sample(side: Side, n: int, executable: Path, timeout_s: float, quiet_s: float, frames: int,
           warmup: bool, screenshots: Path | None) -> dict[str, Any]:
    """The lineage graph of ``n`` assets on a fresh server and Chromium: a cold load (when
    ``warmup``), then the measured load and the gestures."""
    doc: dict[str, Any] = {"side": side.name, "page": "graph", "n": n, "loadavg_start": common.load_average()}
    with serving(side, common.module_for(side.name, "layered", n), executable, timeout_s, doc) as base, \
            chromium() as browser:
        if warmup:
            cold, _ = first_render(browser, side.graph, base, timeout_s, quiet_s)
            doc["cold"] = {k: cold.get(k) for k in ("rendered_ms", "data_query_end_ms", "error")}
        result, (page, cdp) = first_render(browser, side.graph, base, timeout_s, quiet_s, keep=True)
        doc.update(result)
        if "error" not in result:
            doc["at_render"] = _state_counts(side, result["final_state"])
            shot = screenshots / f"side-by-side-{side.name}-{n}" if screenshots else None
            if shot:
                page.screenshot(path=f"{shot}-first-render.png")
            doc.update(gestures(page, side, frames, Path(f"{shot}-detail.png") if shot else None))
            # A returning user: the same tab loads the page again, HTTP cache and IndexedDB kept
            # (Dagster keeps its GraphQL answers and its whole graph layout there).
            again = load(page, cdp, side.graph, base, timeout_s, quiet_s)
            doc["revisit"] = {k: again.get(k) for k in ("rendered_ms", "data_query_end_ms", "error", "graphql")}
    doc["loadavg_end"] = common.load_average()
    return doc


def partitions_sample(side: Side, count: int, executable: Path, timeout_s: float, quiet_s: float,
                      warmup: bool, screenshots: Path | None) -> dict[str, Any]:
    """The partitions page of a daily asset of ``count`` partitions (none materialised)."""
    doc: dict[str, Any] = {"side": side.name, "page": "partitions", "n": count,
                           "loadavg_start": common.load_average()}
    module = common.workloads.write_daily(side.name, count, start=PARTITIONS_START)
    with serving(side, module, executable, timeout_s, doc) as base, chromium() as browser:
        if warmup:
            cold, _ = first_render(browser, side.partitions, base, timeout_s, quiet_s)
            doc["cold"] = {k: cold.get(k) for k in ("rendered_ms", "data_query_end_ms", "error")}
        result, (page, _) = first_render(browser, side.partitions, base, timeout_s, quiet_s, keep=True)
        doc.update(result)
        expected = PARTITIONS_DONE[side.name].format(count=count)
        if "error" not in result and expected not in (result["final_state"] or ""):
            doc["error"] = f"rendered without {expected!r}: {result['final_state']!r}"
        if screenshots and "error" not in doc:
            page.screenshot(path=str(screenshots / f"side-by-side-{side.name}-partitions-{count}.png"))
    doc["loadavg_end"] = common.load_average()
    return doc


def _median(values: list[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return statistics.median(kept) if kept else None


def summarize(page: str, n: int, pairs: list[dict[str, dict[str, Any]]], sides: list[str]) -> dict[str, Any]:
    """Medians per side and the median of per-pair ratios assetgraph / Dagster (a pair where either
    side failed gives no ratio)."""
    def values(side: str, *path: str) -> list[float | None]:
        out = []
        for pair in pairs:
            v: Any = pair.get(side, {})
            for p in path:
                v = v.get(p) if isinstance(v, dict) else None
            out.append(v)
        return out

    def metric(*path: str) -> dict[str, Any]:
        m: dict[str, Any] = {side: _median(values(side, *path)) for side in sides}
        if len(sides) == 2:
            ratios = [a / d for a, d in zip(values("assetgraph", *path), values("dagster", *path), strict=True)
                      if a is not None and d]
            m["ratios"] = ratios
            m["ratio_median"] = _median(ratios)  # type: ignore[arg-type]
        return m

    summary: dict[str, Any] = {"page": page, "n": n, "pairs": len(pairs)}
    for name in ("rendered_ms", "data_query_end_ms", "renderer_cpu_s", "main_thread_cpu_s", "js_heap_mib",
                 "dom_nodes"):
        summary[name] = metric(name)
    summary["cold_rendered_ms"] = metric("cold", "rendered_ms")
    summary["revisit_rendered_ms"] = metric("revisit", "rendered_ms")
    if page == "graph":
        for g in GESTURES:
            summary[g] = {k: metric(g, k) for k in ("interval_median_ms", "interval_p95_ms", "interval_max_ms",
                                                    "frames_over_33ms")}
    summary["loadavg_1min"] = {side: [v[0] if v else None for v in values(side, "loadavg_start")] for side in sides}
    summary["errors"] = {side: [e for e in values(side, "error") if e] for side in sides}
    return summary


def _fmt(m: dict[str, Any], key: str, unit: str = "", digits: int = 0) -> str:
    v = m.get(key)
    return "—" if v is None else f"{v:,.{digits}f}{unit}"


def print_summary(s: dict[str, Any], sides: list[str]) -> None:
    both = len(sides) == 2

    def row(label: str, m: dict[str, Any], unit: str = "", digits: int = 0, ratio: bool = True) -> None:
        cells = [_fmt(m, side, unit, digits) for side in sides]
        shown = f"  ratio ag/D {m['ratio_median']:.3f}" if ratio and both and m.get("ratio_median") else ""
        print(f"  {label:38s} " + " | ".join(f"{side} {c}" for side, c in zip(sides, cells, strict=True)) + shown)

    what = f"lineage graph, {s['n']:,} assets" if s["page"] == "graph" else f"partitions page, {s['n']:,} partitions"
    print(f"{what} ({s['pairs']} pairs)")
    row("rendered", s["rendered_ms"], " ms")
    row("rendered, first load after server start", s["cold_rendered_ms"], " ms")
    if s["page"] == "graph":
        row("rendered again in the same tab", s["revisit_rendered_ms"], " ms")
    row("its data query answered", s["data_query_end_ms"], " ms")
    row("renderer CPU until rendered", s["renderer_cpu_s"], " s", 2)
    row("main-thread CPU until rendered", s["main_thread_cpu_s"], " s", 2)
    row("JS heap once rendered", s["js_heap_mib"], " MiB", 1)
    row("DOM nodes once rendered", s["dom_nodes"])
    for g in GESTURES if s["page"] == "graph" else ():
        row(f"{g} frame p95", s[g]["interval_p95_ms"], " ms", 1, ratio=False)
        row(f"{g} frames over 33 ms", s[g]["frames_over_33ms"], "", 1, ratio=False)
    for side, errors in s["errors"].items():
        for e in errors:
            print(f"  {side}: {e}")


def run(sizes: list[int], pairs: int, timeout_s: float = 300.0, quiet_s: float = 3.0, frames: int = 120,
        warmup: bool = True, screenshots: Path | None = None, dagster_venv: Path = common.DAGSTER_WEB_VENV,
        only: str | None = None, partitions: int = 0) -> dict[str, Any]:
    """Measure both UIs (or the available one) on each size, then (``partitions`` > 0) the partitions
    page; the report with every sample."""
    sides = [only] if only else list(SIDES)
    versions = {"chromium": subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True,
                                           check=False).stdout.strip(),
                "playwright": version("playwright"), "assetgraph": version("assetgraph"),
                "python": sys.version.split()[0]}
    doc: dict[str, Any] = {"benchmark": "ui_side_by_side", **common.context(), "sizes": sizes, "pairs": pairs,
                           "partitions": partitions, "timeout_s": timeout_s, "quiet_s": quiet_s, "frames": frames,
                           "warmup": warmup, "viewport": VIEWPORT, "skipped": None, "samples": [], "summary": []}
    if "dagster" in sides:
        found = dagster_versions(dagster_venv)
        if found is None:
            doc["skipped"] = f"Dagster side skipped: {dagster_venv} is missing or broken (create it: {DAGSTER_HINT})"
            print(doc["skipped"], flush=True)
            sides.remove("dagster")
        else:
            versions.update(found)
    doc["versions"] = versions
    doc["sides"] = sides
    if screenshots:
        screenshots.mkdir(parents=True, exist_ok=True)
    executables = {"assetgraph": assetgraph_executable(), "dagster": dagster_venv / "bin" / "dagster"}
    pages = [("graph", n) for n in sizes] + ([("partitions", partitions)] if partitions else [])
    for page, n in pages:
        got: list[dict[str, dict[str, Any]]] = []
        for i in range(pairs):
            pair: dict[str, dict[str, Any]] = {}
            for name in sides:
                side, shots = SIDE_CONFIG[name], screenshots if i == 0 else None
                if page == "graph":
                    s = sample(side, n, executables[name], timeout_s, quiet_s, frames, warmup, shots)
                else:
                    s = partitions_sample(side, n, executables[name], timeout_s, quiet_s, warmup, shots)
                s["pair"] = i
                pair[name] = s
                doc["samples"].append(s)
                shown = f"{s['rendered_ms']:.0f} ms" if s.get("rendered_ms") is not None else s.get("error")
                print(f"  {page} N={n} pair {i + 1} {name}: rendered {shown}, load {s['loadavg_start']}", flush=True)
            got.append(pair)
        summary = summarize(page, n, got, sides)
        doc["summary"].append(summary)
        print_summary(summary, sides)
    doc["loadavg_end"] = common.load_average()
    return doc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds for a page to render (each side)")
    parser.add_argument("--quiet", type=float, default=3.0, help="seconds the graph must stay unchanged")
    parser.add_argument("--frames", type=int, default=120, help="frames per gesture")
    parser.add_argument("--no-warmup", action="store_true", help="measure the first load after the server started")
    parser.add_argument("--partitions", type=int, default=10000,
                        help="daily partitions of the partitions page (0: skip it)")
    parser.add_argument("--only", choices=SIDES)
    parser.add_argument("--dagster-venv", type=Path, default=common.DAGSTER_WEB_VENV)
    parser.add_argument("--screenshots", type=Path, help="save both pages at first render and zoomed in (first pair)")
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument("--quick", action="store_true", help="N=40, one pair, 20 frames, no warm-up load")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.pairs, args.frames, args.no_warmup, args.partitions = [40], 1, 20, True, 100
    doc = run(args.sizes, args.pairs, args.timeout, args.quiet, args.frames, not args.no_warmup,
              args.screenshots, args.dagster_venv, args.only, args.partitions)
    common.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = common.RESULTS_DIR / f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-ui-side-by-side.json"
    path.write_text(json.dumps(doc, indent=2))
    if args.json:
        args.json.write_text(json.dumps(doc, indent=2))
    print(f"load average {doc['loadavg_start']} -> {doc['loadavg_end']}; results: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
