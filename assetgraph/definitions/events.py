"""Event log records and run records as plain values.

Storage persists these without knowing about execution; execution builds them. Must not
import anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from assetgraph.definitions.keys import AssetCheckKey, AssetKey, CoercibleToAssetKey, coerce_asset_key
from assetgraph.definitions.metadata import (
    MetadataValue,
    metadata_from_json,
    metadata_to_json,
    normalize_metadata,
)

PAYLOAD_VERSION = 1


class EventType(enum.StrEnum):
    """Every kind of event in the event log. One name in storage, GraphQL and the UI."""

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

    def __str__(self) -> str:
        return self.value


class RunStatus(enum.StrEnum):
    QUEUED = "QUEUED"
    STARTING = "STARTING"
    STARTED = "STARTED"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"

    @property
    def is_finished(self) -> bool:
        return self in (RunStatus.SUCCESS, RunStatus.FAILURE, RunStatus.CANCELED)

    def __str__(self) -> str:
        return self.value


class AssetCheckSeverity(enum.StrEnum):
    WARN = "WARN"
    ERROR = "ERROR"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class ErrorInfo:
    """An exception as data: class name, message, formatted traceback, and its cause."""

    message: str
    cls_name: str
    traceback: str
    cause: ErrorInfo | None = None

    @staticmethod
    def from_exception(exc: BaseException, _seen: frozenset[int] = frozenset()) -> ErrorInfo:
        import traceback as tb

        cause = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
        seen = _seen | {id(exc)}
        return ErrorInfo(
            message=str(exc),
            cls_name=type(exc).__name__,
            traceback="".join(tb.format_exception(type(exc), exc, exc.__traceback__, chain=False)),
            cause=ErrorInfo.from_exception(cause, seen) if cause is not None and id(cause) not in seen else None,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "cls_name": self.cls_name,
            "traceback": self.traceback,
            "cause": self.cause.to_dict() if self.cause else None,
        }

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> ErrorInfo:
        cause = data.get("cause")
        return ErrorInfo(data["message"], data["cls_name"], data["traceback"],
                         ErrorInfo.from_dict(cause) if cause else None)

    def __str__(self) -> str:
        return f"{self.cls_name}: {self.message}"


@dataclass(frozen=True, kw_only=True)
class Event:
    """One event, before storage gives it an id.

    ``partition`` is one partition key; ``partition_range`` (inclusive start and end keys) is set
    instead when one event covers a range (single-run backfills). ``data`` holds the remaining
    type-specific payload (skip reason, log level, severity, data version, ...).
    """

    event_type: EventType
    run_id: str | None
    timestamp: float
    asset_key: AssetKey | None = None
    partition: str | None = None
    partition_range: tuple[str, str] | None = None
    step_key: str | None = None
    message: str = ""
    metadata: Mapping[str, MetadataValue] = field(default_factory=dict)
    check_name: str | None = None
    passed: bool | None = None
    error: ErrorInfo | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def check_key(self) -> AssetCheckKey | None:
        if self.asset_key is None or self.check_name is None:
            return None
        return AssetCheckKey(self.asset_key, self.check_name)

    @property
    def severity(self) -> AssetCheckSeverity | None:
        value = self.data.get("severity")
        return AssetCheckSeverity(value) if value else None

    def payload_json(self) -> dict[str, Any]:
        """The parts stored in the payload column (the rest have columns of their own)."""
        payload: dict[str, Any] = {"v": PAYLOAD_VERSION}
        if self.message:
            payload["message"] = self.message
        if self.metadata:
            payload["metadata"] = metadata_to_json(self.metadata)
        if self.error is not None:
            payload["error"] = self.error.to_dict()
        if self.partition_range is not None:
            payload["partition_range"] = list(self.partition_range)
        if self.passed is not None:
            payload["passed"] = self.passed
        if self.data:
            payload["data"] = dict(self.data)
        return payload


@dataclass(frozen=True, kw_only=True)
class EventRecord(Event):
    """An event as stored: ``id`` increases with every event written to the instance."""

    id: int

    @staticmethod
    def from_stored(*, id: int, event_type: str, run_id: str | None, timestamp: float,
                    asset_key: AssetKey | None, partition: str | None, step_key: str | None,
                    check_name: str | None, payload: Mapping[str, Any]) -> EventRecord:
        rng = payload.get("partition_range")
        err = payload.get("error")
        return EventRecord(
            id=id,
            event_type=EventType(event_type),
            run_id=run_id,
            timestamp=timestamp,
            asset_key=asset_key,
            partition=partition,
            partition_range=(rng[0], rng[1]) if rng else None,
            step_key=step_key,
            message=payload.get("message", ""),
            metadata=metadata_from_json(payload.get("metadata")),
            check_name=check_name,
            passed=payload.get("passed"),
            error=ErrorInfo.from_dict(err) if err else None,
            data=payload.get("data", {}),
        )

    def to_event(self) -> Event:
        return Event(**{f: getattr(self, f) for f in Event.__dataclass_fields__})


@dataclass(frozen=True)
class AssetMaterialization:
    """A materialization reported from outside a run (`Instance.report_runless_asset_event`)."""

    asset_key: AssetKey
    partition: str | None = None
    metadata: Mapping[str, MetadataValue] = field(default_factory=dict)
    description: str | None = None

    def __init__(self, asset_key: CoercibleToAssetKey, partition: str | None = None,
                 metadata: Mapping[str, Any] | None = None, description: str | None = None) -> None:
        object.__setattr__(self, "asset_key", coerce_asset_key(asset_key))
        object.__setattr__(self, "partition", partition)
        object.__setattr__(self, "metadata", normalize_metadata(metadata))
        object.__setattr__(self, "description", description)


@dataclass(frozen=True)
class AssetCheckEvaluation:
    """The outcome of one check execution, as read back from the event log."""

    asset_key: AssetKey
    check_name: str
    passed: bool
    severity: AssetCheckSeverity
    metadata: Mapping[str, MetadataValue]
    partition: str | None
    run_id: str | None
    description: str | None = None
    timestamp: float = 0.0
    event_id: int | None = None

    @property
    def check_key(self) -> AssetCheckKey:
        return AssetCheckKey(self.asset_key, self.check_name)

    @staticmethod
    def from_record(record: EventRecord) -> AssetCheckEvaluation:
        if record.asset_key is None or record.check_name is None:
            raise ValueError(f"Event {record.id} is not a check evaluation")
        return AssetCheckEvaluation(
            asset_key=record.asset_key,
            check_name=record.check_name,
            passed=bool(record.passed),
            severity=record.severity or AssetCheckSeverity.ERROR,
            metadata=record.metadata,
            partition=record.partition,
            run_id=record.run_id,
            description=record.data.get("description"),
            timestamp=record.timestamp,
            event_id=record.id,
        )


# Tags that link a retry or a re-execution to the run it repeats, and the retry policy of a run.
PARENT_RUN_TAG = "assetgraph/parent_run_id"
ROOT_RUN_TAG = "assetgraph/root_run_id"
RETRY_NUMBER_TAG = "assetgraph/retry_number"
MAX_RETRIES_TAG = "assetgraph/max_retries"
RETRY_STRATEGY_TAG = "assetgraph/retry_strategy"
FROM_FAILURE = "FROM_FAILURE"
ALL_STEPS = "ALL_STEPS"


@dataclass(frozen=True)
class Run:
    """A run record. ``asset_selection`` is the executable assets the run materialises; its
    partitions are one ``partition_key``, an inclusive ``partition_range``, or several
    ``partition_keys``."""

    run_id: str
    status: RunStatus
    tags: Mapping[str, str] = field(default_factory=dict)
    job_name: str | None = None
    asset_selection: tuple[AssetKey, ...] = ()
    asset_check_selection: tuple[AssetCheckKey, ...] | None = None
    partition_key: str | None = None
    partition_range: tuple[str, str] | None = None
    partition_keys: tuple[str, ...] = ()
    run_config: Mapping[str, Any] = field(default_factory=dict)
    parent_run_id: str | None = None
    root_run_id: str | None = None
    create_time: float = 0.0
    start_time: float | None = None
    end_time: float | None = None
    backfill_id: str | None = None
    code_location: str | None = None

    def replace(self, **changes: Any) -> Run:
        return replace(self, **changes)
