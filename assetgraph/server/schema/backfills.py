"""GraphQL types of backfills: a backfill with its per-partition status, the backfill queries and
mutations (launch, cancel, resume). Statuses: REQUESTED, IN_PROGRESS, COMPLETED, FAILED,
CANCELING, CANCELED."""

from __future__ import annotations

import enum
from collections import Counter

import strawberry

from assetgraph.server import services
from assetgraph.server.context import in_thread
from assetgraph.server.schema.common import AssetKeyType, Info, PageInfo, Tag, TagInput, ctx
from assetgraph.server.schema.partitions import PartitionRange, PartitionRangeInput
from assetgraph.server.schema.runs import Run
from assetgraph.server.security import MutationAllowed
from assetgraph.storage.daemon_state import BackfillRecord


@strawberry.enum
class BackfillStatus(enum.Enum):
    REQUESTED = "REQUESTED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"


@strawberry.type(description="A targeted partition and the status of the latest backfill run covering it "
                             "(a run status, or NOT_STARTED).")
class BackfillPartitionStatus:
    partition: str
    status: str
    run_id: str | None


@strawberry.type
class StatusCount:
    status: str
    count: int


@strawberry.type
class BackfillPartitionConnection:
    nodes: list[BackfillPartitionStatus]
    page_info: PageInfo


@strawberry.type
class Backfill:
    _record: strawberry.Private[BackfillRecord]

    @strawberry.field
    def id(self) -> str:
        return self._record.backfill_id

    @strawberry.field
    def status(self) -> BackfillStatus:
        return BackfillStatus(self._record.status)

    @strawberry.field
    def create_time(self) -> float:
        return self._record.create_time

    @strawberry.field(description="The backfilled assets' keys as users write them.")
    def selection(self) -> list[str]:
        return [str(k) for k in self._record.body.get("selection", [])]

    @strawberry.field
    def asset_selection(self) -> list[AssetKeyType]:
        return [AssetKeyType(path=k.split("/")) for k in self.selection()]

    @strawberry.field
    def code_location(self) -> str | None:
        value = self._record.body.get("location")
        return str(value) if value is not None else None

    @strawberry.field
    def partition_range(self) -> PartitionRange | None:
        rng = (self._record.body.get("partitions") or {}).get("range")
        return PartitionRange(start=rng[0], end=rng[1]) if rng else None

    @strawberry.field
    def partition_keys(self) -> list[str] | None:
        keys = (self._record.body.get("partitions") or {}).get("keys")
        return [str(k) for k in keys] if keys is not None else None

    @strawberry.field(description="How many partitions the backfill targets, over all its phases.")
    def num_partitions(self) -> int:
        return int(self._record.body.get("num_partitions", 0))

    @strawberry.field(description="Partitions whose run finished, successfully or not.")
    def done_partitions(self) -> int:
        return int(self._record.body.get("done_partitions", 0))

    @strawberry.field
    def failed_partitions(self) -> int:
        return int(self._record.body.get("failed_partitions", 0))

    @strawberry.field
    def tags(self) -> list[Tag]:
        return Tag.of(self._record.body.get("tags") or {})

    @strawberry.field(description="Each targeted partition with its status; `after` is a partition key.")
    async def partition_statuses(self, info: Info, first: int = 1000,
                                 after: str | None = None) -> BackfillPartitionConnection:
        services.check_first(first, 10_000)
        c = ctx(info)
        parts = await in_thread(services.backfill_partitions, c.instance, self._record)
        start = 0
        if after is not None:
            keys = [p.partition for p in parts]
            if after not in keys:
                raise services.RequestError(f"Cursor {after!r} is not a partition of backfill {self._record.backfill_id}.")
            start = keys.index(after) + 1
        page = parts[start:start + first]
        return BackfillPartitionConnection(
            nodes=[BackfillPartitionStatus(partition=p.partition, status=p.status, run_id=p.run_id) for p in page],
            page_info=PageInfo(end_cursor=page[-1].partition if page else after,
                               has_next_page=start + first < len(parts)))

    @strawberry.field(description="How many targeted partitions are in each status.")
    async def partition_status_counts(self, info: Info) -> list[StatusCount]:
        parts = await in_thread(services.backfill_partitions, ctx(info).instance, self._record)
        return [StatusCount(status=s, count=n) for s, n in sorted(Counter(p.status for p in parts).items())]

    @strawberry.field(description="The runs the backfill launched, newest first.")
    async def runs(self, info: Info) -> list[Run]:
        found = await in_thread(ctx(info).instance.get_runs, backfill_id=self._record.backfill_id)
        return [Run(_run=r) for r in found]


@strawberry.type
class BackfillQueries:
    @strawberry.field(description="Backfills, newest first.")
    async def backfills(self, info: Info, first: int = 50, status: BackfillStatus | None = None) -> list[Backfill]:
        found = await in_thread(services.backfills, ctx(info).instance, first, status.value if status else None)
        return [Backfill(_record=r) for r in found]

    @strawberry.field(description="One backfill by id, or null.")
    async def backfill(self, info: Info, id: str) -> Backfill | None:
        found = await in_thread(ctx(info).instance.get_backfill, id)
        return Backfill(_record=found) if found is not None else None


@strawberry.type
class BackfillMutations:
    @strawberry.mutation(permission_classes=[MutationAllowed],
                         description="Request a backfill of `selection` over a partition range or a list of keys "
                                     "(exactly one); the daemon advances it. With `failedAndMissingOnly`, only "
                                     "partitions not yet materialised are targeted.")
    async def launch_backfill(self, info: Info, selection: str, partition_range: PartitionRangeInput | None = None,
                              partition_keys: list[str] | None = None, tags: list[TagInput] | None = None,
                              failed_and_missing_only: bool = False) -> Backfill:
        c = ctx(info)
        record = await in_thread(services.launch_backfill, c.instance, c.index, selection,
                                 partition_range.to_range() if partition_range else None, partition_keys,
                                 {t.key: t.value for t in tags or []}, failed_and_missing_only)
        return Backfill(_record=record)

    @strawberry.mutation(permission_classes=[MutationAllowed],
                         description="Ask a REQUESTED or IN_PROGRESS backfill to stop (CANCELING).")
    async def cancel_backfill(self, info: Info, backfill_id: str) -> Backfill:
        return Backfill(_record=await in_thread(services.cancel_backfill, ctx(info).instance, backfill_id))

    @strawberry.mutation(permission_classes=[MutationAllowed],
                         description="Continue a backfill: a CANCELED one goes on from where it stopped; a FAILED one "
                                     "gets a new backfill (returned) over its failed and missing partitions.")
    async def resume_backfill(self, info: Info, backfill_id: str) -> Backfill:
        c = ctx(info)
        return Backfill(_record=await in_thread(services.resume_backfill, c.instance, c.index, backfill_id))
