"""`AssetGraph` and `AssetNode`: the lineage derived from asset declarations, built once and
validated at construction (duplicate keys, unknown upstream keys, cycles, partition mappings).

Building is linear in assets plus edges: adjacency is kept as dicts of frozensets and the
topological levels come from one pass of Kahn's algorithm. Pure: no I/O. Must not import
anything from assetgraph beyond `definitions` and `graph`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from assetgraph.definitions.keys import AssetCheckKey, AssetKey, CoercibleToAssetKey, coerce_asset_key
from assetgraph.definitions.source import SourceLocation
from assetgraph.definitions.spec import AssetSpec, coerce_deps
from assetgraph.graph import validation
from assetgraph.graph.protocols import AssetsDefinitionLike, ChecksDefinitionLike, DefinitionsLike

if TYPE_CHECKING:
    from assetgraph.graph.selection import AssetSelection

_by_path = attrgetter("path")


@dataclass(frozen=True)
class ExternalAssets:
    """Wraps a bare `AssetSpec` handed to `AssetGraph.from_assets`: an external asset."""

    spec: AssetSpec

    @property
    def specs(self) -> tuple[AssetSpec, ...]:
        return (self.spec,)

    @property
    def keys(self) -> tuple[AssetKey, ...]:
        return (self.spec.key,)

    is_executable = False
    can_subset = True

    @property
    def check_specs(self) -> tuple[Any, ...]:
        return ()

    @property
    def node_name(self) -> str:
        return "__".join(self.spec.key.path)

    @property
    def source(self) -> SourceLocation | None:
        return self.spec.source


class AssetNode:
    """One asset in the graph: its spec, the definition that produces it, and its edges.

    >>> graph = AssetGraph.from_assets([AssetSpec("a"), AssetSpec("b", deps=["a"])])
    >>> sorted(k.to_user_string() for k in graph.get(AssetKey("b")).parents)
    ['a']
    """

    __slots__ = ("assets_def", "check_keys", "children", "key", "parents", "spec")

    def __init__(self, spec: AssetSpec, assets_def: AssetsDefinitionLike, parents: frozenset[AssetKey],
                 children: frozenset[AssetKey], check_keys: frozenset[AssetCheckKey]) -> None:
        self.key: AssetKey = spec.key
        self.spec = spec
        self.assets_def = assets_def
        self.parents = parents
        self.children = children
        self.check_keys = check_keys

    @property
    def group_name(self) -> str:
        return self.spec.group_name

    @property
    def partitions_def(self) -> Any:
        return self.spec.partitions_def

    @property
    def is_executable(self) -> bool:
        return self.assets_def.is_executable

    @property
    def is_external(self) -> bool:
        """Materialised elsewhere: declared with a bare `AssetSpec`."""
        return not self.assets_def.is_executable

    @property
    def is_partitioned(self) -> bool:
        return self.spec.partitions_def is not None

    @property
    def source(self) -> SourceLocation | None:
        return self.spec.source or self.assets_def.source

    def __repr__(self) -> str:
        return f"AssetNode({self.key.to_user_string()!r})"


class AssetGraph:
    """The lineage of a set of asset definitions, validated when built.

    Raises `DuplicateKeyError`, `UnknownDependencyError`, `DependencyCycleError`, or a
    `DefinitionError` for a partition mapping that does not fit.

    >>> graph = AssetGraph.from_assets([
    ...     AssetSpec("raw/orders"),
    ...     AssetSpec("orders", deps=["raw/orders"]),
    ...     AssetSpec("revenue", deps=["orders"]),
    ... ])
    >>> [k.to_user_string() for k in graph.toposort()]
    ['raw/orders', 'orders', 'revenue']
    >>> sorted(k.to_user_string() for k in graph.upstream("revenue"))
    ['orders', 'raw/orders']
    """

    def __init__(self, assets_defs: Sequence[AssetsDefinitionLike],
                 checks_defs: Sequence[ChecksDefinitionLike] = ()) -> None:
        self._specs, self._defs = _index_specs(assets_defs)
        parents = _parents_of(self._specs)
        self._check_specs, self._check_defs = _index_checks(assets_defs, checks_defs, self._specs)
        _validate_edges(parents, self._specs, self._defs)
        children = _children_of(parents)
        self._levels = _kahn_levels(parents, children, self._defs, self._specs)
        self._validate_partition_mappings()
        checks_by_asset = _check_keys_by_asset(self._check_specs)
        empty: frozenset[AssetKey] = frozenset()
        self._nodes: dict[AssetKey, AssetNode] = {
            key: AssetNode(spec, self._defs[key], parents[key], children.get(key, empty),
                           checks_by_asset.get(key, frozenset()))
            for key, spec in self._specs.items()
        }

    @staticmethod
    def from_assets(assets_defs: Iterable[AssetsDefinitionLike | AssetSpec],
                    checks_defs: Iterable[ChecksDefinitionLike] = ()) -> AssetGraph:
        """Build from asset definitions; a bare `AssetSpec` is an external asset."""
        wrapped = [ExternalAssets(d) if isinstance(d, AssetSpec) else d for d in assets_defs]
        return AssetGraph(wrapped, list(checks_defs))

    @staticmethod
    def from_definitions(defs: DefinitionsLike) -> AssetGraph:
        """Build from a `Definitions` (prefer ``defs.get_asset_graph()``, which caches it)."""
        return AssetGraph.from_assets(defs.get_all_assets_definitions(), defs.get_all_checks_definitions())

    @property
    def keys(self) -> set[AssetKey]:
        """Every asset key, external assets included."""
        return set(self._nodes)

    def __contains__(self, key: object) -> bool:
        return key in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    def has(self, key: CoercibleToAssetKey) -> bool:
        return coerce_asset_key(key) in self._nodes

    def get(self, key: CoercibleToAssetKey) -> AssetNode:
        """The node for ``key``; `KeyError` naming the key if there is none."""
        asset_key = coerce_asset_key(key)
        node = self._nodes.get(asset_key)
        if node is None:
            raise KeyError(f'No asset "{asset_key.to_user_string()}" in the graph.')
        return node

    @property
    def nodes(self) -> Mapping[AssetKey, AssetNode]:
        return self._nodes

    def parents(self, key: CoercibleToAssetKey) -> frozenset[AssetKey]:
        """The direct upstream keys of ``key``."""
        return self.get(key).parents

    def children(self, key: CoercibleToAssetKey) -> frozenset[AssetKey]:
        """The direct downstream keys of ``key``."""
        return self.get(key).children

    def upstream(self, key: CoercibleToAssetKey, depth: int | None = None) -> set[AssetKey]:
        """All ancestors of ``key`` (up to ``depth`` levels), excluding ``key``."""
        start = self.get(key).key
        return self._walk((start,), "parents", depth) - {start}

    def downstream(self, key: CoercibleToAssetKey, depth: int | None = None) -> set[AssetKey]:
        """All descendants of ``key`` (up to ``depth`` levels), excluding ``key``."""
        start = self.get(key).key
        return self._walk((start,), "children", depth) - {start}

    def with_upstream(self, keys: Iterable[AssetKey], depth: int | None = None) -> set[AssetKey]:
        """``keys`` and their ancestors up to ``depth`` levels (all when None)."""
        return self._walk(keys, "parents", depth)

    def with_downstream(self, keys: Iterable[AssetKey], depth: int | None = None) -> set[AssetKey]:
        """``keys`` and their descendants up to ``depth`` levels (all when None)."""
        return self._walk(keys, "children", depth)

    def _walk(self, starts: Iterable[AssetKey], direction: str, depth: int | None) -> set[AssetKey]:
        """Breadth-first, level by level, so a depth limit is exact."""
        nodes = self._nodes
        seen = set(starts)
        frontier = list(seen)
        level = 0
        while frontier and (depth is None or level < depth):
            next_frontier = []
            for key in frontier:
                for other in getattr(nodes[key], direction):
                    if other not in seen:
                        seen.add(other)
                        next_frontier.append(other)
            frontier = next_frontier
            level += 1
        return seen

    def toposort(self) -> list[AssetKey]:
        """Every key after its parents; ties broken by key order."""
        return list(self._toposort)

    @cached_property
    def _toposort(self) -> tuple[AssetKey, ...]:
        return tuple(key for level in self._levels for key in level)

    def toposort_levels(self) -> list[set[AssetKey]]:
        """Keys grouped by longest distance from a root: level 0 has no parents."""
        return [set(level) for level in self._levels]

    def select(self, selection: AssetSelection | str) -> set[AssetKey]:
        """The keys a selection (object or string syntax) picks in this graph."""
        from assetgraph.graph.selection import AssetSelection

        if isinstance(selection, str):
            selection = AssetSelection.from_string(selection)
        return selection.resolve(self)

    def assets_def_for(self, key: CoercibleToAssetKey) -> Any:
        """The definition that produces ``key`` (a wrapper for an external `AssetSpec`)."""
        return self.get(key).assets_def

    def sibling_keys(self, key: CoercibleToAssetKey) -> tuple[AssetKey, ...]:
        """All keys produced by the same definition as ``key`` (``key`` included)."""
        return tuple(spec.key for spec in self.get(key).assets_def.specs)

    def check_specs_for(self, key: CoercibleToAssetKey) -> tuple[Any, ...]:
        """The check specs that target ``key``, ordered by check name."""
        return tuple(self._check_specs[c] for c in sorted(self.get(key).check_keys, key=attrgetter("name")))

    checks_for = check_specs_for

    def check_def_for(self, check_key: AssetCheckKey) -> Any:
        """The definition that runs ``check_key``: a checks definition or the asset itself."""
        if check_key not in self._check_defs:
            raise KeyError(f'No check "{check_key.to_user_string()}" in the graph.')
        return self._check_defs[check_key]

    @property
    def all_check_keys(self) -> set[AssetCheckKey]:
        return set(self._check_specs)

    @cached_property
    def user_strings(self) -> Mapping[AssetKey, str]:
        """Each key's ``raw/orders`` form, computed once for selections and error hints."""
        return {key: key.to_user_string() for key in self._nodes}

    def _validate_partition_mappings(self) -> None:
        for key, spec in self._specs.items():
            for dep in spec.deps:
                if dep.partition_mapping is not None:
                    validation.validate_partition_mapping(
                        dep.partition_mapping, dep.asset_key, key, self._specs[dep.asset_key].partitions_def,
                        spec.partitions_def, _source(spec, self._defs[key]))


