"""A serialisable snapshot of a code location's definitions: everything the server, the daemon
and the UI need, without importing user code.

The snapshot is plain JSON-able data (``to_dict``/``from_dict``). `DefinitionsSnapshot.asset_graph()`
rebuilds an `AssetGraph` from it (every node as a spec, with ``is_executable`` recorded
separately), so selections and lineage work in processes that never import user code.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from assetgraph.definitions.definitions import Definitions
from assetgraph.definitions.keys import AssetCheckKey, AssetKey
from assetgraph.definitions.metadata import metadata_to_json
from assetgraph.definitions.spec import AssetDep, AssetSpec

SNAPSHOT_VERSION = 1


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except TypeError:
        return repr(value)


def _asset_entry(spec: AssetSpec, adef: Any, check_keys: list[AssetCheckKey]) -> dict[str, Any]:
    pdef = spec.partitions_def
    return {
        "key": list(spec.key.path),
        "deps": [{"key": list(d.asset_key.path),
                  "partition_mapping": type(d.partition_mapping).__name__ if d.partition_mapping else None}
                 for d in spec.deps],
        "group": spec.group_name,
        "description": spec.description,
        "metadata": metadata_to_json(spec.metadata),
        "tags": dict(spec.tags),
        "owners": list(spec.owners),
        "kinds": list(spec.kinds),
        "code_version": spec.code_version,
        "partitions_def": pdef.to_dict() if pdef is not None else None,
        "is_executable": bool(adef.is_executable),
        "node_name": adef.node_name,
        "can_subset": bool(getattr(adef, "can_subset", False)),
        "checks": [c.name for c in check_keys],
        "source": {"file": spec.source.file, "line": spec.source.line} if spec.source else None,
        "backfill_policy": adef.backfill_policy.to_dict() if getattr(adef, "backfill_policy", None) else None,
        "pool": getattr(adef, "pool", None),
    }


def build_snapshot(defs: Definitions, location_name: str) -> dict[str, Any]:
    """The JSON-able snapshot of ``defs``."""
    graph = defs.get_asset_graph()
    assets = []
    for key in graph.toposort():
        node = graph.get(key)
        assets.append(_asset_entry(node.spec, node.assets_def, sorted(node.check_keys)))
    checks = []
    for ck in sorted(graph.all_check_keys):
        spec = next(s for s in graph.check_specs_for(ck.asset_key) if s.name == ck.name)
        checks.append({"asset_key": list(ck.asset_key.path), "name": ck.name, "blocking": spec.blocking,
                       "description": spec.description,
                       "additional_deps": [list(d.asset_key.path) for d in spec.additional_deps]})
    jobs = [{"name": j.name, "selection": str(j.selection) if not isinstance(j.selection, list) else
             [str(s) for s in j.selection], "tags": dict(j.tags),
             "partitions_def": j.partitions_def.to_dict() if j.partitions_def is not None else None}
            for j in defs.jobs]
    schedules = [_instigator_entry(s, "schedule") for s in defs.schedules]
    sensors = [_instigator_entry(s, "sensor") for s in defs.sensors]
    resources = {k: _resource_entry(v) for k, v in defs.resources.items()}
    body = {"version": SNAPSHOT_VERSION, "location": location_name, "assets": assets, "checks": checks,
            "jobs": jobs, "schedules": schedules, "sensors": sensors, "resources": resources}
    body["id"] = hashlib.sha256(json.dumps(body, sort_keys=True, default=repr).encode()).hexdigest()[:16]
    return body


def _instigator_entry(obj: Any, kind: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": getattr(obj, "name", repr(obj)), "kind": kind}
    for attr in ("cron_schedule", "execution_timezone", "minimum_interval_seconds", "description"):
        if getattr(obj, attr, None) is not None:
            entry[attr] = _jsonable(getattr(obj, attr))
    status = getattr(obj, "default_status", None)
    if status is not None:
        entry["default_status"] = getattr(status, "value", str(status))
    job = getattr(obj, "job", None) or getattr(obj, "job_name", None)
    if job is not None:
        entry["job"] = getattr(job, "name", str(job))
    return entry


def _resource_entry(resource: Any) -> dict[str, Any]:
    redacted = getattr(resource, "redacted_config", None)
    config = redacted() if callable(redacted) else {}
    return {"type": type(resource).__name__, "config": {k: _jsonable(v) for k, v in config.items()}}


@dataclass(frozen=True)
class DefinitionsSnapshot:
    """A typed view of a snapshot dict."""

    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.data.get("id", ""))

    @property
    def location(self) -> str:
        return str(self.data.get("location", ""))

    @cached_property
    def assets_by_key(self) -> dict[AssetKey, Mapping[str, Any]]:
        return {AssetKey(a["key"]): a for a in self.data.get("assets", [])}

    def is_executable(self, key: AssetKey) -> bool:
        return bool(self.assets_by_key[key]["is_executable"])

    @cached_property
    def graph(self) -> Any:
        """An `AssetGraph` rebuilt from the snapshot: every node with its spec, whether it can be
        executed, the definition it shares with its siblings (multi-assets) and its backfill policy."""
        from assetgraph.definitions.checks import AssetCheckSpec
        from assetgraph.definitions.partitions import partitions_def_from_dict
        from assetgraph.definitions.policies import BackfillPolicy
        from assetgraph.graph.asset_graph import AssetGraph

        pdefs: dict[str, Any] = {}
        nodes: dict[str, _SnapshotAssets] = {}
        for a in self.data.get("assets", []):
            pd = a.get("partitions_def")
            pdef = None
            if pd is not None:
                cache_key = json.dumps(pd, sort_keys=True)
                pdef = pdefs.setdefault(cache_key, partitions_def_from_dict(pd))
            spec = AssetSpec(AssetKey(a["key"]), deps=[AssetDep(AssetKey(d["key"])) for d in a["deps"]],
                             description=a.get("description"), group_name=a.get("group"),
                             tags=a.get("tags"), owners=a.get("owners"), kinds=a.get("kinds"),
                             partitions_def=pdef, code_version=a.get("code_version"))
            policy = a.get("backfill_policy")
            node = nodes.setdefault(a.get("node_name") or "__".join(a["key"]), _SnapshotAssets(
                node_name=a.get("node_name") or "__".join(a["key"]), is_executable=bool(a.get("is_executable")),
                can_subset=bool(a.get("can_subset")),
                backfill_policy=BackfillPolicy.from_dict(policy) if isinstance(policy, dict) else None,
                pool=a.get("pool")))
            node.specs.append(spec)
        check_defs = [_SnapshotChecks(AssetCheckSpec(c["name"], asset=AssetKey(c["asset_key"]), blocking=c["blocking"],
                                                     description=c.get("description")))
                      for c in self.data.get("checks", [])]
        return AssetGraph.from_assets(list(nodes.values()), check_defs)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.data)

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> DefinitionsSnapshot:
        if data.get("version") != SNAPSHOT_VERSION:
            raise ValueError(f"Unsupported snapshot version {data.get('version')!r} (supported: {SNAPSHOT_VERSION}).")
        return DefinitionsSnapshot(data)


@dataclass
class _SnapshotAssets:
    """What the graph and the planner read of an assets definition, rebuilt from a snapshot."""

    node_name: str
    is_executable: bool
    can_subset: bool
    backfill_policy: Any = None
    pool: str | None = None
    specs: list[AssetSpec] = field(default_factory=list)
    check_specs: tuple[Any, ...] = ()
    source: Any = None

    @property
    def keys(self) -> tuple[AssetKey, ...]:
        return tuple(s.key for s in self.specs)

    @property
    def partitions_def(self) -> Any:
        return self.specs[0].partitions_def if self.specs else None

    @property
    def is_external(self) -> bool:
        return not self.is_executable


@dataclass(frozen=True)
class _SnapshotChecks:
    spec: Any

    @property
    def check_specs(self) -> tuple[Any, ...]:
        return (self.spec,)

    @property
    def node_name(self) -> str:
        return f"{'__'.join(self.spec.asset_key.path)}__{self.spec.name}"

    source = None
