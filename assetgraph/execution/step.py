"""Executing one step: call the user's function with its inputs, store outputs through IO
managers, and produce the step's events. Retries follow the node's `RetryPolicy`.

Must not import codelocation, orchestration, server or cli.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from assetgraph.definitions.errors import AssetGraphError, DefinitionError, InternalError, UserCodeError
from assetgraph.definitions.events import AssetCheckSeverity, ErrorInfo, Event, EventType
from assetgraph.definitions.io_manager import OutputContext
from assetgraph.definitions.keys import AssetCheckKey, AssetKey
from assetgraph.definitions.results import NO_VALUE, AssetCheckResult
from assetgraph.execution.context import AssetExecutionContext, PartitionScope, Resources
from assetgraph.execution.events import make_event, step_logger
from assetgraph.execution.inputs import io_manager_for, load_input, step_partition_keys
from assetgraph.execution.outputs import (
    AssetOutput,
    StepOutputs,
    add_item,
    collect_asset_outputs,
    collect_check_results,
    missing_outputs,
)
from assetgraph.execution.plan import check_spec_for, checks_def_for

if TYPE_CHECKING:
    from assetgraph.definitions.asset import AssetsDefinition
    from assetgraph.definitions.checks import AssetChecksDefinition
    from assetgraph.definitions.params import FunctionParams
    from assetgraph.execution.plan import Step
    from assetgraph.graph.asset_graph import AssetGraph


class StepStatus(enum.StrEnum):
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    SKIPPED = "SKIPPED"


@dataclass
class StepOutcome:
    status: StepStatus
    blocked_by: list[AssetCheckKey] = field(default_factory=list)  # failed blocking checks
    error: BaseException | None = None
    failed_partitions: int = 0  # partitions the step reported failed (context.fail_partitions)


@dataclass
class StepServices:
    """What every step of a run shares."""

    run_id: str
    graph: AssetGraph
    resources: Resources
    run_config: Mapping[str, Any]
    instance: Any
    now: datetime | None
    write: Callable[[list[Event]], None]
    run_tags: Mapping[str, str] = field(default_factory=dict)
    echo_logs: bool = False
    # Write STEP_START in its own transaction before the step runs (live progress for launched
    # runs), or with the step's other events (in-process runs: half the transactions per step).
    eager_step_start: bool = True
    sleep: Callable[[float], None] = time.sleep


class StepRunner:
    """Runs one step to an outcome, writing its events through ``services.write``."""

    def __init__(self, step: Step, services: StepServices) -> None:
        self.step = step
        self.s = services
        self.partition_keys = step_partition_keys(step, services.instance)
        self.range = (step.partition_range.start, step.partition_range.end) if step.partition_range else None
        self._reported: set[AssetKey] = set()  # assets whose materialisation is already written
        self._checked: set[AssetCheckKey] = set()

    def _partition(self) -> str | None:
        return self.partition_keys[0] if self.step.partitions_def is not None and self.range is None and \
            len(self.partition_keys) == 1 else None

    def _asset_events(self, event_type: EventType, key: AssetKey, **kw: Any) -> list[Event]:
        """One event for a single partition or a range; one per key for an explicit key list."""
        if self.step.partitions_def is None or self.range is not None or len(self.partition_keys) <= 1:
            return [make_event(event_type, self.s.run_id, asset_key=key, partition=self._partition(),
                               partition_range=self.range, step_key=self.step.key, **kw)]
        return [make_event(event_type, self.s.run_id, asset_key=key, partition=p, step_key=self.step.key, **kw)
                for p in self.partition_keys]

    def _materialization_events(self, key: AssetKey, failed: Mapping[str, str], metadata: dict[str, Any],
                                data: dict[str, Any]) -> list[Event]:
        """One event for the step's partitions, or, when some failed, one per remaining range
        (never one per key of a range) and one ASSET_MATERIALIZATION_FAILED per failed key."""
        if not failed:
            return self._asset_events(EventType.ASSET_MATERIALIZATION, key, metadata=metadata, data=data)
        pdef = self.step.partitions_def
        assert pdef is not None  # fail_partitions refuses unpartitioned steps
        whole = pdef.subset_with_key_range(self.step.partition_range) if self.step.partition_range is not None \
            else pdef.subset_with_keys(self.partition_keys)
        rest = whole - pdef.subset_with_keys(failed)
        events = []
        for rng in rest.ranges:
            one = rng.start == rng.end
            events.append(make_event(EventType.ASSET_MATERIALIZATION, self.s.run_id, asset_key=key,
                                     partition=rng.start if one else None,
                                     partition_range=None if one else (rng.start, rng.end),
                                     step_key=self.step.key, metadata=metadata, data=data))
        for part, message in failed.items():
            events.append(make_event(EventType.ASSET_MATERIALIZATION_FAILED, self.s.run_id, asset_key=key,
                                     partition=part, step_key=self.step.key, message=message or "partition failed"))
        return events

    def run(self) -> StepOutcome:
        step = self.step
        start = make_event(EventType.STEP_START, self.s.run_id, step_key=step.key, data={"kind": step.kind})
        pending: list[Event] = []
        if self.s.eager_step_start:
            self.s.write([start])
        else:
            pending.append(start)
        policy = self._retry_policy()
        attempt = 0
        while True:
            buffer: list[Event] = pending
            pending = []
            try:
                outcome = self._attempt(buffer, attempt)
            except Exception as exc:
                error = self._wrap(exc)
                if policy is not None and attempt < policy.max_retries:
                    attempt += 1
                    delay = policy.delay_for_attempt(attempt)
                    self.s.write([*buffer, make_event(
                        EventType.STEP_UP_FOR_RETRY, self.s.run_id, step_key=step.key, error=ErrorInfo.from_exception(error),
                        message=f"Attempt {attempt} of {policy.max_retries} in {delay:.2f}s",
                        data={"attempt": attempt, "delay": delay})])
                    self.s.sleep(delay)
                    continue
                self.s.write([*buffer, *self._failure_events(error)])
                return StepOutcome(StepStatus.FAILURE, error=error)
            self.s.write(buffer)
            return outcome

    def _retry_policy(self) -> Any:
        adef = self._node()
        return getattr(adef, "retry_policy", None)

    def _node(self) -> AssetsDefinition | AssetChecksDefinition:
        if self.step.kind == "asset":
            return self.s.graph.assets_def_for(self.step.asset_keys[0])
        cdef = checks_def_for(self.s.graph, self.step.check_keys[0])
        assert cdef is not None  # the planner only makes check steps for check definitions
        return cdef

    def _wrap(self, exc: Exception) -> BaseException:
        if isinstance(exc, AssetGraphError) and not isinstance(exc, UserCodeError):
            return exc
        if isinstance(exc, UserCodeError):
            return exc
        what = ", ".join(f'"{k.to_user_string()}"' for k in self.step.asset_keys) or ", ".join(
            f'"{k.to_user_string()}"' for k in self.step.check_keys)
        kind = "Asset" if self.step.kind == "asset" else "Check"
        part = f" (partition {self.step.describe_partitions()})" if self.step.partitions_def is not None else ""
        err = UserCodeError(
            f"{kind} {what}{part} raised {type(exc).__name__}: {exc}\n  run: {self.s.run_id}",
            original=exc, asset_key=self.step.asset_keys[0] if self.step.asset_keys else None,
            partition=self.step.describe_partitions(), run_id=self.s.run_id,
        )
        err.__cause__ = exc
        return err

    def _failure_events(self, error: BaseException) -> list[Event]:
        info = ErrorInfo.from_exception(error)
        events = [make_event(EventType.STEP_FAILURE, self.s.run_id, step_key=self.step.key, error=info,
                             message=str(error).splitlines()[0] if str(error) else type(error).__name__)]
        for key in self.step.asset_keys:
            if key not in self._reported:  # what a generator reported before failing stays materialised
                events.extend(self._asset_events(EventType.ASSET_MATERIALIZATION_FAILED, key, error=info))
        if self.step.kind == "check":
            for ck in self.step.check_keys:
                events.append(make_event(
                    EventType.ASSET_CHECK_EVALUATION, self.s.run_id, asset_key=ck.asset_key, check_name=ck.name,
                    partition=self._partition(), step_key=self.step.key, passed=False, error=info,
                    message=f"The check raised {type(error).__name__}",
                    data={"severity": AssetCheckSeverity.ERROR.value, "errored": True}))
        return events

    def _context(self, buffer: list[Event], node: Any, attempt: int) -> AssetExecutionContext:
        return AssetExecutionContext(
            run_id=self.s.run_id,
            assets_def=node if self.step.kind == "asset" else None,
            selected_asset_keys=self.step.asset_keys,
            selected_asset_check_keys=self.step.check_keys,
            partitions=PartitionScope(self.step.partitions_def, self.partition_keys, self.step.partition_range),
            instance=self.s.instance,
            resources=self.s.resources,
            log=step_logger(self.s.run_id, self.step.key, buffer, echo=self.s.echo_logs),
            run_tags=self.s.run_tags,
            retry_number=attempt,
        )

    def _kwargs(self, params: FunctionParams, input_keys: Mapping[str, AssetKey], ctx: AssetExecutionContext,
                downstream: AssetKey | None, node_name: str) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        if params.context:
            kwargs[params.context] = ctx
        for p in params.values:
            key = input_keys.get(p)
            if key is None:
                continue
            kwargs[p] = load_input(self.s.graph, self.step, p, key, downstream, self.s.resources, self.s.run_id,
                                   self.s.now, self.s.instance)
        for p, res_key in params.resources:
            kwargs[p] = self.s.resources[res_key]
        if params.config is not None:
            from assetgraph.definitions.config import build_config

            name, cls = params.config
            kwargs[name] = build_config(cls, self._op_config(node_name), f'"{node_name}"')
        return kwargs

    def _op_config(self, node_name: str) -> Mapping[str, Any]:
        ops = self.s.run_config.get("ops", {})
        names = [node_name, *(k.to_user_string() for k in self.step.asset_keys),
                 *(k.name for k in self.step.asset_keys)]
        for n in names:
            if n in ops:
                return ops[n].get("config", {}) or {}
        return {}

    def _attempt(self, buffer: list[Event], attempt: int) -> StepOutcome:
        if self.step.kind == "asset":
            return self._attempt_asset(buffer, attempt)
        return self._attempt_check(buffer, attempt)

    def _call(self, fn: Callable[..., Any], kwargs: Mapping[str, Any]) -> Any:
        try:
            return fn(**kwargs)
        except Exception as exc:
            wrapped = self._wrap(exc)
            if wrapped is exc:
                raise
            raise wrapped from exc

    def _attempt_asset(self, buffer: list[Event], attempt: int) -> StepOutcome:
        adef = self.s.graph.assets_def_for(self.step.asset_keys[0])
        ctx = self._context(buffer, adef, attempt)
        downstream = self.step.asset_keys[0]
        if adef.params is None or adef.compute_fn is None:
            raise InternalError(f"Step {self.step.key!r} has no function to run.")
        kwargs = self._kwargs(adef.params, adef.input_keys, ctx, downstream, adef.node_name)
        result = self._call(adef.compute_fn, kwargs)
        skippable = {k for k in self.step.asset_keys if adef.get_spec(k).skippable}
        blocked: list[AssetCheckKey] = []
        if hasattr(result, "__next__"):
            outputs = self._stream(result, adef, ctx, buffer, blocked)
        else:
            outputs = collect_asset_outputs(result, self.step.asset_keys, adef.node_name, adef.is_multi, skippable)
            events: list[Event] = []
            for out in outputs.assets.values():
                events.extend(self._output_events(adef, ctx, out))
            blocked.extend(self._check_events(outputs.check_results, events))
            buffer.extend(events)
        self._require_check_results(outputs, reported_by_asset=True)
        for key in self.step.asset_keys:
            if key not in outputs.assets:  # a skippable asset the function chose not to produce
                buffer.append(make_event(EventType.STEP_SKIPPED, self.s.run_id, asset_key=key,
                                         partition=self._partition(), step_key=self.step.key,
                                         message="Skipped: the function reported no result for it (skippable)",
                                         data={"reason": "not reported"}))
        buffer.append(make_event(EventType.STEP_SUCCESS, self.s.run_id, step_key=self.step.key,
                                 data={"failed_partitions": len(ctx.failed_partitions)} if ctx.failed_partitions else None))
        return StepOutcome(StepStatus.SUCCESS, blocked_by=blocked, failed_partitions=len(ctx.failed_partitions))

    def _stream(self, gen: Any, adef: AssetsDefinition, ctx: AssetExecutionContext, buffer: list[Event],
                blocked: list[AssetCheckKey]) -> StepOutputs:
        """Consume a generator item by item, storing and writing each result as it arrives, so the
        UI sees progress live and what was reported before an exception stays reported."""
        outputs = StepOutputs()
        while True:
            try:
                item = next(gen)
            except StopIteration:
                break
            except Exception as exc:
                wrapped = self._wrap(exc)
                if wrapped is exc:
                    raise
                raise wrapped from exc
            added = add_item(outputs, item, self.step.asset_keys, adef.node_name, True)
            if isinstance(added, AssetOutput):
                events = self._output_events(adef, ctx, added)
            elif isinstance(added, AssetCheckResult):
                events = []
                blocked.extend(self._check_events([added], events))
            else:
                continue
            self.s.write([*buffer, *events])
            buffer.clear()
        missing_outputs(outputs, self.step.asset_keys, adef.node_name,
                        {k for k in self.step.asset_keys if adef.get_spec(k).skippable})
        return outputs

    def _output_events(self, adef: AssetsDefinition, ctx: AssetExecutionContext, out: AssetOutput) -> list[Event]:
        """Store one asset's value through its IO manager and build its materialisation events."""
        key = out.key
        metadata = dict(ctx.output_metadata_for(key))
        if out.value is not NO_VALUE:
            octx = OutputContext(asset_key=key, run_id=self.s.run_id, step_key=self.step.key,
                                 partition_key=self._partition(), partition_keys=self.partition_keys,
                                 partitions_def=self.step.partitions_def,
                                 definition_metadata=adef.get_spec(key).metadata, resources=self.s.resources)
            io_manager_for(self.s.graph, key, self.s.resources).handle_output(octx, out.value)
            metadata.update(octx.added_metadata)
        metadata.update(out.metadata)
        data: dict[str, Any] = {}
        if out.data_version is not None:
            data["data_version"] = out.data_version
        code_version = adef.get_spec(key).code_version
        if code_version is not None:
            data["code_version"] = code_version
        if out.tags:
            data["tags"] = out.tags
        self._reported.add(key)
        return self._materialization_events(key, ctx.failed_partitions, metadata, data)

    def _drain(self, result: Any) -> Any:
        if hasattr(result, "__next__"):
            try:
                return list(result)
            except Exception as exc:
                wrapped = self._wrap(exc)
                if wrapped is exc:
                    raise
                raise wrapped from exc
        return result

    def _attempt_check(self, buffer: list[Event], attempt: int) -> StepOutcome:
        cdef = checks_def_for(self.s.graph, self.step.check_keys[0])
        assert cdef is not None
        ctx = self._context(buffer, cdef, attempt)
        kwargs = self._kwargs(cdef.params, cdef.input_keys, ctx, None, cdef.node_name)
        results = collect_check_results(self._drain(self._call(cdef.compute_fn, kwargs)), cdef.node_name)
        events: list[Event] = []
        blocked = self._check_events(results, events)
        self._require_check_results(None, reported_by_asset=False)
        buffer.extend(events)
        buffer.append(make_event(EventType.STEP_SUCCESS, self.s.run_id, step_key=self.step.key))
        return StepOutcome(StepStatus.SUCCESS, blocked_by=blocked)

    def _check_events(self, results: list[AssetCheckResult], events: list[Event]) -> list[AssetCheckKey]:
        """Append an ASSET_CHECK_EVALUATION per result; return the blocking checks that failed."""
        expected = list(self.step.check_keys)
        blocked: list[AssetCheckKey] = []
        for r in results:
            ck = self._check_key_for(r, expected)
            self._checked.add(ck)
            spec = check_spec_for(self.s.graph, ck)
            data: dict[str, Any] = {"severity": r.severity.value}
            if r.description:
                data["description"] = r.description
            latest = self._target_materialization(ck.asset_key)
            if latest is not None:
                data["target_materialization_id"] = latest
            events.append(make_event(EventType.ASSET_CHECK_EVALUATION, self.s.run_id, asset_key=ck.asset_key,
                                     check_name=ck.name, partition=self._partition(), step_key=self.step.key,
                                     metadata=r.metadata, passed=r.passed, data=data))
            if not r.passed and r.severity == AssetCheckSeverity.ERROR and spec is not None and spec.blocking:
                blocked.append(ck)
        return blocked

    def _require_check_results(self, outputs: StepOutputs | None, reported_by_asset: bool) -> None:
        """Every check of the step needs a result, except checks of assets the step did not
        materialise (skipped, or external assets whose checks a multi-asset may report)."""
        produced = set(outputs.assets) if outputs is not None else None
        missing = [ck for ck in self.step.check_keys if ck not in self._checked
                   and (produced is None or ck.asset_key in produced)]
        if missing:
            names = ", ".join(ck.to_user_string() for ck in missing)
            where = "MaterializeResult(check_results=[...])" if reported_by_asset else "its results"
            raise DefinitionError(f"Step {self.step.key!r} did not report a result for check(s) {names} in {where}.")

    def _target_materialization(self, key: AssetKey) -> int | None:
        getter = getattr(self.s.instance, "get_latest_materialization_event", None)
        if getter is None or self.step.kind == "asset":
            return None
        record = getter(key, partition=self._partition())
        return record.id if record is not None else None

    def _check_key_for(self, r: AssetCheckResult, expected: list[AssetCheckKey]) -> AssetCheckKey:
        candidates = [ck for ck in expected
                      if (r.check_name is None or ck.name == r.check_name)
                      and (r.asset_key is None or ck.asset_key == r.asset_key)]
        if len(candidates) == 1:
            return candidates[0]
        names = ", ".join(ck.to_user_string() for ck in expected)
        if not candidates:
            raise DefinitionError(
                f"Step {self.step.key!r} reported a result for check {r.check_name!r} on "
                f"{r.asset_key.to_user_string() if r.asset_key else 'its asset'}, which it does not run "
                f"(it runs: {names})."
            )
        raise DefinitionError(
            f"Step {self.step.key!r} runs several checks ({names}); give each AssetCheckResult check_name= "
            f"(and asset_key= where names repeat)."
        )
