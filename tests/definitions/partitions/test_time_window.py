"""Time-window partitions: keys, windows, bounds, DST and the fixed cadences."""

from __future__ import annotations

import datetime as dt
import itertools
import pickle
import sys
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetgraph.definitions.errors import DefinitionError, PartitionError, UnknownPartitionKeyError
from assetgraph.definitions.partitions import (
    DailyPartitionsDefinition,
    HourlyPartitionsDefinition,
    MonthlyPartitionsDefinition,
    PartitionKeyRange,
    TimeWindowPartitionsDefinition,
    WeeklyPartitionsDefinition,
    partitions_def_from_dict,
)
from assetgraph.definitions.partitions.cadence import CronCadence

UTC = dt.UTC
NEW_YORK = ZoneInfo("America/New_York")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_daily_keys_exist_only_once_their_window_has_ended() -> None:
    daily = DailyPartitionsDefinition("2024-01-01")
    assert daily.get_partition_keys(current_time=at(2024, 1, 3, 12)) == ["2024-01-01", "2024-01-02"]
    assert daily.get_last_partition_key(current_time=at(2024, 1, 3)) == "2024-01-02"
    assert daily.num_partitions(current_time=at(2024, 1, 1, 23, 59)) == 0
    assert daily.get_last_partition_key(current_time=at(2024, 1, 1, 23)) is None
    assert not daily.has_partition_key("2024-01-03", current_time=at(2024, 1, 3, 12))


def test_end_offset_adds_the_windows_still_in_progress() -> None:
    daily = DailyPartitionsDefinition("2024-01-01", end_offset=1)
    assert daily.get_partition_keys(current_time=at(2024, 1, 3, 12)) == ["2024-01-01", "2024-01-02", "2024-01-03"]
    behind = DailyPartitionsDefinition("2024-01-01", end_offset=-1)
    assert behind.get_partition_keys(current_time=at(2024, 1, 3, 12)) == ["2024-01-01"]


def test_end_date_is_exclusive() -> None:
    daily = DailyPartitionsDefinition("2024-01-01", end_date="2024-01-04")
    assert daily.get_partition_keys(current_time=at(2030, 1, 1)) == ["2024-01-01", "2024-01-02", "2024-01-03"]
    assert daily.subset_with_keys(["2024-01-03"]).get_partition_keys() == ["2024-01-03"]
    with pytest.raises(UnknownPartitionKeyError, match="2024-01-04"):
        daily.time_window_for_partition_key("2024-01-04")


def test_end_date_drops_a_window_that_would_end_after_it() -> None:
    weekly = WeeklyPartitionsDefinition("2024-01-01", end_date="2024-01-20")
    assert weekly.get_partition_keys() == ["2024-01-07"]


def test_end_before_first_window_is_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match="no partitions"):
        DailyPartitionsDefinition("2024-01-05", end_date="2024-01-05")


def test_weekly_starts_at_first_boundary_on_or_after_start_date() -> None:
    weekly = WeeklyPartitionsDefinition("2024-01-01")  # a Monday; weeks start on Sunday
    assert weekly.get_partition_keys(current_time=at(2024, 1, 28)) == ["2024-01-07", "2024-01-14", "2024-01-21"]
    on_boundary = WeeklyPartitionsDefinition("2024-01-07")
    assert on_boundary.get_first_partition_key(current_time=at(2024, 2, 1)) == "2024-01-07"
    mondays = WeeklyPartitionsDefinition("2024-01-02", day_offset=1)
    assert mondays.get_first_partition_key(current_time=at(2024, 2, 1)) == "2024-01-08"


def test_monthly_starts_at_first_boundary_on_or_after_start_date() -> None:
    monthly = MonthlyPartitionsDefinition("2024-01-15")
    assert monthly.get_partition_keys(current_time=at(2024, 5, 1)) == ["2024-02-01", "2024-03-01", "2024-04-01"]
    window = monthly.time_window_for_partition_key("2024-02-01")
    assert (window.start, window.end) == (at(2024, 2, 1), at(2024, 3, 1))
    assert MonthlyPartitionsDefinition("2024-01-01").get_first_partition_key(current_time=at(2024, 3, 1)) == "2024-01-01"


