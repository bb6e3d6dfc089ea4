"""Partition status as values: `PartitionStatus`, the rules that events apply to it, and its JSON form.

Pure: no SQL and no SQLAlchemy. Partition definitions are imported only where a function needs
them. Must not import anything above `storage`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from assetgraph.definitions.errors import PartitionError
from assetgraph.definitions.events import Event, EventRecord, EventType
from assetgraph.definitions.keys import AssetKey

if TYPE_CHECKING:
    from assetgraph.definitions.partitions.base import (
        DynamicPartitionsStore,
        PartitionKeyRange,
        PartitionsDefinition,
    )

log = logging.getLogger(__name__)

# Stands for "the asset itself" where tables need a non-null partition key.
UNPARTITIONED = "__unpartitioned__"

MATERIALIZED = "materialized"
FAILED = "failed"
IN_PROGRESS = "in_progress"
STATUS_KINDS = (MATERIALIZED, FAILED, IN_PROGRESS)

STATUS_EVENT_TYPES = frozenset({
    EventType.ASSET_MATERIALIZATION_PLANNED,
    EventType.ASSET_MATERIALIZATION,
    EventType.ASSET_MATERIALIZATION_FAILED,
    EventType.STEP_FAILURE,
    EventType.STEP_SKIPPED,
})


class KeySubset:
    """An explicit set of partition keys, for unpartitioned assets (the `UNPARTITIONED` key)
    and for assets whose partitions definition storage does not know.

    >>> s = KeySubset(["a"]) | KeySubset(["b"])
    >>> sorted(s.get_partition_keys()), "a" in s
    (['a', 'b'], True)
    """

    __slots__ = ("_keys",)

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self._keys = frozenset(keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return (UNPARTITIONED if key is None else key) in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._keys))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, KeySubset) and other._keys == self._keys

    def __hash__(self) -> int:
        return hash(self._keys)

    def __repr__(self) -> str:
        return f"KeySubset({sorted(self._keys)!r})"

    def __or__(self, other: KeySubset) -> KeySubset:
        return KeySubset(self._keys | other._keys)

    def __and__(self, other: KeySubset) -> KeySubset:
        return KeySubset(self._keys & other._keys)

    def __sub__(self, other: KeySubset) -> KeySubset:
        return KeySubset(self._keys - other._keys)

    @property
    def is_empty(self) -> bool:
        return not self._keys

    @property
    def ranges(self) -> list[PartitionKeyRange]:
        from assetgraph.definitions.partitions.base import PartitionKeyRange

        return [PartitionKeyRange(k, k) for k in sorted(self._keys)]

    def get_partition_keys(self) -> list[str]:
        return sorted(self._keys)

    def to_dict(self) -> dict[str, Any]:
        return {"keys": sorted(self._keys)}


class Subset(Protocol):
    """What status code needs of a subset: a `PartitionsSubset`, or a `KeySubset`."""

    def __len__(self) -> int: ...
    def __contains__(self, key: object) -> bool: ...
    def __or__(self, other: Any) -> Subset: ...
    def __and__(self, other: Any) -> Subset: ...
    def __sub__(self, other: Any) -> Subset: ...
    def get_partition_keys(self) -> list[str]: ...
    def to_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class PartitionStatus:
    """Which partitions of an asset are materialized, failed, in progress and missing.

    ``missing`` holds the partitions that exist and are in none of the other three. For an
    unpartitioned asset the subsets hold the one key `UNPARTITIONED` (``None in s`` works) and
    ``total`` is 1.
    """

    asset_key: AssetKey
    partitions_def: PartitionsDefinition | None
    materialized: Subset
    failed: Subset
    in_progress: Subset
    missing: Subset
    total: int

    @property
    def is_partitioned(self) -> bool:
        return self.partitions_def is not None

    def is_materialized(self, partition: str | None = None) -> bool:
        """Whether ``partition`` (None: the unpartitioned asset) has been materialized."""
        return partition in self.materialized if partition is not None else UNPARTITIONED in self.materialized


def empty_subset(partitions_def: PartitionsDefinition | None) -> Subset:
    return partitions_def.empty_subset() if partitions_def is not None else KeySubset()


def subset_to_json(subset: Subset) -> str:
    if isinstance(subset, KeySubset):
        return json.dumps(subset.to_dict(), separators=(",", ":"))
    return json.dumps({"subset": subset.to_dict()}, separators=(",", ":"))


def subset_from_json(text: str, partitions_def: PartitionsDefinition | None) -> Subset:
    """Decode a stored subset; key sets convert to the definition's subset once it is known."""
    data = json.loads(text)
    if "subset" in data:
        if partitions_def is None:
            return KeySubset()
        from assetgraph.definitions.partitions.subset import partitions_subset_from_dict

        return partitions_subset_from_dict(data["subset"], partitions_def)
    keys = data["keys"]
    if partitions_def is None:
        return KeySubset(keys)
    return _keys_subset(partitions_def, [k for k in keys if k != UNPARTITIONED])


def _keys_subset(partitions_def: PartitionsDefinition, keys: list[str]) -> Subset:
    if not keys:
        return partitions_def.empty_subset()
    return partitions_def.subset_with_keys(keys)


