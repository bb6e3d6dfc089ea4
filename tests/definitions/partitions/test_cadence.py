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
