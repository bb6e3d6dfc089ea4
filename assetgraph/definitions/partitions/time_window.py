"""Time-window partitions: `TimeWindowPartitionsDefinition`, its daily, hourly, weekly and
monthly forms, and `TimeWindow`.

A partition is the window between two consecutive boundaries of a cron schedule; its key is
the window's start formatted with ``fmt``. Windows are numbered by ordinals (see `cadence`),
so counting, key ↔ window and subsets never list keys. Pure: the only clock read is the
``datetime.now`` default when no ``current_time`` is given. Must not import anything from
assetgraph beyond `definitions`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assetgraph.definitions.errors import DefinitionError, PartitionError, UnknownPartitionKeyError
from assetgraph.definitions.partitions.base import (
    DynamicPartitionsStore,
    PartitionKeyRange,
    PartitionsDefinition,
)
from assetgraph.definitions.partitions.cadence import Cadence, cadence_for, normalize_cron
from assetgraph.definitions.partitions.subset import TimeWindowPartitionsSubset


@dataclass(frozen=True)
class TimeWindow:
    """The half-open window ``[start, end)`` of one partition; both ends timezone-aware.

    >>> from assetgraph.definitions.partitions import DailyPartitionsDefinition
    >>> w = DailyPartitionsDefinition("2024-01-01").time_window_for_partition_key("2024-01-02")
    >>> (w.start.isoformat(), w.end.isoformat())
    ('2024-01-02T00:00:00+00:00', '2024-01-03T00:00:00+00:00')
    """

    start: dt.datetime
    end: dt.datetime


def _zone(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise DefinitionError(
            f"Unknown timezone {timezone!r}: use an IANA name such as 'UTC' or 'America/New_York'."
        ) from exc


def _parse_datetime(value: dt.datetime | dt.date | str, fmt: str, tz: ZoneInfo, what: str) -> dt.datetime:
    """A user's start or end (datetime, date, or string in ``fmt`` or ISO 8601) as an aware datetime."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime.combine(value, dt.time())
    elif isinstance(value, str):
        parsed = _parse_text(value, fmt, what)
    else:
        raise DefinitionError(f"The {what} of a time-window partitions definition must be a datetime or a string, "
                              f"got {value!r}.")
    return parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed.astimezone(tz)


def _parse_text(value: str, fmt: str, what: str) -> dt.datetime:
    for attempt in (lambda: dt.datetime.strptime(value, fmt), lambda: dt.datetime.fromisoformat(value)):
        try:
            return attempt()
        except ValueError:
            continue
    raise DefinitionError(f"Cannot read the {what} {value!r}: write it in the format {fmt!r} or as ISO 8601.")


def _timestamp_of(value: float | dt.datetime, tz: ZoneInfo) -> float:
    if isinstance(value, dt.datetime):
        return (value.replace(tzinfo=tz) if value.tzinfo is None else value).timestamp()
    return float(value)


