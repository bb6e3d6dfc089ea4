"""Sensors: functions the daemon calls every ``minimum_interval_seconds`` that request runs when
something outside changed, remembering where they left off in a cursor.

Pure declarations: the daemon hands in the cursor, the instance and the last tick's time.
Must not import anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assetgraph.definitions.errors import DefinitionError
from assetgraph.definitions.jobs import AssetJobDefinition
from assetgraph.definitions.schedules import (
    RunRequest,
    SkipReason,
    TickEvaluation,
    _call_with_context,
    _collect,
)


class DefaultSensorStatus(enum.StrEnum):
    """Whether a sensor runs before anyone starts or stops it in the UI."""

    RUNNING = "RUNNING"
    STOPPED = "STOPPED"


@dataclass(frozen=True)
class AddDynamicPartitionsRequest:
    """Add ``partition_keys`` to the dynamic partitions definition named ``partitions_def_name``."""

    partitions_def_name: str
    partition_keys: tuple[str, ...]

    def __init__(self, partitions_def_name: Any, partition_keys: Sequence[str]) -> None:
        object.__setattr__(self, "partitions_def_name", getattr(partitions_def_name, "name", partitions_def_name))
        object.__setattr__(self, "partition_keys", tuple(partition_keys))

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "add", "name": self.partitions_def_name, "keys": list(self.partition_keys)}


@dataclass(frozen=True)
class DeleteDynamicPartitionsRequest:
    """Remove ``partition_keys`` from the dynamic partitions definition named ``partitions_def_name``."""

    partitions_def_name: str
    partition_keys: tuple[str, ...]

    def __init__(self, partitions_def_name: Any, partition_keys: Sequence[str]) -> None:
        object.__setattr__(self, "partitions_def_name", getattr(partitions_def_name, "name", partitions_def_name))
        object.__setattr__(self, "partition_keys", tuple(partition_keys))

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "delete", "name": self.partitions_def_name, "keys": list(self.partition_keys)}


def dynamic_partitions_request_from_dict(data: Mapping[str, Any]) -> AddDynamicPartitionsRequest | DeleteDynamicPartitionsRequest:
    cls = AddDynamicPartitionsRequest if data["kind"] == "add" else DeleteDynamicPartitionsRequest
    return cls(data["name"], data["keys"])


@dataclass(frozen=True)
class SensorResult:
    """Everything one sensor evaluation decided: runs to request, the new cursor, partitions to add."""

    run_requests: Sequence[RunRequest] = ()
    skip_reason: SkipReason | None = None
    cursor: str | None = None
    dynamic_partitions_requests: Sequence[AddDynamicPartitionsRequest | DeleteDynamicPartitionsRequest] = field(
        default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "run_requests", tuple(self.run_requests or ()))
        object.__setattr__(self, "dynamic_partitions_requests", tuple(self.dynamic_partitions_requests or ()))
        if isinstance(self.skip_reason, str):
            object.__setattr__(self, "skip_reason", SkipReason(self.skip_reason))


class SensorEvaluationContext:
    """What a sensor function receives.

    ``cursor`` is the value stored by the previous evaluation; ``update_cursor`` sets the value the
    next one sees (stored only when this evaluation succeeds). ``last_tick_time`` is the previous
    evaluation's time (a timezone-aware datetime) or None.
    """

    def __init__(self, cursor: str | None = None, instance: Any = None, last_tick_time: datetime | None = None,
                 sensor_name: str | None = None) -> None:
        self.cursor = cursor
        self.instance = instance
        self.last_tick_time = last_tick_time
        self.sensor_name = sensor_name
        self._cursor_updated = False

    def update_cursor(self, cursor: str | None) -> None:
        self.cursor = cursor
        self._cursor_updated = True

    @property
    def cursor_updated(self) -> bool:
        return self._cursor_updated


def build_sensor_context(cursor: str | None = None, instance: Any = None, last_tick_time: datetime | None = None,
                         sensor_name: str | None = None) -> SensorEvaluationContext:
    """A context for calling a sensor function in a unit test.

    >>> build_sensor_context(cursor="41").cursor
    '41'
    """
    return SensorEvaluationContext(cursor, instance, last_tick_time, sensor_name)


SensorFunction = Callable[..., Any]


class SensorDefinition:
    """A sensor: made by `@sensor`. Evaluate with `evaluate_tick(context)`."""

    def __init__(self, name: str, evaluation_fn: SensorFunction, *, job: AssetJobDefinition | None = None,
                 target: Any = None, minimum_interval_seconds: int = 30,
                 default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
                 description: str | None = None, tags: Mapping[str, str] | None = None) -> None:
        what = f'Sensor "{name}"'
        if job is not None and target is not None:
            raise DefinitionError(f"{what}: pass job= or target=, not both.")
        if job is not None and not isinstance(job, AssetJobDefinition):
            raise DefinitionError(f"{what}: job= must be made by define_asset_job; got {job!r}.")
        if minimum_interval_seconds < 0:
            raise DefinitionError(f"{what}: minimum_interval_seconds must be 0 or more.")
        self.name = name
        self.evaluation_fn = evaluation_fn
        self.job = job
        self.target = target
        self.minimum_interval_seconds = minimum_interval_seconds
        self.default_status = DefaultSensorStatus(default_status)
        self.description = description
        self.tags = {str(k): str(v) for k, v in (tags or {}).items()}

    @property
    def job_name(self) -> str | None:
        return self.job.name if self.job is not None else None

    @property
    def selection(self) -> Any:
        """What the sensor's run requests materialise unless they name ``asset_selection``."""
        return self.job.selection if self.job is not None else self.target

    def __repr__(self) -> str:
        return f"SensorDefinition(name={self.name!r})"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the sensor function directly (unit tests)."""
        return self.evaluation_fn(*args, **kwargs)

    def evaluate_tick(self, context: SensorEvaluationContext) -> TickEvaluation:
        """Run the sensor function once. The cursor is the one it returned in a `SensorResult`, else
        the one set with ``context.update_cursor``, else unchanged."""
        result = _call_with_context(self.evaluation_fn, context)
        evaluation = _collect(result, f'Sensor "{self.name}"', self.tags)
        if any(r.asset_selection is None for r in evaluation.run_requests) and self.selection is None:
            raise DefinitionError(f'Sensor "{self.name}" requested a run but has no job= or target=, and the '
                                  f"RunRequest names no asset_selection.")
        cursor = evaluation.cursor
        if cursor is None:
            cursor = context.cursor
        return TickEvaluation(evaluation.run_requests, evaluation.skip_message, cursor,
                              evaluation.dynamic_partitions_requests)


def sensor(job: AssetJobDefinition | None = None, *, target: Any = None, name: str | None = None,
           minimum_interval_seconds: int = 30, default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
           description: str | None = None, tags: Mapping[str, str] | None = None
           ) -> Callable[[SensorFunction], SensorDefinition]:
    """Decorate ``(context: SensorEvaluationContext) -> RunRequest | SkipReason | SensorResult`` (or a
    generator of them) into a sensor.

    >>> @sensor(target="*", minimum_interval_seconds=10)
    ... def new_files(context):
    ...     return SensorResult(run_requests=[RunRequest(run_key="a.csv")], cursor="a.csv")
    >>> new_files.evaluate_tick(build_sensor_context()).cursor
    'a.csv'
    """
    def wrap(fn: SensorFunction) -> SensorDefinition:
        return SensorDefinition(name or fn.__name__, fn, job=job, target=target,
                                minimum_interval_seconds=minimum_interval_seconds, default_status=default_status,
                                description=description or inspect.getdoc(fn), tags=tags)

    return wrap
