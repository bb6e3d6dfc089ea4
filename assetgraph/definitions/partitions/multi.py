"""`MultiPartitionsDefinition`: the product of two or more partitions definitions, keyed by
`MultiPartitionKey` (``"2024-01-01|us"``, dimensions in sorted name order).

Pure. Must not import anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any

from assetgraph.definitions.errors import DefinitionError, UnknownPartitionKeyError
from assetgraph.definitions.partitions.base import (
    DynamicPartitionsStore,
    PartitionKeyRange,
    PartitionsDefinition,
)
from assetgraph.definitions.partitions.static import StaticPartitionsDefinition
from assetgraph.definitions.partitions.subset import KeySetPartitionsSubset
from assetgraph.definitions.partitions.time_window import TimeWindowPartitionsDefinition

SEPARATOR = "|"


class MultiPartitionKey(str):
    """A key of a `MultiPartitionsDefinition`: a ``str`` joining one key per dimension with ``|``,
    in sorted dimension-name order.

    >>> key = MultiPartitionKey({"region": "us", "date": "2024-01-01"})
    >>> str(key), key.keys_by_dimension["region"]
    ('2024-01-01|us', 'us')
    """

    keys_by_dimension: Mapping[str, str]

    def __new__(cls, keys_by_dimension: Mapping[str, str]) -> MultiPartitionKey:
        names = sorted(keys_by_dimension)
        key = super().__new__(cls, SEPARATOR.join(keys_by_dimension[n] for n in names))
        key.keys_by_dimension = MappingProxyType({n: keys_by_dimension[n] for n in names})
        return key

    def __reduce__(self) -> tuple[Any, ...]:
        return (MultiPartitionKey, (dict(self.keys_by_dimension),))

    def __repr__(self) -> str:
        return f"MultiPartitionKey({dict(self.keys_by_dimension)!r})"


class MultiPartitionsDefinition(PartitionsDefinition):
    """Every combination of one key per dimension.

    >>> from assetgraph.definitions.partitions import DailyPartitionsDefinition
    >>> multi = MultiPartitionsDefinition({
    ...     "date": DailyPartitionsDefinition("2024-01-01", end_date="2024-01-03"),
    ...     "region": StaticPartitionsDefinition(["us", "eu"]),
    ... })
    >>> [str(k) for k in multi.get_partition_keys()]
    ['2024-01-01|us', '2024-01-01|eu', '2024-01-02|us', '2024-01-02|eu']
    """

    partitions_defs: Mapping[str, PartitionsDefinition]
    """Dimension name → definition, in sorted name order."""

    def __init__(self, partitions_defs: Mapping[str, PartitionsDefinition]) -> None:
        if len(partitions_defs) < 2:
            raise DefinitionError(
                f"A MultiPartitionsDefinition needs at least two dimensions, got {list(partitions_defs)!r}."
            )
        for name, partitions_def in partitions_defs.items():
            _check_dimension(name, partitions_def)
        ordered = {name: partitions_defs[name] for name in sorted(partitions_defs)}
        self._set("partitions_defs", MappingProxyType(ordered))

    def _identity(self) -> Hashable:
        return ("multi", tuple(self.partitions_defs.items()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (MultiPartitionsDefinition, (dict(self.partitions_defs),))

    def __repr__(self) -> str:
        dims = ", ".join(f"{name!r}: {d!r}" for name, d in self.partitions_defs.items())
        return f"MultiPartitionsDefinition({{{dims}}})"

    def to_dict(self) -> dict[str, Any]:
        return {"type": "multi", "dimensions": {name: d.to_dict() for name, d in self.partitions_defs.items()}}

    @property
    def partition_dimension_names(self) -> list[str]:
        """The dimension names, sorted."""
        return list(self.partitions_defs)

    @property
    def time_window_dimension_name(self) -> str | None:
        """The name of the first time-window dimension, if any."""
        for name, partitions_def in self.partitions_defs.items():
            if isinstance(partitions_def, TimeWindowPartitionsDefinition):
                return name
        return None

    def get_partitions_def_for_dimension(self, dimension_name: str) -> PartitionsDefinition:
        """The definition of one dimension; raises `DefinitionError` naming the known dimensions."""
        if dimension_name not in self.partitions_defs:
            raise DefinitionError(
                f"{self!r} has no dimension {dimension_name!r}; its dimensions are {self.partition_dimension_names!r}."
            )
        return self.partitions_defs[dimension_name]

    def parse_key(self, partition_key: str) -> MultiPartitionKey | None:
        """``partition_key`` as a `MultiPartitionKey`, or None when it has the wrong number of parts."""
        if isinstance(partition_key, MultiPartitionKey):
            return partition_key if list(partition_key.keys_by_dimension) == self.partition_dimension_names else None
        parts = partition_key.split(SEPARATOR)
        if len(parts) != len(self.partitions_defs):
            return None
        return MultiPartitionKey(dict(zip(self.partitions_defs, parts, strict=True)))

    def _require_key(
        self, partition_key: str, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> MultiPartitionKey:
        parsed = self.parse_key(partition_key)
        if parsed is None:
            raise UnknownPartitionKeyError(
                f"Partition key {partition_key!r} is not a key of {self!r}: write one key per dimension "
                f"({', '.join(self.partition_dimension_names)}) joined by {SEPARATOR!r}."
            )
        return parsed

    def _dimension_key_ranges(
        self, partition_key_range: PartitionKeyRange, dynamic_partitions_store: DynamicPartitionsStore | None
    ) -> list[Sequence[str]]:
        start = self._require_key(partition_key_range.start)
        end = self._require_key(partition_key_range.end)
        return [
            d.get_partition_keys_in_range(
                PartitionKeyRange(start.keys_by_dimension[name], end.keys_by_dimension[name]), dynamic_partitions_store
            )
            for name, d in self.partitions_defs.items()
        ]

    def _product(self, keys_per_dimension: Sequence[Sequence[str]]) -> list[MultiPartitionKey]:
        names = self.partition_dimension_names
        return [MultiPartitionKey(dict(zip(names, combo, strict=True))) for combo in itertools.product(*keys_per_dimension)]

    def get_partition_keys(
        self, current_time: datetime | None = None, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> Sequence[str]:
        return self._product(
            [d.get_partition_keys(current_time, dynamic_partitions_store) for d in self.partitions_defs.values()]
        )

    def get_partition_keys_in_range(
        self, partition_key_range: PartitionKeyRange, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> Sequence[str]:
        """The box between the two keys: each dimension's range from its start key to its end key."""
        return self._product(self._dimension_key_ranges(partition_key_range, dynamic_partitions_store))

    def get_last_partition_key(
        self, current_time: datetime | None = None, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> str | None:
        lasts = {name: d.get_last_partition_key(current_time, dynamic_partitions_store)
                 for name, d in self.partitions_defs.items()}
        if any(v is None for v in lasts.values()):
            return None
        return MultiPartitionKey({name: v for name, v in lasts.items() if v is not None})

    def get_first_partition_key(
        self, current_time: datetime | None = None, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> str | None:
        firsts = {name: d.get_first_partition_key(current_time, dynamic_partitions_store)
                  for name, d in self.partitions_defs.items()}
        if any(v is None for v in firsts.values()):
            return None
        return MultiPartitionKey({name: v for name, v in firsts.items() if v is not None})

    def has_partition_key(
        self,
        partition_key: str,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> bool:
        parsed = self.parse_key(partition_key)
        return parsed is not None and all(
            d.has_partition_key(parsed.keys_by_dimension[name], current_time, dynamic_partitions_store)
            for name, d in self.partitions_defs.items()
        )

    def num_partitions(
        self, current_time: datetime | None = None, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> int:
        count = 1
        for d in self.partitions_defs.values():
            count *= d.num_partitions(current_time, dynamic_partitions_store)
        return count

    def _unknown_key_error(
        self,
        partition_key: str,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> UnknownPartitionKeyError:
        parsed = self._require_key(partition_key)
        for name, d in self.partitions_defs.items():
            key = parsed.keys_by_dimension[name]
            if not d.has_partition_key(key, current_time, dynamic_partitions_store):
                inner = d._unknown_key_error(key, current_time, dynamic_partitions_store)
                return UnknownPartitionKeyError(
                    f"Partition key {partition_key!r} is not a key of {self!r}: in dimension {name!r}, {inner.args[0]}"
                )
        return UnknownPartitionKeyError(f"Partition key {partition_key!r} is not a key of {self!r}.")

    def _is_well_formed(self, key: MultiPartitionKey) -> bool:
        """Whether each part is a key its dimension could have (dynamic and time bounds aside)."""
        for name, d in self.partitions_defs.items():
            part = key.keys_by_dimension[name]
            if isinstance(d, StaticPartitionsDefinition) and d.position_of(part) is None:
                return False
            if isinstance(d, TimeWindowPartitionsDefinition) and d.ordinal_for_key(part) is None:
                return False
        return True

    def empty_subset(self) -> KeySetPartitionsSubset:
        return KeySetPartitionsSubset(self, ())

    def subset_with_keys(self, partition_keys: Iterable[str]) -> KeySetPartitionsSubset:
        """Raises `UnknownPartitionKeyError` for a key that no combination of dimension keys can form."""
        keys = []
        for partition_key in partition_keys:
            parsed = self._require_key(partition_key)
            if not self._is_well_formed(parsed):
                raise self._unknown_key_error(partition_key)
            keys.append(parsed)
        return KeySetPartitionsSubset(self, keys)

    def subset_with_known_keys(self, partition_keys: Iterable[str]) -> KeySetPartitionsSubset:
        """Like `subset_with_keys`, but drops keys the definition cannot form (for stored subsets)."""
        parsed = (self.parse_key(k) for k in partition_keys)
        return KeySetPartitionsSubset(self, (k for k in parsed if k is not None and self._is_well_formed(k)))

    def subset_with_key_range(
        self, partition_key_range: PartitionKeyRange, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> KeySetPartitionsSubset:
        return KeySetPartitionsSubset(self, self.get_partition_keys_in_range(partition_key_range, dynamic_partitions_store))

    def all_subset(
        self, current_time: datetime | None = None, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> KeySetPartitionsSubset:
        return KeySetPartitionsSubset(self, self.get_partition_keys(current_time, dynamic_partitions_store))


def _check_dimension(name: str, partitions_def: PartitionsDefinition) -> None:
    if not isinstance(name, str) or not name or SEPARATOR in name:
        raise DefinitionError(f"Dimension names must be non-empty strings without {SEPARATOR!r}, got {name!r}.")
    if isinstance(partitions_def, MultiPartitionsDefinition):
        raise DefinitionError(f"Dimension {name!r} is itself multi-dimensional: flatten it into this definition.")
    if not isinstance(partitions_def, PartitionsDefinition):
        raise DefinitionError(f"Dimension {name!r} must be a partitions definition, got {partitions_def!r}.")
    if isinstance(partitions_def, StaticPartitionsDefinition):
        for key in partitions_def.partition_keys:
            if SEPARATOR in key:
                raise DefinitionError(
                    f"Static key {key!r} of dimension {name!r} contains {SEPARATOR!r}, which joins the keys "
                    "of a multi-dimensional partition: rename the key."
                )
