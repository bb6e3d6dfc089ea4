"""Benchmark assetgraph against Dagster on the same generated workloads.

    python bench/run.py [WORKLOAD ...] [--quick] [--only assetgraph|dagster] [--pairs K]

Workloads: import, load, materialize, partitions-365 (default: all). Every measurement runs in a
fresh child process (bench/probes.py); after one warm-up run per side, the sides alternate
assetgraph, Dagster, assetgraph, Dagster ... The table shows medians, the median of per-pair
ratios and peak RSS; the full samples go to bench/results/*.json. Dagster runs from
bench/.venv-dagster (python bench/peer_env.py creates it). Benchmarks never assert a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import peer_env
import probes
import workloads
from report import FRAMEWORKS, Cell, CellResult, Sample, summarize, table

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
WORKLOADS = ("import", "load", "materialize", "partitions-365")
FULL_SIZES = {"load": [1000, 10000], "materialize": [1000], "partitions": [workloads.DAILY_COUNT]}
QUICK_SIZES = {"load": [20], "materialize": [20], "partitions": [5]}


def interpreters(assetgraph_python: str | None) -> dict[str, Path]:
    """The interpreter of each side: the repository's .venv (or this one) and the peer's venv."""
    ours = Path(assetgraph_python) if assetgraph_python else REPO_DIR / ".venv" / "bin" / "python"
    return {"assetgraph": ours if ours.exists() else Path(sys.executable), "dagster": peer_env.peer_python()}


def cells(workload: str, sizes: dict[str, list[int]]) -> list[Cell]:
    """The rows that one workload contributes to the table."""
    if workload == "import":
        return [Cell("import", "`python -c pass` (interpreter start, baseline)", 0, "wall_s", "s", "startup"),
                Cell("import", "`python -c 'import X'`", 0, "wall_s", "s", "import"),
                Cell("import", "`python -c 'from X import Definitions, asset, materialize, <Instance>'`", 0,
                     "wall_s", "s", "import-run")]
    if workload == "load":
        return [Cell("load", f"load N={n:,}: import + Definitions + graph + toposort", n, "graph_s", "s")
                for n in sizes["load"]]
    if workload == "materialize":
        return [Cell("materialize", f"materialize N={n:,}, SQLite (per asset)", n, "per_asset_ms", "ms")
                for n in sizes["materialize"]]
    return [Cell("partitions", f"{n} daily partitions, one materialize each, SQLite (per partition)", n,
                 "per_partition_ms", "ms") for n in sizes["partitions"]]


def child_env(home: str | None) -> dict[str, str]:
    """The parent's environment without Python path overrides, with both homes in ``home``."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")}
    if home:
        env |= {"ASSETGRAPH_HOME": home, "DAGSTER_HOME": home}
    return env


