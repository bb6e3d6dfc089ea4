"""assetgraph_dbt without running dbt: manifest versions, selection syntax, translator, locks, imports."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from assetgraph import AssetKey, DefinitionError
from assetgraph_dbt import DbtManifest, DbtTranslator, dbt_assets
from assetgraph_dbt.locks import file_lock
from assetgraph_dbt.selection import NodeGraph, select_nodes

V12 = "https://schemas.getdbt.com/dbt/manifest/v12.json"


def model(name: str, deps: list[str] = (), **extra: Any) -> dict[str, Any]:  # type: ignore[assignment]
    node = {"unique_id": f"model.p.{name}", "resource_type": "model", "name": name, "package_name": "p",
            "fqn": ["p", *extra.pop("folders", []), name], "original_file_path": f"models/{name}.sql",
            "config": {"materialized": "table", "tags": extra.get("tags", [])}, "tags": extra.pop("tags", []),
            "raw_code": f"select 1 as {name}", "depends_on": {"nodes": list(deps)}}
    node.update(extra)
    return node


def manifest(*nodes: dict[str, Any]) -> dict[str, Any]:
    return {"metadata": {"dbt_schema_version": V12}, "nodes": {n["unique_id"]: n for n in nodes}, "sources": {}}


CHAIN = manifest(
    model("a", tags=["nightly"]),
    model("b", ["model.p.a"], folders=["staging"]),
    model("c", ["model.p.b"]),
    model("d", ["model.p.c"], tags=["nightly"]),
)


def selected(text: str, exclude: str | None = None) -> list[str]:
    m = DbtManifest(CHAIN)
    return sorted(uid.split(".")[-1] for uid in select_nodes(m, NodeGraph(m), text, exclude))


@pytest.mark.parametrize(("text", "exclude", "expected"), [
    ("fqn:*", None, ["a", "b", "c", "d"]),
    ("b", None, ["b"]),
    ("p.staging", None, ["b"]),
    ("tag:nightly", None, ["a", "d"]),
    ("+c", None, ["a", "b", "c"]),
    ("1+c", None, ["b", "c"]),
    ("b+1", None, ["b", "c"]),
    ("@b", None, ["a", "b", "c", "d"]),
    ("tag:nightly,d+", None, ["d"]),
    ("a d", None, ["a", "d"]),
    ("fqn:*", "tag:nightly", ["b", "c"]),
    ("path:models/c.sql", None, ["c"]),
    ("resource_type:model,config.materialized:table", "a", ["b", "c", "d"]),
])
def test_selection_syntax_follows_dbt(text: str, exclude: str | None, expected: list[str]) -> None:
    assert selected(text, exclude) == expected


def test_an_unsupported_selector_method_is_refused_by_name() -> None:
    with pytest.raises(DefinitionError, match="'state'"):
        selected("state:modified")


def test_an_unknown_manifest_schema_version_is_refused_with_both_versions() -> None:
    raw = {"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v99.json",
                        "dbt_version": "9.0.0"}, "nodes": {}, "sources": {}}
    with pytest.raises(DefinitionError, match=r"v99.*dbt 9\.0\.0.*v12"):
        DbtManifest(raw)


def test_meta_asset_key_and_group_override_the_defaults() -> None:
    node = model("orders", config={"schema": "marts", "meta": {"assetgraph": {"group": "finance"}}})
    tr = DbtTranslator()
    assert tr.get_asset_key(node) == AssetKey(["marts", "orders"])
    assert tr.get_group_name(node) == "finance"
    node["config"]["meta"]["assetgraph"]["asset_key"] = "warehouse/orders"
    assert tr.get_asset_key(node) == AssetKey(["warehouse", "orders"])


def test_two_nodes_with_one_key_are_a_definition_error() -> None:
    twins = manifest(model("a", config={"meta": {"assetgraph": {"asset_key": ["x"]}}}),
                     model("b", config={"meta": {"assetgraph": {"asset_key": ["x"]}}}))
    with pytest.raises(DefinitionError, match='both map to asset "x"'):
        @dbt_assets(manifest=twins)
        def models() -> None: ...


def test_a_selection_that_picks_no_asset_is_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match="picks no model"):
        @dbt_assets(manifest=CHAIN, select="tag:missing")
        def models() -> None: ...


def test_importing_assetgraph_dbt_does_not_import_dbt() -> None:
    code = ("import sys, assetgraph_dbt; "
            "print(sorted(m for m in sys.modules if m == 'dbt' or m.startswith(('dbt.', 'sqlglot'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_second_holder_of_a_warehouse_lock_waits_for_the_first(tmp_path: Path) -> None:
    lock = tmp_path / "warehouse.lock"
    waiter = ("import sys; from assetgraph_dbt.locks import file_lock\n"
              "print('waiting', flush=True)\n"
              "with file_lock(sys.argv[1]): print('acquired', flush=True)\n")
    with file_lock(lock):
        proc = subprocess.Popen([sys.executable, "-c", waiter, str(lock)], stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "waiting"
        time.sleep(0.5)
        assert proc.poll() is None  # still queued behind us
    out, _ = proc.communicate(timeout=30)
    assert out.strip() == "acquired"


def test_the_manifest_cache_is_used_until_the_manifest_changes(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(CHAIN))
    first = DbtManifest.load(path)
    assert (tmp_path / "manifest.json.assetgraph-cache").exists()
    assert DbtManifest.load(path).nodes == first.nodes
    changed = manifest(*CHAIN["nodes"].values(), model("e", ["model.p.d"]))
    path.write_text(json.dumps(changed))
    assert "model.p.e" in DbtManifest.load(path).nodes
