"""Partition mappings: which upstream partitions a downstream partition needs, and back.

Each mapping answers ``get_upstream_partitions`` (downstream subset → upstream subset it
reads) and ``get_downstream_partitions`` (upstream subset → downstream subsets that read
it), and ``validate`` rejects definitions it cannot map with a `DefinitionError`.
`default_partition_mapping` picks the mapping used when a dependency names none. Pure. Must
not import anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assetgraph.definitions.errors import DefinitionError, PartitionError, close_matches
from assetgraph.definitions.partitions.base import DynamicPartitionsStore, PartitionsDefinition
from assetgraph.definitions.partitions.multi import MultiPartitionKey, MultiPartitionsDefinition
from assetgraph.definitions.partitions.multi_subset import MultiPartitionsSubset
from assetgraph.definitions.partitions.static import StaticPartitionsDefinition
from assetgraph.definitions.partitions.subset import PartitionsSubset, TimeWindowPartitionsSubset
from assetgraph.definitions.partitions.time_window import TimeWindowPartitionsDefinition


class PartitionMapping(ABC):
    """How the partitions of a downstream asset depend on those of an upstream asset.

    An unpartitioned side is ``None`` (definition and subset alike). Asking for partitions of
    an unpartitioned side raises `PartitionError`: callers treat such an asset as a whole.
    """

    @abstractmethod
    def validate(self, upstream_def: PartitionsDefinition | None, downstream_def: PartitionsDefinition | None) -> None:
        """Raise `DefinitionError` when this mapping cannot map between the two definitions."""

    @abstractmethod
    def get_upstream_partitions(
        self,
        downstream_subset: PartitionsSubset | None,
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition | None,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> PartitionsSubset:
        """The upstream partitions that ``downstream_subset`` reads."""

    @abstractmethod
    def get_downstream_partitions(
        self,
        upstream_subset: PartitionsSubset | None,
        upstream_def: PartitionsDefinition | None,
        downstream_def: PartitionsDefinition | None,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> PartitionsSubset:
        """The downstream partitions that read any of ``upstream_subset``."""

    @abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """A JSON-able snapshot; `partition_mapping_from_dict` reads it back."""


def _partitioned(partitions_def: PartitionsDefinition | None, side: str) -> PartitionsDefinition:
    if partitions_def is None:
        raise PartitionError(
            f"The {side} asset is unpartitioned, so it has no partitions to map to: treat it as a whole."
        )
    return partitions_def


def _keys_of(subset: PartitionsSubset | None) -> list[str]:
    return [] if subset is None else subset.get_partition_keys()


def _have_same_cadence(left: PartitionsDefinition, right: PartitionsDefinition) -> bool:
    return (
        isinstance(left, TimeWindowPartitionsDefinition)
        and isinstance(right, TimeWindowPartitionsDefinition)
        and (left.cron_schedule, left.timezone, left.fmt) == (right.cron_schedule, right.timezone, right.fmt)
    )


def _carry(
    subset: PartitionsSubset | None,
    target_def: PartitionsDefinition,
    current_time: datetime | None,
    dynamic_partitions_store: DynamicPartitionsStore | None,
) -> PartitionsSubset:
    """The same partitions, as a subset of ``target_def`` (keys it lacks are dropped)."""
    if subset is None:
        return target_def.empty_subset()
    if subset.partitions_def == target_def:
        return subset
    if isinstance(subset, TimeWindowPartitionsSubset) and isinstance(target_def, TimeWindowPartitionsDefinition):
        return TimeWindowPartitionsSubset(target_def, subset.intervals)
    keys = [
        k for k in subset.get_partition_keys()
        if target_def.has_partition_key(k, current_time, dynamic_partitions_store)
    ]
    return target_def.subset_with_keys(keys)


@dataclass(frozen=True)
class IdentityPartitionMapping(PartitionMapping):
    """Downstream partition ``k`` reads upstream partition ``k`` (the default for equal definitions)."""

    def validate(self, upstream_def: PartitionsDefinition | None, downstream_def: PartitionsDefinition | None) -> None:
        if upstream_def is None and downstream_def is None:
            return
        if upstream_def is None or downstream_def is None:
            raise DefinitionError(
                "IdentityPartitionMapping needs both assets partitioned, but "
                f"{'the upstream' if upstream_def is None else 'the downstream'} asset is not: "
                "use AllPartitionMapping, or partition both."
            )
        if upstream_def != downstream_def and not _have_same_cadence(upstream_def, downstream_def):
            raise DefinitionError(
                f"IdentityPartitionMapping maps a partition to the partition with the same key, but the "
                f"definitions differ:\n  upstream:   {upstream_def!r}\n  downstream: {downstream_def!r}\n"
                "Use the same partitions definition on both assets, or a StaticPartitionMapping or "
                "TimeWindowPartitionMapping that says how keys correspond."
            )

    def get_upstream_partitions(
        self,
        downstream_subset: PartitionsSubset | None,
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition | None,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> PartitionsSubset:
        return _carry(downstream_subset, _partitioned(upstream_def, "upstream"), current_time, dynamic_partitions_store)

    def get_downstream_partitions(
        self,
        upstream_subset: PartitionsSubset | None,
        upstream_def: PartitionsDefinition | None,
        downstream_def: PartitionsDefinition | None,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> PartitionsSubset:
        return _carry(upstream_subset, _partitioned(downstream_def, "downstream"), current_time, dynamic_partitions_store)

    def to_dict(self) -> dict[str, Any]:
        return {"type": "identity"}


@dataclass(frozen=True)
class TimeWindowPartitionMapping(PartitionMapping):
    """Downstream window ``[s, e)`` reads the upstream windows that overlap it, widened by
    ``start_offset`` and ``end_offset`` upstream windows (``-1, -1``: the previous window).

    The default between time-window definitions, e.g. daily upstream and weekly downstream.

    >>> from assetgraph.definitions.partitions import DailyPartitionsDefinition, WeeklyPartitionsDefinition
    >>> daily, weekly = DailyPartitionsDefinition("2024-01-01"), WeeklyPartitionsDefinition("2024-01-01")
    >>> up = TimeWindowPartitionMapping().get_upstream_partitions(
    ...     weekly.subset_with_keys(["2024-01-07"]), weekly, daily)
    >>> up.ranges[0].start, up.ranges[0].end
    ('2024-01-07', '2024-01-13')
    """

    start_offset: int = 0
    end_offset: int = 0

    def __post_init__(self) -> None:
        if self.start_offset > self.end_offset:
            raise DefinitionError(
                f"TimeWindowPartitionMapping(start_offset={self.start_offset}, end_offset={self.end_offset}) maps "
                "to no partition: start_offset must not exceed end_offset."
            )

    def validate(self, upstream_def: PartitionsDefinition | None, downstream_def: PartitionsDefinition | None) -> None:
        self._time_defs(upstream_def, downstream_def)

    @staticmethod
    def _time_defs(
        upstream_def: PartitionsDefinition | None, downstream_def: PartitionsDefinition | None
    ) -> tuple[TimeWindowPartitionsDefinition, TimeWindowPartitionsDefinition]:
        return _time_window_def(upstream_def, "upstream"), _time_window_def(downstream_def, "downstream")

    def get_upstream_partitions(
        self,
        downstream_subset: PartitionsSubset | None,
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition | None,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> PartitionsSubset:
        up_def, down_def = self._time_defs(upstream_def, downstream_def)
        subset = _carry(downstream_subset, down_def, current_time, dynamic_partitions_store)
        if not isinstance(subset, TimeWindowPartitionsSubset):
            return up_def.empty_subset()
        cadence = up_def.cadence
        ranges = [
            (cadence.floor(start) + self.start_offset, cadence.ceil(end) + self.end_offset)
            for start, end in subset.intervals
        ]
        return up_def.subset_for_ordinals(ranges)

    def get_downstream_partitions(
        self,
        upstream_subset: PartitionsSubset | None,
        upstream_def: PartitionsDefinition | None,
        downstream_def: PartitionsDefinition | None,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> PartitionsSubset:
        up_def, down_def = self._time_defs(upstream_def, downstream_def)
        subset = _carry(upstream_subset, up_def, current_time, dynamic_partitions_store)
        if not isinstance(subset, TimeWindowPartitionsSubset):
            return down_def.empty_subset()
        up, down = up_def.cadence, down_def.cadence
        ranges = []
        for start, end in subset.intervals:
            # Downstream partition d reads upstream ordinals [lo(d) + start_offset, hi(d) + end_offset);
            # it reads this interval's ordinals [a, b) iff its overlap range meets [a - end_offset, b - start_offset).
            lo, hi = up.floor(start) - self.end_offset, up.floor(end) - self.start_offset
            if lo < hi:
                ranges.append((down.floor(up.boundary(lo)), down.ceil(up.boundary(hi))))
        return down_def.subset_for_ordinals(ranges)

    def to_dict(self) -> dict[str, Any]:
        return {"type": "time_window", "start_offset": self.start_offset, "end_offset": self.end_offset}


def _time_window_def(partitions_def: PartitionsDefinition | None, side: str) -> TimeWindowPartitionsDefinition:
    if not isinstance(partitions_def, TimeWindowPartitionsDefinition):
        raise DefinitionError(
            f"TimeWindowPartitionMapping maps between time-window partitions, but the {side} asset has "
            f"{partitions_def!r}. Use a time-window partitions definition (e.g. DailyPartitionsDefinition) "
            "or another partition mapping."
        )
    return partitions_def


@dataclass(frozen=True)
class AllPartitionMapping(PartitionMapping):
    """Every downstream partition reads every upstream partition (the default when the downstream
    asset is unpartitioned)."""

    def validate(self, upstream_def: PartitionsDefinition | None, downstream_def: PartitionsDefinition | None) -> None:
        return None

    def get_upstream_partitions(
        self,
        downstream_subset: PartitionsSubset | None,
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition | None,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> PartitionsSubset:
        up_def = _partitioned(upstream_def, "upstream")
        if downstream_subset is not None and downstream_subset.is_empty:
            return up_def.empty_subset()
        return up_def.all_subset(current_time, dynamic_partitions_store)

    def get_downstream_partitions(
        self,
        upstream_subset: PartitionsSubset | None,
        upstream_def: PartitionsDefinition | None,
        downstream_def: PartitionsDefinition | None,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> PartitionsSubset:
        down_def = _partitioned(downstream_def, "downstream")
        if upstream_subset is not None and upstream_subset.is_empty:
            return down_def.empty_subset()
        return down_def.all_subset(current_time, dynamic_partitions_store)

    def to_dict(self) -> dict[str, Any]:
        return {"type": "all"}


@dataclass(frozen=True)
class LastPartitionMapping(PartitionMapping):
    """Every downstream partition reads the upstream's last existing partition."""

    def validate(self, upstream_def: PartitionsDefinition | None, downstream_def: PartitionsDefinition | None) -> None:
        if upstream_def is None:
            raise DefinitionError(
                "LastPartitionMapping reads the upstream's last partition, but the upstream asset is "
                "unpartitioned: remove the mapping."
            )

    def get_upstream_partitions(
        self,
        downstream_subset: PartitionsSubset | None,
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition | None,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> PartitionsSubset:
        up_def = _partitioned(upstream_def, "upstream")
        last = up_def.get_last_partition_key(current_time, dynamic_partitions_store)
        if last is None or (downstream_subset is not None and downstream_subset.is_empty):
            return up_def.empty_subset()
        return up_def.subset_with_keys([last])

    def get_downstream_partitions(
        self,
        upstream_subset: PartitionsSubset | None,
        upstream_def: PartitionsDefinition | None,
        downstream_def: PartitionsDefinition | None,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> PartitionsSubset:
        down_def = _partitioned(downstream_def, "downstream")
        up_def = _partitioned(upstream_def, "upstream")
        last = up_def.get_last_partition_key(current_time, dynamic_partitions_store)
        if last is None or upstream_subset is None or last not in upstream_subset:
            return down_def.empty_subset()
        return down_def.all_subset(current_time, dynamic_partitions_store)

    def to_dict(self) -> dict[str, Any]:
        return {"type": "last"}


class StaticPartitionMapping(PartitionMapping):
    """Explicit correspondence between static keys: upstream key → downstream key or keys.

    >>> regions = StaticPartitionsDefinition(["us-east", "us-west", "eu"])
    >>> areas = StaticPartitionsDefinition(["us", "eu"])
    >>> mapping = StaticPartitionMapping({"us-east": "us", "us-west": "us", "eu": "eu"})
    >>> mapping.get_upstream_partitions(areas.subset_with_keys(["us"]), areas, regions).get_partition_keys()
    ['us-east', 'us-west']
    """

    def __init__(self, downstream_partition_keys_by_upstream_partition_key: Mapping[str, str | Collection[str]]) -> None:
        pairs = []
        for upstream_key, downstream in downstream_partition_keys_by_upstream_partition_key.items():
            downstream_keys = (downstream,) if isinstance(downstream, str) else tuple(sorted(set(downstream)))
            pairs.append((upstream_key, downstream_keys))
        self._pairs: tuple[tuple[str, tuple[str, ...]], ...] = tuple(sorted(pairs))

    @property
    def downstream_partition_keys_by_upstream_partition_key(self) -> dict[str, frozenset[str]]:
        """Upstream key → the downstream keys that read it."""
        return {up: frozenset(down) for up, down in self._pairs}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StaticPartitionMapping) and other._pairs == self._pairs

    def __hash__(self) -> int:
        return hash(self._pairs)

    def __repr__(self) -> str:
        return f"StaticPartitionMapping({ {up: set(down) for up, down in self._pairs}!r})"

    def validate(self, upstream_def: PartitionsDefinition | None, downstream_def: PartitionsDefinition | None) -> None:
        for side, partitions_def, keys in (
            ("upstream", upstream_def, [up for up, _ in self._pairs]),
            ("downstream", downstream_def, [d for _, down in self._pairs for d in down]),
        ):
            if not isinstance(partitions_def, StaticPartitionsDefinition):
                raise DefinitionError(
                    f"StaticPartitionMapping maps between static partitions, but the {side} asset has "
                    f"{partitions_def!r}."
                )
            for key in keys:
                if partitions_def.position_of(key) is None:
                    message = f"StaticPartitionMapping names {side} partition {key!r}, which {partitions_def!r} lacks."
                    matches = close_matches(key, partitions_def.partition_keys)
                    if matches:
                        message += "\n  did you mean: " + ", ".join(matches)
                    raise DefinitionError(message)

    def get_upstream_partitions(
        self,
        downstream_subset: PartitionsSubset | None,
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition | None,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> PartitionsSubset:
        up_def = _partitioned(upstream_def, "upstream")
        wanted = set(_keys_of(downstream_subset))
        keys = [up for up, down in self._pairs if wanted.intersection(down)]
        return up_def.subset_with_keys(k for k in keys if up_def.has_partition_key(k, current_time, dynamic_partitions_store))

    def get_downstream_partitions(
        self,
        upstream_subset: PartitionsSubset | None,
        upstream_def: PartitionsDefinition | None,
        downstream_def: PartitionsDefinition | None,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> PartitionsSubset:
        down_def = _partitioned(downstream_def, "downstream")
        changed = set(_keys_of(upstream_subset))
        keys = {d for up, down in self._pairs if up in changed for d in down}
        return down_def.subset_with_keys(
            k for k in sorted(keys) if down_def.has_partition_key(k, current_time, dynamic_partitions_store)
        )

    def to_dict(self) -> dict[str, Any]:
        return {"type": "static", "mapping": {up: list(down) for up, down in self._pairs}}


@dataclass(frozen=True)
class MultiToSingleDimensionPartitionMapping(PartitionMapping):
    """Between a multi-dimensional and a single-dimensional asset (either may be upstream): a
    multi key maps to its key in ``dimension_name``, whose definition equals the single one.
    ``None`` picks the one dimension whose definition equals the single definition.
    """

    dimension_name: str | None = None

    def _resolve(
        self, upstream_def: PartitionsDefinition | None, downstream_def: PartitionsDefinition | None
    ) -> tuple[MultiPartitionsDefinition, PartitionsDefinition, str]:
        multi, single = (upstream_def, downstream_def)
        if not isinstance(multi, MultiPartitionsDefinition):
            multi, single = single, multi
        if not isinstance(multi, MultiPartitionsDefinition) or single is None or isinstance(
            single, MultiPartitionsDefinition
        ):
            raise DefinitionError(
                "MultiToSingleDimensionPartitionMapping maps between one multi-dimensional and one single-dimensional "
                f"partitions definition, got upstream {upstream_def!r} and downstream {downstream_def!r}."
            )
        name = self.dimension_name
        if name is None:
            matching = [n for n, d in multi.partitions_defs.items() if d == single]
            if len(matching) != 1:
                raise DefinitionError(
                    f"Cannot tell which dimension of {multi!r} corresponds to {single!r}: pass "
                    f"MultiToSingleDimensionPartitionMapping(dimension_name=...) with one of "
                    f"{multi.partition_dimension_names!r}."
                )
            name = matching[0]
        dimension_def = multi.get_partitions_def_for_dimension(name)
        if dimension_def != single:
            raise DefinitionError(
                f"Dimension {name!r} of {multi!r} is {dimension_def!r}, which differs from the single-dimensional "
                f"{single!r}: use the same definition for both."
            )
        return multi, single, name

    def validate(self, upstream_def: PartitionsDefinition | None, downstream_def: PartitionsDefinition | None) -> None:
        self._resolve(upstream_def, downstream_def)

    def _map(
        self,
        subset: PartitionsSubset | None,
        to_def: PartitionsDefinition,
        multi: MultiPartitionsDefinition,
        name: str,
        current_time: datetime | None,
        dynamic_partitions_store: DynamicPartitionsStore | None,
    ) -> PartitionsSubset:
        if multi.has_time_subsets and name == multi.time_window_dimension_name:
            return self._map_time_dimension(subset, to_def, multi, current_time, dynamic_partitions_store)
        keys = _keys_of(subset)
        if to_def is multi:
            others = {
                n: d.get_partition_keys(current_time, dynamic_partitions_store)
                for n, d in multi.partitions_defs.items() if n != name
            }
            return multi.subset_with_keys(_combine_keys(name, keys, others))
        parsed = (multi.parse_key(k) for k in keys)
        return to_def.subset_with_keys(sorted({p.keys_by_dimension[name] for p in parsed if p is not None}))

    @staticmethod
    def _map_time_dimension(
        subset: PartitionsSubset | None,
        to_def: PartitionsDefinition,
        multi: MultiPartitionsDefinition,
        current_time: datetime | None,
        dynamic_partitions_store: DynamicPartitionsStore | None,
    ) -> PartitionsSubset:
        """Between a multi definition's time dimension and a time-window definition: as intervals, never keys."""
        if isinstance(subset, TimeWindowPartitionsSubset) and to_def is multi:
            return multi.subset_with_time_windows(subset, current_time, dynamic_partitions_store)
        if isinstance(subset, MultiPartitionsSubset) and isinstance(to_def, TimeWindowPartitionsDefinition):
            return TimeWindowPartitionsSubset(to_def, (iv for part in subset.parts.values() for iv in part.intervals))
        return to_def.empty_subset()

    def get_upstream_partitions(
        self,
        downstream_subset: PartitionsSubset | None,
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition | None,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> PartitionsSubset:
        multi, _, name = self._resolve(upstream_def, downstream_def)
        up_def = _partitioned(upstream_def, "upstream")
        return self._map(downstream_subset, up_def, multi, name, current_time, dynamic_partitions_store)

    def get_downstream_partitions(
        self,
        upstream_subset: PartitionsSubset | None,
        upstream_def: PartitionsDefinition | None,
        downstream_def: PartitionsDefinition | None,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> PartitionsSubset:
        multi, _, name = self._resolve(upstream_def, downstream_def)
        down_def = _partitioned(downstream_def, "downstream")
        return self._map(upstream_subset, down_def, multi, name, current_time, dynamic_partitions_store)

    def to_dict(self) -> dict[str, Any]:
        return {"type": "multi_to_single_dimension", "dimension_name": self.dimension_name}


def _combine_keys(name: str, keys: Iterable[str], others: Mapping[str, Iterable[str]]) -> list[MultiPartitionKey]:
    combos: list[dict[str, str]] = [{name: k} for k in keys]
    for other_name, other_keys in others.items():
        values = list(other_keys)
        combos = [{**combo, other_name: v} for combo in combos for v in values]
    return [MultiPartitionKey(combo) for combo in combos]


def default_partition_mapping(
    upstream_def: PartitionsDefinition | None, downstream_def: PartitionsDefinition | None
) -> PartitionMapping:
    """The mapping used when a dependency names none.

    Identity for equal definitions (or both unpartitioned); all partitions when either side is
    unpartitioned; time-window overlap between time-window definitions; multi-to-single when one
    dimension of a multi definition equals the other definition. Raises `DefinitionError`
    otherwise, asking for an explicit mapping.

    >>> from assetgraph.definitions.partitions import DailyPartitionsDefinition, WeeklyPartitionsDefinition
    >>> default_partition_mapping(DailyPartitionsDefinition("2024-01-01"), WeeklyPartitionsDefinition("2024-01-01"))
    TimeWindowPartitionMapping(start_offset=0, end_offset=0)
    """
    if upstream_def == downstream_def:
        return IdentityPartitionMapping()
    if upstream_def is None or downstream_def is None:
        return AllPartitionMapping()
    if isinstance(upstream_def, TimeWindowPartitionsDefinition) and isinstance(
        downstream_def, TimeWindowPartitionsDefinition
    ):
        return TimeWindowPartitionMapping()
    if isinstance(upstream_def, MultiPartitionsDefinition) != isinstance(downstream_def, MultiPartitionsDefinition):
        candidate = MultiToSingleDimensionPartitionMapping()
        candidate.validate(upstream_def, downstream_def)
        return candidate
    raise _no_default(upstream_def, downstream_def)


def _no_default(upstream_def: PartitionsDefinition, downstream_def: PartitionsDefinition) -> DefinitionError:
    return DefinitionError(
        f"There is no default partition mapping between different partitions definitions:\n"
        f"  upstream:   {upstream_def!r}\n  downstream: {downstream_def!r}\n"
        "Pass partition_mapping= on the dependency (e.g. StaticPartitionMapping({...}) or AllPartitionMapping()), "
        "or give both assets the same partitions definition."
    )


def partition_mapping_from_dict(data: Mapping[str, Any]) -> PartitionMapping:
    """Rebuild a mapping from `PartitionMapping.to_dict`."""
    kind = data.get("type")
    if kind == "identity":
        return IdentityPartitionMapping()
    if kind == "time_window":
        return TimeWindowPartitionMapping(int(data["start_offset"]), int(data["end_offset"]))
    if kind == "all":
        return AllPartitionMapping()
    if kind == "last":
        return LastPartitionMapping()
    if kind == "static":
        return StaticPartitionMapping({up: list(down) for up, down in data["mapping"].items()})
    if kind == "multi_to_single_dimension":
        return MultiToSingleDimensionPartitionMapping(data.get("dimension_name"))
    raise PartitionError(f"Unknown partition mapping type {kind!r} in snapshot {dict(data)!r}.")
