"""The partitions interface: ranges, snapshots, value semantics."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from assetgraph.definitions.errors import PartitionError
from assetgraph.definitions.partitions import (
    DailyPartitionsDefinition,
    DynamicPartitionsDefinition,
    HourlyPartitionsDefinition,
    MonthlyPartitionsDefinition,
    MultiPartitionsDefinition,
    PartitionKeyRange,
    PartitionsDefinition,
    StaticPartitionsDefinition,
    TimeWindowPartitionsDefinition,
    WeeklyPartitionsDefinition,
    partitions_def_from_dict,
)

DEFINITIONS: list[PartitionsDefinition] = [
    DailyPartitionsDefinition("2024-01-01", end_date="2024-06-01", timezone="Europe/Berlin", end_offset=1),
    HourlyPartitionsDefinition("2024-01-01-00:00", minute_offset=30),
    WeeklyPartitionsDefinition("2024-01-01", day_offset=1),
    MonthlyPartitionsDefinition("2024-01-01", day_offset=3, hour_offset=2),
    TimeWindowPartitionsDefinition("*/10 * * * *", "2024-01-01T00:00", "%Y-%m-%dT%H:%M"),
    StaticPartitionsDefinition(["a, b", "c"]),
    DynamicPartitionsDefinition("files"),
    MultiPartitionsDefinition({"date": DailyPartitionsDefinition("2024-01-01"), "r": StaticPartitionsDefinition(["x"])}),
]


def test_partition_key_range_is_a_frozen_value() -> None:
    r = PartitionKeyRange("a", "b")
    assert r == PartitionKeyRange("a", "b") and hash(r) == hash(PartitionKeyRange("a", "b"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.start = "c"  # type: ignore[misc]


@pytest.mark.parametrize("partitions_def", DEFINITIONS, ids=repr)
def test_definitions_round_trip_through_dict_and_pickle(partitions_def: PartitionsDefinition) -> None:
    again = partitions_def_from_dict(partitions_def.to_dict())
    assert again == partitions_def and hash(again) == hash(partitions_def)
    assert again.to_dict() == partitions_def.to_dict()
    assert pickle.loads(pickle.dumps(partitions_def)) == partitions_def


def test_different_definitions_are_unequal() -> None:
    assert len(set(DEFINITIONS)) == len(DEFINITIONS)


def test_unknown_snapshot_type_is_a_partition_error() -> None:
    with pytest.raises(PartitionError, match="'lunar'"):
        partitions_def_from_dict({"type": "lunar"})
