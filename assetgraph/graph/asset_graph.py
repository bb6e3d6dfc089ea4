"""`AssetGraph` and `AssetNode`: the lineage derived from asset declarations, built once and
validated at construction (duplicate keys, unknown upstream keys, cycles, partition mappings).

Building is linear in assets plus edges: every key gets an integer id once, adjacency is kept
as tuples of ids, the topological levels come from one pass of Kahn's algorithm, and nodes
(with frozensets of parent and child keys) are made on first use. Pure: no I/O. Must not import
anything from assetgraph beyond `definitions` and `graph`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter
from typing import TYPE_CHECKING, Any, cast

from assetgraph.definitions.asset import AssetsDefinition
from assetgraph.definitions.keys import AssetCheckKey, AssetKey, CoercibleToAssetKey, coerce_asset_key
from assetgraph.definitions.source import SourceLocation
from assetgraph.definitions.spec import AssetSpec, coerce_deps
from assetgraph.graph import validation
from assetgraph.graph.protocols import AssetsDefinitionLike, ChecksDefinitionLike, DefinitionsLike

if TYPE_CHECKING:
    from assetgraph.graph.selection import AssetSelection

_by_path = attrgetter("path")


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
    def description(self) -> str | None:
        return self.spec.description

    @property
    def tags(self) -> Mapping[str, str]:
        return self.spec.tags

    @property
    def owners(self) -> tuple[str, ...]:
        return self.spec.owners

    @property
    def kinds(self) -> tuple[str, ...]:
        return self.spec.kinds

    @property
    def has_checks(self) -> bool:
        return bool(self.check_keys)

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
        # Keys are numbered once and the build runs on ints: AssetKey hashes in Python, ints in C.
        ids = _Ids.of(assets_defs)
        self._ids, self._index, self._keys = ids, ids.index, ids.keys
        self._parent_ids = _parent_ids(ids)
        self._child_ids = _child_ids(self._parent_ids)
        self._levels = _kahn_levels(ids, self._parent_ids, self._child_ids)
        self._check_specs, self._check_defs = _index_checks(assets_defs, checks_defs, ids.index)
        self._checks_by_asset = _check_keys_by_asset(self._check_specs)
        self._nodes: dict[AssetKey, AssetNode] = {}  # built on first `get`, so building the graph stays cheap

    @staticmethod
    def from_assets(assets_defs: Iterable[AssetsDefinitionLike | AssetSpec],
                    checks_defs: Iterable[ChecksDefinitionLike] = ()) -> AssetGraph:
        """Build from asset definitions; a bare `AssetSpec` is an external asset."""
        wrapped = [AssetsDefinition.from_spec(d) if isinstance(d, AssetSpec) else d for d in assets_defs]
        return AssetGraph(wrapped, list(checks_defs))

    @staticmethod
    def from_definitions(defs: DefinitionsLike) -> AssetGraph:
        """Build from a `Definitions` (prefer ``defs.get_asset_graph()``, which caches it)."""
        return AssetGraph.from_assets(defs.get_all_assets_definitions(), defs.get_all_checks_definitions())

    @property
    def keys(self) -> set[AssetKey]:
        """Every asset key, external assets included."""
        return set(self._index)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __len__(self) -> int:
        return len(self._keys)

    def has(self, key: CoercibleToAssetKey) -> bool:
        return coerce_asset_key(key) in self._index

    def get(self, key: CoercibleToAssetKey) -> AssetNode:
        """The node for ``key``; `KeyError` naming the key if there is none."""
        asset_key = coerce_asset_key(key)
        node = self._nodes.get(asset_key)
        if node is None:
            n = self._id(asset_key)
            node = AssetNode(self._ids.specs[n], self._ids.defs[n], self._frozen(self._parent_ids[n]),
                             self._frozen(self._child_ids[n]), self._checks_by_asset.get(asset_key, frozenset()))
            self._nodes[asset_key] = node
        return node

    def _id(self, key: AssetKey) -> int:
        n = self._index.get(key)
        if n is None:
            raise KeyError(f'No asset "{key.to_user_string()}" in the graph.')
        return n

    def _frozen(self, ids: Sequence[int]) -> frozenset[AssetKey]:
        keys = self._keys
        return frozenset([keys[i] for i in ids])

    def spec_items(self) -> Iterator[tuple[AssetKey, AssetSpec]]:
        """Every (key, spec) pair, in definition order."""
        return zip(self._keys, self._ids.specs, strict=True)

    def parents(self, key: CoercibleToAssetKey) -> frozenset[AssetKey]:
        """The direct upstream keys of ``key``."""
        return self._frozen(self._parent_ids[self._id(coerce_asset_key(key))])

    def children(self, key: CoercibleToAssetKey) -> frozenset[AssetKey]:
        """The direct downstream keys of ``key``."""
        return self._frozen(self._child_ids[self._id(coerce_asset_key(key))])

    def upstream(self, key: CoercibleToAssetKey, depth: int | None = None) -> set[AssetKey]:
        """All ancestors of ``key`` (up to ``depth`` levels), excluding ``key``."""
        start = coerce_asset_key(key)
        return self._walk((start,), self._parent_ids, depth) - {start}

    def downstream(self, key: CoercibleToAssetKey, depth: int | None = None) -> set[AssetKey]:
        """All descendants of ``key`` (up to ``depth`` levels), excluding ``key``."""
        start = coerce_asset_key(key)
        return self._walk((start,), self._child_ids, depth) - {start}

    def with_upstream(self, keys: Iterable[AssetKey], depth: int | None = None) -> set[AssetKey]:
        """``keys`` and their ancestors up to ``depth`` levels (all when None)."""
        return self._walk(keys, self._parent_ids, depth)

    def with_downstream(self, keys: Iterable[AssetKey], depth: int | None = None) -> set[AssetKey]:
        """``keys`` and their descendants up to ``depth`` levels (all when None)."""
        return self._walk(keys, self._child_ids, depth)

    def _walk(self, starts: Iterable[AssetKey], adjacency: list[tuple[int, ...]],
              depth: int | None) -> set[AssetKey]:
        """Breadth-first over ids, level by level, so a depth limit is exact."""
        seen = bytearray(len(self._keys))
        frontier = [self._id(key) for key in starts]
        found = list(frontier)
        for i in frontier:
            seen[i] = 1
        level = 0
        while frontier and (depth is None or level < depth):
            next_frontier = []
            for i in frontier:
                for j in adjacency[i]:
                    if not seen[j]:
                        seen[j] = 1
                        next_frontier.append(j)
            found += next_frontier
            frontier = next_frontier
            level += 1
        keys = self._keys
        return {keys[i] for i in found}

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
        """The definition that produces ``key`` (for an external asset, a wrapper of its `AssetSpec`)."""
        return self._ids.defs[self._id(coerce_asset_key(key))]

    def sibling_keys(self, key: CoercibleToAssetKey) -> tuple[AssetKey, ...]:
        """All keys produced by the same definition as ``key`` (``key`` included)."""
        return tuple(spec.key for spec in self.assets_def_for(key).specs)

    def check_specs_for(self, key: CoercibleToAssetKey) -> tuple[Any, ...]:
        """The check specs that target ``key``, ordered by check name."""
        asset_key = self._keys[self._id(coerce_asset_key(key))]
        check_keys = self._checks_by_asset.get(asset_key, frozenset())
        return tuple(self._check_specs[c] for c in sorted(check_keys, key=attrgetter("name")))

    checks_for = check_specs_for

    def check_def_for(self, check_key: AssetCheckKey) -> Any:
        """The definition that runs ``check_key``: a checks definition or the asset itself."""
        if check_key not in self._check_defs:
            raise KeyError(f'No check "{check_key.to_user_string()}" in the graph.')
        return self._check_defs[check_key]

    @property
    def all_check_keys(self) -> set[AssetCheckKey]:
        return set(self._check_specs)

    def check_keys_of(self, keys: Iterable[AssetKey]) -> set[AssetCheckKey]:
        """Every check that targets one of ``keys``."""
        by_asset = self._checks_by_asset
        return {check for key in keys if key in by_asset for check in by_asset[key]}

    @cached_property
    def user_strings(self) -> Mapping[AssetKey, str]:
        """Each key's ``raw/orders`` form, computed once for selections and error hints."""
        return {key: key.to_user_string() for key in self._keys}


