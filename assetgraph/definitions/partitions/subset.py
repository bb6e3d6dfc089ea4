"""Partition subsets: immutable sets of partitions of one definition.

Time windows are stored as sorted, disjoint ``[start, end)`` intervals in epoch seconds (never
as key lists), so counting and set algebra cost O(number of ranges) however many partitions
they hold, and a stored subset stays meaningful when the definition's start date or key
format changes. Static subsets are ranges of positions in the definition's order; dynamic and
multi-dimensional subsets are key sets. Must not import anything from assetgraph beyond
`definitions`.
"""

from __future__ import annotations

import bisect
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from assetgraph.definitions.errors import PartitionError
from assetgraph.definitions.partitions.base import PartitionKeyRange, PartitionsDefinition

if TYPE_CHECKING:
    from assetgraph.definitions.partitions.static import StaticPartitionsDefinition
    from assetgraph.definitions.partitions.time_window import TimeWindow, TimeWindowPartitionsDefinition

Intervals = tuple[tuple[int, int], ...]


def normalize_intervals(intervals: Iterable[tuple[int, int]]) -> Intervals:
    """Sort, drop empty intervals and merge overlapping or touching ones."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def intersect_intervals(left: Intervals, right: Intervals) -> Intervals:
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start, end = max(left[i][0], right[j][0]), min(left[i][1], right[j][1])
        if start < end:
            out.append((start, end))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def subtract_intervals(left: Intervals, right: Intervals) -> Intervals:
    out: list[tuple[int, int]] = []
    j = 0
    for start, end in left:
        while j < len(right) and right[j][1] <= start:
            j += 1
        k = j
        cursor = start
        while k < len(right) and right[k][0] < end:
            if right[k][0] > cursor:
                out.append((cursor, right[k][0]))
            cursor = max(cursor, right[k][1])
            k += 1
        if cursor < end:
            out.append((cursor, end))
    return tuple(out)


def _contains(intervals: Intervals, point: int) -> bool:
    index = bisect.bisect_right(intervals, point, key=lambda interval: interval[0]) - 1
    return index >= 0 and intervals[index][0] <= point < intervals[index][1]


class PartitionsSubset(ABC):
    """An immutable set of partitions of one definition.

    >>> from assetgraph.definitions.partitions import StaticPartitionsDefinition
    >>> regions = StaticPartitionsDefinition(["us", "eu", "apac"])
    >>> done = regions.subset_with_keys(["us"])
    >>> (regions.all_subset() - done).get_partition_keys()
    ['eu', 'apac']
    """

    def __init__(self, partitions_def: PartitionsDefinition) -> None:
        self._partitions_def = partitions_def

    @property
    def partitions_def(self) -> PartitionsDefinition:
        """The definition whose partitions this subset holds."""
        return self._partitions_def

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def __contains__(self, partition_key: object) -> bool: ...

    @property
    @abstractmethod
    def ranges(self) -> list[PartitionKeyRange]:
        """The subset as maximal inclusive key ranges, in the definition's order."""

    @abstractmethod
    def get_partition_keys(self) -> list[str]:
        """Every key in the subset, in the definition's order (lists them all: mind huge subsets)."""

    @abstractmethod
    def _combine(self, other: PartitionsSubset, operation: str) -> PartitionsSubset: ...

    @abstractmethod
    def _state(self) -> Any:
        """The hashable content that equality compares."""

    @abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """A JSON-able snapshot; `partitions_subset_from_dict` reads it back."""

    @property
    def is_empty(self) -> bool:
        """Whether the subset holds no partition."""
        return len(self) == 0

    def __iter__(self) -> Iterator[str]:
        return iter(self.get_partition_keys())

    def __or__(self, other: PartitionsSubset) -> PartitionsSubset:
        return self._combine(self._same_definition(other), "or")

    def __and__(self, other: PartitionsSubset) -> PartitionsSubset:
        return self._combine(self._same_definition(other), "and")

    def __sub__(self, other: PartitionsSubset) -> PartitionsSubset:
        return self._combine(self._same_definition(other), "sub")

    def with_partition_keys(self, partition_keys: Iterable[str]) -> PartitionsSubset:
        """This subset plus ``partition_keys``."""
        return self | self._partitions_def.subset_with_keys(partition_keys)

    def _same_definition(self, other: PartitionsSubset) -> PartitionsSubset:
        if type(other) is not type(self) or other.partitions_def != self._partitions_def:
            raise PartitionError(
                f"Cannot combine a subset of {other.partitions_def!r} with a subset of {self._partitions_def!r}: "
                "map one onto the other's definition first (see partition mappings)."
            )
        return other

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, PartitionsSubset)
            and type(other) is type(self)
            and other.partitions_def == self._partitions_def
            and other._state() == self._state()
        )

    def __hash__(self) -> int:
        return hash((self._partitions_def, self._state()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{r.start}..{r.end}" if r.start != r.end else r.start for r in self.ranges[:5])
        more = ", ..." if len(self.ranges) > 5 else ""
        return f"{type(self).__name__}([{shown}{more}], {len(self)} partitions of {self._partitions_def!r})"


class TimeWindowPartitionsSubset(PartitionsSubset):
    """Time-window partitions as ``[start, end)`` intervals in epoch seconds, snapped to the
    definition's boundaries and clipped to its start and end."""

    def __init__(self, partitions_def: TimeWindowPartitionsDefinition, intervals: Iterable[tuple[int, int]]) -> None:
        super().__init__(partitions_def)
        self._def = partitions_def
        snapped = (partitions_def.snap_interval(start, end) for start, end in intervals)
        self._intervals = normalize_intervals(snapped)

    @classmethod
    def from_snapped_intervals(
        cls, partitions_def: TimeWindowPartitionsDefinition, intervals: Intervals
    ) -> TimeWindowPartitionsSubset:
        """Build from intervals already sorted, disjoint and snapped (as set algebra on snapped
        intervals yields), skipping the per-interval snapping."""
        subset = cls.__new__(cls)
        PartitionsSubset.__init__(subset, partitions_def)
        subset._def = partitions_def
        subset._intervals = intervals
        return subset

    @property
    def intervals(self) -> Intervals:
        """The ``[start, end)`` epoch-second intervals, sorted and disjoint."""
        return self._intervals

    def _ordinal_ranges(self) -> Iterator[tuple[int, int]]:
        floor = self._def.cadence.floor
        for start, end in self._intervals:
            yield floor(start), floor(end)

    def __len__(self) -> int:
        return sum(hi - lo for lo, hi in self._ordinal_ranges())

    def __contains__(self, partition_key: object) -> bool:
        if not isinstance(partition_key, str):
            return False
        ordinal = self._def.ordinal_for_key(partition_key)
        return ordinal is not None and _contains(self._intervals, self._def.cadence.boundary(ordinal))

    @property
    def ranges(self) -> list[PartitionKeyRange]:
        key = self._def.key_for_ordinal
        return [PartitionKeyRange(key(lo), key(hi - 1)) for lo, hi in self._ordinal_ranges()]

    @property
    def time_windows(self) -> list[TimeWindow]:
        """The subset as maximal time windows."""
        from assetgraph.definitions.partitions.time_window import TimeWindow

        as_datetime = self._def.cadence.boundary_datetime
        return [TimeWindow(as_datetime(lo), as_datetime(hi)) for lo, hi in self._ordinal_ranges()]

    def get_partition_keys(self) -> list[str]:
        key = self._def.key_for_ordinal
        return [key(o) for lo, hi in self._ordinal_ranges() for o in range(lo, hi)]

    def _combine(self, other: PartitionsSubset, operation: str) -> PartitionsSubset:
        theirs = other._state()
        if operation == "or":
            intervals = normalize_intervals(self._intervals + theirs)
        elif operation == "and":
            intervals = intersect_intervals(self._intervals, theirs)
        else:
            intervals = subtract_intervals(self._intervals, theirs)
        return TimeWindowPartitionsSubset.from_snapped_intervals(self._def, intervals)

    def _state(self) -> Intervals:
        return self._intervals

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "time_window", "intervals": [[start, end] for start, end in self._intervals]}


class StaticPartitionsSubset(PartitionsSubset):
    """Static partitions as half-open ranges of positions in the definition's key order."""

    def __init__(self, partitions_def: StaticPartitionsDefinition, position_ranges: Iterable[tuple[int, int]]) -> None:
        super().__init__(partitions_def)
        self._def = partitions_def
        self._ranges = normalize_intervals(position_ranges)

    @classmethod
    def from_positions(cls, partitions_def: StaticPartitionsDefinition, positions: Iterable[int]) -> StaticPartitionsSubset:
        return cls(partitions_def, ((p, p + 1) for p in positions))

    def __len__(self) -> int:
        return sum(hi - lo for lo, hi in self._ranges)

    def __contains__(self, partition_key: object) -> bool:
        if not isinstance(partition_key, str):
            return False
        position = self._def.position_of(partition_key)
        return position is not None and _contains(self._ranges, position)

    @property
    def ranges(self) -> list[PartitionKeyRange]:
        keys = self._def.partition_keys
        return [PartitionKeyRange(keys[lo], keys[hi - 1]) for lo, hi in self._ranges]

    def get_partition_keys(self) -> list[str]:
        keys = self._def.partition_keys
        return [k for lo, hi in self._ranges for k in keys[lo:hi]]

    def _combine(self, other: PartitionsSubset, operation: str) -> PartitionsSubset:
        theirs = other._state()
        if operation == "or":
            ranges = normalize_intervals(self._ranges + theirs)
        elif operation == "and":
            ranges = intersect_intervals(self._ranges, theirs)
        else:
            ranges = subtract_intervals(self._ranges, theirs)
        return StaticPartitionsSubset(self._def, ranges)

    def _state(self) -> Intervals:
        return self._ranges

    def to_dict(self) -> dict[str, Any]:
        # Keys, not positions: a stored subset must survive keys being added or reordered.
        return {"kind": "static", "keys": self.get_partition_keys()}


class KeySetPartitionsSubset(PartitionsSubset):
    """Dynamic or multi-dimensional partitions as a set of keys."""

    def __init__(self, partitions_def: PartitionsDefinition, partition_keys: Iterable[str]) -> None:
        super().__init__(partitions_def)
        self._keys = frozenset(partition_keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, partition_key: object) -> bool:
        return partition_key in self._keys

    @property
    def ranges(self) -> list[PartitionKeyRange]:
        return [PartitionKeyRange(k, k) for k in self.get_partition_keys()]

    def get_partition_keys(self) -> list[str]:
        return sorted(self._keys)

    def _combine(self, other: PartitionsSubset, operation: str) -> PartitionsSubset:
        theirs: frozenset[str] = other._state()
        if operation == "or":
            keys = self._keys | theirs
        elif operation == "and":
            keys = self._keys & theirs
        else:
            keys = self._keys - theirs
        return KeySetPartitionsSubset(self._partitions_def, keys)

    def _state(self) -> frozenset[str]:
        return self._keys

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "keys", "keys": sorted(self._keys)}


