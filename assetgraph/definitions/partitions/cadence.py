"""Cadences: where the boundaries of time windows fall.

A cadence numbers its boundaries with integer *ordinals* and converts between an ordinal and
its boundary (epoch seconds) in O(1) for hourly, daily, weekly, monthly, every-N-minutes and
every-N-hours cron schedules.
Any other cron schedule is walked with croniter, imported only then so that
``import assetgraph`` stays light. Pure: no clock reads. Must not import anything from
assetgraph beyond `definitions.errors`.
"""

from __future__ import annotations

import bisect
import functools
from abc import ABC, abstractmethod
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from assetgraph.definitions.errors import DefinitionError, PartitionError

_ALIASES = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
}
_HOUR = 3600
_FORTNIGHT = 14 * 86400
# croniter steps cost microseconds each: walk in chunks that grow with what was already needed.
_CRON_MIN_CHUNK = 8
_CRON_MAX_CHUNK = 1024
# How many boundaries a croniter cadence walks from its anchor, each way, before it refuses: a
# partition key in year 9999 would otherwise walk (and keep) every window until then, for hours.
MAX_CRON_WALK = 250_000


def normalize_cron(cron_schedule: str) -> str:
    """The canonical spelling of a cron schedule: aliases expanded, single spaces."""
    text = " ".join(cron_schedule.split())
    return _ALIASES.get(text, text)


class Cadence(ABC):
    """Boundaries numbered by ordinals: ``boundary(o) < boundary(o + 1)`` for every ``o``."""

    name: str

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz

    @abstractmethod
    def boundary(self, ordinal: int) -> int:
        """The epoch second at which boundary ``ordinal`` falls."""

    @abstractmethod
    def floor(self, timestamp: float) -> int:
        """The ordinal of the last boundary at or before ``timestamp``."""

    def ceil(self, timestamp: float) -> int:
        """The ordinal of the first boundary at or after ``timestamp``."""
        ordinal = self.floor(timestamp)
        return ordinal if self.boundary(ordinal) == timestamp else ordinal + 1

    def boundary_datetime(self, ordinal: int) -> datetime:
        """Boundary ``ordinal`` as an aware datetime in the cadence's timezone."""
        return datetime.fromtimestamp(self.boundary(ordinal), self.tz)


