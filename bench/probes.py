"""Measurements that run inside a fresh child process, one per invocation.

    python bench/probes.py load FRAMEWORK MODULE_PATH
    python bench/probes.py materialize FRAMEWORK MODULE_PATH INSTANCE_DIR
    python bench/probes.py partitions FRAMEWORK MODULE_PATH INSTANCE_DIR COUNT

Each prints one JSON line on stdout: the phases timed with ``time.perf_counter`` inside the
process, and what the run produced. Standard library only, so that the peer's interpreter runs
it too; the framework is imported by name (``assetgraph`` or ``dagster``).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

# Timed source: `import {module}` alone, then the names a user needs to run assets.
IMPORT_SNIPPETS = {
    "startup": "pass",
    "import": "import {framework}",
    "import-run": "from {framework} import Definitions, asset, materialize, {instance}",
}
INSTANCE_CLASS = {"assetgraph": "Instance", "dagster": "DagsterInstance"}


class Phases:
    """Wall time and CPU time (this process, all threads) of named phases of one probe, in seconds."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu_seconds: dict[str, float] = {}

    @contextmanager
    def time(self, name: str) -> Iterator[None]:
        start, start_cpu = time.perf_counter(), time.process_time()
        yield
        self.seconds[name] = time.perf_counter() - start
        self.cpu_seconds[name] = time.process_time() - start_cpu


def import_probe_source(snippet: str, framework: str) -> str:
    """Source for ``python -c``: time one import and print ``modules seconds``.

    Only built-in modules are loaded before the timed import, so the module count is the import's.
    """
    statement = IMPORT_SNIPPETS[snippet].format(framework=framework, instance=INSTANCE_CLASS[framework])
    return (
        "import sys, time\n"
        "t = time.perf_counter()\n"
        f"{statement}\n"
        "t = time.perf_counter() - t\n"
        "print(len(sys.modules), t)\n"
    )


def load_module(path: Path) -> ModuleType:
    """Import a generated module from its file (bytecode cache included)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def probe_load(framework: str, module_path: str) -> dict[str, Any]:
    """Import the framework and the module, build the asset graph and sort it (Dagster: and its implicit job)."""
    phases = Phases()
    with phases.time("import_framework"):
        importlib.import_module(framework)
    with phases.time("module_and_definitions"):
        defs = load_module(Path(module_path)).defs
    if framework == "dagster":
        with phases.time("asset_graph"):
            graph = defs.resolve_asset_graph()
        with phases.time("toposort"):
            order = list(graph.toposorted_asset_keys)
        with phases.time("implicit_job"):
            defs.resolve_implicit_global_asset_job_def()
    else:
        with phases.time("asset_graph"):
            graph = defs.get_asset_graph()
        with phases.time("toposort"):
            order = graph.toposort()
    return {"phases": phases.seconds, "cpu_phases": phases.cpu_seconds, "assets": len(order)}


def _instance(framework: str, directory: str) -> Any:
    if framework == "dagster":
        from dagster import DagsterInstance

        return DagsterInstance.local_temp(tempdir=directory, overrides={"telemetry": {"enabled": False}})
    from assetgraph import Instance

    return Instance.from_url(f"sqlite:///{Path(directory) / 'assetgraph.db'}")


def _materialize(framework: str) -> Callable[..., Any]:
    return importlib.import_module(framework).materialize  # type: ignore[no-any-return]


def probe_materialize(framework: str, module_path: str, instance_dir: str) -> dict[str, Any]:
    """Materialise every asset of the module in one call on a persistent SQLite instance."""
    phases = Phases()
    with phases.time("import_framework"):
        materialize = _materialize(framework)
    with phases.time("module_and_definitions"):
        assets = load_module(Path(module_path)).assets
    with phases.time("instance"):
        instance = _instance(framework, instance_dir)
    with phases.time("materialize"):
        result = materialize(assets, instance=instance)
    n = len(assets)
    return {"phases": phases.seconds, "cpu_phases": phases.cpu_seconds, "assets": n, "success": bool(result.success),
            "per_asset_ms": 1000 * phases.seconds["materialize"] / n}


def probe_partitions(framework: str, module_path: str, instance_dir: str, count: str) -> dict[str, Any]:
    """One ``materialize(partition_key=...)`` call per daily partition, then the partition status query."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from workloads import daily_partition_keys

    phases = Phases()
    with phases.time("import_framework"):
        framework_module = importlib.import_module(framework)
    with phases.time("module_and_definitions"):
        assets = load_module(Path(module_path)).assets
    with phases.time("instance"):
        instance = _instance(framework, instance_dir)
    keys = daily_partition_keys(int(count))
    per_call: list[float] = []
    ok = True
    with phases.time("materialize_all"):
        for key in keys:
            start = time.perf_counter()
            ok = framework_module.materialize(assets, partition_key=key, instance=instance).success and ok
            per_call.append(time.perf_counter() - start)
    with phases.time("materialized_partitions_query"):
        done = instance.get_materialized_partitions(framework_module.AssetKey("events"))
    return {"phases": phases.seconds, "cpu_phases": phases.cpu_seconds, "partitions": len(keys), "success": ok and len(done) == len(keys),
            "per_partition_ms": 1000 * phases.seconds["materialize_all"] / len(keys),
            "first_partition_ms": 1000 * per_call[0],
            "median_partition_ms": 1000 * sorted(per_call)[len(per_call) // 2]}


PROBES: dict[str, Callable[..., dict[str, Any]]] = {
    "load": probe_load,
    "materialize": probe_materialize,
    "partitions": probe_partitions,
}


def main(argv: list[str]) -> int:
    name, *args = argv
    start = time.perf_counter()
    report = PROBES[name](*args)
    report["in_process_s"] = time.perf_counter() - start
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
