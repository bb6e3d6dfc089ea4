"""Column-level lineage of a dbt model from its compiled SQL, with sqlglot.

For each output column, the upstream (asset, column) pairs it is computed from. Upstream
columns come from the manifest's documented columns and from the models already traced in
this run, so ``select *`` over a traced model resolves. Must not import dbt.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assetgraph import AssetKey
from assetgraph_dbt.project import DbtProject

Relation = tuple[str, ...]


def _relation(parts: list[str | None]) -> Relation:
    return tuple(p.strip('"`').lower() for p in parts if p)


class LineageReader:
    """Traces models of one dbt run; reads the manifest dbt wrote for that run."""

    def __init__(self, project: DbtProject, key_by_uid: Mapping[str, AssetKey]) -> None:
        with project.manifest_path.open("rb") as f:
            raw = json.load(f)
        self.project = project
        self.key_by_uid = key_by_uid
        self.dialect = raw.get("metadata", {}).get("adapter_type") or None
        self.nodes: dict[str, Any] = raw.get("nodes", {})
        self.by_relation: dict[Relation, str] = {}
        self.schema: dict[Relation, dict[str, str]] = {}
        for uid, node in [*self.nodes.items(), *raw.get("sources", {}).items()]:
            rel = _relation([node.get("database"), node.get("schema"), node.get("alias") or node.get("identifier")
                             or node.get("name")])
            self.by_relation[rel] = uid
            columns = node.get("columns") or {}
            if columns:
                self.schema[rel] = {c.lower(): (v.get("data_type") or "TEXT") for c, v in columns.items()}

    def compiled_sql(self, uid: str) -> str | None:
        node = self.nodes.get(uid)
        if node is None:
            return None
        path = self.project.target_dir / "compiled" / node["package_name"] / node["original_file_path"]
        return path.read_text() if Path(path).exists() else None

    def for_model(self, uid: str) -> dict[str, list[dict[str, str]]] | None:
        """``{output column: [{"asset_key": "a/b", "column": "c"}, ...]}`` or None without SQL."""
        sql = self.compiled_sql(uid)
        if not sql:
            return None
        from sqlglot import exp, parse_one
        from sqlglot.lineage import lineage
        from sqlglot.optimizer.qualify import qualify

        schema = self._sqlglot_schema()
        tree = qualify(parse_one(sql, dialect=self.dialect), schema=schema, dialect=self.dialect,
                       validate_qualify_columns=False)
        out: dict[str, list[dict[str, str]]] = {}
        for select in getattr(tree, "selects", []):
            name = select.alias_or_name
            if not name or name == "*":
                continue
            sources: list[dict[str, str]] = []
            for leaf in lineage(name, tree, schema=schema, dialect=self.dialect).walk():
                if leaf.downstream or not isinstance(leaf.expression, exp.Table):
                    continue
                table = leaf.expression
                upstream = self.by_relation.get(_relation([table.catalog, table.db, table.name]))
                key = self.key_by_uid.get(upstream) if upstream else None
                if key is not None:
                    entry = {"asset_key": key.to_user_string(), "column": leaf.name.split(".")[-1].strip('"')}
                    if entry not in sources:
                        sources.append(entry)
            out[name.lower()] = sources
        node = self.nodes[uid]
        self.schema[_relation([node.get("database"), node.get("schema"), node.get("alias") or node["name"]])] = {
            c: "TEXT" for c in out}
        return out

    def _sqlglot_schema(self) -> dict[str, Any]:
        nested: dict[str, Any] = {}
        for rel, cols in self.schema.items():
            if len(rel) != 3:
                continue
            nested.setdefault(rel[0], {}).setdefault(rel[1], {})[rel[2]] = cols
        return nested
