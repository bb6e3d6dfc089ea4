"""GraphQL types of runs and their events: `runs` (cursor pages), `run`, `runEvents`, the run
mutations (launch, cancel, re-execute) and the `runEvents` subscription. Run statuses and event
types keep the names of `assetgraph.definitions.events` verbatim."""

from __future__ import annotations

import enum
from collections.abc import AsyncGenerator

import strawberry

from assetgraph.definitions.events import EventRecord, RunStatus
from assetgraph.definitions.events import Run as RunValue
from assetgraph.server import services
from assetgraph.server.context import in_thread
from assetgraph.server.run_feed import run_event_feed
from assetgraph.server.schema.common import (
    AssetKeyType,
    Error,
    Info,
    MetadataEntry,
    PageInfo,
    Tag,
    TagInput,
    ctx,
)
from assetgraph.server.schema.logs import CapturedOutput
from assetgraph.server.schema.partitions import PartitionRange, PartitionRangeInput
from assetgraph.server.security import MutationAllowed
from assetgraph.storage.captured_logs import CAPTURED_LOGS_KIND


# Spelled out so the schema is readable; a test checks they match the definitions' enums exactly.
@strawberry.enum(name="RunStatus")
class RunStatusEnum(enum.Enum):
    QUEUED = "QUEUED"
    STARTING = "STARTING"
    STARTED = "STARTED"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"


@strawberry.enum(name="EventType", description="The event types of the event log, named as in storage and the UI.")
class EventTypeEnum(enum.Enum):
    RUN_ENQUEUED = "RUN_ENQUEUED"
    RUN_STARTING = "RUN_STARTING"
    RUN_START = "RUN_START"
    RUN_SUCCESS = "RUN_SUCCESS"
    RUN_FAILURE = "RUN_FAILURE"
    RUN_CANCELING = "RUN_CANCELING"
    RUN_CANCELED = "RUN_CANCELED"
    STEP_START = "STEP_START"
    STEP_SUCCESS = "STEP_SUCCESS"
    STEP_FAILURE = "STEP_FAILURE"
    STEP_UP_FOR_RETRY = "STEP_UP_FOR_RETRY"
    STEP_SKIPPED = "STEP_SKIPPED"
    ASSET_MATERIALIZATION = "ASSET_MATERIALIZATION"
    ASSET_MATERIALIZATION_PLANNED = "ASSET_MATERIALIZATION_PLANNED"
    ASSET_MATERIALIZATION_FAILED = "ASSET_MATERIALIZATION_FAILED"
    ASSET_OBSERVATION = "ASSET_OBSERVATION"
    ASSET_CHECK_EVALUATION_PLANNED = "ASSET_CHECK_EVALUATION_PLANNED"
    ASSET_CHECK_EVALUATION = "ASSET_CHECK_EVALUATION"
    LOG_MESSAGE = "LOG_MESSAGE"


@strawberry.type(description="One event of the event log.")
class RunEvent:
    id: str = strawberry.field(description="The event id; use it as the `after` cursor.")
    event_type: EventTypeEnum
    timestamp: float
    run_id: str | None
    asset_key: AssetKeyType | None
    partition: str | None
    partition_range: PartitionRange | None
    step_key: str | None
    message: str
    level: str | None
    metadata: list[MetadataEntry]
    check_name: str | None
    passed: bool | None
    severity: str | None
    error: Error | None
    captured_output: CapturedOutput | None = strawberry.field(
        description="On the LOG_MESSAGE that says a step's stdout and stderr are captured: their download URLs "
                    "(read them in chunks with `capturedLogs`).")

    @staticmethod
    def of(record: EventRecord) -> RunEvent:
        rng, err = record.partition_range, record.error
        captured = (CapturedOutput.of(record.run_id, record.step_key)
                    if record.run_id and record.step_key and record.data.get("kind") == CAPTURED_LOGS_KIND else None)
        return RunEvent(
            id=str(record.id), event_type=EventTypeEnum[record.event_type.name], timestamp=record.timestamp,
            run_id=record.run_id, asset_key=AssetKeyType.of(record.asset_key) if record.asset_key else None,
            partition=record.partition, partition_range=PartitionRange(start=rng[0], end=rng[1]) if rng else None,
            step_key=record.step_key, message=record.message, level=_level(record),
            metadata=MetadataEntry.of(record.metadata), check_name=record.check_name, passed=record.passed,
            severity=record.severity.value if record.severity else None,
            error=Error(message=err.message, cls_name=err.cls_name, traceback=err.traceback) if err else None,
            captured_output=captured)


