"""`DynamicPartitionsDefinition`: partition keys added and deleted at run time.

The keys live in the instance's storage and are read through the `DynamicPartitionsStore`
Protocol a caller passes in; this module never touches storage itself. Must not import
anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from datetime import datetime
from typing import Any

from assetgraph.definitions.errors import DefinitionError, PartitionError
from assetgraph.definitions.partitions.base import (
    DynamicPartitionsStore,
    PartitionKeyRange,
    PartitionsDefinition,
)
from assetgraph.definitions.partitions.subset import KeySetPartitionsSubset


class DynamicPartitionsDefinition(PartitionsDefinition):
    """Partitions whose keys are added at run time (``instance.add_dynamic_partitions(name, keys)``).

    Every method that needs the keys takes ``dynamic_partitions_store`` (an instance, or a
    fake in tests) and raises `PartitionError` when none is given.

    >>> class Store:
    ...     def get_dynamic_partitions(self, name): return ["a.csv", "b.csv"]
    ...     def has_dynamic_partition(self, name, key): return key in ("a.csv", "b.csv")
    >>> DynamicPartitionsDefinition("files").get_partition_keys(dynamic_partitions_store=Store())
    ['a.csv', 'b.csv']
    """

    name: str

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise DefinitionError(f"A dynamic partitions definition needs a non-empty name, got {name!r}.")
        self._set("name", name)

    def _identity(self) -> Hashable:
        return ("dynamic", self.name)

    def __repr__(self) -> str:
        return f"DynamicPartitionsDefinition({self.name!r})"

    def to_dict(self) -> dict[str, Any]:
        return {"type": "dynamic", "name": self.name}

    def _store(self, dynamic_partitions_store: DynamicPartitionsStore | None) -> DynamicPartitionsStore:
        if dynamic_partitions_store is None:
            raise PartitionError(
                f"The keys of dynamic partitions {self.name!r} live in the instance: pass "
                "dynamic_partitions_store= (an Instance) to list or check them."
            )
        return dynamic_partitions_store

    def get_partition_keys(
        self, current_time: datetime | None = None, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> Sequence[str]:
        return list(self._store(dynamic_partitions_store).get_dynamic_partitions(self.name))

    def get_partition_keys_in_range(
        self, partition_key_range: PartitionKeyRange, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> Sequence[str]:
        keys = self.get_partition_keys(dynamic_partitions_store=dynamic_partitions_store)
        positions = {k: i for i, k in enumerate(keys)}
        bounds = []
        for key in (partition_key_range.start, partition_key_range.end):
            if key not in positions:
                raise self._unknown_key_error(key, dynamic_partitions_store=dynamic_partitions_store)
            bounds.append(positions[key])
        self._check_range_order(partition_key_range, bounds[0], bounds[1])
        return list(keys[bounds[0] : bounds[1] + 1])

    def has_partition_key(
        self,
        partition_key: str,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> bool:
        return self._store(dynamic_partitions_store).has_dynamic_partition(self.name, partition_key)

    def num_partitions(
        self, current_time: datetime | None = None, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> int:
        return len(self._store(dynamic_partitions_store).get_dynamic_partitions(self.name))

    def empty_subset(self) -> KeySetPartitionsSubset:
        return KeySetPartitionsSubset(self, ())

    def subset_with_keys(self, partition_keys: Iterable[str]) -> KeySetPartitionsSubset:
        """The subset of ``partition_keys``; they are not checked against the store."""
        return KeySetPartitionsSubset(self, partition_keys)

    def subset_with_key_range(
        self, partition_key_range: PartitionKeyRange, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> KeySetPartitionsSubset:
        return KeySetPartitionsSubset(self, self.get_partition_keys_in_range(partition_key_range, dynamic_partitions_store))

    def all_subset(
        self, current_time: datetime | None = None, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> KeySetPartitionsSubset:
        return KeySetPartitionsSubset(self, self.get_partition_keys(current_time, dynamic_partitions_store))