def partitions_subset_from_dict(data: Mapping[str, Any], partitions_def: PartitionsDefinition) -> PartitionsSubset:
    """Rebuild a subset from `PartitionsSubset.to_dict` against the current ``partitions_def``.

    Time intervals outside the definition's current bounds are dropped, as are static keys
    the definition no longer has.

    >>> from assetgraph.definitions.partitions import StaticPartitionsDefinition
    >>> regions = StaticPartitionsDefinition(["us", "eu"])
    >>> subset = regions.subset_with_keys(["eu"])
    >>> partitions_subset_from_dict(subset.to_dict(), regions) == subset
    True
    """
    from assetgraph.definitions.partitions.multi import MultiPartitionsDefinition

    if isinstance(partitions_def, MultiPartitionsDefinition):
        return partitions_def.subset_from_dict(data)
    kind = data.get("kind")
    empty = partitions_def.empty_subset()
    if kind == "time_window" and isinstance(empty, TimeWindowPartitionsSubset):
        return TimeWindowPartitionsSubset(empty._def, ((int(s), int(e)) for s, e in data["intervals"]))
    if kind == "static" and isinstance(empty, StaticPartitionsSubset):
        positions = (empty._def.position_of(k) for k in data["keys"])
        return StaticPartitionsSubset.from_positions(empty._def, (p for p in positions if p is not None))
    if kind == "keys" and isinstance(empty, KeySetPartitionsSubset):
        return partitions_def.subset_with_keys(_as_str_sequence(data["keys"]))
    raise PartitionError(
        f"A stored partitions subset of kind {kind!r} does not fit {partitions_def!r}: "
        "the asset's partitions definition changed kind since it was stored."
    )


def _as_str_sequence(values: Iterable[Any]) -> Sequence[str]:
    return [str(v) for v in values]