def test_hourly_key_format_and_window() -> None:
    hourly = HourlyPartitionsDefinition("2024-01-01-00:00")
    window = hourly.time_window_for_partition_key("2024-01-01-05:00")
    assert (window.start, window.end) == (at(2024, 1, 1, 5), at(2024, 1, 1, 6))
    assert hourly.get_partition_key_for_timestamp(at(2024, 1, 1, 5, 59)) == "2024-01-01-05:00"


def test_offsets_shift_the_boundaries() -> None:
    daily = DailyPartitionsDefinition("2024-01-01", hour_offset=6, minute_offset=30)
    window = daily.time_window_for_partition_key("2024-01-02")
    assert (window.start, window.end) == (at(2024, 1, 2, 6, 30), at(2024, 1, 3, 6, 30))
    assert daily.get_partition_key_for_timestamp(at(2024, 1, 3, 6, 29)) == "2024-01-02"


def test_windows_are_timezone_aware_in_the_definition_timezone() -> None:
    window = DailyPartitionsDefinition("2024-01-01", timezone="Asia/Tokyo").time_window_for_partition_key("2024-01-05")
    assert window.start == dt.datetime(2024, 1, 5, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert window.start.utcoffset() == dt.timedelta(hours=9)


@pytest.mark.parametrize(("day", "hours"), [("2024-03-10", 23), ("2024-11-03", 25), ("2024-06-01", 24)])
def test_daily_in_new_york_has_23_and_25_hour_days(day: str, hours: int) -> None:
    daily = DailyPartitionsDefinition("2024-01-01", timezone="America/New_York")
    window = daily.time_window_for_partition_key(day)
    assert window.start == dt.datetime.fromisoformat(day).replace(tzinfo=NEW_YORK)
    assert window.end.timestamp() - window.start.timestamp() == hours * 3600


def test_daily_boundary_inside_the_dst_gap_starts_when_the_gap_ends() -> None:
    # 02:30 does not exist in New York on 2024-03-10; croniter (and Dagster) fire at 03:00.
    daily = DailyPartitionsDefinition("2024-03-01", timezone="America/New_York", hour_offset=2, minute_offset=30)
    before, during = (daily.time_window_for_partition_key(k) for k in ("2024-03-09", "2024-03-10"))
    assert before.end == during.start == dt.datetime(2024, 3, 10, 3, 0, tzinfo=NEW_YORK)
    assert during.end == dt.datetime(2024, 3, 11, 2, 30, tzinfo=NEW_YORK)


def test_hourly_in_new_york_skips_the_spring_forward_hour() -> None:
    hourly = HourlyPartitionsDefinition("2024-03-01-00:00", timezone="America/New_York")
    keys = hourly.get_partition_keys_in_range(PartitionKeyRange("2024-03-10-00:00", "2024-03-10-23:00"))
    assert len(keys) == 23
    assert keys[:3] == ["2024-03-10-00:00", "2024-03-10-01:00", "2024-03-10-03:00"]
    with pytest.raises(UnknownPartitionKeyError):
        hourly.time_window_for_partition_key("2024-03-10-02:00")


def test_hourly_keys_stay_on_the_hour_where_dst_shifts_by_half_an_hour() -> None:
    # Australia/Lord_Howe moves between +11:00 and +10:30: one absolute phase cannot serve all year.
    hourly = HourlyPartitionsDefinition("2024-04-06-00:00", end_date="2024-04-09-00:00", timezone="Australia/Lord_Howe")
    keys = hourly.get_partition_keys()
    assert keys[-1] == "2024-04-08-23:00" and all(k.endswith(":00") for k in keys)


def test_hourly_in_new_york_repeats_the_fall_back_hour_with_distinct_keys() -> None:
    hourly = HourlyPartitionsDefinition("2024-11-01-00:00", timezone="America/New_York")
    keys = hourly.get_partition_keys_in_range(PartitionKeyRange("2024-11-03-00:00", "2024-11-03-23:00"))
    assert len(keys) == len(set(keys)) == 25
    assert keys[1:4] == ["2024-11-03-01:00", "2024-11-03-01:00-0500", "2024-11-03-02:00"]
    first, second = (hourly.time_window_for_partition_key(k) for k in keys[1:3])
    assert second.start.timestamp() - first.start.timestamp() == 3600
    assert second.end.timestamp() - second.start.timestamp() == 3600


def test_key_for_timestamp_outside_the_definition_is_a_partition_error() -> None:
    daily = DailyPartitionsDefinition("2024-01-01", end_date="2024-02-01")
    with pytest.raises(PartitionError):
        daily.get_partition_key_for_timestamp(at(2023, 12, 31))
    with pytest.raises(PartitionError):
        daily.get_partition_key_for_timestamp(at(2024, 2, 1))


def test_unknown_key_error_names_key_definition_and_a_close_key() -> None:
    daily = DailyPartitionsDefinition("2024-01-01", end_date="2024-03-01")
    with pytest.raises(UnknownPartitionKeyError) as info:
        daily.validate_partition_key("2023-12-25", current_time=at(2025, 1, 1))
    message = str(info.value)
    assert "2023-12-25" in message and "DailyPartitionsDefinition" in message
    assert "did you mean: 2024-01-01" in message
    with pytest.raises(UnknownPartitionKeyError, match="keys look like '2024-01-01'"):
        daily.time_window_for_partition_key("01/05/2024")


def test_future_key_is_reported_as_not_existing_yet() -> None:
    daily = DailyPartitionsDefinition("2024-01-01")
    with pytest.raises(UnknownPartitionKeyError, match="does not exist yet"):
        daily.validate_partition_key("2024-01-05", current_time=at(2024, 1, 3))


def test_range_start_after_end_is_a_partition_error() -> None:
    daily = DailyPartitionsDefinition("2024-01-01")
    with pytest.raises(PartitionError, match="starts after"):
        daily.get_partition_keys_in_range(PartitionKeyRange("2024-01-05", "2024-01-02"))


def test_format_that_cannot_tell_windows_apart_is_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match="cannot tell"):
        HourlyPartitionsDefinition("2024-01-01", fmt="%Y-%m-%d")