def _source(spec: AssetSpec, assets_def: AssetsDefinitionLike) -> SourceLocation | None:
    return spec.source or assets_def.source


@dataclass
class _Ids:
    """Every asset numbered in definition order, with its spec and definition at the same position."""

    keys: list[AssetKey]
    specs: list[AssetSpec]
    defs: list[AssetsDefinitionLike]
    index: dict[AssetKey, int]

    @staticmethod
    def of(assets_defs: Sequence[AssetsDefinitionLike]) -> _Ids:
        ids = _Ids([], [], [], {})
        for assets_def in assets_defs:
            for spec in assets_def.specs:
                ids.add(spec, assets_def)
        return ids

    def add(self, spec: AssetSpec, assets_def: AssetsDefinitionLike) -> None:
        key = spec.key
        known = self.index.setdefault(key, len(self.keys))
        if known != len(self.keys):
            raise validation.duplicate_key_error(key, self.source(known), _source(spec, assets_def),
                                                 same_definition=self.defs[known] is assets_def)
        self.keys.append(key)
        self.specs.append(spec)
        self.defs.append(assets_def)

    def source(self, n: int) -> SourceLocation | None:
        return _source(self.specs[n], self.defs[n])

    def source_of(self, key: AssetKey) -> SourceLocation | None:
        return self.source(self.index[key])