class TimeWindowPartitionsDefinition(PartitionsDefinition):
    """Partitions that are the windows between consecutive boundaries of ``cron_schedule``.

    Args:
        cron_schedule: where windows start, e.g. ``"0 0 * * *"``; hourly, daily, weekly and
            monthly schedules are computed arithmetically, others with croniter.
        start: the first window starts at the first boundary on or after ``start``
            (a datetime, or a string in ``fmt`` or ISO 8601; naive values are in ``timezone``).
        fmt: ``strftime`` format of keys. In the repeated hour after a DST fall-back, a key
            whose format has no ``%z`` gets the UTC offset appended (``"2024-11-03-01:00-0500"``).
        timezone: IANA name; windows follow its wall clock across DST.
        end: exclusive: only windows that end on or before ``end`` exist.
        end_offset: how many windows past the last ended one exist (negative: fewer).

    Only windows that have ended by ``current_time`` (plus ``end_offset``) exist. Naive
    ``current_time`` values are read in ``timezone``.

    >>> hourly = TimeWindowPartitionsDefinition("0 * * * *", "2024-01-01-00:00", "%Y-%m-%d-%H:%M")
    >>> hourly.get_partition_keys(current_time=dt.datetime(2024, 1, 1, 2, 30, tzinfo=dt.timezone.utc))
    ['2024-01-01-00:00', '2024-01-01-01:00']
    """

    cron_schedule: str
    start: dt.datetime
    end: dt.datetime | None
    fmt: str
    timezone: str
    end_offset: int
    cadence: Cadence
    first_ordinal: int
    end_ordinal: int | None
    _fmt_has_offset: bool

    def __init__(
        self,
        cron_schedule: str,
        start: dt.datetime | dt.date | str,
        fmt: str,
        timezone: str = "UTC",
        end_offset: int = 0,
        end: dt.datetime | dt.date | str | None = None,
    ) -> None:
        tz = _zone(timezone)
        start_dt = _parse_datetime(start, fmt, tz, "start")
        end_dt = _parse_datetime(end, fmt, tz, "end") if end is not None else None
        cron = normalize_cron(cron_schedule)
        try:
            self._set_windows(cron, start_dt, end_dt, fmt, timezone, end_offset, cadence_for(cron, tz, start_dt.timestamp()))
        except (ValueError, OverflowError) as exc:
            if isinstance(exc, DefinitionError):
                raise
            # A start or end near year 1 or 9999: the windows around it fall outside what datetime holds.
            raise DefinitionError(f"The windows of {cron_schedule!r} from {start_dt.isoformat()} cannot be computed "
                                  f"({exc}); use a start and an end well inside the years 1 to 9999.") from None

    def _set_windows(self, cron: str, start_dt: dt.datetime, end_dt: dt.datetime | None, fmt: str, timezone: str,
                     end_offset: int, cadence: Cadence) -> None:
        self._set("cron_schedule", cron)
        self._set("start", start_dt)
        self._set("end", end_dt)
        self._set("fmt", fmt)
        self._set("timezone", timezone)
        self._set("end_offset", int(end_offset))
        self._set("cadence", cadence)
        self._set("_fmt_has_offset", "%z" in fmt)
        self._set("first_ordinal", cadence.ceil(start_dt.timestamp()))
        self._set("end_ordinal", cadence.floor(end_dt.timestamp()) if end_dt is not None else None)
        self._check_bounds_and_format()
        if self.end_offset > 0 and self.end_ordinal is None:
            self.key_for_ordinal(self.stop_ordinal())  # the windows end_offset adds must exist in the calendar

    def _check_bounds_and_format(self) -> None:
        if self.end_ordinal is not None and self.end_ordinal <= self.first_ordinal:
            raise DefinitionError(f"{self!r} has no partitions: no whole window fits between its start and its end.")
        first, second = self.key_for_ordinal(self.first_ordinal), self.key_for_ordinal(self.first_ordinal + 1)
        if first == second or self.ordinal_for_key(first) != self.first_ordinal:
            raise DefinitionError(
                f"The key format {self.fmt!r} cannot tell the windows of {self.cron_schedule!r} apart "
                f"({first!r} and {second!r}): add the fields that change between windows (e.g. %H:%M for hours)."
            )

    def _identity(self) -> Hashable:
        end = self.end.timestamp() if self.end is not None else None
        return ("time_window", self.cron_schedule, self.start.timestamp(), end, self.fmt, self.timezone, self.end_offset)

    def __repr__(self) -> str:
        end = f", end={self.end.isoformat()!r}" if self.end is not None else ""
        offset = f", end_offset={self.end_offset}" if self.end_offset else ""
        return (
            f"{type(self).__name__}(cron_schedule={self.cron_schedule!r}, start={self.start.isoformat()!r}, "
            f"fmt={self.fmt!r}, timezone={self.timezone!r}{end}{offset})"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": "time_window",
            "cron_schedule": self.cron_schedule,
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end is not None else None,
            "fmt": self.fmt,
            "timezone": self.timezone,
            "end_offset": self.end_offset,
        }

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> TimeWindowPartitionsDefinition:
        """Rebuild from `to_dict` (prefer the module function `partitions_def_from_dict`)."""
        end = data.get("end")
        return TimeWindowPartitionsDefinition(
            cron_schedule=data["cron_schedule"],
            start=dt.datetime.fromisoformat(data["start"]),
            fmt=data["fmt"],
            timezone=data["timezone"],
            end=dt.datetime.fromisoformat(end) if end is not None else None,
            end_offset=int(data.get("end_offset", 0)),
        )

    @property
    def cadence_name(self) -> str:
        """``"hourly"``, ``"daily"``, ``"weekly"``, ``"monthly"`` or ``"cron"``."""
        return self.cadence.name

    # Ordinals: the arithmetic that subsets and mappings build on.

    def key_for_ordinal(self, ordinal: int) -> str:
        """The key of the window that starts at boundary ``ordinal``."""
        start = self.cadence.boundary_datetime(ordinal)
        key = start.strftime(self.fmt)
        if start.fold and not self._fmt_has_offset:
            key += start.strftime("%z")  # the repeated hour after a DST fall-back
        return key

    def ordinal_for_key(self, partition_key: str) -> int | None:
        """The ordinal of the window whose key is ``partition_key``, or None when no window has
        that key (bounds are not checked)."""
        parsed = self._strptime(partition_key)
        if parsed is None:
            return None
        # A key may omit fields the boundaries have (a daily key with hour_offset=6): its window
        # is the first one starting at or after the time the key spells.
        try:
            ordinal = self.cadence.ceil(_timestamp_of(parsed, self.cadence.tz))
            if self.key_for_ordinal(ordinal) != partition_key:
                return None
            self.cadence.boundary_datetime(ordinal + 1)
        except (ValueError, OverflowError):
            # Keys near year 1 or 9999 ("9999-12-31") spell windows that start or end outside what
            # datetime can hold: no partition has them.
            return None
        return ordinal

    def _strptime(self, text: str) -> dt.datetime | None:
        formats = (self.fmt,) if self._fmt_has_offset else (self.fmt, self.fmt + "%z")
        for fmt in formats:
            try:
                return dt.datetime.strptime(text, fmt)
            except ValueError:
                continue
        return None

    def stop_ordinal(self, current_time: dt.datetime | None = None) -> int:
        """One past the ordinal of the last partition that exists at ``current_time`` (default: now)."""
        now = current_time if current_time is not None else dt.datetime.now(dt.UTC)
        stop = self.cadence.floor(_timestamp_of(now, self.cadence.tz)) + self.end_offset
        if self.end_ordinal is not None:
            stop = min(stop, self.end_ordinal)
        return max(stop, self.first_ordinal)

    def snap_interval(self, start: int, end: int) -> tuple[int, int]:
        """``[start, end)`` shrunk to whole windows inside the definition's start and end."""
        lo = max(self.cadence.ceil(start), self.first_ordinal)
        hi = self.cadence.floor(end)
        if self.end_ordinal is not None:
            hi = min(hi, self.end_ordinal)
        if lo >= hi:
            return (0, 0)
        return (self.cadence.boundary(lo), self.cadence.boundary(hi))

    def _is_in_bounds(self, ordinal: int) -> bool:
        return ordinal >= self.first_ordinal and (self.end_ordinal is None or ordinal < self.end_ordinal)

    def _require_ordinal(self, partition_key: str) -> int:
        ordinal = self.ordinal_for_key(partition_key)
        if ordinal is None or not self._is_in_bounds(ordinal):
            raise self._unknown_key_error(partition_key)
        return ordinal

    def _unknown_key_error(
        self,
        partition_key: str,
        current_time: dt.datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> UnknownPartitionKeyError:
        ordinal = self.ordinal_for_key(partition_key)
        if ordinal is not None and self._is_in_bounds(ordinal):
            last = self.get_last_partition_key(current_time)
            return UnknownPartitionKeyError(
                f"Partition {partition_key!r} of {self!r} does not exist yet: its window has not ended "
                f"(the last partition is {last!r})."
            )
        message = (
            f"Partition key {partition_key!r} is not a partition of {self!r}.\n"
            f"  keys look like {self.key_for_ordinal(self.first_ordinal)!r} (format {self.fmt!r})"
        )
        suggestion = self._nearest_key(partition_key)
        if suggestion is not None and suggestion != partition_key:
            message += f"\n  did you mean: {suggestion}"
        return UnknownPartitionKeyError(message)

    def _nearest_key(self, partition_key: str) -> str | None:
        parsed = self._strptime(partition_key)
        if parsed is None:
            return None
        try:
            ordinal = max(self.cadence.floor(_timestamp_of(parsed, self.cadence.tz)), self.first_ordinal)
            if self.end_ordinal is not None:
                ordinal = min(ordinal, self.end_ordinal - 1)
            return self.key_for_ordinal(ordinal)
        except (ValueError, OverflowError):  # near year 1 or 9999: no suggestion rather than no error message
            return None

    # The PartitionsDefinition interface.

    def num_partitions(
        self, current_time: dt.datetime | None = None, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> int:
        return self.stop_ordinal(current_time) - self.first_ordinal

    def get_partition_keys(
        self, current_time: dt.datetime | None = None, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> Sequence[str]:
        return [self.key_for_ordinal(o) for o in range(self.first_ordinal, self.stop_ordinal(current_time))]

    def get_partition_keys_in_range(
        self, partition_key_range: PartitionKeyRange, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> Sequence[str]:
        lo, hi = self._ordinals_of_range(partition_key_range)
        return [self.key_for_ordinal(o) for o in range(lo, hi + 1)]

    def _ordinals_of_range(self, partition_key_range: PartitionKeyRange) -> tuple[int, int]:
        lo = self._require_ordinal(partition_key_range.start)
        hi = self._require_ordinal(partition_key_range.end)
        self._check_range_order(partition_key_range, lo, hi)
        return lo, hi

    def get_first_partition_key(
        self, current_time: dt.datetime | None = None, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> str | None:
        if self.stop_ordinal(current_time) == self.first_ordinal:
            return None
        return self.key_for_ordinal(self.first_ordinal)

    def get_last_partition_key(
        self, current_time: dt.datetime | None = None, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> str | None:
        stop = self.stop_ordinal(current_time)
        return self.key_for_ordinal(stop - 1) if stop > self.first_ordinal else None

    def has_partition_key(
        self,
        partition_key: str,
        current_time: dt.datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> bool:
        ordinal = self.ordinal_for_key(partition_key)
        return ordinal is not None and self.first_ordinal <= ordinal < self.stop_ordinal(current_time)

    def time_window_for_partition_key(self, partition_key: str) -> TimeWindow:
        """The window of ``partition_key``; raises `UnknownPartitionKeyError` for a key outside the definition."""
        ordinal = self._require_ordinal(partition_key)
        return TimeWindow(self.cadence.boundary_datetime(ordinal), self.cadence.boundary_datetime(ordinal + 1))

    def time_window_for_partition_key_range(self, partition_key_range: PartitionKeyRange) -> TimeWindow:
        """The window from the start of ``range.start`` to the end of ``range.end``."""
        lo, hi = self._ordinals_of_range(partition_key_range)
        return TimeWindow(self.cadence.boundary_datetime(lo), self.cadence.boundary_datetime(hi + 1))

    def get_partition_key_for_timestamp(self, timestamp: float | dt.datetime) -> str:
        """The key of the window containing ``timestamp`` (epoch seconds or datetime; naive in ``timezone``).

        Raises `PartitionError` when it falls before the first window or after ``end``.
        """
        ordinal = self.cadence.floor(_timestamp_of(timestamp, self.cadence.tz))
        if not self._is_in_bounds(ordinal):
            raise PartitionError(f"No partition of {self!r} contains {timestamp!r}.")
        return self.key_for_ordinal(ordinal)

    # Subsets.

    def subset_for_ordinals(self, ordinal_ranges: Iterable[tuple[int, int]]) -> TimeWindowPartitionsSubset:
        """The subset of half-open ordinal ranges (clipped to the definition)."""
        boundary = self.cadence.boundary
        return TimeWindowPartitionsSubset(self, ((boundary(lo), boundary(hi)) for lo, hi in ordinal_ranges if lo < hi))

    def empty_subset(self) -> TimeWindowPartitionsSubset:
        return TimeWindowPartitionsSubset(self, ())

    def subset_with_keys(self, partition_keys: Iterable[str]) -> TimeWindowPartitionsSubset:
        ordinals = sorted({self._require_ordinal(k) for k in partition_keys})
        runs: list[tuple[int, int]] = []
        for ordinal in ordinals:
            if runs and runs[-1][1] == ordinal:
                runs[-1] = (runs[-1][0], ordinal + 1)
            else:
                runs.append((ordinal, ordinal + 1))
        return self.subset_for_ordinals(runs)

    def subset_with_key_range(
        self, partition_key_range: PartitionKeyRange, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> TimeWindowPartitionsSubset:
        lo, hi = self._ordinals_of_range(partition_key_range)
        return self.subset_for_ordinals([(lo, hi + 1)])

    def subset_with_time_window(self, window: TimeWindow) -> TimeWindowPartitionsSubset:
        """The partitions whose windows lie inside ``window``."""
        return TimeWindowPartitionsSubset(self, [(int(window.start.timestamp()), int(window.end.timestamp()))])

    def all_subset(
        self, current_time: dt.datetime | None = None, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> TimeWindowPartitionsSubset:
        return self.subset_for_ordinals([(self.first_ordinal, self.stop_ordinal(current_time))])


def _offset_cron(minute: int, hour: int | None, day: str, weekday: str) -> str:
    if not 0 <= minute <= 59 or not 0 <= (hour or 0) <= 23:
        raise DefinitionError(f"minute_offset must be 0-59 and hour_offset 0-23, got {minute} and {hour}.")
    return f"{minute} {'*' if hour is None else hour} {day} * {weekday}"


class HourlyPartitionsDefinition(TimeWindowPartitionsDefinition):
    """One partition per hour, keyed like ``"2024-01-01-13:00"``.

    >>> HourlyPartitionsDefinition("2024-01-01-00:00").get_partition_keys_in_range(
    ...     PartitionKeyRange("2024-01-01-00:00", "2024-01-01-01:00"))
    ['2024-01-01-00:00', '2024-01-01-01:00']
    """

    def __init__(
        self,
        start_date: dt.datetime | dt.date | str,
        end_date: dt.datetime | dt.date | str | None = None,
        timezone: str = "UTC",
        fmt: str = "%Y-%m-%d-%H:%M",
        end_offset: int = 0,
        minute_offset: int = 0,
    ) -> None:
        super().__init__(_offset_cron(minute_offset, None, "*", "*"), start_date, fmt,
                         timezone, end_offset=end_offset, end=end_date)


class DailyPartitionsDefinition(TimeWindowPartitionsDefinition):
    """One partition per day, keyed like ``"2024-01-01"``; ``end_date`` is exclusive.

    >>> DailyPartitionsDefinition("2024-01-01", end_date="2024-01-03").get_partition_keys()
    ['2024-01-01', '2024-01-02']
    """

    def __init__(
        self,
        start_date: dt.datetime | dt.date | str,
        end_date: dt.datetime | dt.date | str | None = None,
        timezone: str = "UTC",
        fmt: str = "%Y-%m-%d",
        end_offset: int = 0,
        minute_offset: int = 0,
        hour_offset: int = 0,
    ) -> None:
        super().__init__(_offset_cron(minute_offset, hour_offset, "*", "*"), start_date, fmt, timezone,
                         end_offset=end_offset, end=end_date)


class WeeklyPartitionsDefinition(TimeWindowPartitionsDefinition):
    """One partition per week, starting on ``day_offset`` (0 = Sunday) at or after ``start_date``.

    >>> WeeklyPartitionsDefinition("2024-01-01", end_date="2024-01-20").get_partition_keys()
    ['2024-01-07']
    """

    def __init__(
        self,
        start_date: dt.datetime | dt.date | str,
        end_date: dt.datetime | dt.date | str | None = None,
        timezone: str = "UTC",
        fmt: str = "%Y-%m-%d",
        end_offset: int = 0,
        minute_offset: int = 0,
        hour_offset: int = 0,
        day_offset: int = 0,
    ) -> None:
        if not 0 <= day_offset <= 6:
            raise DefinitionError(f"day_offset of weekly partitions must be 0 (Sunday) to 6, got {day_offset}.")
        super().__init__(_offset_cron(minute_offset, hour_offset, "*", str(day_offset)), start_date, fmt,
                         timezone, end_offset=end_offset, end=end_date)


class MonthlyPartitionsDefinition(TimeWindowPartitionsDefinition):
    """One partition per month, starting on day ``day_offset`` (1-28) at or after ``start_date``.

    >>> MonthlyPartitionsDefinition("2024-01-15", end_date="2024-04-01").get_partition_keys()
    ['2024-02-01', '2024-03-01']
    """

    def __init__(
        self,
        start_date: dt.datetime | dt.date | str,
        end_date: dt.datetime | dt.date | str | None = None,
        timezone: str = "UTC",
        fmt: str = "%Y-%m-%d",
        end_offset: int = 0,
        minute_offset: int = 0,
        hour_offset: int = 0,
        day_offset: int = 1,
    ) -> None:
        if not 1 <= day_offset <= 28:
            raise DefinitionError(f"day_offset of monthly partitions must be 1 to 28, got {day_offset}.")
        super().__init__(_offset_cron(minute_offset, hour_offset, str(day_offset), "*"), start_date, fmt,
                         timezone, end_offset=end_offset, end=end_date)
