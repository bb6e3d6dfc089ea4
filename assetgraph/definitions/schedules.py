"""Schedules: run requests on a cron schedule, and the values schedules and sensors both return
(`RunRequest`, `SkipReason`).

Pure declarations: the daemon decides *when* a schedule ticks and hands the tick time in; this
module never reads the clock. croniter is imported only where a schedule's ticks are computed.
Must not import anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assetgraph.definitions.errors import DefinitionError
from assetgraph.definitions.jobs import AssetJobDefinition
from assetgraph.definitions.keys import AssetKey, coerce_asset_key


class DefaultScheduleStatus(enum.StrEnum):
    """Whether a schedule runs before anyone starts or stops it in the UI."""

    RUNNING = "RUNNING"
    STOPPED = "STOPPED"


@dataclass(frozen=True)
class RunRequest:
    """A request, from a schedule or sensor, to launch one run.

    ``run_key`` makes the request idempotent: a sensor never launches two runs with the same key,
    and a schedule's run key is scoped to its tick. ``asset_selection`` overrides the target.

    >>> RunRequest(partition_key="2024-01-01", run_key="2024-01-01").run_key
    '2024-01-01'
    """

    run_key: str | None = None
    partition_key: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    asset_selection: tuple[AssetKey, ...] | None = None
    run_config: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, run_key: str | None = None, partition_key: str | None = None,
                 tags: Mapping[str, str] | None = None, asset_selection: Sequence[Any] | None = None,
                 run_config: Mapping[str, Any] | None = None) -> None:
        object.__setattr__(self, "run_key", run_key)
        object.__setattr__(self, "partition_key", partition_key)
        object.__setattr__(self, "tags", {str(k): str(v) for k, v in (tags or {}).items()})
        object.__setattr__(self, "asset_selection", None if asset_selection is None else
                           tuple(coerce_asset_key(getattr(k, "key", k)) for k in asset_selection))
        object.__setattr__(self, "run_config", dict(run_config or {}))

    def to_dict(self) -> dict[str, Any]:
        return {"run_key": self.run_key, "partition_key": self.partition_key, "tags": dict(self.tags),
                "asset_selection": None if self.asset_selection is None else
                [list(k.path) for k in self.asset_selection], "run_config": dict(self.run_config)}

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> RunRequest:
        sel = data.get("asset_selection")
        return RunRequest(data.get("run_key"), data.get("partition_key"), data.get("tags"),
                          None if sel is None else [AssetKey(p) for p in sel], data.get("run_config"))


@dataclass(frozen=True)
class SkipReason:
    """Returned by a schedule or sensor that decided not to request a run this tick."""

    skip_message: str | None = None


@dataclass(frozen=True)
class TickEvaluation:
    """What one evaluation of a schedule or sensor produced."""

    run_requests: tuple[RunRequest, ...] = ()
    skip_message: str | None = None
    cursor: str | None = None
    dynamic_partitions_requests: tuple[Any, ...] = ()


class ScheduleEvaluationContext:
    """What a schedule function receives: the tick's time and the instance."""

    def __init__(self, scheduled_execution_time: datetime | None, instance: Any = None) -> None:
        self.scheduled_execution_time = scheduled_execution_time
        self.instance = instance


def build_schedule_context(instance: Any = None, scheduled_execution_time: datetime | None = None
                           ) -> ScheduleEvaluationContext:
    """A context for calling a schedule function in a unit test.

    >>> build_schedule_context(scheduled_execution_time=datetime(2024, 1, 2)).scheduled_execution_time.year
    2024
    """
    return ScheduleEvaluationContext(scheduled_execution_time, instance)


ScheduleFunction = Callable[..., Any]