def _parent_ids(ids: _Ids) -> list[tuple[int, ...]]:
    """Each asset's parents as ids; raises for unknown keys and validates partition mappings.
    A key listed twice stays twice: Kahn's algorithm and the walks count it consistently."""
    get = ids.index.get
    found = [tuple([get(dep.asset_key) for dep in spec.deps]) for spec in ids.specs]
    missing = [(ids.keys[n], dep.asset_key) for n, spec in enumerate(ids.specs) if None in found[n]
               for dep in spec.deps if dep.asset_key not in ids.index]
    if missing:
        missing.sort(key=lambda pair: (pair[0].path, pair[1].path))
        raise validation.unknown_dependency_error(missing, ids.source_of, sorted(ids.keys, key=_by_path))
    parent_ids = cast("list[tuple[int, ...]]", found)
    _validate_partition_mappings(ids, parent_ids)
    return parent_ids


def _validate_partition_mappings(ids: _Ids, parent_ids: list[tuple[int, ...]]) -> None:
    """Explicit mappings must fit; between two different definitions a default must exist.
    Skipped outright when nothing is partitioned, the common case for big graphs."""
    partitions_defs = [spec.partitions_def for spec in ids.specs]
    has_partitions = any(p is not None for p in partitions_defs)
    for n, spec in enumerate(ids.specs):
        for dep, i in zip(spec.deps, parent_ids[n], strict=True):
            up_def, down_def = partitions_defs[i], partitions_defs[n]
            if dep.partition_mapping is not None:
                validation.validate_partition_mapping(dep.partition_mapping, dep.asset_key, ids.keys[n],
                                                      up_def, down_def, ids.source(n))
            elif has_partitions and up_def is not None and down_def is not None and up_def is not down_def:
                validation.validate_default_partition_mapping(dep.asset_key, ids.keys[n], up_def, down_def,
                                                              ids.source(n))


def _child_ids(parent_ids: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
    children: list[list[int]] = [[] for _ in parent_ids]
    for n, parents in enumerate(parent_ids):
        for i in parents:
            children[i].append(n)
    return [tuple(c) for c in children]


def _kahn_levels(ids: _Ids, parent_ids: list[tuple[int, ...]],
                 child_ids: list[tuple[int, ...]]) -> tuple[tuple[AssetKey, ...], ...]:
    """Kahn's algorithm, one level at a time; each level sorted by key."""
    paths = [key.path for key in ids.keys]
    in_degree = [len(parents) for parents in parent_ids]
    level = [n for n, degree in enumerate(in_degree) if degree == 0]
    levels: list[tuple[AssetKey, ...]] = []
    ordered = 0
    while level:
        level.sort(key=paths.__getitem__)
        levels.append(tuple([ids.keys[n] for n in level]))
        ordered += len(level)
        next_level = []
        for n in level:
            for child in child_ids[n]:
                in_degree[child] -= 1
                if in_degree[child] == 0:
                    next_level.append(child)
        level = next_level
    if ordered < len(parent_ids):
        remaining = [n for n, degree in enumerate(in_degree) if degree > 0]
        parents = {ids.keys[n]: [ids.keys[i] for i in parent_ids[n]] for n in remaining}
        cycle = validation.find_cycle(set(parents), parents)
        raise validation.dependency_cycle_error(cycle, ids.source_of)
    return tuple(levels)


def _index_checks(assets_defs: Sequence[AssetsDefinitionLike], checks_defs: Sequence[ChecksDefinitionLike],
                  specs: Mapping[AssetKey, int]) -> tuple[dict[AssetCheckKey, Any], dict[AssetCheckKey, Any]]:
    check_specs: dict[AssetCheckKey, Any] = {}
    check_defs: dict[AssetCheckKey, Any] = {}
    for owner in [*assets_defs, *checks_defs]:
        for check_spec in owner.check_specs:
            key: AssetCheckKey = check_spec.key
            if key in check_specs:
                # Snapshot stand-ins for checks definitions carry no source.
                raise validation.duplicate_check_error(key, getattr(check_defs[key], "source", None),
                                                       getattr(owner, "source", None))
            _validate_check_targets(check_spec, specs)
            check_specs[key] = check_spec
            check_defs[key] = owner
    return check_specs, check_defs


def _validate_check_targets(check_spec: Any, specs: Mapping[AssetKey, int]) -> None:
    needed = [check_spec.asset_key, *(d.asset_key for d in coerce_deps(check_spec.additional_deps))]
    for asset_key in needed:
        if asset_key not in specs:
            raise validation.unknown_check_asset_error(check_spec.key, asset_key, sorted(specs, key=_by_path))


def _check_keys_by_asset(check_specs: Mapping[AssetCheckKey, Any]) -> dict[AssetKey, frozenset[AssetCheckKey]]:
    by_asset: dict[AssetKey, list[AssetCheckKey]] = {}
    for key in check_specs:
        by_asset.setdefault(key.asset_key, []).append(key)
    return {asset_key: frozenset(keys) for asset_key, keys in by_asset.items()}
