"""Building events for the event log, and the log handler that turns `context.log` records
into LOG_MESSAGE events. Must not import codelocation, orchestration, server or cli.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from assetgraph.definitions.events import ErrorInfo, Event, EventType
from assetgraph.definitions.keys import AssetKey
from assetgraph.definitions.metadata import MetadataValue


def make_event(event_type: EventType, run_id: str | None, *, asset_key: AssetKey | None = None,
               partition: str | None = None, partition_range: tuple[str, str] | None = None,
               step_key: str | None = None, message: str = "", metadata: Mapping[str, MetadataValue] | None = None,
               check_name: str | None = None, passed: bool | None = None, error: ErrorInfo | None = None,
               data: Mapping[str, Any] | None = None) -> Event:
    return Event(event_type=event_type, run_id=run_id, timestamp=time.time(), asset_key=asset_key,
                 partition=partition, partition_range=partition_range, step_key=step_key, message=message,
                 metadata=metadata or {}, check_name=check_name, passed=passed, error=error, data=data or {})


class EventBufferHandler(logging.Handler):
    """Collects `context.log` records of one step as LOG_MESSAGE events."""

    def __init__(self, run_id: str, step_key: str, buffer: list[Event]) -> None:
        super().__init__(logging.DEBUG)
        self.run_id = run_id
        self.step_key = step_key
        self.buffer = buffer

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception as exc:  # a bad format string in user code must not fail the step
            message = f"{record.msg!r} (could not format: {exc})"
        self.buffer.append(make_event(EventType.LOG_MESSAGE, self.run_id, step_key=self.step_key, message=message,
                                      data={"level": record.levelname}))


def step_logger(run_id: str, step_key: str, buffer: list[Event], echo: bool = False) -> logging.Logger:
    """A logger not registered in `logging`'s global registry (one per step would leak there)."""
    logger = logging.Logger(f"assetgraph.{step_key}", logging.DEBUG)
    logger.addHandler(EventBufferHandler(run_id, step_key, buffer))
    if echo:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(f"%(asctime)s {step_key} %(levelname)s %(message)s"))
        logger.addHandler(handler)
    return logger