def test_unknown_timezone_is_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match="Mars/Olympus"):
        DailyPartitionsDefinition("2024-01-01", timezone="Mars/Olympus")


def test_custom_format_round_trips() -> None:
    daily = DailyPartitionsDefinition("2024/01/01", fmt="%Y/%m/%d")
    assert daily.get_partition_keys(current_time=at(2024, 1, 3)) == ["2024/01/01", "2024/01/02"]


def test_daily_equals_the_equivalent_cron_definition_and_round_trips_through_dict() -> None:
    daily = DailyPartitionsDefinition("2024-01-01", timezone="Europe/Paris", end_offset=1)
    cron = TimeWindowPartitionsDefinition("@daily", "2024-01-01", "%Y-%m-%d", "Europe/Paris", end_offset=1)
    assert daily == cron and hash(daily) == hash(cron)
    assert partitions_def_from_dict(daily.to_dict()) == daily
    assert daily != DailyPartitionsDefinition("2024-01-02", timezone="Europe/Paris", end_offset=1)
    assert pickle.loads(pickle.dumps(daily)) == daily


def test_definitions_are_immutable() -> None:
    daily = DailyPartitionsDefinition("2024-01-01")
    with pytest.raises(AttributeError):
        daily.fmt = "%Y"


def test_arbitrary_cron_schedule_uses_croniter() -> None:
    quarter_hours = TimeWindowPartitionsDefinition("*/15 * * * *", "2024-01-01-00:00", "%Y-%m-%d-%H:%M")
    assert quarter_hours.cadence_name == "cron"
    assert quarter_hours.get_partition_keys(current_time=at(2024, 1, 1, 0, 50)) == [
        "2024-01-01-00:00", "2024-01-01-00:15", "2024-01-01-00:30",
    ]
    window = quarter_hours.time_window_for_partition_key("2024-01-01-00:15")
    assert window.end - window.start == dt.timedelta(minutes=15)


