"""`AssetSpec`, `AssetDep` and `AssetIn`: the declarative description of one asset and its edges.

Every asset, whether produced by `@asset`, `@multi_asset`, dbt or declared as external data,
is described by an `AssetSpec`; the graph is derived from the specs' ``deps``.
Must not import anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from assetgraph.definitions.errors import DefinitionError
from assetgraph.definitions.keys import AssetKey, CoercibleToAssetKey, coerce_asset_key
from assetgraph.definitions.metadata import MetadataValue, normalize_metadata
from assetgraph.definitions.source import SourceLocation, location_of_caller

if TYPE_CHECKING:
    from assetgraph.definitions.partitions.base import PartitionsDefinition
    from assetgraph.definitions.partitions.mapping import PartitionMapping

DEFAULT_GROUP_NAME = "default"


@dataclass(frozen=True)
class AssetDep:
    """A dependency on an upstream asset, optionally with a partition mapping.

    >>> AssetDep("raw/orders").asset_key.path
    ('raw', 'orders')
    """

    asset_key: AssetKey
    partition_mapping: PartitionMapping | None = None

    def __init__(self, asset: Any, partition_mapping: PartitionMapping | None = None) -> None:
        object.__setattr__(self, "asset_key", coerce_asset_key(asset))
        object.__setattr__(self, "partition_mapping", partition_mapping)


@dataclass(frozen=True)
class AssetIn:
    """How a parameter of an asset function maps to an upstream asset."""

    key: AssetKey | None = None
    partition_mapping: PartitionMapping | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    key_prefix: tuple[str, ...] | None = None

    def __init__(self, key: CoercibleToAssetKey | None = None, partition_mapping: PartitionMapping | None = None,
                 metadata: Mapping[str, Any] | None = None, key_prefix: str | Sequence[str] | None = None) -> None:
        object.__setattr__(self, "key", coerce_asset_key(key) if key is not None else None)
        object.__setattr__(self, "partition_mapping", partition_mapping)
        object.__setattr__(self, "metadata", dict(metadata or {}))
        prefix = (key_prefix,) if isinstance(key_prefix, str) else (tuple(key_prefix) if key_prefix else None)
        object.__setattr__(self, "key_prefix", prefix)


def coerce_deps(deps: Iterable[Any] | None) -> tuple[AssetDep, ...]:
    """Convert what users pass as ``deps=`` (keys, strings, assets, specs, AssetDep) to AssetDeps."""
    if deps is None:
        return ()
    if isinstance(deps, (str, AssetKey, AssetDep)):
        deps = [deps]
    out: list[AssetDep] = []
    for dep in deps:
        if isinstance(dep, AssetDep):
            out.append(dep)
            continue
        # An assets definition: depend on all its assets. Its `.key` raises for a multi-asset.
        keys = getattr(dep, "keys", None)
        if keys is not None and not callable(keys) and not isinstance(dep, (str, list, tuple, AssetKey)):
            out.extend(AssetDep(k) for k in keys)
        else:
            out.append(AssetDep(dep))
    return tuple(out)


def _str_tuple(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@dataclass(frozen=True)
class AssetSpec:
    """Describes one asset. Passed to `Definitions(assets=[...])` on its own, it declares an
    *external* asset: shown in lineage, materialised elsewhere.

    >>> AssetSpec("raw/orders", group_name="raw").key.to_user_string()
    'raw/orders'
    """

    key: AssetKey
    deps: tuple[AssetDep, ...] = ()
    description: str | None = None
    group_name: str = DEFAULT_GROUP_NAME
    metadata: Mapping[str, MetadataValue] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    owners: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    partitions_def: PartitionsDefinition | None = None
    code_version: str | None = None
    skippable: bool = False
    source: SourceLocation | None = field(default=None, compare=False)

    def __init__(
        self,
        key: CoercibleToAssetKey,
        *,
        deps: Iterable[Any] | None = None,
        description: str | None = None,
        group_name: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
        owners: Iterable[str] | None = None,
        kinds: Iterable[str] | None = None,
        partitions_def: PartitionsDefinition | None = None,
        code_version: str | None = None,
        skippable: bool = False,
        source: SourceLocation | None = None,
    ) -> None:
        set_ = object.__setattr__
        set_(self, "key", coerce_asset_key(key))
        set_(self, "deps", coerce_deps(deps))
        set_(self, "description", description)
        set_(self, "group_name", group_name or DEFAULT_GROUP_NAME)
        set_(self, "metadata", normalize_metadata(metadata))
        set_(self, "tags", dict(tags or {}))
        set_(self, "owners", _str_tuple(owners))
        set_(self, "kinds", _str_tuple(kinds))
        set_(self, "partitions_def", partitions_def)
        set_(self, "code_version", code_version)
        set_(self, "skippable", skippable)
        set_(self, "source", source if source is not None else location_of_caller())
        _validate_tags(self.key, self.tags)

    def replace(self, **changes: Any) -> AssetSpec:
        """A copy with some attributes changed: ``spec.replace(group_name="finance")``."""
        return replace(self, **changes)

    @property
    def dep_keys(self) -> tuple[AssetKey, ...]:
        return tuple(d.asset_key for d in self.deps)


def _validate_tags(key: AssetKey, tags: Mapping[str, str]) -> None:
    for k, v in tags.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise DefinitionError(
                f'Asset "{key.to_user_string()}" has tag {k!r}={v!r}: tag keys and values must be strings.'
            )
