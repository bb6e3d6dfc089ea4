"""Turn the samples of a benchmark run into figures, medians, per-pair ratios and a table.

Pure functions over plain values; the harness in run.py produces the samples.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

FRAMEWORKS = ("assetgraph", "dagster")


@dataclass(frozen=True)
class Cell:
    """One row of the table: a workload at one size."""

    workload: str
    label: str
    size: int
    metric: str
    unit: str
    variant: str = ""


@dataclass
class Sample:
    """One child process: its wall time and peak RSS seen by the parent, and its own report."""

    framework: str
    wall_s: float
    rss_mib: float
    cpu_s: float = 0.0
    report: dict[str, Any] | None = None
    error: str | None = None


@dataclass
class CellResult:
    """The samples of one cell, in run order (assetgraph and Dagster alternating)."""

    cell: Cell
    samples: list[Sample] = field(default_factory=list)


COMMON_LOAD_PHASES = ("import_framework", "module_and_definitions", "asset_graph", "toposort")


def figures(cell: Cell, sample: Sample) -> dict[str, float]:
    """The numbers a sample contributes: the cell's metric and its companions."""
    out = {"wall_s": sample.wall_s, "rss_mib": sample.rss_mib, "cpu_s": sample.cpu_s}
    report = sample.report or {}
    phases: dict[str, float] = report.get("phases", {})
    out["metric_cpu_s"] = _metric_cpu(cell, sample)
    if cell.workload == "import":
        out |= {"import_s": report["import_s"], "modules": report["modules"]}
    elif cell.workload == "load":
        out["graph_s"] = sum(phases[name] for name in COMMON_LOAD_PHASES)
        out |= {f"{name}_s": phases[name] for name in (*COMMON_LOAD_PHASES, "implicit_job") if name in phases}
    elif cell.workload == "materialize":
        out |= {"per_asset_ms": report["per_asset_ms"], "materialize_s": phases["materialize"],
                "instance_s": phases["instance"]}
    elif cell.workload == "partitions":
        out |= {"per_partition_ms": report["per_partition_ms"],
                "median_partition_ms": report["median_partition_ms"],
                "first_partition_ms": report["first_partition_ms"],
                "status_ms": 1000 * phases["materialized_partitions_query"]}
    return out


MEASURED_PHASES = {"load": COMMON_LOAD_PHASES, "materialize": ("materialize",), "partitions": ("materialize_all",)}


def _metric_cpu(cell: Cell, sample: Sample) -> float:
    """CPU time of the phases behind the cell's metric; the whole child's when it reports no phases."""
    cpu: dict[str, float] = (sample.report or {}).get("cpu_phases", {})
    names = MEASURED_PHASES.get(cell.workload, ())
    if names and all(name in cpu for name in names):
        return sum(cpu[name] for name in names)
    return sample.cpu_s


def _ok(sample: Sample) -> bool:
    return sample.error is None and sample.report is not None


def summarize(result: CellResult) -> dict[str, Any]:
    """Medians per framework, the median of per-pair ratios (assetgraph ÷ Dagster), and errors."""
    cell = result.cell
    summary: dict[str, Any] = {"workload": cell.workload, "label": cell.label, "size": cell.size,
                               "metric": cell.metric, "unit": cell.unit, "by_framework": {}}
    for framework in FRAMEWORKS:
        samples = [s for s in result.samples if s.framework == framework]
        good = [figures(cell, s) for s in samples if _ok(s)]
        errors = sorted({s.error for s in samples if s.error})
        if not samples:
            continue
        medians = {k: statistics.median(f[k] for f in good) for k in good[0]} if good else {}
        summary["by_framework"][framework] = {"runs": len(samples), "ok": len(good), "median": medians,
                                              "errors": errors}
    pairs = [(figures(cell, a), figures(cell, d)) for a, d in _pairs(result.samples) if _ok(a) and _ok(d)]
    ratios = [a[cell.metric] / d[cell.metric] for a, d in pairs]
    cpu_ratios = [a["metric_cpu_s"] / d["metric_cpu_s"] for a, d in pairs if d["metric_cpu_s"] > 0]
    summary["pair_ratios"] = ratios
    summary["median_ratio"] = statistics.median(ratios) if ratios else None
    summary["median_cpu_ratio"] = statistics.median(cpu_ratios) if cpu_ratios else None
    return summary


def _pairs(samples: list[Sample]) -> list[tuple[Sample, Sample]]:
    ours = [s for s in samples if s.framework == "assetgraph"]
    peer = [s for s in samples if s.framework == "dagster"]
    return list(zip(ours, peer, strict=False))


def _value(summary: dict[str, Any], framework: str, key: str) -> float | None:
    entry = summary["by_framework"].get(framework)
    return None if entry is None else entry["median"].get(key)


def _cell_text(summary: dict[str, Any], framework: str) -> str:
    entry = summary["by_framework"].get(framework)
    if entry is None:
        return "-"
    value = entry["median"].get(summary["metric"])
    if value is None:
        return "error: " + (entry["errors"][0] if entry["errors"] else "no result")[:60]
    text = _fmt(value, summary["unit"])
    return text if entry["ok"] == entry["runs"] else f"{text} ({entry['runs'] - entry['ok']} failed)"


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"


def _notes(summary: dict[str, Any]) -> str:
    notes = []
    if summary["workload"] == "import":
        mods = [_value(summary, f, "modules") for f in FRAMEWORKS]
        notes.append("modules " + " / ".join("-" if m is None else str(int(m)) for m in mods))
    if summary["workload"] == "load" and (job := _value(summary, "dagster", "implicit_job_s")) is not None:
        notes.append(f"Dagster implicit job +{job:.2f} s")
    if summary["workload"] == "partitions":
        status = [_value(summary, f, "status_ms") for f in FRAMEWORKS]
        notes.append("status query " + " / ".join("-" if s is None else f"{s:.1f} ms" for s in status))
    return "; ".join(notes)


def _cpu_text(summary: dict[str, Any]) -> str:
    cpu = " / ".join("-" if (v := _value(summary, f, "metric_cpu_s")) is None else f"{v:.2f} s" for f in FRAMEWORKS)
    ratio = summary["median_cpu_ratio"]
    return cpu if ratio is None else f"{cpu} ({ratio:.3f})"


def table(summaries: list[dict[str, Any]]) -> str:
    """A Markdown table: medians, the median of per-pair ratios, peak RSS, notes."""
    head = ("| workload | assetgraph | Dagster | ratio (ag ÷ D) | speed-up (D ÷ ag) | CPU ag / D (ratio) "
            "| peak RSS ag / D | notes |\n|---|---|---|---|---|---|---|---|")
    rows = [head]
    for s in summaries:
        ratio = s["median_ratio"]
        rss = " / ".join("-" if (v := _value(s, f, "rss_mib")) is None else f"{v:.0f} MiB" for f in FRAMEWORKS)
        rows.append(f"| {s['label']} | {_cell_text(s, 'assetgraph')} | {_cell_text(s, 'dagster')} | "
                    f"{'-' if ratio is None else f'{ratio:.3f}'} | {'-' if not ratio else f'{1 / ratio:.1f}x'} | "
                    f"{_cpu_text(s)} | {rss} | {_notes(s)} |")
    return "\n".join(rows)
