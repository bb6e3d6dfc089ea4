"""Property-based fuzzing of partition keys (issue 11, hostile input).

tests/definitions/partitions/ proves that valid keys round-trip; this file feeds every kind of
definition (time windows of each cadence, format and timezone, cron, static, dynamic,
multi-dimensional) text that is not a key, keys near the ends of the calendar, ranges of such
text, and hostile constructor arguments. Every failure must be our error (`PartitionError` for a
key, `DefinitionError` for a definition) with a message naming what was given, never a raw
``ValueError`` or ``OverflowError`` from datetime. Then the CLI's CSV-quoted key lists: any list of
keys survives the re-run command the CLI prints, and any text is a list or a usage error.
"""

from __future__ import annotations

import contextlib
import shlex
import time
from collections.abc import Callable, Sequence
from typing import Any

import click
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assetgraph import (
    DailyPartitionsDefinition,
    DynamicPartitionsDefinition,
    HourlyPartitionsDefinition,
    MonthlyPartitionsDefinition,
    MultiPartitionsDefinition,
    PartitionKeyRange,
    StaticPartitionsDefinition,
    WeeklyPartitionsDefinition,
)
from assetgraph.cli.backfill import _describe, parse_partition_list
from assetgraph.definitions.errors import DefinitionError, PartitionError
from assetgraph.definitions.partitions.base import PartitionsDefinition
from assetgraph.definitions.partitions.time_window import TimeWindowPartitionsDefinition
from tests.reliability.hostile_project import ODD_TEXT
from tests.reliability.outcomes import Campaign, scale


class Store:
    """Dynamic keys for the fuzzing: a fixed list, hostile text included."""

    keys = ["a.csv", *ODD_TEXT]

    def get_dynamic_partitions(self, name: str) -> Sequence[str]:
        return self.keys

    def has_dynamic_partition(self, name: str, key: str) -> bool:
        return key in self.keys


DEFINITIONS: dict[str, PartitionsDefinition] = {
    "daily": DailyPartitionsDefinition("2024-01-01"),
    "daily ending": DailyPartitionsDefinition("2024-01-01", end_date="2024-03-01", end_offset=2),
    "hourly New York": HourlyPartitionsDefinition("2024-01-01-00:00", timezone="America/New_York"),
    "hourly Kolkata offset": HourlyPartitionsDefinition("2020-01-01-00:00", timezone="Asia/Kolkata", minute_offset=30),
    "weekly": WeeklyPartitionsDefinition("2024-01-01", day_offset=3),
    "monthly Sydney": MonthlyPartitionsDefinition("2024-01-01", timezone="Australia/Sydney", day_offset=5),
    "daily %Y%m%d%z": DailyPartitionsDefinition("2024-01-01", fmt="%Y%m%d%z"),
    "daily %d/%m/%Y": DailyPartitionsDefinition("2024-01-01", fmt="%d/%m/%Y"),
    "cron weekdays": TimeWindowPartitionsDefinition("*/15 9-17 * * 1-5", "2024-01-01", "%Y-%m-%d %H:%M"),
    "cron yearly": TimeWindowPartitionsDefinition("0 0 1 1 *", "2000-01-01", "%Y"),
    "static": StaticPartitionsDefinition(["us", "eu", *ODD_TEXT]),
    "dynamic": DynamicPartitionsDefinition("files"),
    "multi": MultiPartitionsDefinition({"date": DailyPartitionsDefinition("2024-01-01"),
                                        "region": StaticPartitionsDefinition(["us", "eu"])}),
}
EDGE_KEYS = ["9999-12-31", "0001-01-01", "9999-12-31-23:00", "0001-01-01-00:00", "99991231+1400", "00010101-1400",
             "31/12/9999", "9999", "0001", "9999-12-31 23:45", "9999-12-31|us", "2024-01-01|us", "us|2024-01-01",
             "2024-02-30", "2024-01-01-24:00", "2024-03-10-02:00", "2024-11-03-01:00-0500", "2024-01-01", "",
             " 2024-01-01", "2024-01-01\x00", "\uff12\uff10\uff12\uff14-\uff10\uff11-\uff10\uff11"]
KEY_TEXT = (st.text() | st.sampled_from(EDGE_KEYS + ODD_TEXT)
            | st.from_regex(r"[0-9]{1,5}[-/]?[0-9]{1,3}[-/]?[0-9]{1,4}([- ][0-9]{1,2}:[0-9]{2})?([+-][0-9]{4})?"
                            r"(\|(us|eu|x))?", fullmatch=True))
