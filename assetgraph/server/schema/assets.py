"""GraphQL types of assets: `AssetNode` (lineage, partitions, materializations, checks), the
`assetNodes`/`assetNode` queries and the asset mutations (report a materialization, wipe).

Every node of the lineage view resolves `AssetNode`: fields that read storage go through the
request's loaders (one batched read for all nodes); the rest read the in-memory snapshot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import strawberry
from strawberry.scalars import JSON

from assetgraph.definitions.events import EventRecord
from assetgraph.definitions.keys import AssetKey
from assetgraph.server import services
from assetgraph.server.context import in_thread
from assetgraph.server.index import LocationIndex, WorkspaceIndex
from assetgraph.server.partition_view import key_page, status_ranges
from assetgraph.server.schema.checks import AssetCheck
from assetgraph.server.schema.common import AssetKeyType, Info, MetadataEntry, Tag, ctx, key_of
from assetgraph.server.schema.partitions import (
    PartitionKeyConnection,
    PartitionRange,
    PartitionsDefinitionType,
    PartitionStats,
    PartitionStatusRange,
)
from assetgraph.server.security import MutationAllowed

T = TypeVar("T")


@strawberry.type(description="A materialization of an asset, with its metadata.")
class MaterializationEvent:
    # Scalars are copied from the record; the rest is built only when asked for (the lineage view
    # asks for the timestamp of thousands of them).
    id: str
    run_id: str | None
    timestamp: float
    _record: strawberry.Private[EventRecord]

    @strawberry.field
    def asset_key(self) -> AssetKeyType:
        key = self._record.asset_key
        return AssetKeyType.of(key) if key else AssetKeyType(path=[])

    @strawberry.field
    def partition(self) -> str | None:
        return self._record.partition

    @strawberry.field
    def partition_range(self) -> PartitionRange | None:
        rng = self._record.partition_range
        return PartitionRange(start=rng[0], end=rng[1]) if rng else None

    @strawberry.field
    def description(self) -> str | None:
        return self._record.message or None

    @strawberry.field
    def metadata(self) -> list[MetadataEntry]:
        return MetadataEntry.of(self._record.metadata)

    @staticmethod
    def of(record: EventRecord) -> MaterializationEvent:
        return MaterializationEvent(id=str(record.id), run_id=record.run_id, timestamp=record.timestamp,
                                    _record=record)


@strawberry.type(description="Where an asset is defined.")
class SourceLocation:
    file: str
    line: int | None


@strawberry.type
class AssetNode:
    # Plain attributes, filled once per snapshot: strawberry resolves them without a resolver call,
    # which is most of the cost of the lineage view's 10,000 nodes.
    key: AssetKeyType
    parents: list[AssetNode] = strawberry.field(description="Direct upstream assets (one step), sorted by key.")
    children: list[AssetNode] = strawberry.field(description="Direct downstream assets (one step), sorted by key.")
    _loc: strawberry.Private[LocationIndex]
    _key: strawberry.Private[AssetKey]

    def _entry(self) -> Any:
        return self._loc.entries[self._key]

    def _nodes(self, keys: Iterable[AssetKey]) -> list[AssetNode]:
        return [node_of(self._loc, k) for k in sorted(keys)]

    @strawberry.field(description="`location:key`, unique in the workspace.")
    def id(self) -> str:
        return f"{self._loc.name}:{self._key.to_user_string()}"

    @strawberry.field
    def group_name(self) -> str:
        return str(self._entry().get("group") or "default")

    @strawberry.field
    def description(self) -> str | None:
        return self._entry().get("description")

    @strawberry.field
    def kinds(self) -> list[str]:
        return list(self._entry().get("kinds") or [])

    @strawberry.field
    def owners(self) -> list[str]:
        return list(self._entry().get("owners") or [])

    @strawberry.field
    def tags(self) -> list[Tag]:
        return Tag.of(self._entry().get("tags") or {})

    @strawberry.field
    def metadata(self) -> list[MetadataEntry]:
        return MetadataEntry.of_json(self._entry().get("metadata") or {})

    @strawberry.field
    def code_version(self) -> str | None:
        return self._entry().get("code_version")

    @strawberry.field(description="The code location that defines the asset.")
    def location(self) -> str:
        return self._loc.name

    @strawberry.field
    def source(self) -> SourceLocation | None:
        src = self._entry().get("source")
        return SourceLocation(file=src["file"], line=src.get("line")) if src else None

    @strawberry.field(description="Whether assetgraph materialises the asset (false for external assets).")
    def is_executable(self) -> bool:
        return self._loc.is_executable(self._key)

    @strawberry.field(description="Declared with a bare AssetSpec: materialised elsewhere.")
    def is_external(self) -> bool:
        return not self._loc.is_executable(self._key)

    @strawberry.field
    def is_partitioned(self) -> bool:
        return self._loc.partitions_def(self._key) is not None

    @strawberry.field(description="Jobs whose selection includes the asset.")
    def job_names(self) -> list[str]:
        return sorted(self._loc.job_names_by_asset.get(self._key, []))

    @strawberry.field(description="All ancestors (or those within `depth` levels), sorted by key.")
    def upstream(self, depth: int | None = None) -> list[AssetNode]:
        if depth == 1:
            return self.parents
        return self._nodes(self._loc.graph.upstream(self._key, depth=_depth(depth)))

    @strawberry.field(description="All descendants (or those within `depth` levels), sorted by key.")
    def downstream(self, depth: int | None = None) -> list[AssetNode]:
        if depth == 1:
            return self.children
        return self._nodes(self._loc.graph.downstream(self._key, depth=_depth(depth)))

    @strawberry.field
    def partitions_definition(self) -> PartitionsDefinitionType | None:
        pdef = self._loc.partitions_def(self._key)
        return PartitionsDefinitionType.of(pdef) if pdef is not None else None

    @strawberry.field(description="A page of the asset's partition keys in the definition's order; "
                                  "`after` is a key (pageInfo.endCursor).")
    async def partition_keys(self, info: Info, first: int = 100, after: str | None = None) -> PartitionKeyConnection:
        pdef = self._loc.partitions_def(self._key)
        services.check_first(first, 10_000)
        if pdef is None:
            return PartitionKeyConnection.of(key_page_empty())
        page = await in_thread(key_page, pdef, first, after, ctx(info).instance)
        return PartitionKeyConnection.of(page)

    @strawberry.field
    def partition_stats(self, info: Info) -> PartitionStats:
        c = ctx(info)
        status = c.prefetched.get(PARTITION_STATUS, {}).get(self._key)
        if status is not None:
            return PartitionStats.of(status)
        return _later(PartitionStats.of, c.loaders.partition_status.load(self._key))

    @strawberry.field(description="Every partition as ranges of one status over the ordered key space "
                                  "(for status bars): never lists keys of time windows.")
    async def partition_status_ranges(self, info: Info) -> list[PartitionStatusRange]:
        c = ctx(info)
        status = c.prefetched.get(PARTITION_STATUS, {}).get(self._key)
        if status is None:
            status = await c.loaders.partition_status.load(self._key)
        if status.partitions_def is None:
            return []
        if _is_keyed(status.partitions_def):  # dynamic keys are read from storage: off the event loop
            return [PartitionStatusRange.of(r) for r in await in_thread(status_ranges, status, c.instance)]
        return [PartitionStatusRange.of(r) for r in status_ranges(status, None)]  # arithmetic on ranges

    @strawberry.field
    def latest_materialization(self, info: Info) -> MaterializationEvent | None:
        c = ctx(info)
        prefetched = c.prefetched.get(LATEST_MATERIALIZATION)
        if prefetched is not None and self._key in prefetched:
            record = prefetched[self._key]
            return MaterializationEvent.of(record) if record is not None else None
        return _later(lambda r: MaterializationEvent.of(r) if r is not None else None,
                      c.loaders.latest_materialization.load(self._key))

    @strawberry.field(description="Materializations, newest first (of one partition when given).")
    async def materializations(self, info: Info, first: int = 20, partition: str | None = None
                               ) -> list[MaterializationEvent]:
        records = await in_thread(services.materializations, ctx(info).instance, self._key, first, partition)
        return [MaterializationEvent.of(r) for r in records]

    @strawberry.field
    def checks(self) -> list[AssetCheck]:
        return [AssetCheck.of(self._key, c) for c in self._loc.checks_by_asset.get(self._key, [])]


LATEST_MATERIALIZATION = "latestMaterialization"
PARTITION_STATUS = "partitionStatus"
_PREFETCHABLE = {"latestMaterialization": LATEST_MATERIALIZATION, "partitionStats": PARTITION_STATUS,
                 "partitionStatusRanges": PARTITION_STATUS}


def _later(convert: Callable[[Any], T], pending: Awaitable[Any]) -> Any:
    """An awaitable of ``convert(await pending)``: a field that resolves synchronously when its value
    was prefetched returns this otherwise (graphql-core awaits it)."""
    async def resolve() -> T:
        return convert(await pending)

    return resolve()


def node_of(loc: LocationIndex, key: AssetKey) -> AssetNode:
    """The node object of ``key`` (nodes are immutable views, made once per snapshot)."""
    return _all_nodes(loc)[key]


def _all_nodes(loc: LocationIndex) -> dict[AssetKey, AssetNode]:
    nodes: dict[AssetKey, AssetNode] | None = loc.memo.get("nodes")
    if nodes is None:
        nodes = {key: AssetNode(key=AssetKeyType(path=list(key.path)), parents=[], children=[], _loc=loc, _key=key)
                 for key in loc.order}
        graph = loc.graph
        for key, node in nodes.items():
            node.parents.extend(nodes[k] for k in sorted(graph.parents(key)) if k in nodes)
            node.children.extend(nodes[k] for k in sorted(graph.children(key)) if k in nodes)
        loc.memo["nodes"] = nodes
    return nodes


def warm(index: WorkspaceIndex) -> None:
    """Build what requests derive once per snapshot (graphs, node objects, lookups), ahead of them."""
    index.all_keys()
    for loc in index.locations:
        _all_nodes(loc)
        _ = loc.checks_by_asset, loc.job_names_by_asset


def _requested(selections: Iterable[Any], names: set[str], found: set[str]) -> set[str]:
    for selection in selections:
        name = getattr(selection, "name", None)
        if name in names:
            found.add(name)
        _requested(getattr(selection, "selections", ()), names, found)
    return found


async def prefetch(info: Info, pairs: list[tuple[LocationIndex, AssetKey]]) -> None:
    """Read, in one batch per kind, what the requested fields of these nodes need from storage."""
    wanted = {_PREFETCHABLE[n] for n in _requested(info.selected_fields, set(_PREFETCHABLE), set())}
    if not wanted or not pairs:
        return
    c = ctx(info)
    keys = [key for _, key in pairs]
    if LATEST_MATERIALIZATION in wanted:
        records = await in_thread(services.latest_materializations, c.instance, keys)
        c.prefetched.setdefault(LATEST_MATERIALIZATION, {}).update(zip(keys, records, strict=True))
    if PARTITION_STATUS in wanted:
        statuses = await in_thread(services.partition_statuses, c.instance, c.index, keys)
        c.prefetched.setdefault(PARTITION_STATUS, {}).update(zip(keys, statuses, strict=True))


def _is_keyed(pdef: Any) -> bool:
    from assetgraph.definitions.partitions.static import StaticPartitionsDefinition
    from assetgraph.definitions.partitions.time_window import TimeWindowPartitionsDefinition

    return not isinstance(pdef, TimeWindowPartitionsDefinition | StaticPartitionsDefinition)


def _depth(depth: int | None) -> int | None:
    if depth is not None and depth < 0:
        raise services.RequestError(f"`depth` must be at least 0, got {depth}.")
    return depth


def key_page_empty() -> Any:
    from assetgraph.server.partition_view import KeyPage

    return KeyPage([], 1, False)


def nodes_of(pairs: list[tuple[LocationIndex, AssetKey]]) -> list[AssetNode]:
    return [node_of(loc, key) for loc, key in pairs]


def _index(info: Info) -> WorkspaceIndex:
    return ctx(info).index


@strawberry.type
class AssetQueries:
    @strawberry.field(description="Assets of every loaded code location, or those `selection` picks "
                                  "(the selection syntax: `+key:raw/orders`, `group:marts and kind:dbt`, ...).")
    async def asset_nodes(self, info: Info, selection: str | None = None) -> list[AssetNode]:
        pairs = services.select_assets(_index(info), selection)
        await prefetch(info, pairs)
        return nodes_of(pairs)

    @strawberry.field(description="One asset by key path, or null.")
    def asset_node(self, info: Info, key: list[str]) -> AssetNode | None:
        asset_key = key_of(key)
        loc = services.find_asset(_index(info), asset_key)
        return node_of(loc, asset_key) if loc is not None else None


@strawberry.type
class AssetMutations:
    @strawberry.mutation(permission_classes=[MutationAllowed],
                         description="Record a materialization that happened outside assetgraph.")
    async def report_asset_materialization(self, info: Info, asset_key: list[str], partition: str | None = None,
                                           metadata: JSON | None = None, description: str | None = None
                                           ) -> MaterializationEvent:
        c = ctx(info)
        if metadata is not None and not isinstance(metadata, dict):
            raise services.RequestError("`metadata` must be a JSON object of label → value.")
        record = await in_thread(services.report_materialization, c.instance, c.index, key_of(asset_key), partition,
                                 metadata, description)
        return MaterializationEvent.of(record)

    @strawberry.mutation(permission_classes=[MutationAllowed],
                         description="Forget the materializations, partition status and check results of assets.")
    async def wipe_assets(self, info: Info, asset_keys: list[list[str]]) -> list[AssetKeyType]:
        keys = [key_of(k) for k in asset_keys]
        wiped = await in_thread(services.wipe_assets, ctx(info).instance, keys)
        return [AssetKeyType.of(k) for k in wiped]
