"""`MultiPartitionsSubset`: subsets of a multi-dimensional definition with one time-window
dimension, kept as one time-window subset per combination of the other dimensions' keys.

So "daily x 50 regions over ten years" is 50 interval lists, not 180,000 keys, and counting
or set algebra never lists keys. Must not import anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from assetgraph.definitions.partitions.base import PartitionKeyRange
from assetgraph.definitions.partitions.subset import (
    Intervals,
    PartitionsSubset,
    TimeWindowPartitionsSubset,
    intersect_intervals,
    normalize_intervals,
    subtract_intervals,
)

if TYPE_CHECKING:
    from assetgraph.definitions.partitions.multi import MultiPartitionsDefinition

OtherKeys = tuple[str, ...]
"""The keys of the non-time dimensions, in sorted dimension-name order."""


class MultiPartitionsSubset(PartitionsSubset):
    """For each combination of the non-time dimensions' keys, the time windows held."""

    def __init__(
        self, partitions_def: MultiPartitionsDefinition, parts: Mapping[OtherKeys, TimeWindowPartitionsSubset]
    ) -> None:
        super().__init__(partitions_def)
        self._multi = partitions_def
        self._parts = {other: part for other, part in sorted(parts.items()) if part.intervals}

    @property
    def parts(self) -> Mapping[OtherKeys, TimeWindowPartitionsSubset]:
        """Non-time keys → the time-window subset held for them (empty ones omitted)."""
        return self._parts

    def __len__(self) -> int:
        return sum(len(part) for part in self._parts.values())

    def __contains__(self, partition_key: object) -> bool:
        if not isinstance(partition_key, str):
            return False
        parsed = self._multi.parse_key(partition_key)
        if parsed is None:
            return False
        time_key, other = self._multi.split_time_key(parsed)
        part = self._parts.get(other)
        return part is not None and time_key in part

    @property
    def ranges(self) -> list[PartitionKeyRange]:
        """One range per run of consecutive windows for one combination of the other keys; each range
        is a box in the sense of `MultiPartitionsDefinition.get_partition_keys_in_range`."""
        join = self._multi.join_time_key
        return [
            PartitionKeyRange(join(r.start, other), join(r.end, other))
            for other, part in self._parts.items()
            for r in part.ranges
        ]

    def get_partition_keys(self) -> list[str]:
        join = self._multi.join_time_key
        keys = [join(k, other) for other, part in self._parts.items() for k in part.get_partition_keys()]
        return self._multi.sort_partition_keys(keys)

    def _combine(self, other: PartitionsSubset, operation: str) -> PartitionsSubset:
        theirs = other._parts if isinstance(other, MultiPartitionsSubset) else {}
        mine = self._parts
        time_def = self._multi.time_dimension_def
        if operation == "or":
            keys = mine.keys() | theirs.keys()
            combine = _union
        elif operation == "and":
            keys = mine.keys() & theirs.keys()
            combine = intersect_intervals
        else:
            keys = set(mine)
            combine = subtract_intervals
        parts = {
            k: TimeWindowPartitionsSubset.from_snapped_intervals(time_def, combine(_intervals(mine, k), _intervals(theirs, k)))
            for k in keys
        }
        return MultiPartitionsSubset(self._multi, parts)

    def _state(self) -> Any:
        return tuple((other, part.intervals) for other, part in self._parts.items())

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "multi_time",
            "parts": [
                {"keys": list(other), "intervals": [[s, e] for s, e in part.intervals]}
                for other, part in self._parts.items()
            ],
        }

    @staticmethod
    def from_parts(
        partitions_def: MultiPartitionsDefinition, parts: Iterable[tuple[OtherKeys, Iterable[tuple[int, int]]]]
    ) -> MultiPartitionsSubset:
        """Build from (other keys, epoch intervals) pairs, merging repeated other keys."""
        time_def = partitions_def.time_dimension_def
        merged: dict[OtherKeys, list[tuple[int, int]]] = {}
        for other, intervals in parts:
            merged.setdefault(other, []).extend(intervals)
        return MultiPartitionsSubset(
            partitions_def, {other: TimeWindowPartitionsSubset(time_def, iv) for other, iv in merged.items()}
        )


def _intervals(parts: Mapping[OtherKeys, TimeWindowPartitionsSubset], key: OtherKeys) -> Intervals:
    part = parts.get(key)
    return part.intervals if part is not None else ()


def _union(left: Intervals, right: Intervals) -> Intervals:
    return normalize_intervals(left + right)
