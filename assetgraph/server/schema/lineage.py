"""A compact lineage for graph views of thousands of assets: parallel arrays instead of one
object per node and edge.

`assetNodes` costs one GraphQL field completion per node, edge and attribute (about 120,000 for
10,000 assets with their edges); here each array is one value, so the whole graph is a handful
of completions. Node ``i`` is ``keys[i]``; ``edges`` lists index pairs ``parent, child``.
"""

from __future__ import annotations

from typing import Any, NewType

import strawberry

from assetgraph.server import services
from assetgraph.server.context import in_thread
from assetgraph.server.schema.common import Info, ctx

StringArray = NewType("StringArray", list)
IntArray = NewType("IntArray", list)
FloatArray = NewType("FloatArray", list)

# Given to the schema's config (`StrawberryConfig(scalar_map=...)`).
ARRAY_SCALARS: dict[object, Any] = {
    StringArray: strawberry.scalar(name="StringArray", description="A JSON array of strings, sent as one value.",
                                   parse_value=lambda v: v),
    IntArray: strawberry.scalar(name="IntArray", description="A JSON array of integers, sent as one value.",
                                parse_value=lambda v: v),
    FloatArray: strawberry.scalar(name="FloatArray", description="A JSON array of numbers or nulls, sent as one value.",
                                  parse_value=lambda v: v),
}


@strawberry.type(description="Assets as parallel arrays: node i has keys[i] (user string), groups[i], "
                             "locations[i]; edges holds index pairs parent, child (flattened).")
class Lineage:
    keys: StringArray
    groups: StringArray
    locations: StringArray
    executable: IntArray = strawberry.field(description="1 when assetgraph materialises node i, else 0.")
    edges: IntArray
    _keys: strawberry.Private[list[Any]]

    @strawberry.field(description="Unix time of each node's latest materialization, null when never.")
    async def latest_materialization_timestamps(self, info: Info) -> FloatArray:
        records = await in_thread(services.latest_materializations, ctx(info).instance, self._keys)
        return FloatArray([r.timestamp if r is not None else None for r in records])


@strawberry.type
class LineageQueries:
    @strawberry.field(description="The lineage of every asset, or of those `selection` picks, in compact form "
                                  "(edges between selected assets only).")
    def lineage(self, info: Info, selection: str | None = None) -> Lineage:
        pairs = services.select_assets(ctx(info).index, selection)
        position = {(loc.name, key): i for i, (loc, key) in enumerate(pairs)}
        edges: list[int] = []
        for i, (loc, key) in enumerate(pairs):
            for parent in loc.graph.parents(key):
                j = position.get((loc.name, parent))
                if j is not None:
                    edges += (j, i)
        return Lineage(
            keys=StringArray([key.to_user_string() for _, key in pairs]),
            groups=StringArray([str(loc.entries[key].get("group") or "default") for loc, key in pairs]),
            locations=StringArray([loc.name for loc, _ in pairs]),
            executable=IntArray([1 if loc.is_executable(key) else 0 for loc, key in pairs]),
            edges=IntArray(edges), _keys=[key for _, key in pairs])
