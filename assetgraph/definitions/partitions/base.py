"""The interface every partitions definition implements, `PartitionKeyRange`, and the
`DynamicPartitionsStore` Protocol through which dynamic keys are read.

Pure values: no I/O, and no clock reads except the ``datetime.now`` default when a caller
gives no ``current_time``. Must not import anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from assetgraph.definitions.errors import PartitionError, UnknownPartitionKeyError, close_matches

if TYPE_CHECKING:
    from assetgraph.definitions.partitions.subset import PartitionsSubset

# Listing candidates for "did you mean" must stay cheap even for huge key spaces.
_MAX_CANDIDATES_FOR_SUGGESTIONS = 100_000


@dataclass(frozen=True)
class PartitionKeyRange:
    """An inclusive range of partition keys, in the definition's order.

    >>> PartitionKeyRange("2024-01-01", "2024-01-31").end
    '2024-01-31'
    """

    start: str
    end: str


@runtime_checkable
class DynamicPartitionsStore(Protocol):
    """Where the keys of dynamic partitions live (the instance satisfies it; tests pass a fake)."""

    def get_dynamic_partitions(self, name: str) -> Sequence[str]:
        """The keys of the dynamic partitions definition ``name``, in the order they were added."""
        ...

    def has_dynamic_partition(self, name: str, key: str) -> bool:
        """Whether ``key`` is a key of the dynamic partitions definition ``name``."""
        ...


class PartitionsDefinition(ABC):
    """The set of partition keys of an asset. Immutable; compares and hashes by value.

    Subclasses: `TimeWindowPartitionsDefinition` (and its daily, hourly, weekly and monthly
    forms), `StaticPartitionsDefinition`, `DynamicPartitionsDefinition`,
    `MultiPartitionsDefinition`.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _set(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)

    @abstractmethod
    def _identity(self) -> Hashable:
        """The value that equality and hashing use."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PartitionsDefinition) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    @abstractmethod
    def get_partition_keys(
        self, current_time: datetime | None = None, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> Sequence[str]:
        """All partition keys that exist at ``current_time`` (default: now), in order."""

    @abstractmethod
    def get_partition_keys_in_range(
        self, partition_key_range: PartitionKeyRange, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> Sequence[str]:
        """The keys from ``range.start`` to ``range.end`` inclusive.

        Raises `UnknownPartitionKeyError` for a key that is not in the definition and
        `PartitionError` when the start comes after the end.
        """

    @abstractmethod
    def has_partition_key(
        self,
        partition_key: str,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> bool:
        """Whether ``partition_key`` exists at ``current_time`` (default: now)."""

    @abstractmethod
    def num_partitions(
        self, current_time: datetime | None = None, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> int:
        """How many partitions exist at ``current_time``; never lists the keys of time windows."""

    def get_first_partition_key(
        self, current_time: datetime | None = None, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> str | None:
        """The first existing key, or None when there is none."""
        keys = self.get_partition_keys(current_time, dynamic_partitions_store)
        return keys[0] if keys else None

    def get_last_partition_key(
        self, current_time: datetime | None = None, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> str | None:
        """The last existing key, or None when there is none."""
        keys = self.get_partition_keys(current_time, dynamic_partitions_store)
        return keys[-1] if keys else None

    def validate_partition_key(
        self,
        partition_key: str,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> None:
        """Raise `UnknownPartitionKeyError` (naming the key and close matches) unless the key exists."""
        if not self.has_partition_key(partition_key, current_time, dynamic_partitions_store):
            raise self._unknown_key_error(partition_key, current_time, dynamic_partitions_store)

    def _unknown_key_error(
        self,
        partition_key: str,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> UnknownPartitionKeyError:
        message = f"Partition key {partition_key!r} is not a partition of {self!r}."
        if self.num_partitions(current_time, dynamic_partitions_store) <= _MAX_CANDIDATES_FOR_SUGGESTIONS:
            matches = close_matches(partition_key, self.get_partition_keys(current_time, dynamic_partitions_store))
            if matches:
                message += "\n  did you mean: " + ", ".join(matches)
        return UnknownPartitionKeyError(message)

    def _check_range_order(self, partition_key_range: PartitionKeyRange, start_index: int, end_index: int) -> None:
        if start_index > end_index:
            raise PartitionError(
                f"Partition key range {partition_key_range.start!r}..{partition_key_range.end!r} starts after "
                f"it ends in {self!r}. Swap the start and the end."
            )

    @abstractmethod
    def empty_subset(self) -> PartitionsSubset:
        """A subset with no partitions."""

    @abstractmethod
    def subset_with_keys(self, partition_keys: Iterable[str]) -> PartitionsSubset:
        """The subset holding exactly ``partition_keys`` (unknown keys raise `UnknownPartitionKeyError`)."""

    @abstractmethod
    def subset_with_key_range(
        self, partition_key_range: PartitionKeyRange, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> PartitionsSubset:
        """The subset holding the keys of an inclusive range."""

    @abstractmethod
    def all_subset(
        self, current_time: datetime | None = None, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> PartitionsSubset:
        """The subset of every partition that exists at ``current_time``."""

    @abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """A JSON-able snapshot; `partitions_def_from_dict` reads it back. Equal definitions give equal dicts."""


def partitions_def_from_dict(data: Mapping[str, Any]) -> PartitionsDefinition:
    """Rebuild a definition from `PartitionsDefinition.to_dict`.

    >>> from assetgraph.definitions.partitions import StaticPartitionsDefinition
    >>> d = StaticPartitionsDefinition(["us", "eu"])
    >>> partitions_def_from_dict(d.to_dict()) == d
    True
    """
    # Imported here: the concrete definitions import this module.
    from assetgraph.definitions.partitions.dynamic import DynamicPartitionsDefinition
    from assetgraph.definitions.partitions.multi import MultiPartitionsDefinition
    from assetgraph.definitions.partitions.static import StaticPartitionsDefinition
    from assetgraph.definitions.partitions.time_window import TimeWindowPartitionsDefinition

    kind = data.get("type")
    if kind == "time_window":
        return TimeWindowPartitionsDefinition.from_dict(data)
    if kind == "static":
        return StaticPartitionsDefinition(list(data["partition_keys"]))
    if kind == "dynamic":
        return DynamicPartitionsDefinition(str(data["name"]))
    if kind == "multi":
        return MultiPartitionsDefinition({name: partitions_def_from_dict(d) for name, d in data["dimensions"].items()})
    raise PartitionError(f"Unknown partitions definition type {kind!r} in snapshot {dict(data)!r}.")
