"""`import assetgraph` stays light and exports exactly what API.md promises."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("sqlalchemy", "alembic", "starlette", "strawberry", "uvicorn", "pandas", "pyarrow", "duckdb", "dbt",
         "pydantic", "croniter", "dask", "psycopg", "click")

API_NAMES = [
    "AssetKey", "AssetCheckKey", "asset", "multi_asset", "AssetIn", "AssetDep", "AssetSpec", "AssetsDefinition",
    "MaterializeResult", "Output", "AssetExecutionContext", "build_asset_context", "asset_check",
    "AssetCheckResult", "AssetCheckSeverity", "AssetCheckSpec", "multi_asset_check", "AssetCheckEvaluation",
    "Config", "RunConfig", "ConfigurableResource", "ConfigurableIOManager", "EnvVar", "IOManager",
    "FilesystemIOManager", "InMemoryIOManager", "Definitions", "AssetGraph", "AssetNode", "AssetSelection",
    "InProcessExecutor", "MultiprocessExecutor", "DaskExecutor", "materialize", "materialize_to_memory",
    "Instance", "EventRecord", "EventType", "RunStatus", "MetadataValue", "AssetMaterialization", "RetryPolicy",
    "Backoff", "define_asset_job",
]


def _modules_after_import() -> list[str]:
    code = "import sys, json; import assetgraph; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return list(json.loads(out))


def test_import_assetgraph_loads_no_heavy_library() -> None:
    loaded = _modules_after_import()
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY)
    assert heavy == []


def test_import_assetgraph_loads_few_modules() -> None:
    # A regression guard, not a benchmark: Dagster loads about 875 modules here, a bare Python
    # about 33; assetgraph's total (its own ~40 pure modules included) stays under 150.
    assert len(_modules_after_import()) < 150


def test_every_api_name_is_exported() -> None:
    import assetgraph

    missing = [n for n in API_NAMES if not hasattr(assetgraph, n)]
    assert missing == []
