"""Partition subsets: the set algebra against a plain `set` model, ranges, and snapshots."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetgraph.definitions.errors import PartitionError, UnknownPartitionKeyError
from assetgraph.definitions.partitions import (
    DailyPartitionsDefinition,
    DynamicPartitionsDefinition,
    HourlyPartitionsDefinition,
    MultiPartitionsDefinition,
    PartitionKeyRange,
    PartitionsDefinition,
    PartitionsSubset,
    StaticPartitionsDefinition,
    partitions_subset_from_dict,
)
from assetgraph.definitions.partitions.multi_subset import MultiPartitionsSubset

UTC = dt.UTC
DAILY = DailyPartitionsDefinition("2024-01-01", end_date="2024-03-01", timezone="America/New_York")
DAILY_KEYS = list(DAILY.get_partition_keys())
STATIC = StaticPartitionsDefinition(["a,b", "c|d", 'say "hi"', "with space", "ünïcødé", "z", "y", "x"])
STATIC_KEYS = list(STATIC.get_partition_keys())
DYNAMIC = DynamicPartitionsDefinition("files")
DYNAMIC_KEYS = ["f1.csv", "f2.csv", "a,b.csv", "ß.json", "x|y"]

MULTI_TIME = MultiPartitionsDefinition({
    "date": DailyPartitionsDefinition("2024-01-01", end_date="2024-01-15"),
    "region": StaticPartitionsDefinition(["us", "eu", "a,b"]),
})
MULTI_STATIC = MultiPartitionsDefinition({"x": StaticPartitionsDefinition(["1", "2"]), "y": StaticPartitionsDefinition(["a,b", "ü", "z"])})

CASES: dict[str, tuple[PartitionsDefinition, Sequence[str]]] = {
    "time": (DAILY, DAILY_KEYS),
    "static": (STATIC, STATIC_KEYS),
    "dynamic": (DYNAMIC, DYNAMIC_KEYS),
    "multi_time": (MULTI_TIME, list(MULTI_TIME.get_partition_keys())),
    "multi_static": (MULTI_STATIC, list(MULTI_STATIC.get_partition_keys())),
}


def key_sets(keys: Sequence[str]) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(list(keys)))


@st.composite
def case_and_sets(draw: Callable[..., object]) -> tuple[PartitionsDefinition, set[str], set[str]]:
    name = draw(st.sampled_from(sorted(CASES)))
    partitions_def, keys = CASES[str(name)]
    left = draw(key_sets(keys))
    right = draw(key_sets(keys))
    return partitions_def, set(left), set(right)  # type: ignore[call-overload]


@settings(max_examples=200, deadline=None)
@given(case_and_sets())
def test_subset_algebra_matches_a_set_model(case: tuple[PartitionsDefinition, set[str], set[str]]) -> None:
    partitions_def, left, right = case
    a, b = partitions_def.subset_with_keys(left), partitions_def.subset_with_keys(right)
    for subset, model in ((a, left), (a | b, left | right), (a & b, left & right), (a - b, left - right)):
        assert len(subset) == len(model)
        assert set(subset.get_partition_keys()) == model
        assert subset.is_empty == (not model)
        for key in CASES_KEYS[id(partitions_def)]:
            assert (key in subset) == (key in model)
        assert subset == partitions_def.subset_with_keys(model)
        assert partitions_subset_from_dict(subset.to_dict(), partitions_def) == subset
    assert a | b == b | a and a & b == b & a


CASES_KEYS = {id(d): keys for d, keys in CASES.values()}


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["time", "static"]), st.data())
def test_ranges_cover_exactly_the_keys_in_order(name: str, data: st.DataObject) -> None:
    partitions_def, keys = CASES[name]
    chosen = data.draw(key_sets(keys))
    subset = partitions_def.subset_with_keys(chosen)
    expanded = [k for r in subset.ranges for k in partitions_def.get_partition_keys_in_range(r)]
    assert expanded == [k for k in keys if k in chosen]
    assert expanded == subset.get_partition_keys()
    # Ranges are maximal: consecutive ranges never touch.
    positions = [keys.index(k) for k in expanded]
    gaps = [b - a for a, b in itertools.pairwise(positions)]
    assert len(subset.ranges) == (1 + sum(1 for g in gaps if g > 1) if positions else 0)


def test_key_range_subset_holds_the_inclusive_range() -> None:
    subset = DAILY.subset_with_key_range(PartitionKeyRange("2024-01-30", "2024-02-02"))
    assert subset.get_partition_keys() == ["2024-01-30", "2024-01-31", "2024-02-01", "2024-02-02"]
    assert subset.ranges == [PartitionKeyRange("2024-01-30", "2024-02-02")]
    assert STATIC.subset_with_key_range(PartitionKeyRange("c|d", "with space")).get_partition_keys() == [
        "c|d", 'say "hi"', "with space",
    ]


def test_unknown_keys_and_foreign_values_are_not_contained() -> None:
    subset = DAILY.all_subset()
    assert "2023-01-01" not in subset
    assert "not a date" not in subset
    assert 42 not in subset
    assert "2024-02-29" in subset


def test_subset_with_unknown_key_names_it() -> None:
    with pytest.raises(UnknownPartitionKeyError) as info:
        STATIC.subset_with_keys(["q"])
    assert "Partition key 'q' is not a partition of StaticPartitionsDefinition" in info.value.args[0]


def test_combining_subsets_of_different_definitions_is_an_error() -> None:
    other = DailyPartitionsDefinition("2024-01-01")
    with pytest.raises(PartitionError, match="Cannot combine"):
        _ = DAILY.all_subset() | other.all_subset()


def test_time_subset_survives_a_changed_start_date_and_format() -> None:
    stored = DAILY.subset_with_keys(["2024-01-01", "2024-01-02", "2024-02-10"]).to_dict()
    later = DailyPartitionsDefinition("2024-01-02", end_date="2024-03-01", timezone="America/New_York")
    assert partitions_subset_from_dict(stored, later).get_partition_keys() == ["2024-01-02", "2024-02-10"]
    compact = DailyPartitionsDefinition("20240101", end_date="20240301", timezone="America/New_York", fmt="%Y%m%d")
    assert partitions_subset_from_dict(stored, compact).get_partition_keys() == ["20240101", "20240102", "20240210"]


def test_static_subset_survives_added_and_removed_keys() -> None:
    stored = STATIC.subset_with_keys(["a,b", "z"]).to_dict()
    changed = StaticPartitionsDefinition(["new", "z", "a,b"])
    assert partitions_subset_from_dict(stored, changed).get_partition_keys() == ["z", "a,b"]


def test_subset_of_another_kind_does_not_load() -> None:
    with pytest.raises(PartitionError, match="changed kind"):
        partitions_subset_from_dict(STATIC.empty_subset().to_dict(), DAILY)


def test_multi_subset_with_a_time_dimension_keeps_windows_per_other_key() -> None:
    regions = StaticPartitionsDefinition([f"r{i}" for i in range(50)])
    multi = MultiPartitionsDefinition({"date": DailyPartitionsDefinition("2015-01-01", end_date="2025-01-01"),
                                       "region": regions})
    everything = multi.all_subset()
    assert isinstance(everything, MultiPartitionsSubset)
    assert len(everything) == multi.num_partitions() == 3653 * 50
    assert len(everything.parts) == 50 and len(everything.ranges) == 50
    done = multi.subset_with_key_range(PartitionKeyRange("2020-01-01|r0", "2020-12-31|r9"))
    assert len(done) == 366 * 10
    missing = everything - done
    assert len(missing) == 3653 * 50 - 3660 and "2020-06-01|r3" not in missing and "2020-06-01|r10" in missing
    assert partitions_subset_from_dict(missing.to_dict(), multi) == missing


def test_multi_subset_ranges_are_boxes_and_keys_follow_definition_order() -> None:
    subset = MULTI_TIME.subset_with_keys(["2024-01-02|eu", "2024-01-01|us", "2024-01-03|eu"])
    assert subset.get_partition_keys() == ["2024-01-01|us", "2024-01-02|eu", "2024-01-03|eu"]
    assert subset.ranges == [PartitionKeyRange("2024-01-02|eu", "2024-01-03|eu"),
                             PartitionKeyRange("2024-01-01|us", "2024-01-01|us")]


def test_stored_multi_subset_survives_a_removed_static_key() -> None:
    stored = MULTI_TIME.subset_with_keys(["2024-01-01|us", "2024-01-01|eu"]).to_dict()
    fewer = MultiPartitionsDefinition({"date": DailyPartitionsDefinition("2024-01-01", end_date="2024-01-15"),
                                       "region": StaticPartitionsDefinition(["us"])})
    assert partitions_subset_from_dict(stored, fewer).get_partition_keys() == ["2024-01-01|us"]


def test_missing_partitions_of_a_million_hourly_partitions_stay_ranges() -> None:
    hourly = HourlyPartitionsDefinition("1910-01-01-00:00", end_date="2024-01-01-00:00")
    everything = hourly.all_subset()
    materialized: PartitionsSubset = hourly.empty_subset()
    for year in range(1911, 2023, 1):
        materialized = materialized | hourly.subset_with_key_range(
            PartitionKeyRange(f"{year}-03-01-00:00", f"{year}-06-30-23:00")
        )
    missing: PartitionsSubset = everything - materialized
    assert len(materialized) + len(missing) == len(everything) == 999_312
    assert len(missing.ranges) == len(materialized.ranges) + 1 == 113
    assert "1950-04-01-12:00" not in missing and "1950-07-01-00:00" in missing
    assert (missing | materialized) == everything
    assert (missing & materialized).is_empty
    assert partitions_subset_from_dict(missing.to_dict(), hourly) == missing
