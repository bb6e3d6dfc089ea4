"""Partition views the UI draws: status as ordered ranges over the key space, and pages of keys.

Pure functions over partition definitions and `PartitionStatus` values: no storage calls and no
GraphQL. Time-window ranges are computed from the subsets' intervals and never list keys, so an
asset with a million partitions costs as much as its number of status ranges.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from assetgraph.definitions.errors import UnknownPartitionKeyError
from assetgraph.definitions.partitions.base import DynamicPartitionsStore, PartitionsDefinition
from assetgraph.definitions.partitions.static import StaticPartitionsDefinition
from assetgraph.definitions.partitions.subset import PartitionsSubset, TimeWindowPartitionsSubset
from assetgraph.definitions.partitions.time_window import TimeWindowPartitionsDefinition
from assetgraph.storage.status import KeySubset, PartitionStatus, Subset, build_partition_status

# Status names as the API shows them; a partition has exactly one, the first that applies.
IN_PROGRESS = "IN_PROGRESS"
FAILED = "FAILED"
MATERIALIZED = "MATERIALIZED"
MISSING = "MISSING"


@dataclass(frozen=True)
class StatusRange:
    """Consecutive partitions (inclusive ``start`` and ``end`` keys) that share one status."""

    start: str
    end: str
    status: str
    count: int


@dataclass(frozen=True)
class KeyPage:
    keys: list[str]
    total: int
    has_next_page: bool


def disjoint_statuses(status: PartitionStatus) -> list[tuple[str, Subset]]:
    """The four statuses as disjoint subsets: in progress wins over failed, failed over materialized."""
    in_progress = status.in_progress
    failed = status.failed - in_progress
    materialized = status.materialized - status.failed - in_progress
    return [(IN_PROGRESS, in_progress), (FAILED, failed), (MATERIALIZED, materialized), (MISSING, status.missing)]


def status_ranges(status: PartitionStatus, store: DynamicPartitionsStore | None,
                  current_time: datetime | None = None) -> list[StatusRange]:
    """The partitions of a partitioned asset as maximal ranges of one status, in key order;
    empty for an unpartitioned asset."""
    pdef = status.partitions_def
    if pdef is None:
        return []
    parts = disjoint_statuses(status)
    if isinstance(pdef, TimeWindowPartitionsDefinition):
        return _time_window_ranges(pdef, parts)
    if isinstance(pdef, StaticPartitionsDefinition):
        return _static_ranges(pdef, parts)
    return _key_ranges(pdef.get_partition_keys(current_time, store), parts)


def _time_window_ranges(pdef: TimeWindowPartitionsDefinition, parts: list[tuple[str, Subset]]) -> list[StatusRange]:
    floor = pdef.cadence.floor
    spans: list[tuple[int, int, str]] = []
    for name, subset in parts:
        if isinstance(subset, TimeWindowPartitionsSubset):
            spans.extend((floor(start), floor(end), name) for start, end in subset.intervals)
    spans.sort()
    key = pdef.key_for_ordinal
    return [StatusRange(key(lo), key(hi - 1), name, hi - lo) for lo, hi, name in _merge(spans) if hi > lo]


def _static_ranges(pdef: StaticPartitionsDefinition, parts: list[tuple[str, Subset]]) -> list[StatusRange]:
    spans: list[tuple[int, int, str]] = []
    for name, subset in parts:
        if isinstance(subset, PartitionsSubset):
            for rng in subset.ranges:
                lo, hi = pdef.position_of(rng.start), pdef.position_of(rng.end)
                if lo is not None and hi is not None:
                    spans.append((lo, hi + 1, name))
    spans.sort()
    keys = pdef.partition_keys
    return [StatusRange(keys[lo], keys[hi - 1], name, hi - lo) for lo, hi, name in _merge(spans)]


def _key_ranges(ordered_keys: Sequence[str], parts: list[tuple[str, Subset]]) -> list[StatusRange]:
    position = {k: i for i, k in enumerate(ordered_keys)}
    spans = sorted((position[k], position[k] + 1, name) for name, subset in parts
                   for k in subset.get_partition_keys() if k in position)
    return [StatusRange(ordered_keys[lo], ordered_keys[hi - 1], name, hi - lo) for lo, hi, name in _merge(spans)]


def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    merged: list[tuple[int, int, str]] = []
    for lo, hi, name in spans:
        if merged and merged[-1][2] == name and merged[-1][1] == lo:
            merged[-1] = (merged[-1][0], hi, name)
        else:
            merged.append((lo, hi, name))
    return merged


def key_page(pdef: PartitionsDefinition, first: int, after: str | None, store: DynamicPartitionsStore | None,
             current_time: datetime | None = None) -> KeyPage:
    """``first`` keys after the key ``after`` (from the start when None), in the definition's order.

    Raises `UnknownPartitionKeyError` when ``after`` is not a key of the definition.
    """
    if isinstance(pdef, TimeWindowPartitionsDefinition):
        stop = pdef.stop_ordinal(current_time)
        start = pdef.first_ordinal
        if after is not None:
            ordinal = pdef.ordinal_for_key(after)
            if ordinal is None or not pdef.first_ordinal <= ordinal < stop:
                _raise_unknown(pdef, after, store, current_time)
            start = ordinal + 1
        end = min(start + first, stop)
        return KeyPage([pdef.key_for_ordinal(o) for o in range(start, end)], stop - pdef.first_ordinal, end < stop)
    keys = list(pdef.get_partition_keys(current_time, store))
    index = 0
    if after is not None:
        if after not in keys:
            _raise_unknown(pdef, after, store, current_time)
        index = keys.index(after) + 1
    return KeyPage(keys[index:index + first], len(keys), index + first < len(keys))


def _raise_unknown(pdef: PartitionsDefinition, key: str, store: DynamicPartitionsStore | None,
                   current_time: datetime | None) -> NoReturn:
    pdef.validate_partition_key(key, current_time, store)  # raises with close matches when it can
    raise UnknownPartitionKeyError(f"Partition key {key!r} is not a partition of {pdef!r}.")


def status_for_definition(status: PartitionStatus, pdef: PartitionsDefinition | None,
                          store: DynamicPartitionsStore | None, current_time: datetime | None = None) -> PartitionStatus:
    """``status`` as seen through the code location's current partitions definition.

    Storage keeps status under the definition it last registered; before the first run (or after a
    code change not yet registered) that differs from the snapshot's, and the snapshot wins.
    """
    if status.partitions_def == pdef:
        return status
    if pdef is None:
        return build_partition_status(status.asset_key, None, {}, current_time=current_time)
    converted = {kind: _convert(subset, pdef, store) for kind, subset in
                 (("materialized", status.materialized), ("failed", status.failed), ("in_progress", status.in_progress))}
    return build_partition_status(status.asset_key, pdef, converted, current_time=current_time,
                                  dynamic_partitions_store=store)


def _convert(subset: Subset, pdef: PartitionsDefinition, store: DynamicPartitionsStore | None) -> Any:
    from assetgraph.definitions.partitions.subset import partitions_subset_from_dict

    if isinstance(subset, KeySubset):
        keys = [k for k in subset.get_partition_keys() if _has_key(pdef, k, store)]
        return pdef.subset_with_keys(keys) if keys else pdef.empty_subset()
    try:
        return partitions_subset_from_dict(subset.to_dict(), pdef)
    except ValueError:  # PartitionError: the definition changed kind; nothing stored still applies
        return pdef.empty_subset()


def _has_key(pdef: PartitionsDefinition, key: str, store: DynamicPartitionsStore | None) -> bool:
    try:
        return pdef.has_partition_key(key, dynamic_partitions_store=store)
    except ValueError:
        return False
