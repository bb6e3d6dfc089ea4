"""Generate a dbt project of N models on DuckDB and parse it once with dbt into a real manifest.json.

Shape (the layered DAG of ../shared/notes/benchmarks.md): model i is ``a%05d``; layer
``L = i // 20``, position ``p = i % 20``. Layer 0 reads one source table; a model in layer
L > 0 refs ``k = 1 + i % 3`` models of layer L-1 at positions ``(p + 3L + 7m) % 20``. Every
model has ``unique`` and ``not_null`` tests on ``id``; every fifth model is tagged ``nightly``.

    python bench/dbt/generate.py 500 2000 5000     # writes bench/dbt/generated/models_N/

The parse runs with the dev venv's dbt in a subprocess; a project already parsed is kept.
A real parse of 500 models takes minutes on a busy 2-core machine, so by default only the
smallest size is parsed and larger manifests are synthesised from it: every node is a copy
of a node dbt wrote (same fields, same size), renamed and rewired to the layered shape.
``--parse-all`` parses every size with dbt instead.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WIDTH = 20


def parents(i: int) -> list[int]:
    layer, pos = divmod(i, WIDTH)
    if layer == 0:
        return []
    return sorted({(layer - 1) * WIDTH + (pos + 3 * layer + 7 * m) % WIDTH for m in range(1 + i % 3)})


def write_project(root: Path, n: int) -> None:
    (root / "models").mkdir(parents=True, exist_ok=True)
    (root / "dbt_project.yml").write_text(
        f"name: bench\nversion: '1.0'\nprofile: bench\nmodels:\n  bench:\n    +materialized: view\n# n={n}\n")
    (root / "profiles.yml").write_text(
        f"bench:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: {root / 'bench.duckdb'}\n")
    schema = ["version: 2", "sources:", "  - name: raw", "    schema: main", "    tables:", "      - name: events",
              "models:"]
    for i in range(n):
        name = f"a{i:05d}"
        ups = parents(i)
        if ups:
            sql = " union all ".join(f"select id from {{{{ ref('a{u:05d}') }}}}" for u in ups)
            sql = f"select distinct id from ({sql}) t"
        else:
            sql = "select id from {{ source('raw', 'events') }}"
        tags = "{{ config(tags=['nightly']) }}\n" if i % 5 == 0 else ""
        (root / "models" / f"{name}.sql").write_text(tags + sql + "\n")
        schema += [f"  - name: {name}", f"    description: Model {i} of the layered bench project.",
                   "    columns:", "      - name: id", "        data_tests: [unique, not_null]"]
    (root / "models" / "schema.yml").write_text("\n".join(schema) + "\n")


def synthesize(n: int, template: Path) -> Path:
    """An N-model manifest cloned from the nodes of a parsed ``template`` manifest."""
    raw = json.loads(template.read_text())
    proto_model = copy.deepcopy(raw["nodes"]["model.bench.a00021"])
    tests = [v for v in raw["nodes"].values() if v["resource_type"] == "test"]
    proto_tests = {t["test_metadata"]["name"]: copy.deepcopy(t) for t in tests}
    nodes: dict[str, object] = {}
    for i in range(n):
        name = f"a{i:05d}"
        uid = f"model.bench.{name}"
        ups = [f"model.bench.a{u:05d}" for u in parents(i)] or ["source.bench.raw.events"]
        node = copy.deepcopy(proto_model)
        node.update(name=name, unique_id=uid, alias=name, path=f"{name}.sql", fqn=["bench", name],
                    original_file_path=f"models/{name}.sql", relation_name=f'"bench"."main"."{name}"',
                    description=f"Model {i} of the layered bench project.", raw_code=f"select {i} as id",
                    tags=["nightly"] if i % 5 == 0 else [])
        node["depends_on"] = {"macros": [], "nodes": ups}
        node["checksum"] = {"name": "sha256", "checksum": f"{i:064x}"}
        nodes[uid] = node
        for kind, proto in proto_tests.items():
            test = copy.deepcopy(proto)
            tname = f"{kind}_{name}_id"
            tuid = f"test.bench.{tname}.{i:010x}"
            test.update(name=tname, unique_id=tuid, alias=tname, path=f"{tname}.sql", fqn=["bench", tname],
                        attached_node=uid)
            test["depends_on"] = {"macros": proto["depends_on"]["macros"], "nodes": [uid]}
            test["test_metadata"] = {**proto["test_metadata"], "kwargs": {"column_name": "id", "model": name}}
            nodes[tuid] = test
    raw["nodes"] = nodes
    parent_map = {uid: list(node["depends_on"]["nodes"]) for uid, node in nodes.items()}  # type: ignore[index]
    child_map: dict[str, list[str]] = {uid: [] for uid in [*nodes, *raw["sources"]]}
    for uid, ups in parent_map.items():
        for up in ups:
            child_map.setdefault(up, []).append(uid)
    raw["parent_map"], raw["child_map"] = parent_map, child_map
    out = HERE / "generated" / f"models_{n}" / "target" / "manifest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(raw))
    print(f"models_{n}: synthesised from {template.parent.parent.name}, "
          f"manifest {out.stat().st_size / 1e6:.1f} MB", flush=True)
    return out


def generate(n: int) -> Path:
    root = HERE / "generated" / f"models_{n}"
    manifest = root / "target" / "manifest.json"
    if manifest.exists():
        return manifest
    write_project(root, n)
    dbt = Path(sys.executable).parent / "dbt"
    started = time.perf_counter()
    subprocess.run([str(dbt), "parse", "--project-dir", str(root), "--profiles-dir", str(root), "--quiet",
                    "--no-send-anonymous-usage-stats"], check=True)
    print(f"models_{n}: dbt parse {time.perf_counter() - started:.1f} s, "
          f"manifest {manifest.stat().st_size / 1e6:.1f} MB", flush=True)
    return manifest


if __name__ == "__main__":
    parse_all = "--parse-all" in sys.argv
    sizes = sorted(int(a) for a in sys.argv[1:] if not a.startswith("--")) or [500, 2000, 5000]
    template = generate(sizes[0])
    for size in sizes[1:]:
        if parse_all:
            generate(size)
        elif not (HERE / "generated" / f"models_{size}" / "target" / "manifest.json").exists():
            synthesize(size, template)
