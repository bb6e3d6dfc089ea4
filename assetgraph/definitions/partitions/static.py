"""`StaticPartitionsDefinition`: a fixed, ordered list of partition keys.

Keys are data: commas, pipes, quotes, spaces and any unicode are fine. Pure. Must not import
anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from datetime import datetime
from typing import Any

from assetgraph.definitions.errors import DefinitionError
from assetgraph.definitions.partitions.base import (
    DynamicPartitionsStore,
    PartitionKeyRange,
    PartitionsDefinition,
)
from assetgraph.definitions.partitions.subset import StaticPartitionsSubset


class StaticPartitionsDefinition(PartitionsDefinition):
    """A fixed list of partition keys, in the order given.

    Raises `DefinitionError` for a duplicate or empty key.

    >>> regions = StaticPartitionsDefinition(["us", "eu"])
    >>> regions.get_partition_keys(), regions.num_partitions()
    (['us', 'eu'], 2)
    """

    partition_keys: tuple[str, ...]
    _positions: dict[str, int]

    def __init__(self, partition_keys: Sequence[str]) -> None:
        if isinstance(partition_keys, str):
            raise DefinitionError(
                f"StaticPartitionsDefinition takes a list of keys, got the string {partition_keys!r}: "
                f"write [{partition_keys!r}]."
            )
        keys = tuple(partition_keys)
        positions: dict[str, int] = {}
        for position, key in enumerate(keys):
            if not isinstance(key, str) or not key:
                raise DefinitionError(f"Static partition keys must be non-empty strings, got {key!r}.")
            if key in positions:
                raise DefinitionError(f"Static partition key {key!r} appears more than once; keys must be unique.")
            positions[key] = position
        self._set("partition_keys", keys)
        self._set("_positions", positions)

    def _identity(self) -> Hashable:
        return ("static", self.partition_keys)

    def __repr__(self) -> str:
        shown = list(self.partition_keys[:10])
        more = f" + {len(self.partition_keys) - 10} more" if len(self.partition_keys) > 10 else ""
        return f"StaticPartitionsDefinition({shown!r}{more})"

    def to_dict(self) -> dict[str, Any]:
        return {"type": "static", "partition_keys": list(self.partition_keys)}

    def position_of(self, partition_key: str) -> int | None:
        """The key's position in the definition's order, or None when it is not a key."""
        return self._positions.get(partition_key)

    def _require_position(self, partition_key: str) -> int:
        position = self._positions.get(partition_key)
        if position is None:
            raise self._unknown_key_error(partition_key)
        return position

    def get_partition_keys(
        self, current_time: datetime | None = None, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> Sequence[str]:
        return list(self.partition_keys)

    def get_partition_keys_in_range(
        self, partition_key_range: PartitionKeyRange, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> Sequence[str]:
        lo, hi = self._positions_of_range(partition_key_range)
        return list(self.partition_keys[lo : hi + 1])

    def _positions_of_range(self, partition_key_range: PartitionKeyRange) -> tuple[int, int]:
        lo = self._require_position(partition_key_range.start)
        hi = self._require_position(partition_key_range.end)
        self._check_range_order(partition_key_range, lo, hi)
        return lo, hi

    def has_partition_key(
        self,
        partition_key: str,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> bool:
        return partition_key in self._positions

    def num_partitions(
        self, current_time: datetime | None = None, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> int:
        return len(self.partition_keys)

    def empty_subset(self) -> StaticPartitionsSubset:
        return StaticPartitionsSubset(self, ())

    def subset_with_keys(self, partition_keys: Iterable[str]) -> StaticPartitionsSubset:
        return StaticPartitionsSubset.from_positions(self, (self._require_position(k) for k in partition_keys))

    def subset_with_key_range(
        self, partition_key_range: PartitionKeyRange, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> StaticPartitionsSubset:
        lo, hi = self._positions_of_range(partition_key_range)
        return StaticPartitionsSubset(self, [(lo, hi + 1)])

    def all_subset(
        self, current_time: datetime | None = None, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> StaticPartitionsSubset:
        return StaticPartitionsSubset(self, [(0, len(self.partition_keys))])