class HourlyCadence(Cadence):
    """Every hour at ``minute``, counted in absolute time so that a DST day has 23 or 25 hours."""

    name = "hourly"
    period = _HOUR

    def __init__(self, tz: ZoneInfo, minute: int, reference: float) -> None:
        super().__init__(tz)
        offset = datetime.fromtimestamp(reference, tz).utcoffset()
        offset_seconds = int(offset.total_seconds()) if offset is not None else 0
        # Zones whose offsets differ by whole hours (nearly all) keep one phase all year.
        self._phase = (minute * 60 - offset_seconds) % self.period

    def boundary(self, ordinal: int) -> int:
        return ordinal * self.period + self._phase

    def floor(self, timestamp: float) -> int:
        return int((timestamp - self._phase) // self.period)


class EveryMinutesCadence(HourlyCadence):
    """Every ``step`` minutes (``*/15 * * * *``, ``step`` divides 60): absolute time, like hourly
    and like croniter, which walks the repeated hour after a DST fall-back twice."""

    name = "cron"

    def __init__(self, tz: ZoneInfo, step: int, reference: float) -> None:
        self.period = step * 60
        super().__init__(tz, 0, reference)


class EveryHoursCadence(Cadence):
    """At ``minute`` past every ``step`` hours of the local day (``0 */6 * * *``, ``step`` divides
    24): wall-clock times, like daily; a time inside a DST gap resolves as croniter does."""

    name = "cron"

    def __init__(self, tz: ZoneInfo, step: int, minute: int) -> None:
        super().__init__(tz)
        self._step = step
        self._per_day = 24 // step
        self._minute = minute

    def boundary(self, ordinal: int) -> int:
        day, index = divmod(ordinal, self._per_day)
        return wall_time_timestamp(date.fromordinal(day), time(index * self._step, self._minute), self.tz)

    def floor(self, timestamp: float) -> int:
        ordinal = datetime.fromtimestamp(timestamp, self.tz).date().toordinal() * self._per_day
        while self.boundary(ordinal) > timestamp:
            ordinal -= 1
        while self.boundary(ordinal + 1) <= timestamp:
            ordinal += 1
        return ordinal


def wall_time_timestamp(day: date, wall_time: time, tz: ZoneInfo) -> int:
    """The epoch second of a wall-clock time. A wall time inside a DST gap does not exist: like
    croniter, it resolves to the instant the gap ends (02:30 on a spring-forward night is 03:00)."""
    local = datetime.combine(day, wall_time, tz)
    after = int(local.timestamp())  # fold=0 reads a gap time with the offset from before the gap
    if datetime.fromtimestamp(after, tz).replace(tzinfo=None) == local.replace(tzinfo=None):
        return after
    before = int(local.replace(fold=1).timestamp())  # and fold=1 with the offset from after it
    offset_after = datetime.fromtimestamp(after, tz).utcoffset()
    while after - before > 1:  # the gap ends in (before, after]: bisect to the second
        middle = (before + after) // 2
        if datetime.fromtimestamp(middle, tz).utcoffset() == offset_after:
            after = middle
        else:
            before = middle
    return after


class _LocalCadence(Cadence):
    """Boundaries at a wall-clock time on calendar days: computed in local time, then localised."""

    def __init__(self, tz: ZoneInfo, hour: int, minute: int) -> None:
        super().__init__(tz)
        self._time = time(hour, minute)

    @abstractmethod
    def _local_date(self, ordinal: int) -> date:
        """The local date of boundary ``ordinal``."""

    @abstractmethod
    def _approximate_ordinal(self, local_date: date) -> int:
        """An ordinal within one step of the boundary at or before ``local_date``."""

    def boundary(self, ordinal: int) -> int:
        return wall_time_timestamp(self._local_date(ordinal), self._time, self.tz)

    def floor(self, timestamp: float) -> int:
        ordinal = self._approximate_ordinal(datetime.fromtimestamp(timestamp, self.tz).date())
        while self.boundary(ordinal) > timestamp:
            ordinal -= 1
        while self.boundary(ordinal + 1) <= timestamp:
            ordinal += 1
        return ordinal


class DailyCadence(_LocalCadence):
    name = "daily"

    def _local_date(self, ordinal: int) -> date:
        return date.fromordinal(ordinal)

    def _approximate_ordinal(self, local_date: date) -> int:
        return local_date.toordinal()


class WeeklyCadence(_LocalCadence):
    name = "weekly"

    def __init__(self, tz: ZoneInfo, hour: int, minute: int, cron_weekday: int) -> None:
        super().__init__(tz, hour, minute)
        # date.fromordinal(1) is a Monday; cron counts from Sunday = 0.
        self._base = 1 + (cron_weekday - 1) % 7

    def _local_date(self, ordinal: int) -> date:
        return date.fromordinal(self._base + 7 * ordinal)

    def _approximate_ordinal(self, local_date: date) -> int:
        return (local_date.toordinal() - self._base) // 7


class MonthlyCadence(_LocalCadence):
    name = "monthly"

    def __init__(self, tz: ZoneInfo, hour: int, minute: int, day: int) -> None:
        super().__init__(tz, hour, minute)
        self._day = day

    def _local_date(self, ordinal: int) -> date:
        return date(ordinal // 12, ordinal % 12 + 1, self._day)

    def _approximate_ordinal(self, local_date: date) -> int:
        return local_date.year * 12 + local_date.month - 1


class CronCadence(Cadence):
    """Any cron schedule, walked with croniter; ordinal 0 is the first boundary at or after ``anchor``."""

    name = "cron"

    def __init__(self, tz: ZoneInfo, cron_schedule: str, anchor: float) -> None:
        super().__init__(tz)
        from croniter import croniter

        if not croniter.is_valid(cron_schedule):
            raise DefinitionError(
                f"Invalid cron schedule {cron_schedule!r}: use five fields, e.g. '0 0 * * *' for daily at midnight."
            )
        self._croniter: Any = croniter
        self._cron = cron_schedule
        self._forward: list[int] = self._walk(anchor - 1, 1, forward=True)
        self._backward: list[int] = []

    def _walk(self, start: float, count: int, *, forward: bool) -> list[int]:
        it = self._croniter(self._cron, datetime.fromtimestamp(start, self.tz))
        step = it.get_next if forward else it.get_prev
        return [int(step(float)) for _ in range(count)]

    def _extend_forward(self, count: int) -> None:
        self._check_walk(self._forward, "after")
        self._forward.extend(self._walk(self._forward[-1], count, forward=True))

    def _extend_backward(self, count: int) -> None:
        self._check_walk(self._backward, "before")
        last = self._backward[-1] if self._backward else self._forward[0]
        self._backward.extend(self._walk(last, count, forward=False))

    def _refuse_far(self, walked: list[int], timestamp: float, where: str) -> None:
        """Refuse at once a time that lies beyond the cap by the density of the windows walked so far,
        rather than walking up to the cap first (seconds of croniter)."""
        if len(walked) < _CRON_MIN_CHUNK:
            return
        span = abs(walked[-1] - walked[0]) or 1
        if len(walked) + abs(timestamp - walked[-1]) * len(walked) / span > MAX_CRON_WALK:
            self._check_walk([0] * MAX_CRON_WALK, where)

    def _check_walk(self, walked: list[int], where: str) -> None:
        if len(walked) >= MAX_CRON_WALK:
            raise PartitionError(
                f"The cron schedule {self._cron!r} has no window that assetgraph can reach more than "
                f"{MAX_CRON_WALK:,} windows {where} its start: it is walked one window at a time. Use an hourly, "
                "daily, weekly, monthly or every-N-minutes schedule, or a later start, for longer spans.")

    def boundary(self, ordinal: int) -> int:
        if ordinal >= 0:
            while len(self._forward) <= ordinal:
                self._extend_forward(max(_chunk(self._forward), ordinal + 1 - len(self._forward)))
            return self._forward[ordinal]
        while len(self._backward) < -ordinal:
            self._extend_backward(max(_chunk(self._backward), -ordinal - len(self._backward)))
        return self._backward[-ordinal - 1]

    def floor(self, timestamp: float) -> int:
        if timestamp >= self._forward[0]:
            self._refuse_far(self._forward, timestamp, "after")
            while self._forward[-1] <= timestamp:
                self._extend_forward(_chunk(self._forward))
            return bisect.bisect_right(self._forward, timestamp) - 1
        self._refuse_far(self._backward, timestamp, "before")
        while not self._backward or self._backward[-1] > timestamp:
            self._extend_backward(_chunk(self._backward))
        # _backward is descending: find the first boundary at or before the timestamp.
        position = bisect.bisect_left(self._backward, -timestamp, key=lambda b: -b)
        return -(position + 1)


def _chunk(walked: list[int]) -> int:
    return min(_CRON_MAX_CHUNK, max(_CRON_MIN_CHUNK, len(walked)))


def _field(text: str, low: int, high: int) -> int | None:
    if text.isdigit() and low <= int(text) <= high:
        return int(text)
    return None


def _keeps_phase(tz: ZoneInfo, period: int, reference: float) -> bool:
    """Whether the zone's UTC offset stays the same modulo ``period`` over the two years after
    ``reference``, so that boundaries at a wall-clock minute are ``period`` apart in absolute time.
    Not so in Australia/Lord_Howe, whose DST shift is half an hour: croniter walks it instead."""
    return _keeps_phase_from(tz, period, int(reference // _FORTNIGHT))


@functools.lru_cache(maxsize=256)  # many definitions share a zone and a start date
def _keeps_phase_from(tz: ZoneInfo, period: int, first_fortnight: int) -> bool:
    phases = set()
    for fortnight in range(first_fortnight, first_fortnight + 53):
        offset = datetime.fromtimestamp(fortnight * _FORTNIGHT, tz).utcoffset()
        phases.add(int(offset.total_seconds()) % period if offset is not None else 0)
    return len(phases) == 1


def _step(text: str, whole: int) -> int | None:
    """N for ``*/N`` when N divides ``whole`` (60 minutes, 24 hours) into several steps."""
    if text.startswith("*/") and text[2:].isdigit():
        step = int(text[2:])
        if 0 < step < whole and whole % step == 0:
            return step
    return None


def cadence_for(cron_schedule: str, tz: ZoneInfo, anchor: float) -> Cadence:
    """The cadence of a normalised cron schedule: arithmetic when it is hourly, daily, weekly,
    monthly (on days 1 to 28), every N minutes or every N hours; croniter otherwise."""
    fields = cron_schedule.split(" ")
    if len(fields) == 5:
        minute_text, hour_text, day_text, month_text, weekday_text = fields
        minute = _field(minute_text, 0, 59)
        hour = _field(hour_text, 0, 23)
        day = _field(day_text, 1, 28)
        weekday = _field(weekday_text, 0, 7)
        if (day_text, month_text, weekday_text) == ("*", "*", "*"):
            minutes_step, hours_step = _step(minute_text, 60), _step(hour_text, 24)
            if minutes_step is not None and hour_text == "*" and _keeps_phase(tz, minutes_step * 60, anchor):
                return EveryMinutesCadence(tz, minutes_step, anchor)
            if minute is not None and hours_step is not None and hours_step > 1:
                return EveryHoursCadence(tz, hours_step, minute)
        if minute is not None and month_text == "*":
            if (hour_text, day_text, weekday_text) == ("*", "*", "*") and _keeps_phase(tz, _HOUR, anchor):
                return HourlyCadence(tz, minute, anchor)
            if hour is not None and (day_text, weekday_text) == ("*", "*"):
                return DailyCadence(tz, hour, minute)
            if hour is not None and day_text == "*" and weekday is not None:
                return WeeklyCadence(tz, hour, minute, weekday % 7)
            if hour is not None and day is not None and weekday_text == "*":
                return MonthlyCadence(tz, hour, minute, day)
    return CronCadence(tz, cron_schedule, anchor)