def _level(record: EventRecord) -> str | None:
    level = record.data.get("level")
    return str(level) if level is not None else None


@strawberry.type
class RunEventConnection:
    nodes: list[RunEvent]
    page_info: PageInfo

    @staticmethod
    def of(records: list[EventRecord], has_next: bool, after: str | None) -> RunEventConnection:
        cursor = str(records[-1].id) if records else after
        return RunEventConnection(nodes=[RunEvent.of(r) for r in records],
                                  page_info=PageInfo(end_cursor=cursor, has_next_page=has_next))


@strawberry.type
class Run:
    _run: strawberry.Private[RunValue]

    @strawberry.field
    def id(self) -> str:
        return self._run.run_id

    @strawberry.field
    def run_id(self) -> str:
        return self._run.run_id

    @strawberry.field
    def status(self) -> RunStatusEnum:
        return RunStatusEnum[self._run.status.name]

    @strawberry.field
    def create_time(self) -> float:
        return self._run.create_time

    @strawberry.field
    def start_time(self) -> float | None:
        return self._run.start_time

    @strawberry.field
    def end_time(self) -> float | None:
        return self._run.end_time

    @strawberry.field
    def asset_selection(self) -> list[AssetKeyType]:
        return [AssetKeyType.of(k) for k in self._run.asset_selection]

    @strawberry.field
    def partition_key(self) -> str | None:
        return self._run.partition_key

    @strawberry.field
    def partition_range(self) -> PartitionRange | None:
        rng = self._run.partition_range
        return PartitionRange(start=rng[0], end=rng[1]) if rng else None

    @strawberry.field
    def tags(self) -> list[Tag]:
        return Tag.of(self._run.tags)

    @strawberry.field
    def job_name(self) -> str | None:
        return self._run.job_name

    @strawberry.field
    def parent_run_id(self) -> str | None:
        return self._run.parent_run_id

    @strawberry.field
    def root_run_id(self) -> str | None:
        return self._run.root_run_id

    @strawberry.field
    def backfill_id(self) -> str | None:
        return self._run.backfill_id

    @strawberry.field
    def code_location(self) -> str | None:
        return self._run.code_location

    @strawberry.field(description="Whether cancelRun applies (the run has not finished).")
    def can_cancel(self) -> bool:
        return not self._run.status.is_finished and self._run.status != RunStatus.CANCELING

    @strawberry.field(description="The run's events after the cursor `after`, oldest first.")
    async def events(self, info: Info, after: str | None = None, first: int = 1000) -> list[RunEvent]:
        records, _ = await in_thread(services.run_events, ctx(info).instance, self._run.run_id, after, first)
        return [RunEvent.of(r) for r in records]


@strawberry.type
class RunConnection:
    nodes: list[Run]
    page_info: PageInfo