def _zone(name: str, what: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DefinitionError(f'{what}: unknown timezone "{name}"; use an IANA name such as "Europe/Paris".') from None


def _validate_cron(cron_schedule: str, what: str) -> str:
    from assetgraph.definitions.partitions.cadence import normalize_cron

    cron = normalize_cron(cron_schedule)
    from croniter import croniter

    if not croniter.is_valid(cron):
        raise DefinitionError(f'{what}: "{cron_schedule}" is not a valid cron schedule (e.g. "0 6 * * *").')
    return cron


def _target_of(job: AssetJobDefinition | None, target: Any, what: str) -> tuple[AssetJobDefinition | None, Any]:
    if job is not None and target is not None:
        raise DefinitionError(f"{what}: pass job= or target=, not both.")
    if job is not None and not isinstance(job, AssetJobDefinition):
        raise DefinitionError(f"{what}: job= must be made by define_asset_job; got {job!r}.")
    return job, target


class ScheduleDefinition:
    """Launches runs of a job or an asset selection on a cron schedule.

    Without an ``execution_fn`` each tick requests one run of the target (with ``tags``); with one,
    the function receives a `ScheduleEvaluationContext` and returns or yields `RunRequest`s, or a
    `SkipReason`.

    >>> s = ScheduleDefinition(name="nightly", target="group:marts", cron_schedule="0 3 * * *")
    >>> s.cron_schedule, s.execution_timezone, s.default_status.value
    ('0 3 * * *', 'UTC', 'STOPPED')

    Raises `DefinitionError` for an invalid cron schedule, timezone or target.
    """

    def __init__(self, name: str | None = None, *, cron_schedule: str, job: AssetJobDefinition | None = None,
                 target: Any = None, execution_timezone: str = "UTC",
                 default_status: DefaultScheduleStatus = DefaultScheduleStatus.STOPPED,
                 tags: Mapping[str, str] | None = None, description: str | None = None,
                 execution_fn: ScheduleFunction | None = None) -> None:
        if name is None:
            name = f"{job.name}_schedule" if job is not None else (getattr(execution_fn, "__name__", None) or "")
        if not name:
            raise DefinitionError("ScheduleDefinition needs name=.")
        what = f'Schedule "{name}"'
        self.name = name
        self.job, self.target = _target_of(job, target, what)
        if self.job is None and self.target is None:
            raise DefinitionError(f"{what}: pass job= (from define_asset_job) or target= (an asset selection).")
        self.cron_schedule = _validate_cron(cron_schedule, what)
        _zone(execution_timezone, what)
        self.execution_timezone = execution_timezone
        self.default_status = DefaultScheduleStatus(default_status)
        self.tags = {str(k): str(v) for k, v in (tags or {}).items()}
        self.description = description
        self.execution_fn = execution_fn

    @property
    def job_name(self) -> str | None:
        return self.job.name if self.job is not None else None

    @property
    def selection(self) -> Any:
        """The selection the schedule's runs materialise (the job's, or ``target``)."""
        return self.job.selection if self.job is not None else self.target

    def __repr__(self) -> str:
        return f"ScheduleDefinition(name={self.name!r}, cron_schedule={self.cron_schedule!r})"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the schedule function directly (unit tests)."""
        if self.execution_fn is None:
            raise DefinitionError(f'Schedule "{self.name}" has no function to call.')
        return self.execution_fn(*args, **kwargs)

    def evaluate_tick(self, context: ScheduleEvaluationContext) -> TickEvaluation:
        """The run requests for one tick. Raises whatever the user's function raises."""
        if self.execution_fn is None:
            return TickEvaluation(run_requests=(RunRequest(tags=self.tags),))
        result = _call_with_context(self.execution_fn, context)
        return _collect(result, f'Schedule "{self.name}"', self.tags)

    def tick_times_between(self, after: float, until: float) -> list[datetime]:
        """The tick times ``t`` with ``after < t <= until`` (epoch seconds); see `schedule_ticks_between`."""
        return schedule_ticks_between(self.cron_schedule, self.execution_timezone, after, until)


def schedule_ticks_between(cron_schedule: str, execution_timezone: str, after: float, until: float) -> list[datetime]:
    """The tick times ``t`` of a cron schedule with ``after < t <= until`` (epoch seconds), as aware
    datetimes in ``execution_timezone``.

    Uses the DST-aware cadences of time-window partitions: a daily schedule ticks once a day at
    its local time across DST changes, hourly ticks follow absolute hours.

    >>> [t.isoformat() for t in schedule_ticks_between("0 0 * * *", "UTC", 0, 2 * 86400)]
    ['1970-01-02T00:00:00+00:00', '1970-01-03T00:00:00+00:00']
    """
    from assetgraph.definitions.partitions.cadence import cadence_for, normalize_cron

    cadence = cadence_for(normalize_cron(cron_schedule), _zone(execution_timezone, cron_schedule), after)
    first = cadence.floor(after) + 1
    last = cadence.floor(until)
    return [cadence.boundary_datetime(o) for o in range(first, last + 1)]


def next_schedule_tick(cron_schedule: str, execution_timezone: str, after: float) -> datetime:
    """The first tick of a cron schedule strictly after ``after`` (epoch seconds).

    >>> next_schedule_tick("0 * * * *", "UTC", 1800).isoformat()
    '1970-01-01T01:00:00+00:00'
    """
    from assetgraph.definitions.partitions.cadence import cadence_for, normalize_cron

    cadence = cadence_for(normalize_cron(cron_schedule), _zone(execution_timezone, cron_schedule), after)
    return cadence.boundary_datetime(cadence.floor(after) + 1)


def _call_with_context(fn: Callable[..., Any], context: Any) -> Any:
    params = inspect.signature(fn).parameters
    return fn(context) if params else fn()


def _collect(result: Any, what: str, default_tags: Mapping[str, str]) -> TickEvaluation:
    """Normalise what a schedule or sensor function returned or yielded."""
    from assetgraph.definitions.sensors import SensorResult

    items: list[Any]
    if result is None:
        items = []
    elif isinstance(result, RunRequest | SkipReason | SensorResult):
        items = [result]
    elif isinstance(result, (Iterator, list | tuple)):
        items = list(result)
    else:
        raise DefinitionError(f"{what} returned {result!r}; return or yield RunRequest, SkipReason or SensorResult.")
    requests: list[RunRequest] = []
    skip: str | None = None
    cursor: str | None = None
    dynamic: list[Any] = []
    for item in items:
        if isinstance(item, RunRequest):
            requests.append(item)
        elif isinstance(item, SkipReason):
            skip = item.skip_message or "skipped"
        elif isinstance(item, SensorResult):
            requests.extend(item.run_requests)
            skip = item.skip_reason.skip_message if item.skip_reason else skip
            cursor = item.cursor if item.cursor is not None else cursor
            dynamic.extend(item.dynamic_partitions_requests)
        else:
            raise DefinitionError(f"{what} produced {item!r}; expected RunRequest, SkipReason or SensorResult.")
    if default_tags:
        requests = [RunRequest(r.run_key, r.partition_key, {**default_tags, **r.tags}, r.asset_selection, r.run_config)
                    for r in requests]
    if not requests and skip is None:
        skip = "No run requests"
    return TickEvaluation(tuple(requests), skip, cursor, tuple(dynamic))


def schedule(cron_schedule: str, *, job: AssetJobDefinition | None = None, target: Any = None,
             name: str | None = None, execution_timezone: str = "UTC",
             default_status: DefaultScheduleStatus = DefaultScheduleStatus.STOPPED,
             tags: Mapping[str, str] | None = None, description: str | None = None
             ) -> Callable[[ScheduleFunction], ScheduleDefinition]:
    """Decorate a function ``(context) -> RunRequest | SkipReason | iterator of them`` into a schedule.

    >>> @schedule(cron_schedule="0 6 * * *", target="*")
    ... def morning(context):
    ...     return RunRequest(run_key=None, tags={"why": "morning"})
    >>> morning.name
    'morning'
    """
    def wrap(fn: ScheduleFunction) -> ScheduleDefinition:
        return ScheduleDefinition(name or fn.__name__, cron_schedule=cron_schedule, job=job, target=target,
                                  execution_timezone=execution_timezone, default_status=default_status, tags=tags,
                                  description=description or inspect.getdoc(fn), execution_fn=fn)

    return wrap


def build_schedule_from_partitioned_job(job: AssetJobDefinition, *, name: str | None = None,
                                        description: str | None = None,
                                        default_status: DefaultScheduleStatus = DefaultScheduleStatus.STOPPED,
                                        tags: Mapping[str, str] | None = None) -> ScheduleDefinition:
    """A schedule that ticks when each partition of a time-partitioned job ends and requests a run of
    that partition (the latest one that exists at the tick).

    Raises `DefinitionError` when the job has no time-window ``partitions_def``.
    """
    from assetgraph.definitions.partitions.time_window import TimeWindowPartitionsDefinition

    pdef = job.partitions_def if isinstance(job, AssetJobDefinition) else None
    if not isinstance(pdef, TimeWindowPartitionsDefinition):
        raise DefinitionError(
            f"build_schedule_from_partitioned_job: job {getattr(job, 'name', job)!r} needs a time-window "
            f"partitions_def (daily, hourly, ...) in define_asset_job(partitions_def=...)."
        )

    def latest_partition(context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
        when = context.scheduled_execution_time
        if when is None:
            return SkipReason("The context has no scheduled_execution_time; build_schedule_context(...) needs one.")
        key = pdef.get_last_partition_key(current_time=when)
        if key is None:
            return SkipReason(f"No partition of {job.name!r} has ended by {when.isoformat()}.")
        return RunRequest(run_key=key, partition_key=key)

    latest_partition.__name__ = name or f"{job.name}_schedule"
    return ScheduleDefinition(name or f"{job.name}_schedule", cron_schedule=pdef.cron_schedule, job=job,
                              execution_timezone=pdef.timezone, default_status=default_status, tags=tags,
                              description=description, execution_fn=latest_partition)
