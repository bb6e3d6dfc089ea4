"""GraphQL types of asset checks: a check with its latest execution and history."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import strawberry

from assetgraph.definitions.events import AssetCheckEvaluation
from assetgraph.definitions.keys import AssetCheckKey, AssetKey
from assetgraph.server import services
from assetgraph.server.context import in_thread
from assetgraph.server.schema.common import AssetKeyType, Info, MetadataEntry, ctx


@strawberry.type(description="One evaluation of a check. `severity` is ERROR or WARN.")
class AssetCheckExecution:
    passed: bool
    severity: str
    partition: str | None
    run_id: str | None
    timestamp: float
    description: str | None
    metadata: list[MetadataEntry]
    event_id: str | None

    @staticmethod
    def of(evaluation: AssetCheckEvaluation) -> AssetCheckExecution:
        return AssetCheckExecution(
            passed=evaluation.passed, severity=evaluation.severity.value, partition=evaluation.partition,
            run_id=evaluation.run_id, timestamp=evaluation.timestamp, description=evaluation.description,
            metadata=MetadataEntry.of(evaluation.metadata),
            event_id=str(evaluation.event_id) if evaluation.event_id is not None else None)


@strawberry.type
class AssetCheck:
    name: str
    asset_key: AssetKeyType
    description: str | None
    blocking: bool
    _key: strawberry.Private[AssetCheckKey]

    @staticmethod
    def of(asset_key: AssetKey, entry: Mapping[str, Any]) -> AssetCheck:
        return AssetCheck(name=entry["name"], asset_key=AssetKeyType.of(asset_key), description=entry.get("description"),
                          blocking=bool(entry.get("blocking")), _key=AssetCheckKey(asset_key, entry["name"]))

    @strawberry.field(description="The newest evaluation, or null when the check never ran.")
    async def latest_execution(self, info: Info) -> AssetCheckExecution | None:
        found = await ctx(info).loaders.latest_check.load(self._key)
        return AssetCheckExecution.of(found) if found is not None else None

    @strawberry.field(description="Evaluations, newest first.")
    async def executions(self, info: Info, first: int = 20) -> list[AssetCheckExecution]:
        found = await in_thread(services.check_history, ctx(info).instance, self._key, first)
        return [AssetCheckExecution.of(e) for e in found]
