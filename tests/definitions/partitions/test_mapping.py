"""Partition mappings: upstream and downstream partitions, defaults and validation."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetgraph.definitions.errors import DefinitionError, PartitionError
from assetgraph.definitions.partitions import (
    AllPartitionMapping,
    DailyPartitionsDefinition,
    HourlyPartitionsDefinition,
    IdentityPartitionMapping,
    LastPartitionMapping,
    MonthlyPartitionsDefinition,
    MultiPartitionsDefinition,
    MultiToSingleDimensionPartitionMapping,
    PartitionKeyRange,
    PartitionMapping,
    StaticPartitionMapping,
    StaticPartitionsDefinition,
    TimeWindowPartitionMapping,
    TimeWindowPartitionsDefinition,
    WeeklyPartitionsDefinition,
    default_partition_mapping,
    partition_mapping_from_dict,
)

UTC = dt.UTC
NOW = dt.datetime(2025, 1, 1, tzinfo=UTC)
DAILY = DailyPartitionsDefinition("2024-01-01")
WEEKLY = WeeklyPartitionsDefinition("2024-01-01")
MONTHLY = MonthlyPartitionsDefinition("2024-01-01")
HOURLY = HourlyPartitionsDefinition("2024-01-01-00:00")
REGIONS = StaticPartitionsDefinition(["us", "eu", "apac"])


def upstream_keys(mapping: PartitionMapping, keys: list[str], down: object, up: object) -> list[str]:
    assert isinstance(down, TimeWindowPartitionsDefinition | StaticPartitionsDefinition | MultiPartitionsDefinition)
    subset = mapping.get_upstream_partitions(down.subset_with_keys(keys), down, up, current_time=NOW)  # type: ignore[arg-type]
    return subset.get_partition_keys()


def test_weekly_downstream_reads_the_seven_days_of_its_week() -> None:
    days = upstream_keys(TimeWindowPartitionMapping(), ["2024-01-07"], WEEKLY, DAILY)
    assert days == [f"2024-01-{d:02d}" for d in range(7, 14)]


def test_a_day_changes_the_week_that_contains_it() -> None:
    subset = TimeWindowPartitionMapping().get_downstream_partitions(
        DAILY.subset_with_keys(["2024-01-10"]), DAILY, WEEKLY, current_time=NOW
    )
    assert subset.get_partition_keys() == ["2024-01-07"]


def test_daily_downstream_of_hourly_reads_25_hours_on_fall_back_day() -> None:
    hourly = HourlyPartitionsDefinition("2024-11-01-00:00", timezone="America/New_York")
    daily = DailyPartitionsDefinition("2024-11-01", timezone="America/New_York")
    hours = upstream_keys(TimeWindowPartitionMapping(), ["2024-11-03"], daily, hourly)
    assert len(hours) == 25 and hours[0] == "2024-11-03-00:00" and hours[-1] == "2024-11-03-23:00"


def test_offsets_read_the_previous_window() -> None:
    previous = TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
    assert upstream_keys(previous, ["2024-01-05"], DAILY, DAILY) == ["2024-01-04"]
    assert upstream_keys(previous, ["2024-01-01"], DAILY, DAILY) == []
    widened = TimeWindowPartitionMapping(start_offset=-2, end_offset=0)
    assert upstream_keys(widened, ["2024-01-05", "2024-01-06"], DAILY, DAILY) == [
        "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-06",
    ]
    downstream = previous.get_downstream_partitions(DAILY.subset_with_keys(["2024-01-04"]), DAILY, DAILY, NOW)
    assert downstream.get_partition_keys() == ["2024-01-05"]


def test_start_offset_after_end_offset_is_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match="start_offset"):
        TimeWindowPartitionMapping(start_offset=1, end_offset=0)


PAIRS = [(DAILY, WEEKLY), (WEEKLY, DAILY), (HOURLY, DAILY), (DAILY, MONTHLY), (MONTHLY, DAILY), (DAILY, DAILY)]


@settings(max_examples=150, deadline=None)
@given(
    pair=st.sampled_from(PAIRS),
    offset=st.sampled_from([(0, 0), (-1, -1), (-1, 0), (0, 1), (-3, 2)]),
    index=st.integers(min_value=100, max_value=300),
)
def test_mapping_a_partition_downstream_and_back_upstream_contains_it(
    pair: tuple[TimeWindowPartitionsDefinition, TimeWindowPartitionsDefinition], offset: tuple[int, int], index: int
) -> None:
    up, down = pair
    mapping = TimeWindowPartitionMapping(*offset)
    key = up.key_for_ordinal(up.first_ordinal + index)
    downstream = mapping.get_downstream_partitions(up.subset_with_keys([key]), up, down, NOW)
    assert not downstream.is_empty
    assert key in mapping.get_upstream_partitions(downstream, down, up, NOW)
    # And each of those downstream partitions really reads the key.
    for d in downstream.get_partition_keys()[:5]:
        assert key in mapping.get_upstream_partitions(down.subset_with_keys([d]), down, up, NOW)


@given(st.sets(st.sampled_from(["us", "eu", "apac"])))
def test_identity_maps_the_same_keys_both_ways(keys: set[str]) -> None:
    identity = IdentityPartitionMapping()
    subset = REGIONS.subset_with_keys(keys)
    downstream = identity.get_downstream_partitions(subset, REGIONS, REGIONS)
    assert downstream == subset
    assert identity.get_upstream_partitions(downstream, REGIONS, REGIONS) == subset


def test_identity_between_time_windows_with_different_starts_keeps_common_keys() -> None:
    later = DailyPartitionsDefinition("2024-01-03")
    IdentityPartitionMapping().validate(DAILY, later)
    subset = IdentityPartitionMapping().get_upstream_partitions(
        DAILY.subset_with_keys(["2024-01-02", "2024-01-03"]), DAILY, later
    )
    assert subset.get_partition_keys() == ["2024-01-03"]


def test_identity_between_different_static_sets_is_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match="definitions differ"):
        IdentityPartitionMapping().validate(REGIONS, StaticPartitionsDefinition(["us", "eu"]))
    with pytest.raises(DefinitionError, match="both assets partitioned"):
        IdentityPartitionMapping().validate(REGIONS, None)


def test_time_window_mapping_on_static_is_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match="time-window"):
        TimeWindowPartitionMapping().validate(REGIONS, DAILY)


def test_all_mapping_reads_every_upstream_partition_for_an_unpartitioned_downstream() -> None:
    subset = AllPartitionMapping().get_upstream_partitions(None, None, DAILY, current_time=NOW)
    assert len(subset) == 366
    downstream = AllPartitionMapping().get_downstream_partitions(DAILY.subset_with_keys(["2024-01-01"]), DAILY, REGIONS)
    assert len(downstream) == 3
    with pytest.raises(PartitionError, match="unpartitioned"):
        AllPartitionMapping().get_downstream_partitions(DAILY.all_subset(NOW), DAILY, None)


def test_last_mapping_reads_the_last_partition() -> None:
    last = LastPartitionMapping()
    subset = last.get_upstream_partitions(REGIONS.all_subset(), REGIONS, DAILY, current_time=NOW)
    assert subset.get_partition_keys() == ["2024-12-31"]
    changed = last.get_downstream_partitions(DAILY.subset_with_keys(["2024-12-31"]), DAILY, REGIONS, NOW)
    assert len(changed) == 3
    unchanged = last.get_downstream_partitions(DAILY.subset_with_keys(["2024-12-30"]), DAILY, REGIONS, NOW)
    assert unchanged.is_empty


def test_static_mapping_accepts_a_key_or_a_set_of_keys() -> None:
    areas = StaticPartitionsDefinition(["americas", "europe", "world"])
    mapping = StaticPartitionMapping({"us": {"americas", "world"}, "eu": "europe", "apac": "world"})
    mapping.validate(REGIONS, areas)
    assert upstream_keys(mapping, ["world"], areas, REGIONS) == ["us", "apac"]
    downstream = mapping.get_downstream_partitions(REGIONS.subset_with_keys(["us"]), REGIONS, areas)
    assert downstream.get_partition_keys() == ["americas", "world"]


def test_static_mapping_naming_an_unknown_key_is_a_definition_error() -> None:
    areas = StaticPartitionsDefinition(["americas", "europe"])
    with pytest.raises(DefinitionError, match="'usa'") as info:
        StaticPartitionMapping({"usa": "americas"}).validate(REGIONS, areas)
    assert "did you mean: us" in info.value.args[0]
    with pytest.raises(DefinitionError, match="static partitions"):
        StaticPartitionMapping({"us": "x"}).validate(DAILY, areas)


MULTI = MultiPartitionsDefinition({"date": DAILY, "region": REGIONS})


def test_multi_to_single_in_both_directions() -> None:
    mapping = MultiToSingleDimensionPartitionMapping("date")
    mapping.validate(MULTI, DAILY)
    up = mapping.get_upstream_partitions(DAILY.subset_with_keys(["2024-01-02"]), DAILY, MULTI, NOW)
    assert up.get_partition_keys() == ["2024-01-02|us", "2024-01-02|eu", "2024-01-02|apac"]
    down = mapping.get_downstream_partitions(MULTI.subset_with_keys(["2024-01-02|eu"]), MULTI, DAILY, NOW)
    assert down.get_partition_keys() == ["2024-01-02"]
    single_up = mapping.get_upstream_partitions(MULTI.subset_with_keys(["2024-01-05|us"]), MULTI, DAILY, NOW)
    assert single_up.get_partition_keys() == ["2024-01-05"]


def test_multi_to_single_checks_the_dimension() -> None:
    with pytest.raises(DefinitionError, match="no dimension 'day'"):
        MultiToSingleDimensionPartitionMapping("day").validate(MULTI, DAILY)
    with pytest.raises(DefinitionError, match="differs"):
        MultiToSingleDimensionPartitionMapping("region").validate(MULTI, DAILY)


def test_defaults() -> None:
    assert default_partition_mapping(DAILY, DailyPartitionsDefinition("2024-01-01")) == IdentityPartitionMapping()
    assert default_partition_mapping(DAILY, WEEKLY) == TimeWindowPartitionMapping()
    assert default_partition_mapping(DAILY, None) == AllPartitionMapping()
    assert default_partition_mapping(None, DAILY) == AllPartitionMapping()
    assert default_partition_mapping(MULTI, REGIONS) == MultiToSingleDimensionPartitionMapping()
    with pytest.raises(DefinitionError, match="no default partition mapping"):
        default_partition_mapping(REGIONS, StaticPartitionsDefinition(["x"]))


@pytest.mark.parametrize(
    "mapping",
    [
        IdentityPartitionMapping(),
        TimeWindowPartitionMapping(-1, 0),
        AllPartitionMapping(),
        LastPartitionMapping(),
        StaticPartitionMapping({"us": {"a", "b"}, "eu": "c"}),
        MultiToSingleDimensionPartitionMapping("date"),
    ],
)
def test_mappings_round_trip_through_dict_and_compare_by_value(mapping: PartitionMapping) -> None:
    again = partition_mapping_from_dict(mapping.to_dict())
    assert again == mapping and hash(again) == hash(mapping)


def test_multi_to_single_on_the_time_dimension_maps_windows_not_keys() -> None:
    daily = DailyPartitionsDefinition("2015-01-01", end_date="2025-01-01")
    multi = MultiPartitionsDefinition({"date": daily, "region": StaticPartitionsDefinition([f"r{i}" for i in range(50)])})
    mapping = MultiToSingleDimensionPartitionMapping()
    years = daily.subset_with_key_range(PartitionKeyRange("2016-01-01", "2018-12-31"))
    upstream = mapping.get_upstream_partitions(years, daily, multi, NOW)
    assert len(upstream) == 1096 * 50 and "2017-06-01|r49" in upstream and "2019-01-01|r0" not in upstream
    back = mapping.get_downstream_partitions(upstream, multi, daily, NOW)
    assert back == years


def _overlaps(a: TimeWindowPartitionsDefinition, a_ordinal: int, b: TimeWindowPartitionsDefinition, b_ordinal: int) -> bool:
    a_start, a_end = a.cadence.boundary(a_ordinal), a.cadence.boundary(a_ordinal + 1)
    b_start, b_end = b.cadence.boundary(b_ordinal), b.cadence.boundary(b_ordinal + 1)
    return a_start < b_end and b_start < a_end


@settings(max_examples=60, deadline=None)
@given(
    pair=st.sampled_from(PAIRS),
    offset=st.sampled_from([(0, 0), (-1, -1), (-2, 1), (0, 2)]),
    index=st.integers(min_value=40, max_value=120),
)
def test_time_window_mapping_matches_a_brute_force_model(
    pair: tuple[TimeWindowPartitionsDefinition, TimeWindowPartitionsDefinition], offset: tuple[int, int], index: int
) -> None:
    up, down = pair
    mapping = TimeWindowPartitionMapping(*offset)
    down_ordinal = down.first_ordinal + index
    down_key = down.key_for_ordinal(down_ordinal)
    window = down.time_window_for_partition_key(down_key)
    near = range(up.cadence.floor(window.start.timestamp()) - 5, up.cadence.ceil(window.end.timestamp()) + 5)
    overlapping = [o for o in near if _overlaps(up, o, down, down_ordinal)]
    wanted = range(max(overlapping[0] + offset[0], up.first_ordinal), overlapping[-1] + 1 + offset[1])
    expected = {up.key_for_ordinal(o) for o in wanted}
    actual = mapping.get_upstream_partitions(down.subset_with_keys([down_key]), down, up, NOW)
    assert set(actual.get_partition_keys()) == expected
    # Downstream (checked within a window of candidates): exactly the partitions whose upstream set
    # contains a given upstream key.
    up_key = sorted(expected)[0] if expected else up.key_for_ordinal(up.first_ordinal + index)
    downstream = mapping.get_downstream_partitions(up.subset_with_keys([up_key]), up, down, NOW)
    candidates = range(down.first_ordinal + index - 40, down.first_ordinal + index + 40)
    readers = {
        down.key_for_ordinal(o) for o in candidates
        if up_key in mapping.get_upstream_partitions(down.subset_with_keys([down.key_for_ordinal(o)]), down, up, NOW)
    }
    in_window = {k for k in downstream.get_partition_keys() if down.ordinal_for_key(k) in candidates}
    assert in_window == readers
