"""The in-process executor: runs a plan's steps one after the other, skipping the downstream of
failures and failed blocking checks, and records the run's lifecycle.

Must not import codelocation, orchestration, server or cli.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assetgraph.definitions.events import Event, EventRecord, EventType, Run, RunStatus
from assetgraph.execution.events import make_event
from assetgraph.execution.plan import Plan, Step
from assetgraph.execution.step import StepOutcome, StepRunner, StepServices, StepStatus

if TYPE_CHECKING:
    from assetgraph.storage.protocols import EventSink


@dataclass
class RunOutcome:
    run: Run
    records: list[EventRecord] = field(default_factory=list)
    step_outcomes: dict[str, StepOutcome] = field(default_factory=dict)

    @property
    def success(self) -> bool:
        return self.run.status == RunStatus.SUCCESS

    @property
    def first_error(self) -> BaseException | None:
        return next((o.error for o in self.step_outcomes.values() if o.error is not None), None)


ProgressCallback = Callable[[Step, StepOutcome, int, int], None]


class RecordingWriter:
    """Writes event batches to the sink and keeps the stored records for the run's result."""

    def __init__(self, sink: EventSink, keep: bool = True) -> None:
        self.sink = sink
        self.keep = keep
        self.records: list[EventRecord] = []

    def __call__(self, events: list[Event]) -> None:
        if not events:
            return
        stored = self.sink.store_events(events)
        if self.keep:
            self.records.extend(stored)


def steps_that_did_not_succeed(outcomes: Mapping[str, StepOutcome]) -> list[str]:
    """Steps that failed, were skipped, hit a failed blocking check or failed some partitions:
    any of them makes the run a FAILURE."""
    return [k for k, o in outcomes.items() if o.status != StepStatus.SUCCESS or o.blocked_by or o.failed_partitions]


def planned_events(plan: Plan, run_id: str) -> list[Event]:
    """ASSET_MATERIALIZATION_PLANNED per asset (one per range, never one per key of a range)
    and ASSET_CHECK_EVALUATION_PLANNED per check, written when the run starts."""
    events = []
    for step in plan.steps:
        rng = (step.partition_range.start, step.partition_range.end) if step.partition_range else None
        parts: list[str | None] = list(step.partition_keys) if step.partition_keys and rng is None else [None]
        for key in step.asset_keys:
            for p in parts:
                events.append(make_event(EventType.ASSET_MATERIALIZATION_PLANNED, run_id, asset_key=key, partition=p,
                                         partition_range=rng, step_key=step.key))
        for ck in step.check_keys:
            p = step.partition_keys[0] if len(step.partition_keys) == 1 and rng is None else None
            events.append(make_event(EventType.ASSET_CHECK_EVALUATION_PLANNED, run_id, asset_key=ck.asset_key,
                                     check_name=ck.name, partition=p, step_key=step.key))
    return events


def skip_reason(step: Step, outcomes: Mapping[str, StepOutcome], plan: Plan) -> str | None:
    """Why ``step`` cannot run, or None when every upstream step succeeded unblocked."""
    for up in step.upstream:
        o = outcomes.get(up)
        if o is None:
            continue
        if o.status == StepStatus.FAILURE:
            return f"upstream step {up!r} failed"
        if o.status == StepStatus.SKIPPED:
            return f"upstream step {up!r} was skipped"
        if o.blocked_by and _blocks(step, plan.step(up), o):
            names = ", ".join(ck.to_user_string() for ck in o.blocked_by)
            return f"blocking check {names} failed"
    return None


def _blocks(step: Step, upstream: Step, outcome: StepOutcome) -> bool:
    # A failed blocking check stops the children of the asset it checks, not the check's other steps.
    return step.kind == "asset" or upstream.kind == "check"


class InProcessExecutor:
    """Executes every step in this process, in plan order."""

    def __init__(self, progress: ProgressCallback | None = None) -> None:
        self.progress = progress

    def execute(self, plan: Plan, services: StepServices, writer: Callable[[list[Event]], None]) -> dict[str, StepOutcome]:
        outcomes: dict[str, StepOutcome] = {}
        total = len(plan.steps)
        for i, step in enumerate(plan.steps, 1):
            reason = skip_reason(step, outcomes, plan)
            if reason is not None:
                outcomes[step.key] = StepOutcome(StepStatus.SKIPPED)
                writer(skip_events(step, services.run_id, reason))
            else:
                outcomes[step.key] = StepRunner(step, services).run()
            if self.progress is not None:
                self.progress(step, outcomes[step.key], i, total)
        return outcomes


def skip_events(step: Step, run_id: str, reason: str) -> list[Event]:
    events = [make_event(EventType.STEP_SKIPPED, run_id, step_key=step.key, message=f"Skipped: {reason}",
                         data={"reason": reason})]
    rng = (step.partition_range.start, step.partition_range.end) if step.partition_range else None
    parts: list[str | None] = list(step.partition_keys) if step.partition_keys and rng is None else [None]
    for key in step.asset_keys:
        for p in parts:
            events.append(make_event(EventType.STEP_SKIPPED, run_id, asset_key=key, partition=p, partition_range=rng,
                                     step_key=step.key, message=f"Skipped: {reason}", data={"reason": reason}))
    return events


def run_plan(run: Run, plan: Plan, services: StepServices, instance: Any, *,
             executor: InProcessExecutor | None = None, keep_records: bool = True) -> RunOutcome:
    """Execute ``plan`` as ``run`` (already created in storage): run events, planned events, steps."""
    writer = RecordingWriter(instance, keep=keep_records)
    services.write = writer
    start = time.time()
    instance.update_run(run.run_id, status=RunStatus.STARTED, start_time=start)
    writer([make_event(EventType.RUN_START, run.run_id), *planned_events(plan, run.run_id)])
    outcomes: dict[str, StepOutcome] = {}
    try:
        outcomes = (executor or InProcessExecutor()).execute(plan, services, writer)
    except BaseException as exc:
        from assetgraph.definitions.events import ErrorInfo

        end = time.time()
        writer([make_event(EventType.RUN_FAILURE, run.run_id, message=f"The run stopped: {exc!r}",
                           error=ErrorInfo.from_exception(exc))])
        instance.update_run(run.run_id, status=RunStatus.FAILURE, end_time=end)
        raise
    failed = steps_that_did_not_succeed(outcomes)
    status = RunStatus.FAILURE if failed else RunStatus.SUCCESS
    end = time.time()
    event = EventType.RUN_FAILURE if failed else EventType.RUN_SUCCESS
    message = f"Steps that did not succeed: {', '.join(failed)}" if failed else "Run succeeded"
    writer([make_event(event, run.run_id, message=message)])
    instance.update_run(run.run_id, status=status, end_time=end)
    return RunOutcome(run.replace(status=status, start_time=start, end_time=end), writer.records, outcomes)
