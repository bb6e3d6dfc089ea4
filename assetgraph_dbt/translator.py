"""`DbtTranslator`: how one dbt manifest node becomes asset attributes.

Every mapping is a method that users override in a subclass. ``node`` is the manifest node
as a dict (see `ManifestNode` for the fields read here). Must not import dbt.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from assetgraph import AssetKey, DefinitionError
from assetgraph_dbt.manifest import ManifestNode, assetgraph_meta


class DbtTranslator:
    """Maps dbt nodes to asset keys, groups, descriptions, metadata, tags, owners and code versions.

    ``meta: {assetgraph: {asset_key: [...], group: ...}}`` in a node's dbt YAML overrides the
    key and the group.

    >>> class Prefixed(DbtTranslator):
    ...     def get_asset_key(self, node):
    ...         return super().get_asset_key(node).with_prefix("warehouse")
    >>> Prefixed().get_asset_key({"resource_type": "model", "name": "orders", "config": {}}).to_user_string()
    'warehouse/orders'
    """

    def get_asset_key(self, node: Mapping[str, Any]) -> AssetKey:
        """``meta.assetgraph.asset_key``; else ``[source_name, name]`` for a source; else
        ``[schema, name]`` when the node configures a schema; else ``[name]``."""
        n: ManifestNode = node  # type: ignore[assignment]
        configured = assetgraph_meta(n).get("asset_key")
        if configured:
            return _key_from_meta(configured, n)
        if n.get("resource_type") == "source":
            return AssetKey([n["source_name"], n["name"]])
        schema = n.get("config", {}).get("schema")
        return AssetKey([schema, n["name"]]) if schema else AssetKey([n["name"]])

    def get_group_name(self, node: Mapping[str, Any]) -> str | None:
        """``meta.assetgraph.group``, else the node's dbt group, else None (the default group)."""
        n: ManifestNode = node  # type: ignore[assignment]
        group = assetgraph_meta(n).get("group") or n.get("config", {}).get("group")
        return str(group) if group else None

    def get_description(self, node: Mapping[str, Any]) -> str | None:
        return node.get("description") or None

    def get_metadata(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        out: dict[str, Any] = {"dbt/unique_id": node["unique_id"]}
        relation = node.get("relation_name")
        if relation:
            out["relation_name"] = relation
        materialized = node.get("config", {}).get("materialized")
        if materialized:
            out["dbt/materialized"] = materialized
        return out

    def get_tags(self, node: Mapping[str, Any]) -> Mapping[str, str]:
        """dbt tags become tags with an empty value (``tag:nightly=`` selects them)."""
        return {str(t): "" for t in node.get("tags", ())}

    def get_owners(self, node: Mapping[str, Any]) -> Sequence[str]:
        """``meta.assetgraph.owners`` (a list), else ``meta.owner``."""
        n: ManifestNode = node  # type: ignore[assignment]
        owners = assetgraph_meta(n).get("owners")
        if owners:
            return [owners] if isinstance(owners, str) else [str(o) for o in owners]
        owner = (n.get("config", {}).get("meta") or n.get("meta") or {}).get("owner")
        return [str(owner)] if isinstance(owner, str) and owner else []

    def get_kinds(self, node: Mapping[str, Any]) -> Sequence[str]:
        return ["dbt"]

    def get_code_version(self, node: Mapping[str, Any]) -> str | None:
        """A hash of the raw SQL; for a seed, the checksum of its file."""
        if node.get("resource_type") == "seed":
            checksum = node.get("checksum", {}).get("checksum")
            return str(checksum)[:16] if checksum else None
        raw = node.get("raw_code")
        if raw is None:
            return None
        return hashlib.sha256(str(raw).encode()).hexdigest()[:16]

    def get_check_name(self, test: Mapping[str, Any]) -> str:
        """The name of the asset check a dbt test becomes: the test's name."""
        return str(test["name"])


def _key_from_meta(configured: Any, node: ManifestNode) -> AssetKey:
    if isinstance(configured, str):
        return AssetKey.from_user_string(configured)
    if isinstance(configured, list) and configured and all(isinstance(p, str) for p in configured):
        return AssetKey(configured)
    raise DefinitionError(
        f"dbt node {node.get('unique_id')!r} sets meta.assetgraph.asset_key to {configured!r}; give a list of "
        f"strings (asset_key: [marts, orders]) or a string (asset_key: marts/orders).\n"
        f"  defined at: {node.get('original_file_path')}"
    )
