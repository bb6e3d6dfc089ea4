"""Schedules: declarations, evaluation, DST-safe tick times, and partitioned-job schedules. Pure."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from assetgraph import DailyPartitionsDefinition, DefinitionError, define_asset_job
from assetgraph.definitions.schedules import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    SkipReason,
    build_schedule_context,
    build_schedule_from_partitioned_job,
    schedule,
    schedule_ticks_between,
)

PARIS = ZoneInfo("Europe/Paris")


def _ts(*args: int, tz: ZoneInfo = PARIS) -> float:
    return datetime(*args, tzinfo=tz).timestamp()  # type: ignore[misc]


def test_schedule_without_function_requests_one_run_with_its_tags() -> None:
    s = ScheduleDefinition(name="nightly", target="group:marts", cron_schedule="@daily", tags={"team": "core"})
    evaluation = s.evaluate_tick(build_schedule_context(scheduled_execution_time=datetime(2024, 1, 1)))
    assert [r.tags for r in evaluation.run_requests] == [{"team": "core"}]
    assert s.cron_schedule == "0 0 * * *"
    assert s.default_status == DefaultScheduleStatus.STOPPED


def test_schedule_decorator_collects_yielded_requests_and_skips() -> None:
    @schedule(cron_schedule="0 6 * * *", target="*", tags={"from": "schedule"})
    def morning(context):  # type: ignore[no-untyped-def]
        if context.scheduled_execution_time.weekday() == 6:
            yield SkipReason("Sunday")
            return
        yield RunRequest(run_key="a", tags={"x": "1"})
        yield RunRequest(run_key="b")

    weekday = morning.evaluate_tick(build_schedule_context(scheduled_execution_time=datetime(2024, 1, 1)))
    assert [(r.run_key, dict(r.tags)) for r in weekday.run_requests] == [
        ("a", {"from": "schedule", "x": "1"}), ("b", {"from": "schedule"})]
    sunday = morning.evaluate_tick(build_schedule_context(scheduled_execution_time=datetime(2024, 1, 7)))
    assert sunday.run_requests == () and sunday.skip_message == "Sunday"


@pytest.mark.parametrize("kwargs, message", [
    ({"cron_schedule": "every day", "target": "*"}, "not a valid cron schedule"),
    ({"cron_schedule": "@daily", "target": "*", "execution_timezone": "Mars/Olympus"}, "unknown timezone"),
    ({"cron_schedule": "@daily"}, "pass job="),
    ({"cron_schedule": "@daily", "target": "*", "job": define_asset_job("j", "*")}, "not both"),
])
def test_invalid_schedules_are_definition_errors_naming_the_schedule(kwargs: dict, message: str) -> None:
    with pytest.raises(DefinitionError, match=message) as info:
        ScheduleDefinition(name="s", **kwargs)
    assert 'Schedule "s"' in str(info.value)


def test_returning_something_else_is_a_definition_error() -> None:
    @schedule(cron_schedule="@daily", target="*")
    def bad(context):  # type: ignore[no-untyped-def]
        return 42

    with pytest.raises(DefinitionError, match="returned 42"):
        bad.evaluate_tick(build_schedule_context(scheduled_execution_time=datetime(2024, 1, 1)))


def test_daily_ticks_keep_local_time_across_both_dst_changes() -> None:
    spring = schedule_ticks_between("30 1 * * *", "Europe/Paris", _ts(2024, 3, 30), _ts(2024, 4, 2))
    assert [t.isoformat() for t in spring] == [
        "2024-03-30T01:30:00+01:00", "2024-03-31T01:30:00+01:00", "2024-04-01T01:30:00+02:00"]
    autumn = schedule_ticks_between("0 3 * * *", "Europe/Paris", _ts(2024, 10, 26), _ts(2024, 10, 29))
    assert [t.isoformat() for t in autumn] == [
        "2024-10-26T03:00:00+02:00", "2024-10-27T03:00:00+01:00", "2024-10-28T03:00:00+01:00"]


def test_hourly_ticks_follow_absolute_hours_on_the_short_day() -> None:
    ticks = schedule_ticks_between("0 * * * *", "Europe/Paris", _ts(2024, 3, 31), _ts(2024, 4, 1))
    assert len(ticks) == 23
    assert len({t.timestamp() for t in ticks}) == 23


def test_ticks_are_exclusive_of_start_and_inclusive_of_end() -> None:
    start = _ts(2024, 1, 1, 0, 0)
    ticks = schedule_ticks_between("0 * * * *", "Europe/Paris", start, start + 3600)
    assert [t.timestamp() for t in ticks] == [start + 3600]


def test_partitioned_job_schedule_requests_the_partition_that_just_ended() -> None:
    daily = DailyPartitionsDefinition(start_date="2024-01-01", timezone="Europe/Paris")
    job = define_asset_job("daily_job", selection="*", partitions_def=daily)
    s = build_schedule_from_partitioned_job(job)
    assert (s.name, s.cron_schedule, s.execution_timezone, s.job_name) == (
        "daily_job_schedule", "0 0 * * *", "Europe/Paris", "daily_job")
    tick = datetime(2024, 1, 3, tzinfo=PARIS)
    [request] = s.evaluate_tick(build_schedule_context(scheduled_execution_time=tick)).run_requests
    assert (request.partition_key, request.run_key) == ("2024-01-02", "2024-01-02")


def test_partitioned_job_schedule_needs_a_time_window_job() -> None:
    with pytest.raises(DefinitionError, match="time-window partitions_def"):
        build_schedule_from_partitioned_job(define_asset_job("plain", selection="*"))


def test_run_request_round_trips_through_a_dict() -> None:
    r = RunRequest(run_key="k", partition_key="p", tags={"a": 1}, asset_selection=["raw/orders"],  # type: ignore[dict-item]
                   run_config={"ops": {}})
    assert RunRequest.from_dict(r.to_dict()) == r
    assert r.tags == {"a": "1"}
