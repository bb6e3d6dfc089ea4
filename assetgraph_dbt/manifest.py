"""A typed view of the parts of dbt's ``manifest.json`` that assetgraph_dbt reads.

The manifest is plain JSON: loading it needs no dbt import. Only the fields named in the
TypedDicts below are read; a manifest whose schema version we have not checked those fields
against is refused with a message naming both versions. Must not import dbt.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import marshal
import os
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypedDict, cast

from assetgraph import DefinitionError

# Manifest schema versions whose fields used here were checked (dbt-core 1.5 to 1.12).
SUPPORTED_SCHEMA_VERSIONS = (9, 10, 11, 12)
ASSET_RESOURCE_TYPES = frozenset({"model", "seed", "snapshot"})

# The cache next to manifest.json keeps the metadata, sources and nodes, with tests cut down to
# these fields (tests are two thirds of a typical manifest and only these are read).
CACHE_FORMAT = 1
TEST_FIELDS = ("unique_id", "resource_type", "name", "package_name", "fqn", "original_file_path", "description",
               "config", "meta", "tags", "depends_on", "attached_node", "test_metadata", "column_name")
TEST_CONFIG_FIELDS = ("severity", "enabled", "meta", "tags", "group")

log = logging.getLogger("assetgraph_dbt")


class DependsOn(TypedDict, total=False):
    nodes: list[str]
    macros: list[str]


class Checksum(TypedDict, total=False):
    name: str
    checksum: str


class TestMetadata(TypedDict, total=False):
    name: str
    namespace: str | None
    kwargs: dict[str, Any]


class NodeConfig(TypedDict, total=False):
    materialized: str
    schema: str | None
    tags: list[str] | str
    meta: dict[str, Any]
    severity: str
    enabled: bool
    group: str | None


class ManifestNode(TypedDict, total=False):
    """A model, seed, snapshot, test or source as the manifest stores it (fields we read)."""

    unique_id: str
    resource_type: str
    name: str
    package_name: str
    fqn: list[str]
    database: str | None
    schema: str
    alias: str | None
    relation_name: str | None
    original_file_path: str
    description: str
    config: NodeConfig
    meta: dict[str, Any]
    tags: list[str]
    raw_code: str
    checksum: Checksum
    depends_on: DependsOn
    columns: dict[str, dict[str, Any]]
    attached_node: str | None
    test_metadata: TestMetadata
    source_name: str  # sources only
    identifier: str  # sources only


_VERSION = re.compile(r"/manifest/v(\d+)\.json$")


def schema_version_of(raw: Mapping[str, Any]) -> int | None:
    url = str(raw.get("metadata", {}).get("dbt_schema_version", ""))
    m = _VERSION.search(url)
    return int(m.group(1)) if m else None


class DbtManifest:
    """The nodes and sources of a dbt manifest, by unique id.

    >>> m = DbtManifest({"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json"},
    ...                  "nodes": {}, "sources": {}})
    >>> m.schema_version
    12
    """

    def __init__(self, raw: Mapping[str, Any], path: str | None = None) -> None:
        where = f" ({path})" if path else ""
        version = schema_version_of(raw)
        if version not in SUPPORTED_SCHEMA_VERSIONS:
            found = raw.get("metadata", {}).get("dbt_schema_version", "none")
            dbt_version = raw.get("metadata", {}).get("dbt_version", "unknown")
            supported = ", ".join(f"v{v}" for v in SUPPORTED_SCHEMA_VERSIONS)
            raise DefinitionError(
                f"The dbt manifest{where} has schema version {found!r} (written by dbt {dbt_version}); "
                f"assetgraph_dbt reads manifest schema {supported} (dbt-core 1.5 to 1.12).\n"
                f"Re-run `dbt parse` with a supported dbt-core, or upgrade assetgraph."
            )
        self.schema_version: int = version
        self.path = path
        self.nodes: dict[str, ManifestNode] = cast(dict[str, ManifestNode], raw.get("nodes", {}))
        self.sources: dict[str, ManifestNode] = cast(dict[str, ManifestNode], raw.get("sources", {}))
        self.project_name: str | None = raw.get("metadata", {}).get("project_name")

    @staticmethod
    def load(path: str | Path) -> DbtManifest:
        """Read ``manifest.json``, through a cache next to it that is rebuilt when the manifest
        changes (its size or modification time). Tests keep only `TEST_FIELDS`."""
        p = Path(path)
        try:
            st = p.stat()
        except FileNotFoundError:
            raise DefinitionError(
                f"No dbt manifest at {p}. Run `dbt parse` in the project, or use "
                f"DbtProject(project_dir).prepare() to produce it."
            ) from None
        stamp = (CACHE_FORMAT, sys.version_info[:2], st.st_size, st.st_mtime_ns)
        cache = p.with_name(p.name + ".assetgraph-cache")
        with paused_gc():
            cached = _read_cache(cache, stamp)
            if cached is not None:
                return DbtManifest(cached, str(p))
            with p.open("rb") as f:
                raw = json.load(f)
            DbtManifest(raw, str(p))  # refuse an unsupported version before caching it
            slim = _slim(raw)
        _write_cache(cache, stamp, slim)
        return DbtManifest(slim, str(p))

    @staticmethod
    def coerce(manifest: DbtManifest | Mapping[str, Any] | str | Path) -> DbtManifest:
        """Accept a `DbtManifest`, a parsed manifest dict, or a path to ``manifest.json``."""
        if isinstance(manifest, DbtManifest):
            return manifest
        if isinstance(manifest, (str, Path)):
            return DbtManifest.load(manifest)
        if isinstance(manifest, Mapping):
            return DbtManifest(manifest)
        manifest_path = getattr(manifest, "manifest_path", None)  # a DbtProject
        if manifest_path is not None:
            return DbtManifest.load(manifest_path)
        raise DefinitionError(
            f"dbt_assets(manifest=...) takes a path to manifest.json, a parsed manifest dict or a DbtProject; "
            f"got {type(manifest).__name__}."
        )

    def node(self, unique_id: str) -> ManifestNode:
        found = self.nodes.get(unique_id)
        if found is None:
            found = self.sources[unique_id]
        return found


def _slim(raw: Mapping[str, Any]) -> dict[str, Any]:
    nodes = {}
    for uid, node in raw.get("nodes", {}).items():
        if node.get("resource_type") == "test":
            config = node.get("config", {})
            node = {k: node[k] for k in TEST_FIELDS if k in node}
            node["config"] = {k: config[k] for k in TEST_CONFIG_FIELDS if k in config}
        nodes[uid] = node
    return {"metadata": raw.get("metadata", {}), "sources": raw.get("sources", {}), "nodes": nodes}


def _read_cache(cache: Path, stamp: tuple[Any, ...]) -> dict[str, Any] | None:
    try:
        found_stamp, slim = marshal.loads(cache.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return slim if tuple(tuple(x) if isinstance(x, list) else x for x in found_stamp) == stamp else None


def _write_cache(cache: Path, stamp: tuple[Any, ...], slim: dict[str, Any]) -> None:
    tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(marshal.dumps((stamp, slim)))
        os.replace(tmp, cache)  # atomic: a reader sees the old cache or the new one
    except (OSError, ValueError) as exc:  # a read-only target folder: load from JSON every time
        log.debug("Could not write the manifest cache %s: %s", cache, exc)
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects that hold no cycles
    (a manifest's dicts, the specs made from them): its passes more than double the time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def is_enabled(node: ManifestNode) -> bool:
    return bool(node.get("config", {}).get("enabled", True))


def is_ephemeral(node: ManifestNode) -> bool:
    return node.get("config", {}).get("materialized") == "ephemeral"


def is_asset_node(node: ManifestNode) -> bool:
    """Models, seeds and snapshots become assets; ephemeral models do not."""
    return node.get("resource_type") in ASSET_RESOURCE_TYPES and not is_ephemeral(node)


def assetgraph_meta(node: ManifestNode) -> Mapping[str, Any]:
    """``meta.assetgraph`` from the node's config (dbt merges YAML ``meta`` into config) or its meta."""
    meta = node.get("config", {}).get("meta") or node.get("meta") or {}
    found = meta.get("assetgraph")
    return found if isinstance(found, Mapping) else {}