def test_fixed_cadences_do_not_import_croniter() -> None:
    sys.modules.pop("croniter", None)
    DailyPartitionsDefinition("2024-01-01").num_partitions()
    HourlyPartitionsDefinition("2024-01-01-00:00").num_partitions()
    assert "croniter" not in sys.modules


def test_a_million_hourly_partitions_count_without_listing_keys() -> None:
    hourly = HourlyPartitionsDefinition("1910-01-01-00:00", end_date="2024-01-01-00:00")
    assert hourly.num_partitions() == 999_312
    everything = hourly.all_subset()
    assert len(everything) == 999_312
    assert everything.ranges == [PartitionKeyRange("1910-01-01-00:00", "2023-12-31-23:00")]
    assert hourly.get_last_partition_key() == "2023-12-31-23:00"


ZONES = ["UTC", "America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata"]
FIXED = {
    "hourly": lambda start, tz: HourlyPartitionsDefinition(start, timezone=tz, minute_offset=15),
    "daily": lambda start, tz: DailyPartitionsDefinition(start, timezone=tz, hour_offset=4),
    "weekly": lambda start, tz: WeeklyPartitionsDefinition(start, timezone=tz, day_offset=3),
    "monthly": lambda start, tz: MonthlyPartitionsDefinition(start, timezone=tz, day_offset=5),
}


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(sorted(FIXED)),
    tz=st.sampled_from(ZONES),
    start=st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2030, 1, 1)),
    index=st.integers(min_value=0, max_value=2000),
)
def test_key_and_window_round_trip(kind: str, tz: str, start: dt.datetime, index: int) -> None:
    partitions_def = FIXED[kind](start.replace(second=0, microsecond=0), tz)
    ordinal = partitions_def.first_ordinal + index
    key = partitions_def.key_for_ordinal(ordinal)
    assert partitions_def.ordinal_for_key(key) == ordinal
    window = partitions_def.time_window_for_partition_key(key)
    assert window.start < window.end
    assert partitions_def.get_partition_key_for_timestamp(window.start) == key
    assert partitions_def.get_partition_key_for_timestamp(window.end.timestamp() - 1) == key
    assert partitions_def.get_partition_key_for_timestamp(window.end) != key


@settings(max_examples=25, deadline=None)
@given(
    kind=st.sampled_from(sorted(FIXED)),
    tz=st.sampled_from(ZONES),
    start=st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2030, 1, 1)),
)
def test_fixed_cadences_agree_with_croniter(kind: str, tz: str, start: dt.datetime) -> None:
    fixed = FIXED[kind](start.replace(second=0, microsecond=0), tz)
    walked = CronCadence(ZoneInfo(tz), fixed.cron_schedule, fixed.start.timestamp())
    for i in range(50):
        assert fixed.cadence.boundary(fixed.first_ordinal + i) == walked.boundary(i)


@pytest.mark.parametrize("tz", ["America/New_York", "Europe/London", "Australia/Sydney"])
def test_a_year_of_dst_windows_is_contiguous_with_unique_keys(tz: str) -> None:
    hourly = HourlyPartitionsDefinition("2024-01-01-00:00", end_date="2025-01-01-00:00", timezone=tz)
    daily = DailyPartitionsDefinition("2024-01-01", end_date="2025-01-01", timezone=tz)
    for partitions_def, lengths in ((hourly, {3600}), (daily, {23 * 3600, 24 * 3600, 25 * 3600})):
        keys = partitions_def.get_partition_keys()
        assert len(set(keys)) == len(keys)
        windows = [partitions_def.time_window_for_partition_key(k) for k in keys]
        assert all(a.end == b.start for a, b in itertools.pairwise(windows))
        assert {int(w.end.timestamp() - w.start.timestamp()) for w in windows} == lengths
    assert hourly.num_partitions() == 366 * 24
    assert len(daily.get_partition_keys()) == 366
