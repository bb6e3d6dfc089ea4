"""`@dbt_assets`: the models, seeds and snapshots of a dbt manifest as one subsettable multi-asset.

Reads ``manifest.json`` as plain JSON (no dbt import), so loading stays fast for large
projects. Must not import dbt.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assetgraph import AssetCheckKey, AssetKey, AssetsDefinition, AssetSpec, DefinitionError, multi_asset
from assetgraph_dbt.checks import UNIQUE_ID, check_spec_for, test_target
from assetgraph_dbt.manifest import (
    DbtManifest,
    ManifestNode,
    is_asset_node,
    is_enabled,
    is_ephemeral,
    paused_gc,
)
from assetgraph_dbt.selection import NodeGraph, select_nodes
from assetgraph_dbt.translator import DbtTranslator

INFO_ATTRIBUTE = "dbt_info"


@dataclass
class DbtAssetsInfo:
    """What a run of a dbt multi-asset needs to know about the manifest it came from."""

    select: str
    exclude: str | None
    key_by_uid: dict[str, AssetKey]  # every model/seed/snapshot/source that the assets or their deps name
    uid_by_key: dict[AssetKey, str]  # assets of this definition
    check_uids: dict[AssetCheckKey, str] = field(default_factory=dict)  # check -> test unique id
    fqn_by_uid: dict[str, list[str]] = field(default_factory=dict)  # assets and tests of this definition


class _Walker:
    """Maps parents to asset unique ids, walking through ephemeral models (memoised)."""

    def __init__(self, manifest: DbtManifest, graph: NodeGraph) -> None:
        self.manifest = manifest
        self.graph = graph
        self.memo: dict[str, list[str]] = {}

    def resolve(self, uid: str) -> list[str]:
        found = self.memo.get(uid)
        if found is not None:
            return found
        node = self.manifest.nodes.get(uid)
        if node is None:
            out = [uid] if uid in self.manifest.sources else []
        elif is_ephemeral(node):
            self.memo[uid] = []  # a cycle through ephemeral models is dbt's error, not ours
            out = list(dict.fromkeys(u for p in self.graph.parents.get(uid, []) for u in self.resolve(p)))
        else:
            out = [uid] if is_asset_node(node) else []
        self.memo[uid] = out
        return out


def dbt_assets(
    *,
    manifest: DbtManifest | Mapping[str, Any] | str | Path | Any,
    select: str = "fqn:*",
    exclude: str | None = None,
    partitions_def: Any = None,
    translator: DbtTranslator | None = None,
    name: str | None = None,
    source_tests_as_checks: bool = False,
    backfill_policy: Any = None,
    pool: str | None = None,
) -> Callable[[Callable[..., Any]], AssetsDefinition]:
    """Turn the dbt nodes that ``select`` minus ``exclude`` picks into one subsettable multi-asset.

    Models, seeds and snapshots become assets (ephemeral models are walked through); their
    sources become external assets listed in ``.source_specs`` of the result; dbt tests become
    asset checks. The function receives ``context`` and a `DbtCliResource` and yields from
    ``dbt.cli(["build"], context=context).stream()``.

    ``manifest`` is a path to ``manifest.json``, a parsed manifest dict, a `DbtManifest` or a
    `DbtProject`. Pass the sources along with the assets::

        @dbt_assets(manifest=project.manifest_path)
        def warehouse(context, dbt: DbtCliResource):
            yield from dbt.cli(["build"], context=context).stream()

        defs = Definitions(assets=[warehouse, *warehouse.source_specs],
                           resources={"dbt": DbtCliResource(project_dir="dbt_project")})

    Raises `DefinitionError` for a manifest we cannot read or a selection that picks no asset.
    """
    parsed = DbtManifest.coerce(manifest)
    tr = translator or DbtTranslator()

    def build(fn: Callable[..., Any]) -> AssetsDefinition:
        with paused_gc():
            return _build(fn)

    def _build(fn: Callable[..., Any]) -> AssetsDefinition:
        graph = NodeGraph(parsed)
        chosen = select_nodes(parsed, graph, select, exclude)
        asset_uids = [uid for uid, node in parsed.nodes.items()
                      if uid in chosen and is_asset_node(node) and is_enabled(node)]
        if not asset_uids:
            raise DefinitionError(
                f"dbt_assets(select={select!r}, exclude={exclude!r}) picks no model, seed or snapshot in "
                f"{parsed.path or 'the manifest'}; check the selection (dbt's syntax, e.g. 'fqn:*' or 'tag:nightly')."
            )
        walker = _Walker(parsed, graph)
        key_by_uid: dict[str, AssetKey] = {}

        def key_of(uid: str) -> AssetKey:
            key = key_by_uid.get(uid)
            if key is None:
                key = key_by_uid[uid] = tr.get_asset_key(parsed.node(uid))
            return key

        specs = [_asset_spec(parsed.nodes[uid], walker, key_of, tr, partitions_def) for uid in asset_uids]
        _check_unique_keys(asset_uids, key_by_uid)
        info = DbtAssetsInfo(select=select, exclude=exclude, key_by_uid=key_by_uid,
                             uid_by_key={key_by_uid[u]: u for u in asset_uids},
                             fqn_by_uid={u: parsed.nodes[u].get("fqn", []) for u in asset_uids})
        check_specs = _check_specs(parsed, walker, info, tr, exclude, graph, source_tests_as_checks)
        source_uids = [uid for uid in key_by_uid if uid in parsed.sources]
        adef = multi_asset(specs=specs, check_specs=check_specs, can_subset=True, name=name or fn.__name__,
                           partitions_def=partitions_def, backfill_policy=backfill_policy, pool=pool,
                           op_tags={"kind": "dbt"})(fn)
        setattr(adef, INFO_ATTRIBUTE, info)
        sources = [_source_spec(parsed.sources[uid], key_by_uid[uid], tr) for uid in source_uids]
        setattr(adef, "source_specs", sources)  # noqa: B010 - documented attribute of the result
        return adef

    return build


def _asset_spec(node: ManifestNode, walker: _Walker, key_of: Callable[[str], AssetKey], tr: DbtTranslator,
                partitions_def: Any) -> AssetSpec:
    uid = node["unique_id"]
    parents = [u for p in walker.graph.parents.get(uid, []) for u in walker.resolve(p)]
    metadata = dict(tr.get_metadata(node))
    metadata[UNIQUE_ID] = uid
    return AssetSpec(
        key_of(uid),
        deps=[key_of(p) for p in dict.fromkeys(parents)],
        description=tr.get_description(node),
        group_name=tr.get_group_name(node),
        metadata=metadata,
        tags=tr.get_tags(node),
        owners=tr.get_owners(node),
        kinds=tr.get_kinds(node),
        code_version=tr.get_code_version(node),
        partitions_def=partitions_def,
        skippable=True,
        source=None,
    )


def _source_spec(node: ManifestNode, key: AssetKey, tr: DbtTranslator) -> AssetSpec:
    metadata = dict(tr.get_metadata(node))
    metadata[UNIQUE_ID] = node["unique_id"]
    return AssetSpec(key, description=tr.get_description(node), group_name=tr.get_group_name(node),
                     metadata=metadata, tags=tr.get_tags(node), owners=tr.get_owners(node),
                     kinds=tr.get_kinds(node))


def _check_unique_keys(asset_uids: list[str], key_by_uid: Mapping[str, AssetKey]) -> None:
    seen: dict[AssetKey, str] = {}
    for uid in asset_uids:
        key = key_by_uid[uid]
        if key in seen:
            raise DefinitionError(
                f'dbt nodes {seen[key]!r} and {uid!r} both map to asset "{key.to_user_string()}". Give one of them '
                f"meta.assetgraph.asset_key in its YAML, or override DbtTranslator.get_asset_key."
            )
        seen[key] = uid


def _check_specs(manifest: DbtManifest, walker: _Walker, info: DbtAssetsInfo, tr: DbtTranslator,
                 exclude: str | None, graph: NodeGraph, with_sources: bool) -> list[Any]:
    # Tests follow their models (dbt's "eager" indirect selection) unless the exclude names them.
    excluded = select_nodes(manifest, graph, exclude, None) if exclude else set()
    by_name = {manifest.nodes[u]["name"]: u for u in info.uid_by_key.values()}
    own = set(info.uid_by_key.values())
    out: list[Any] = []
    taken: set[Any] = set()
    for uid, test in manifest.nodes.items():
        if test.get("resource_type") != "test" or uid in excluded or not is_enabled(test):
            continue
        target = test_target(test, manifest, walker.resolve, by_name)
        if target is None:
            continue
        is_source = target.asset_uid in manifest.sources
        if (is_source and not with_sources) or (not is_source and target.asset_uid not in own):
            continue
        if is_source and target.asset_uid not in info.key_by_uid:
            info.key_by_uid[target.asset_uid] = tr.get_asset_key(manifest.sources[target.asset_uid])
        spec = check_spec_for(test, target, info.key_by_uid, tr, taken)
        info.check_uids[spec.key] = uid
        info.fqn_by_uid[uid] = test.get("fqn", [])
        out.append(spec)
    return out


def dbt_info_of(assets_def: Any) -> DbtAssetsInfo:
    info = getattr(assets_def, INFO_ATTRIBUTE, None)
    if not isinstance(info, DbtAssetsInfo):
        name = getattr(assets_def, "node_name", repr(assets_def))
        raise DefinitionError(
            f"DbtCliResource.cli(context=...) was called from {name!r}, which is not a @dbt_assets function; "
            f"call it from a function decorated with @dbt_assets, or call it without context=."
        )
    return info