@strawberry.type
class RunQueries:
    @strawberry.field(description="Runs, newest first; `after` is a run id (pageInfo.endCursor). Filters: any of "
                                  "`status`, all of `tags`, one backfill.")
    async def runs(self, info: Info, first: int = 50, after: str | None = None,
                   status: list[RunStatusEnum] | None = None, tags: list[TagInput] | None = None,
                   backfill_id: str | None = None) -> RunConnection:
        runs_filter = services.RunFilter(statuses=tuple(RunStatus(s.value) for s in status or []),
                                         tags={t.key: t.value for t in tags} if tags else None, backfill_id=backfill_id)
        runs, has_next = await in_thread(services.runs_page, ctx(info).instance, first, after, runs_filter)
        return RunConnection(nodes=[Run(_run=r) for r in runs], page_info=PageInfo(
            end_cursor=runs[-1].run_id if runs else None, has_next_page=has_next))

    @strawberry.field(description="One run by id, or null.")
    async def run(self, info: Info, id: str) -> Run | None:
        found = await ctx(info).loaders.run.load(id)
        return Run(_run=found) if found is not None else None

    @strawberry.field(description="A run's events after the cursor `after` (an event id), oldest first.")
    async def run_events(self, info: Info, run_id: str, after: str | None = None,
                         first: int = 1000) -> RunEventConnection:
        records, has_next = await in_thread(services.run_events, ctx(info).instance, run_id, after, first)
        return RunEventConnection.of(records, has_next, after)


@strawberry.type
class RunMutations:
    @strawberry.mutation(permission_classes=[MutationAllowed],
                         description="Queue a run of the executable assets of `selection` (the daemon starts it).")
    async def launch_run(self, info: Info, selection: str, partition_key: str | None = None,
                         partition_range: PartitionRangeInput | None = None, partition_keys: list[str] | None = None,
                         tags: list[TagInput] | None = None) -> Run:
        c = ctx(info)
        run = await in_thread(services.launch_run, c.instance, c.index, selection, partition_key,
                              partition_range.to_range() if partition_range else None,
                              {t.key: t.value for t in tags or []}, partition_keys)
        return Run(_run=run)

    @strawberry.mutation(permission_classes=[MutationAllowed],
                         description="Stop a run: a queued run is CANCELED at once; a running one becomes "
                                     "CANCELING until its worker has stopped it.")
    async def cancel_run(self, info: Info, run_id: str) -> Run:
        return Run(_run=await in_thread(services.cancel_run, ctx(info).instance, run_id))

    @strawberry.mutation(permission_classes=[MutationAllowed],
                         description="Queue a new run of a finished run's assets; with `fromFailure`, only those "
                                     "that did not succeed.")
    async def reexecute_run(self, info: Info, run_id: str, from_failure: bool = False) -> Run:
        c = ctx(info)
        return Run(_run=await in_thread(services.reexecute_run, c.instance, c.index, run_id, from_failure))


@strawberry.type(description="New events of a run, as the `runEvents` subscription delivers them.")
class RunEventBatch:
    nodes: list[RunEvent]
    end_cursor: str | None = strawberry.field(description="The id of the last event sent so far: resume after it.")
    is_finished: bool = strawberry.field(description="The run has finished and every event was sent; the "
                                                     "subscription completes after this message.")
    run_status: RunStatusEnum | None = strawberry.field(description="The run's final status, on the last message.")


@strawberry.type
class RunSubscriptions:
    @strawberry.subscription(description="A run's events after the cursor `after` (an event id) as they are written, "
                                         "in batches, oldest first; completes once the run has finished and every "
                                         "event was sent. Over WebSocket (graphql-transport-ws) at /graphql.")
    async def run_events(self, info: Info, run_id: str, after: str | None = None
                         ) -> AsyncGenerator[RunEventBatch, None]:
        instance = ctx(info).instance
        cursor = services.parse_event_cursor(after)
        await in_thread(services.require_run, instance, run_id)
        async for batch in run_event_feed(instance, run_id, cursor):
            if batch.records:
                cursor = batch.records[-1].id
            if batch.records or batch.is_finished:
                status = RunStatusEnum[batch.status.name] if batch.status is not None else None
                yield RunEventBatch(nodes=[RunEvent.of(r) for r in batch.records],
                                    end_cursor=str(cursor) if cursor is not None else None,
                                    is_finished=batch.is_finished, run_status=status)