def _source(spec: AssetSpec, assets_def: AssetsDefinitionLike) -> SourceLocation | None:
    return spec.source or assets_def.source


def _index_specs(assets_defs: Sequence[AssetsDefinitionLike],
                 ) -> tuple[dict[AssetKey, AssetSpec], dict[AssetKey, AssetsDefinitionLike]]:
    specs: dict[AssetKey, AssetSpec] = {}
    defs: dict[AssetKey, AssetsDefinitionLike] = {}
    for assets_def in assets_defs:
        for spec in assets_def.specs:
            key = spec.key
            if key in specs:
                raise validation.duplicate_key_error(
                    key, _source(specs[key], defs[key]), _source(spec, assets_def))
            specs[key] = spec
            defs[key] = assets_def
    return specs, defs


def _parents_of(specs: Mapping[AssetKey, AssetSpec]) -> dict[AssetKey, frozenset[AssetKey]]:
    return {key: frozenset(dep.asset_key for dep in spec.deps) for key, spec in specs.items()}


def _validate_edges(parents: Mapping[AssetKey, frozenset[AssetKey]], specs: Mapping[AssetKey, AssetSpec],
                    defs: Mapping[AssetKey, AssetsDefinitionLike]) -> None:
    missing = [(key, up) for key, ups in parents.items() for up in ups if up not in parents]
    if missing:
        missing.sort(key=lambda pair: (pair[0].path, pair[1].path))
        raise validation.unknown_dependency_error(
            missing, lambda k: _source(specs[k], defs[k]), sorted(parents, key=_by_path))


