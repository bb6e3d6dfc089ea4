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

from assetgraph.definitions.errors import (
    DefinitionError,
    InternalError,
    PartitionError,
    UnknownPartitionKeyError,
)
from assetgraph.definitions.partitions.base import (
    DynamicPartitionsStore,
    PartitionKeyRange,
    PartitionsDefinition,
)
from assetgraph.definitions.partitions.multi_subset import MultiPartitionsSubset
from assetgraph.definitions.partitions.static import StaticPartitionsDefinition
from assetgraph.definitions.partitions.subset import (
    KeySetPartitionsSubset,
    PartitionsSubset,
    TimeWindowPartitionsSubset,
)
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

    # Subsets: per-combination time windows when exactly one dimension is a time window, else key sets.

    @property
    def has_time_subsets(self) -> bool:
        """Whether subsets are kept as time windows per combination of the other dimensions' keys."""
        return sum(isinstance(d, TimeWindowPartitionsDefinition) for d in self.partitions_defs.values()) == 1

    @property
    def time_dimension_def(self) -> TimeWindowPartitionsDefinition:
        """The one time-window dimension's definition (only when `has_time_subsets`)."""
        name = self.time_window_dimension_name
        partitions_def = self.partitions_defs[name] if name is not None else None
        if not isinstance(partitions_def, TimeWindowPartitionsDefinition):
            raise InternalError(f"{self!r} has no time-window dimension.")
        return partitions_def

    def split_time_key(self, key: MultiPartitionKey) -> tuple[str, tuple[str, ...]]:
        """The time dimension's key and the other dimensions' keys (sorted by dimension name)."""
        time_name = self.time_window_dimension_name
        parts = key.keys_by_dimension
        return parts[time_name or ""], tuple(v for n, v in parts.items() if n != time_name)

    def join_time_key(self, time_key: str, other_keys: Sequence[str]) -> MultiPartitionKey:
        """The inverse of `split_time_key`."""
        time_name = self.time_window_dimension_name or ""
        others = (n for n in self.partitions_defs if n != time_name)
        return MultiPartitionKey({time_name: time_key, **dict(zip(others, other_keys, strict=True))})

    def sort_partition_keys(self, partition_keys: Iterable[str]) -> list[str]:
        """``partition_keys`` in the definition's order (dynamic dimensions: by key)."""
        parsed = [p for p in (self.parse_key(k) for k in partition_keys) if p is not None]
        ordered = sorted(parsed, key=self._order_of)
        return [*ordered]

    def _order_of(self, key: MultiPartitionKey) -> tuple[Any, ...]:
        order: list[Any] = []
        for name, d in self.partitions_defs.items():
            part = key.keys_by_dimension[name]
            if isinstance(d, TimeWindowPartitionsDefinition):
                order.append(d.ordinal_for_key(part) or 0)
            elif isinstance(d, StaticPartitionsDefinition):
                order.append(d.position_of(part) or 0)
            else:
                order.append(part)
        return tuple(order)

    def _subset_of(self, keys: Iterable[MultiPartitionKey]) -> PartitionsSubset:
        if not self.has_time_subsets:
            return KeySetPartitionsSubset(self, keys)
        time_def = self.time_dimension_def
        grouped: dict[tuple[str, ...], list[str]] = {}
        for key in keys:
            time_key, other = self.split_time_key(key)
            grouped.setdefault(other, []).append(time_key)
        return MultiPartitionsSubset(self, {other: time_def.subset_with_keys(ks) for other, ks in grouped.items()})

    def _other_keys(
        self, keys_per_dimension: Mapping[str, Sequence[str]]
    ) -> list[tuple[str, ...]]:
        time_name = self.time_window_dimension_name
        return list(itertools.product(*(keys for name, keys in keys_per_dimension.items() if name != time_name)))

    def empty_subset(self) -> PartitionsSubset:
        return self._subset_of(())

    def subset_with_keys(self, partition_keys: Iterable[str]) -> PartitionsSubset:
        """Raises `UnknownPartitionKeyError` for a key that no combination of dimension keys can form."""
        keys = []
        for partition_key in partition_keys:
            parsed = self._require_key(partition_key)
            if not self._is_well_formed(parsed):
                raise self._unknown_key_error(partition_key)
            keys.append(parsed)
        return self._subset_of(keys)

    def subset_from_dict(self, data: Mapping[str, Any]) -> PartitionsSubset:
        """Read a stored subset (`partitions_subset_from_dict`), dropping what the definition cannot form."""
        if data.get("kind") == "multi_time" and self.has_time_subsets:
            parts = [
                (tuple(str(k) for k in part["keys"]), [(int(s), int(e)) for s, e in part["intervals"]])
                for part in data["parts"]
            ]
            probe = self.time_dimension_def.key_for_ordinal(self.time_dimension_def.first_ordinal)
            known = [(other, iv) for other, iv in parts
                     if len(other) == len(self.partitions_defs) - 1
                     and self._is_well_formed(self.join_time_key(probe, other))]
            return MultiPartitionsSubset.from_parts(self, known)
        if data.get("kind") == "keys":
            parsed = (self.parse_key(str(k)) for k in data["keys"])
            return self._subset_of(k for k in parsed if k is not None and self._is_well_formed(k))
        raise PartitionError(
            f"A stored partitions subset of kind {data.get('kind')!r} does not fit {self!r}: "
            "the asset's partitions definition changed kind since it was stored."
        )

    def subset_with_key_range(
        self, partition_key_range: PartitionKeyRange, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> PartitionsSubset:
        if not self.has_time_subsets:
            return self._subset_of(self._product(self._dimension_key_ranges(partition_key_range, dynamic_partitions_store)))
        ranges = dict(zip(self.partitions_defs, self._dimension_key_ranges(partition_key_range, dynamic_partitions_store),
                          strict=True))
        time_name = self.time_window_dimension_name or ""
        time_keys = ranges[time_name]
        window = self.time_dimension_def.subset_with_key_range(PartitionKeyRange(time_keys[0], time_keys[-1]))
        return MultiPartitionsSubset(self, {other: window for other in self._other_keys(ranges)})

    def all_subset(
        self, current_time: datetime | None = None, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> PartitionsSubset:
        if not self.has_time_subsets:
            return self._subset_of(self._product(
                [d.get_partition_keys(current_time, dynamic_partitions_store) for d in self.partitions_defs.values()]
            ))
        window = self.time_dimension_def.all_subset(current_time)
        return self.subset_with_time_windows(window, current_time, dynamic_partitions_store)

    def subset_with_time_windows(
        self,
        windows: TimeWindowPartitionsSubset,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> MultiPartitionsSubset:
        """``windows`` of the time dimension for every combination of the other dimensions' keys
        (only when `has_time_subsets`)."""
        time_name = self.time_window_dimension_name
        keys = {name: d.get_partition_keys(current_time, dynamic_partitions_store)
                for name, d in self.partitions_defs.items() if name != time_name}
        window = TimeWindowPartitionsSubset(self.time_dimension_def, windows.intervals)
        return MultiPartitionsSubset(self, {other: window for other in self._other_keys(keys)})


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
