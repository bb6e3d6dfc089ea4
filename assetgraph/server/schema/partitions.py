"""GraphQL types of partitions: definitions, stats, status ranges for status bars, pages of keys,
ranges as arguments; mutations of dynamic partitions."""

from __future__ import annotations

import enum
from typing import Any

import strawberry

from assetgraph.definitions.partitions.base import PartitionKeyRange, PartitionsDefinition
from assetgraph.server import services
from assetgraph.server.context import in_thread
from assetgraph.server.partition_view import KeyPage, StatusRange
from assetgraph.server.schema.common import Info, PageInfo, ctx
from assetgraph.server.security import MutationAllowed
from assetgraph.storage.status import PartitionStatus


@strawberry.type(name="PartitionsDefinition",
                 description="A partitions definition. `type` is TIME_WINDOW, STATIC, DYNAMIC or MULTI.")
class PartitionsDefinitionType:
    type: str
    description: str
    name: str | None = strawberry.field(description="The name of a dynamic partitions definition.")
    cron_schedule: str | None
    timezone: str | None
    fmt: str | None
    start: str | None
    end: str | None
    dimensions: list[PartitionDimension]

    @staticmethod
    def of(pdef: PartitionsDefinition) -> PartitionsDefinitionType:
        data: dict[str, Any] = pdef.to_dict()
        kind = str(data.get("type", "")).upper()
        dims = []
        if kind == "MULTI":
            dims = [PartitionDimension(name=n, definition=PartitionsDefinitionType.of(d))
                    for n, d in sorted(getattr(pdef, "partitions_defs", {}).items())]
        return PartitionsDefinitionType(
            type=kind, description=repr(pdef), name=data.get("name"), cron_schedule=data.get("cron_schedule"),
            timezone=data.get("timezone"), fmt=data.get("fmt"), start=data.get("start"), end=data.get("end"),
            dimensions=dims)


@strawberry.type
class PartitionDimension:
    name: str
    definition: PartitionsDefinitionType


@strawberry.type(description="How many partitions exist and how many are in each status "
                             "(an unpartitioned asset counts as one partition).")
class PartitionStats:
    total: int
    materialized: int
    failed: int
    in_progress: int
    missing: int

    @staticmethod
    def of(status: PartitionStatus) -> PartitionStats:
        from assetgraph.server.partition_view import disjoint_statuses

        counts = {name: len(subset) for name, subset in disjoint_statuses(status)}
        return PartitionStats(total=status.total, materialized=counts["MATERIALIZED"], failed=counts["FAILED"],
                              in_progress=counts["IN_PROGRESS"], missing=counts["MISSING"])


@strawberry.enum(name="PartitionStatus",
                 description="A partition's status: in progress wins over failed, failed over materialized.")
class PartitionStatusEnum(enum.Enum):
    MATERIALIZED = "MATERIALIZED"
    FAILED = "FAILED"
    IN_PROGRESS = "IN_PROGRESS"
    MISSING = "MISSING"


@strawberry.type(description="Consecutive partitions (inclusive `start` and `end` keys, in the definition's "
                             "order) that share one status; `count` is how many partitions the range holds.")
class PartitionStatusRange:
    start: str
    end: str
    status: PartitionStatusEnum
    count: int

    @staticmethod
    def of(rng: StatusRange) -> PartitionStatusRange:
        return PartitionStatusRange(start=rng.start, end=rng.end, status=PartitionStatusEnum[rng.status], count=rng.count)


@strawberry.type
class PartitionKeyConnection:
    keys: list[str]
    total: int
    page_info: PageInfo

    @staticmethod
    def of(page: KeyPage) -> PartitionKeyConnection:
        return PartitionKeyConnection(keys=page.keys, total=page.total, page_info=PageInfo(
            end_cursor=page.keys[-1] if page.keys else None, has_next_page=page.has_next_page))


@strawberry.type(description="An inclusive range of partition keys.")
class PartitionRange:
    start: str
    end: str


@strawberry.input(description="An inclusive range of partition keys.")
class PartitionRangeInput:
    start: str
    end: str

    def to_range(self) -> PartitionKeyRange:
        return PartitionKeyRange(self.start, self.end)


@strawberry.type
class DynamicPartitions:
    name: str
    partition_keys: list[str]


@strawberry.type
class PartitionQueries:
    @strawberry.field(description="The keys of a dynamic partitions definition, in the order they were added.")
    async def dynamic_partitions(self, info: Info, name: str) -> DynamicPartitions:
        keys = await in_thread(ctx(info).instance.get_dynamic_partitions, name)
        return DynamicPartitions(name=name, partition_keys=keys)


@strawberry.type
class PartitionMutations:
    @strawberry.mutation(permission_classes=[MutationAllowed],
                         description="Add keys to a dynamic partitions definition (existing keys are ignored).")
    async def add_dynamic_partitions(self, info: Info, partitions_def_name: str,
                                     partition_keys: list[str]) -> DynamicPartitions:
        c = ctx(info)
        keys = await in_thread(services.add_dynamic_partitions, c.instance, c.index, partitions_def_name, partition_keys)
        return DynamicPartitions(name=partitions_def_name, partition_keys=keys)

    @strawberry.mutation(permission_classes=[MutationAllowed],
                         description="Remove one key from a dynamic partitions definition.")
    async def delete_dynamic_partition(self, info: Info, partitions_def_name: str,
                                       partition_key: str) -> DynamicPartitions:
        c = ctx(info)
        keys = await in_thread(services.delete_dynamic_partition, c.instance, c.index, partitions_def_name,
                               partition_key)
        return DynamicPartitions(name=partitions_def_name, partition_keys=keys)