def _children_of(parents: Mapping[AssetKey, frozenset[AssetKey]]) -> dict[AssetKey, frozenset[AssetKey]]:
    children: dict[AssetKey, list[AssetKey]] = {}
    for key, ups in parents.items():
        for up in ups:
            children.setdefault(up, []).append(key)
    return {key: frozenset(down) for key, down in children.items()}


def _kahn_levels(parents: Mapping[AssetKey, frozenset[AssetKey]],
                 children: Mapping[AssetKey, frozenset[AssetKey]],
                 defs: Mapping[AssetKey, AssetsDefinitionLike],
                 specs: Mapping[AssetKey, AssetSpec]) -> tuple[tuple[AssetKey, ...], ...]:
    """Kahn's algorithm, one level at a time; each level sorted by key."""
    in_degree = {key: len(ups) for key, ups in parents.items()}
    level = [key for key, degree in in_degree.items() if degree == 0]
    levels: list[tuple[AssetKey, ...]] = []
    ordered = 0
    empty: frozenset[AssetKey] = frozenset()
    while level:
        levels.append(tuple(sorted(level, key=_by_path)))
        ordered += len(level)
        next_level = []
        for key in level:
            for child in children.get(key, empty):
                in_degree[child] -= 1
                if in_degree[child] == 0:
                    next_level.append(child)
        level = next_level
    if ordered < len(parents):
        remaining = {key for key, degree in in_degree.items() if degree > 0}
        cycle = validation.find_cycle(remaining, parents)
        raise validation.dependency_cycle_error(cycle, lambda k: _source(specs[k], defs[k]))
    return tuple(levels)


def _index_checks(assets_defs: Sequence[AssetsDefinitionLike], checks_defs: Sequence[ChecksDefinitionLike],
                  specs: Mapping[AssetKey, AssetSpec]) -> tuple[dict[AssetCheckKey, Any], dict[AssetCheckKey, Any]]:
    check_specs: dict[AssetCheckKey, Any] = {}
    check_defs: dict[AssetCheckKey, Any] = {}
    for owner in [*assets_defs, *checks_defs]:
        for check_spec in owner.check_specs:
            key: AssetCheckKey = check_spec.key
            if key in check_specs:
                raise validation.duplicate_check_error(key)
            _validate_check_targets(check_spec, specs)
            check_specs[key] = check_spec
            check_defs[key] = owner
    return check_specs, check_defs


def _validate_check_targets(check_spec: Any, specs: Mapping[AssetKey, AssetSpec]) -> None:
    needed = [check_spec.asset_key, *(d.asset_key for d in coerce_deps(check_spec.additional_deps))]
    for asset_key in needed:
        if asset_key not in specs:
            raise validation.unknown_check_asset_error(check_spec.key, asset_key, sorted(specs, key=_by_path))


def _check_keys_by_asset(check_specs: Mapping[AssetCheckKey, Any]) -> dict[AssetKey, frozenset[AssetCheckKey]]:
    by_asset: dict[AssetKey, list[AssetCheckKey]] = {}
    for key in check_specs:
        by_asset.setdefault(key.asset_key, []).append(key)
    return {asset_key: frozenset(keys) for asset_key, keys in by_asset.items()}
