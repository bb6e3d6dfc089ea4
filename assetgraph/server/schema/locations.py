"""GraphQL types of code locations with their load errors; the reload mutation."""

from __future__ import annotations

import strawberry

from assetgraph.server import services
from assetgraph.server.context import in_thread
from assetgraph.server.schema.common import Info, ctx
from assetgraph.server.security import MutationAllowed
from assetgraph.server.workspace import CodeLocation as CodeLocationValue


@strawberry.type
class CodeLocation:
    name: str
    status: str = strawberry.field(description="LOADED or ERROR.")
    error: str | None = strawberry.field(description="The load error (message and traceback) when status is ERROR.")
    snapshot_id: str | None
    asset_count: int

    @staticmethod
    def of(location: CodeLocationValue) -> CodeLocation:
        snapshot = location.snapshot if location.status == "LOADED" else None
        return CodeLocation(name=location.name, status=location.status, error=location.error,
                            snapshot_id=snapshot.id if snapshot is not None else None,
                            asset_count=len(snapshot.assets_by_key) if snapshot is not None else 0)


@strawberry.type
class LocationQueries:
    @strawberry.field
    def code_locations(self, info: Info) -> list[CodeLocation]:
        return [CodeLocation.of(loc) for loc in ctx(info).index.all_locations]


@strawberry.type
class LocationMutations:
    @strawberry.mutation(permission_classes=[MutationAllowed],
                         description="Load a code location again (its definitions or its error).")
    async def reload_code_location(self, info: Info, name: str) -> CodeLocation:
        c = ctx(info)
        await in_thread(services.reload_location, c.instance, c.index, name)
        location = c.index.code_location(name)
        if location is None:
            raise services.RequestError(f"Code location {name!r} disappeared while reloading.")
        return CodeLocation.of(location)
