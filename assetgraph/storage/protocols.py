"""The two narrow interfaces execution uses to reach storage: `EventSink` and `StatusReader`.

Tests hand in fakes; `Instance` satisfies both. Must not import SQLAlchemy or anything above
`storage`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from assetgraph.definitions.events import Event, EventRecord
from assetgraph.definitions.keys import AssetKey

if TYPE_CHECKING:
    from assetgraph.storage.status import PartitionStatus


@runtime_checkable
class EventSink(Protocol):
    """Where a step writes its events: one call per batch, one transaction per call."""

    def store_events(self, events: Sequence[Event]) -> list[EventRecord]:
        """Append ``events``; return them with their ids, in order."""
        ...


@runtime_checkable
class StatusReader(Protocol):
    """Where the planner's caller reads partition status before building a plan."""

    def get_partition_status_snapshot(self, keys: Iterable[AssetKey]) -> Mapping[AssetKey, PartitionStatus]:
        """The status of each key (an asset storage has never seen is unmaterialized)."""
        ...