def subset_for_event(event: Event, partitions_def: PartitionsDefinition | None,
                     dynamic_partitions_store: DynamicPartitionsStore | None = None) -> Subset | None:
    """The partitions an event covers, in the form the asset's status is kept in; None when
    they cannot be known (a range on an asset whose definition storage has not seen). A range
    of dynamic partitions needs ``dynamic_partitions_store`` to list the keys it spans."""
    try:
        if event.partition_range is not None:
            if partitions_def is None:
                log.warning("Partition status of %s not updated: event covers range %s but the asset's "
                            "partitions definition is not registered.", event.asset_key, event.partition_range)
                return None
            from assetgraph.definitions.partitions.base import PartitionKeyRange

            return partitions_def.subset_with_key_range(PartitionKeyRange(*event.partition_range),
                                                        dynamic_partitions_store)
        if partitions_def is None:
            return KeySubset([event.partition if event.partition is not None else UNPARTITIONED])
        if event.partition is None:
            log.warning("Partition status of %s not updated: %s has no partition but the asset is "
                        "partitioned.", event.asset_key, event.event_type)
            return None
        return partitions_def.subset_with_keys([event.partition])
    except PartitionError as exc:
        # The event is still stored; only its effect on the derived status is dropped.
        log.warning("Partition status of %s not updated for %s: %s", event.asset_key, event.event_type, exc)
        return None


def status_updates(records: Sequence[EventRecord], partitions_def: PartitionsDefinition | None,
                   dynamic_partitions_store: DynamicPartitionsStore | None = None,
                   ) -> Iterator[tuple[EventType, Subset, int]]:
    """The status effect of ``records`` (in order) as (event type, partitions, last event id).

    Consecutive single-partition events of one type become one subset: applied one by one, a
    batch of n events on a key set of N partitions copies the set n times.
    """
    i = 0
    while i < len(records):
        first, j = records[i], i + 1
        if _is_single(first, partitions_def):
            while j < len(records) and records[j].event_type == first.event_type and _is_single(records[j], partitions_def):
                j += 1
        if j - i == 1:
            subset = subset_for_event(first, partitions_def, dynamic_partitions_store)
        else:
            subset = _subset_of_singles(records[i:j], partitions_def)
        if subset is not None:
            yield first.event_type, subset, records[j - 1].id
        i = j


def _is_single(event: Event, partitions_def: PartitionsDefinition | None) -> bool:
    return partitions_def is not None and event.partition is not None and event.partition_range is None


def _subset_of_singles(events: Sequence[Event], partitions_def: PartitionsDefinition | None) -> Subset | None:
    if partitions_def is None:
        return None
    try:
        return partitions_def.subset_with_keys([e.partition for e in events if e.partition is not None])
    except PartitionError:
        # Some key does not fit: drop just those events' effect (with a warning), as one by one.
        keys = [e.partition for e in events if e.partition is not None and subset_for_event(e, partitions_def)]
        return partitions_def.subset_with_keys(keys)


def apply_event(statuses: dict[str, Subset], event_type: EventType, subset: Subset) -> set[str]:
    """Apply one event's effect to ``statuses`` (kind → subset) in place; return the kinds changed."""
    if event_type == EventType.ASSET_MATERIALIZATION_PLANNED:
        changes = {IN_PROGRESS: statuses[IN_PROGRESS] | subset}
    elif event_type == EventType.ASSET_MATERIALIZATION:
        changes = {
            MATERIALIZED: statuses[MATERIALIZED] | subset,
            IN_PROGRESS: statuses[IN_PROGRESS] - subset,
            FAILED: statuses[FAILED] - subset,
        }
    elif event_type in (EventType.ASSET_MATERIALIZATION_FAILED, EventType.STEP_FAILURE):
        changes = {FAILED: statuses[FAILED] | subset, IN_PROGRESS: statuses[IN_PROGRESS] - subset}
    elif event_type == EventType.STEP_SKIPPED:
        # A skipped step's partitions were planned but never attempted: no longer in progress.
        changes = {IN_PROGRESS: statuses[IN_PROGRESS] - subset}
    else:
        return set()
    changed = {kind for kind, value in changes.items() if value != statuses[kind]}
    statuses.update(changes)
    return changed


def affects_status(event: Event) -> bool:
    return event.asset_key is not None and event.event_type in STATUS_EVENT_TYPES and event.check_name is None


def build_partition_status(
    asset_key: AssetKey,
    partitions_def: PartitionsDefinition | None,
    statuses: Mapping[str, Subset],
    *,
    current_time: datetime | None = None,
    dynamic_partitions_store: DynamicPartitionsStore | None = None,
) -> PartitionStatus:
    """Assemble a `PartitionStatus`, computing ``missing`` and ``total`` from the definition."""
    materialized, failed, in_progress = (statuses.get(k, empty_subset(partitions_def)) for k in STATUS_KINDS)
    if partitions_def is None:
        seen = materialized | failed | in_progress
        universe: Subset = seen if any(k != UNPARTITIONED for k in seen.get_partition_keys()) else KeySubset(
            [UNPARTITIONED])
        total = len(universe)
    else:
        universe = partitions_def.all_subset(current_time=current_time,
                                             dynamic_partitions_store=dynamic_partitions_store)
        total = partitions_def.num_partitions(current_time=current_time,
                                              dynamic_partitions_store=dynamic_partitions_store)
    missing = universe - materialized - failed - in_progress
    return PartitionStatus(asset_key, partitions_def, materialized, failed, in_progress, missing, total)