OPERATIONS: dict[str, Callable[[PartitionsDefinition, str, str], Any]] = {
    "has_partition_key": lambda d, a, b: d.has_partition_key(a, dynamic_partitions_store=Store()),
    "validate_partition_key": lambda d, a, b: d.validate_partition_key(a, dynamic_partitions_store=Store()),
    "get_partition_keys_in_range": lambda d, a, b: d.get_partition_keys_in_range(PartitionKeyRange(a, b), Store()),
    "subset_with_keys": lambda d, a, b: d.subset_with_keys([a, b]),
    "subset_with_key_range": lambda d, a, b: d.subset_with_key_range(PartitionKeyRange(a, b), Store()),
    "time_window_for_partition_key": lambda d, a, b: d.time_window_for_partition_key(a)  # type: ignore[attr-defined]
    if isinstance(d, TimeWindowPartitionsDefinition) else None,
}


def fuzz_settings(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("key", ["9999-12-31", "99991231+1400", "9999-12-31-23:00", "9999"])
def test_keys_at_the_end_of_the_calendar_are_unknown_keys_not_value_errors(key: str) -> None:
    # Regression: "9999-12-31" spells a window that ends in year 10000; datetime raised ValueError,
    # which the server turned into an internal error.
    for name, partitions_def in DEFINITIONS.items():
        if isinstance(partitions_def, TimeWindowPartitionsDefinition):
            assert not partitions_def.has_partition_key(key), name
            with pytest.raises(PartitionError) as raised:
                partitions_def.time_window_for_partition_key(key)
            assert repr(key) in str(raised.value), name


@pytest.mark.parametrize("key", ["9999-12-31 09:00", "0001-01-01 09:00", "2900-06-02 09:15"])
def test_a_far_key_of_a_walked_cron_is_refused_without_walking_to_it(key: str) -> None:
    # Regression (found by the fuzzing below, full form): a cron that croniter walks one window at
    # a time ("*/15 9-17 * * 1-5") walked, and kept, every window up to year 9999 for such a key:
    # hours of CPU and gigabytes in the server for one `launchRun`.
    partitions_def = TimeWindowPartitionsDefinition("*/15 9-17 * * 1-5", "2024-01-01", "%Y-%m-%d %H:%M")
    started = time.monotonic()
    assert not partitions_def.has_partition_key(key)
    with pytest.raises(PartitionError, match="is not a partition"):
        partitions_def.time_window_for_partition_key(key)
    assert time.monotonic() - started < 5
    assert partitions_def.has_partition_key("2024-01-02 09:15")


@pytest.mark.parametrize("make", [
    lambda: DailyPartitionsDefinition("9999-12-31"),
    lambda: TimeWindowPartitionsDefinition("0 0 1 * 0", "9999-11-01", "%Y-%m-%d"),
    lambda: MonthlyPartitionsDefinition("0001-01-01", timezone="Europe/Paris"),
    lambda: DailyPartitionsDefinition("2024-01-01", end_offset=10**7),
])
def test_definitions_at_the_ends_of_the_calendar_are_definition_errors(make: Callable[[], Any]) -> None:
    # Regression (full-form fuzzing): ValueError "year 10000 is out of range" from datetime, when the
    # definition was built or when its last partition was asked for.
    with pytest.raises(DefinitionError, match="cannot be computed"):
        make()


def test_any_text_as_a_partition_key_is_a_partition_error_or_an_answer(campaign: Campaign) -> None:
    examples = scale(600, 10_000)
    tally = {"trials": 0, "raw": 0}

    @fuzz_settings(examples)
    @given(name=st.sampled_from(sorted(DEFINITIONS)), operation=st.sampled_from(sorted(OPERATIONS)), a=KEY_TEXT,
           b=KEY_TEXT)
    def fuzz(name: str, operation: str, a: str, b: str) -> None:
        tally["trials"] += 1
        try:
            OPERATIONS[operation](DEFINITIONS[name], a, b)
        except PartitionError as err:
            assert str(err).strip(), (name, operation, a, b)
        except Exception:
            tally["raw"] += 1
            raise

    try:
        fuzz()
    finally:
        campaign.record("input", "arbitrary text as partition keys and ranges (13 definitions, 6 operations)",
                        trials=tally["trials"], survived=tally["trials"] - tally["raw"],
                        checked="an answer or a PartitionError with a message; no raw ValueError/OverflowError",
                        details=f"{examples} examples requested")


CONSTRUCTOR_TEXT = st.text(max_size=24) | st.sampled_from([
    "0 0 * * *", "* * * * * */5", "@daily", "@yearly", "60 * * * *", "0 0 31 2 *", "0 0 30 2 *", "%", "%Y", "%Q",
    "%Y-%m-%d", "%z", "%f", "%%", "2024-01-01", "9999-12-31", "0001-01-01", "UTC", "Europe/Paris", "../../etc/x",
    "Etc/GMT+14", "", " ", "\x00", "1e9"])


def test_hostile_definition_arguments_are_definition_errors(campaign: Campaign) -> None:
    examples = scale(300, 5_000)
    tally = {"trials": 0, "raw": 0}

    @fuzz_settings(examples)
    @given(cron=CONSTRUCTOR_TEXT, start=CONSTRUCTOR_TEXT, fmt=CONSTRUCTOR_TEXT, timezone=CONSTRUCTOR_TEXT,
           end=st.none() | CONSTRUCTOR_TEXT, end_offset=st.integers(-(10**7), 10**7),
           static_keys=st.lists(st.text(max_size=4), max_size=4))
    def fuzz(cron: str, start: str, fmt: str, timezone: str, end: str | None, end_offset: int,
             static_keys: list[str]) -> None:
        tally["trials"] += 1
        try:
            built = TimeWindowPartitionsDefinition(cron, start, fmt, timezone, end_offset=end_offset, end=end)
            built.get_last_partition_key()
            built.num_partitions()
        except DefinitionError as err:
            assert str(err).strip()
        except Exception:
            tally["raw"] += 1
            raise
        with contextlib.suppress(DefinitionError):
            StaticPartitionsDefinition(static_keys)

    try:
        fuzz()
    finally:
        campaign.record("input", "hostile cron, start, format, timezone and offsets of time-window definitions",
                        trials=tally["trials"], survived=tally["trials"] - tally["raw"],
                        checked="a definition or a DefinitionError; no raw exception", details=f"{examples} examples")


KEY_LISTS = st.lists(st.text(min_size=1) | st.sampled_from([*ODD_TEXT, "\r\n", "\n", '"', '""', " ", "\x1e", "\x0c"]),
                     min_size=1, max_size=6)


@pytest.mark.parametrize("keys", [[" spaced "], ["\x0cform feed"], ["line\nbreak", "x"], ["\x1e"], ['"', ","]])
def test_the_printed_rerun_command_keeps_every_key(keys: list[str]) -> None:
    # Regression: the re-run command stripped the CSV line, and unquoted leading spaces were skipped
    # when read back, so keys with leading or trailing whitespace came back changed or empty.
    [flag, value] = shlex.split(_describe({"partitions": {"keys": keys}}))
    assert flag == "--partitions" and parse_partition_list(value) == keys


def test_line_breaks_separate_keys_and_csv_errors_are_usage_errors() -> None:
    # Regression: an unquoted carriage return and a key over csv's field limit reached the user as
    # a csv.Error traceback.
    assert parse_partition_list("a\rb\r\nc") == ["a", "b", "c"]
    with pytest.raises(click.BadParameter, match="field limit"):
        parse_partition_list("x" * 200_000)


def test_cli_key_lists_round_trip_and_any_text_parses_or_is_a_usage_error(campaign: Campaign) -> None:
    examples = scale(400, 5_000)
    tally = {"trials": 0, "raw": 0}

    @fuzz_settings(examples)
    @given(keys=KEY_LISTS, text=st.text())
    def fuzz(keys: list[str], text: str) -> None:
        tally["trials"] += 1
        try:
            [_, value] = shlex.split(_describe({"partitions": {"keys": keys}}))
            assert parse_partition_list(value) == keys
            try:
                parsed = parse_partition_list(text)
                assert parsed and all(parsed)
            except click.BadParameter as err:
                assert err.message
        except BaseException:
            tally["raw"] += 1
            raise

    try:
        fuzz()
    finally:
        campaign.record("input", "CSV-quoted partition key lists of the CLI (round trip through the re-run command)",
                        trials=tally["trials"], survived=tally["trials"] - tally["raw"],
                        checked="keys come back unchanged; other text is a list or a usage error",
                        details=f"{examples} examples")