def run_child(framework: str, argv: list[str], env: dict[str, str], timeout: float) -> tuple[Sample, str]:
    """Run one child; return its sample (wall time, peak RSS from wait4) and its stdout."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=REPO_DIR)
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            # Interrupted (Ctrl-C, SIGTERM): Dagster handles SIGTERM itself, so kill the child outright.
            proc.kill()
            proc.wait()
            raise
        finally:
            killer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    sample = Sample(framework, wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)
    if proc.returncode < 0:
        sample.error = f"killed by signal {-proc.returncode} (timeout after {timeout:.0f} s?)"
    elif proc.returncode != 0:
        sample.error = _last_error_line(stderr) or f"exit status {proc.returncode}"
    return sample, stdout


def _last_error_line(stderr: str) -> str:
    """The exception line of a traceback, else the last line."""
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    errors = [line for line in lines if not line.startswith(("File ", "^", "~")) and ("Error" in line or "Exception" in line)]
    return (errors or lines or [""])[-1][:300]


class Harness:
    """Runs the cells of one invocation and keeps their samples."""

    def __init__(self, pythons: dict[str, Path], frameworks: list[str], pairs: int, warmup: bool,
                 timeout: float) -> None:
        self.pythons = pythons
        self.frameworks = frameworks
        self.pairs = pairs
        self.warmup = warmup
        self.timeout = timeout

    def measure(self, cell: Cell, framework: str, size: int | None = None) -> Sample:
        """One fresh child for ``cell`` on ``framework`` (``size`` overrides the cell's size)."""
        python = self.pythons[framework]
        if not python.exists():
            return Sample(framework, 0.0, 0.0, error=f"{python} missing: run python bench/peer_env.py")
        home = tempfile.mkdtemp(prefix=f"bench-{framework}-")
        try:
            argv = self._argv(cell, framework, str(python), home, cell.size if size is None else size)
            sample, stdout = run_child(framework, argv, child_env(home), self.timeout)
        finally:
            shutil.rmtree(home, ignore_errors=True)
        if sample.error is None and not stdout.strip():
            sample.error = "the child printed no result"
        if sample.error is None:
            sample.report = _parse(cell, stdout)
            if sample.report.get("success") is False:
                sample.error = "the run did not succeed"
        return sample

    def _argv(self, cell: Cell, framework: str, python: str, home: str, size: int) -> list[str]:
        probe = str(BENCH_DIR / "probes.py")
        if cell.workload == "import":
            return [python, "-c", probes.import_probe_source(cell.variant, framework)]
        if cell.workload == "load":
            return [python, probe, "load", framework, str(workloads.write_layered(size, framework))]
        if cell.workload == "materialize":
            return [python, probe, "materialize", framework, str(workloads.write_layered(size, framework)), home]
        module = workloads.write_daily(framework, size)
        return [python, probe, "partitions", framework, str(module), home, str(size)]

    def run_cell(self, cell: Cell, progress: Callable[[str], None]) -> CellResult:
        """Warm up each side once, then alternate the sides ``pairs`` times."""
        result = CellResult(cell)
        if self.warmup:
            for framework in self.frameworks:
                warm = self.measure(*_warmup_of(cell, framework))
                progress(f"[{cell.label}] warm-up {framework}: {_brief(warm)}")
        for i in range(self.pairs):
            for framework in self.frameworks:
                sample = self.measure(cell, framework)
                result.samples.append(sample)
                progress(f"[{cell.label}] {framework} {i + 1}/{self.pairs}: {_brief(sample)}")
        return result


def _warmup_of(cell: Cell, framework: str) -> tuple[Cell, str, int | None]:
    """A warm-up that fills the file cache and compiles the module without a full run's cost."""
    if cell.workload == "materialize":
        return Cell("load", cell.label, cell.size, "graph_s", "s"), framework, None
    if cell.workload == "partitions":
        return cell, framework, min(cell.size, 5)
    return cell, framework, None


def _parse(cell: Cell, stdout: str) -> dict[str, Any]:
    line = stdout.strip().splitlines()[-1]
    if cell.workload == "import":
        modules, seconds = line.split()
        return {"modules": int(modules), "import_s": float(seconds)}
    report: dict[str, Any] = json.loads(line)
    return report


def _brief(sample: Sample) -> str:
    if sample.error:
        return f"error: {sample.error}"
    return f"{sample.wall_s:.2f} s wall, {sample.rss_mib:.0f} MiB"


def versions(pythons: dict[str, Path]) -> dict[str, str | None]:
    """Versions of both sides and the repository's commit."""
    def ask(python: Path, code: str) -> str | None:
        if not python.exists():
            return None
        done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False)
        return done.stdout.strip() or None

    commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
                            cwd=REPO_DIR, check=False).stdout.strip()
    return {"assetgraph": ask(pythons["assetgraph"], "import importlib.metadata as m; print(m.version('assetgraph'))"),
            "dagster": peer_env.installed_version(), "commit": commit or None,
            "python": platform.python_version()}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("workloads", nargs="*", metavar="WORKLOAD",
                        help=f"any of {', '.join(WORKLOADS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one pair, no warm-up (CI smoke run)")
    parser.add_argument("--only", choices=FRAMEWORKS, help="measure one side only")
    parser.add_argument("--pairs", type=int, default=None, help="alternating pairs per cell (default 3; quick 1)")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")],
                        help="asset counts for load and materialize, e.g. 1000,5000")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds before a child is killed")
    parser.add_argument("--assetgraph-python", help="interpreter for the assetgraph side (default: .venv)")
    parser.add_argument("--output", type=Path, help="JSON file to write (default: bench/results/<time>.json)")
    parser.add_argument("--table", type=Path, metavar="JSON", help="print the table of an earlier results file")
    args = parser.parse_args(argv)
    if unknown := sorted(set(args.workloads) - set(WORKLOADS)):
        parser.error(f"unknown workload {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.table:
        print(table([summarize(r) for r in read_results(args.table)]))
        return 0
    chosen = args.workloads or list(WORKLOADS)
    sizes = {k: list(v) for k, v in (QUICK_SIZES if args.quick else FULL_SIZES).items()}
    if args.sizes:
        sizes["load"] = sizes["materialize"] = args.sizes
    pythons = interpreters(args.assetgraph_python)
    harness = Harness(pythons, [args.only] if args.only else list(FRAMEWORKS),
                      args.pairs or (1 if args.quick else 3), warmup=not args.quick, timeout=args.timeout)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = datetime.now(UTC)
    output = args.output or RESULTS_DIR / f"{started.strftime('%Y%m%dT%H%M%SZ')}-{'-'.join(chosen)}.json"
    header = {
        "date": started.isoformat(timespec="seconds"),
        "command": " ".join(["python", "bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "load_average": os.getloadavg()},
        "versions": versions(pythons),
    }
    results: list[CellResult] = []
    for workload in chosen:
        for cell in cells(workload.removesuffix("-365"), sizes):
            results.append(harness.run_cell(cell, lambda line: print(line, file=sys.stderr, flush=True)))
            write_results(output, header, results)
    print(table([summarize(r) for r in results]))
    print(f"\n{header['versions']}; {header['date']}; results: {output}")
    failed = any(s.error for r in results for s in r.samples)
    return 1 if failed else 0


def write_results(output: Path, header: dict[str, Any], results: list[CellResult]) -> None:
    """Write what has been measured so far, so an interrupted run keeps its finished cells."""
    document = header | {
        "load_average_now": os.getloadavg(),
        "summaries": [summarize(r) for r in results],
        "samples": [{"cell": asdict(r.cell), "samples": [asdict(s) for s in r.samples]} for r in results],
        "children_maxrss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document, indent=2), encoding="utf-8")


def read_results(path: Path) -> list[CellResult]:
    """The cells and samples of a results file written by `write_results`."""
    document = json.loads(path.read_text(encoding="utf-8"))
    return [CellResult(Cell(**entry["cell"]), [Sample(**sample) for sample in entry["samples"]])
            for entry in document["samples"]]


if __name__ == "__main__":
    sys.exit(main())
