"""Cadences: ordinal ↔ boundary arithmetic and the croniter walk."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from assetgraph.definitions.partitions.cadence import (
    Cadence,
    CronCadence,
    DailyCadence,
    HourlyCadence,
    MonthlyCadence,
    WeeklyCadence,
    cadence_for,
    normalize_cron,
)

ANCHOR = dt.datetime(2024, 1, 1, tzinfo=dt.UTC).timestamp()
NEW_YORK = ZoneInfo("America/New_York")
_CADENCES: dict[str, Cadence] = {}  # reused across examples: walking cron schedules is the slow part


def test_fixed_schedules_are_recognised() -> None:
    assert isinstance(cadence_for("5 * * * *", NEW_YORK, ANCHOR), HourlyCadence)
    assert isinstance(cadence_for("0 6 * * *", NEW_YORK, ANCHOR), DailyCadence)
    assert isinstance(cadence_for("0 0 * * 1", NEW_YORK, ANCHOR), WeeklyCadence)
    assert isinstance(cadence_for("0 0 15 * *", NEW_YORK, ANCHOR), MonthlyCadence)
    assert isinstance(cadence_for("0 0 31 * *", NEW_YORK, ANCHOR), CronCadence)
    assert isinstance(cadence_for("0 9-17 * * 1-5", NEW_YORK, ANCHOR), CronCadence)
    assert cadence_for("*/15 * * * *", NEW_YORK, ANCHOR).name == "cron"
    assert cadence_for("0 */6 * * *", NEW_YORK, ANCHOR).name == "cron"
    assert isinstance(cadence_for("*/7 * * * *", NEW_YORK, ANCHOR), CronCadence)
    assert isinstance(cadence_for("0 */5 * * *", NEW_YORK, ANCHOR), CronCadence)


def test_aliases_normalise() -> None:
    assert normalize_cron("@daily") == "0 0 * * *"
    assert normalize_cron(" 0  0 * * *") == "0 0 * * *"


@settings(max_examples=40, deadline=None)
@given(
    cron=st.sampled_from(["0 9-17 * * 1-5", "*/20 * * * *", "0 0 31 * *", "0 6 * * *", "30 * * * *"]),
    offset=st.integers(min_value=-90 * 86400, max_value=90 * 86400),
)
def test_floor_brackets_the_timestamp(cron: str, offset: int) -> None:
    cadence = _CADENCES.setdefault(cron, cadence_for(cron, NEW_YORK, ANCHOR))
    timestamp = ANCHOR + offset + 0.5
    ordinal = cadence.floor(timestamp)
    assert cadence.boundary(ordinal) <= timestamp < cadence.boundary(ordinal + 1)
    assert cadence.ceil(cadence.boundary(ordinal)) == ordinal
    assert cadence.ceil(timestamp) == ordinal + 1


def test_arithmetic_cadences_match_croniter_across_dst_changes() -> None:
    # Spans both of 2024's DST changes in New York: the repeated hour and the skipped one
    # (a wall time inside the gap, such as 02:30, resolves to the end of the gap).
    for tz in (NEW_YORK, ZoneInfo("Asia/Kathmandu"), ZoneInfo("UTC")):
        for cron, count in [("*/15 * * * *", 2000), ("*/20 * * * *", 2000), ("0 */6 * * *", 800),
                            ("30 */2 * * *", 800), ("0 */2 * * *", 800), ("30 2 * * *", 40), ("30 2 * * 0", 10)]:
            for start in (dt.datetime(2024, 3, 9, 20, 7), dt.datetime(2024, 11, 2, 23, 0)):
                anchor = start.replace(tzinfo=tz).timestamp()
                fast = cadence_for(cron, tz, anchor)
                assert not isinstance(fast, CronCadence)
                walked = CronCadence(tz, cron, anchor)
                first = fast.ceil(anchor)
                assert [fast.boundary(first + i) for i in range(count)] == [walked.boundary(i) for i in range(count)], (
                    cron, tz, start)


def test_fifteen_minute_partitions_over_years_count_without_walking() -> None:
    # Through croniter, counting these took 20 s: one walk step per window.
    from assetgraph.definitions.partitions.time_window import TimeWindowPartitionsDefinition

    quarter_hours = TimeWindowPartitionsDefinition("*/15 * * * *", "2020-01-01-00:00", "%Y-%m-%d-%H:%M")
    assert not isinstance(quarter_hours.cadence, CronCadence)
    assert quarter_hours.num_partitions(current_time=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)) == 2192 * 96
