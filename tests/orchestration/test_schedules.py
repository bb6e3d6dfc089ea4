"""The schedule loop: due ticks, catch-up, and a daemon killed at each point of a tick."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from assetgraph.codelocation.workspace import Workspace
from assetgraph.orchestration.instigators import (
    INSTIGATOR_RUN_KEY_TAG,
    RUN_KEY_TAG,
    RUNNING,
    SCHEDULE_TAG,
    schedule_cursor_key,
    set_instigator_status,
)
from assetgraph.orchestration.schedules import ScheduleLoop
from tests.orchestration.conftest import CRASH_EXIT_CODE, FAST, crash_at

T0 = datetime(2024, 1, 1, 10, 30, tzinfo=UTC).timestamp()
HOUR = 3600.0


def start(instance: Any, name: str, cursor: float = T0) -> None:
    set_instigator_status(instance, "shop", name, RUNNING)
    instance.set_cursor(schedule_cursor_key(f"shop:{name}"), str(cursor))


def schedule_runs(instance: Any, name: str) -> list[Any]:
    return instance.get_runs(tags={SCHEDULE_TAG: name})


def test_a_due_tick_queues_one_run_per_request(instance: Any, shop: Workspace) -> None:
    start(instance, "twice_hourly")
    assert ScheduleLoop(instance, shop, FAST).tick(T0 + HOUR) == 2
    runs = schedule_runs(instance, "twice_hourly")
    assert sorted(r.tags[RUN_KEY_TAG] for r in runs) == ["a", "b"]
    assert {r.status.value for r in runs} == {"QUEUED"}
    [tick] = instance.get_ticks("shop:twice_hourly")
    assert tick.status == "SUCCESS" and sorted(tick.body["run_ids"]) == sorted(r.run_id for r in runs)
    assert tick.timestamp == datetime(2024, 1, 1, 11, tzinfo=UTC).timestamp()
    assert ScheduleLoop(instance, shop, FAST).tick(T0 + HOUR + 60) == 0  # nothing new came due


def test_a_job_schedule_uses_the_jobs_selection_and_tags(instance: Any, shop: Workspace) -> None:
    start(instance, "hourly")
    ScheduleLoop(instance, shop, FAST).tick(T0 + HOUR)
    [run] = schedule_runs(instance, "hourly")
    assert [k.to_user_string() for k in run.asset_selection] == ["orders", "total"]
    assert run.tags["job"] == "totals" and run.job_name == "totals"


def test_a_stopped_schedule_does_not_tick(instance: Any, shop: Workspace) -> None:
    instance.set_cursor(schedule_cursor_key("shop:hourly"), str(T0))
    assert ScheduleLoop(instance, shop, FAST).tick(T0 + 5 * HOUR) == 0
    assert instance.get_ticks("shop:hourly") == []


def test_after_downtime_only_the_latest_ticks_are_caught_up(instance: Any, shop: Workspace) -> None:
    start(instance, "hourly")
    ScheduleLoop(instance, shop, FAST.replace(max_catchup_ticks=2)).tick(T0 + 10 * HOUR)
    assert len(schedule_runs(instance, "hourly")) == 2
    ticks = instance.get_ticks("shop:hourly")
    assert [t.status for t in ticks] == ["SUCCESS", "SUCCESS", "SKIPPED"]
    assert "8 tick(s)" in ticks[-1].body["skip_message"]


@pytest.mark.parametrize("point", ["schedule:before_submit", "schedule:after_submit", "schedule:after_tick"])
def test_a_daemon_killed_mid_tick_neither_duplicates_nor_skips(instance: Any, shop: Workspace, point: str) -> None:
    start(instance, "twice_hourly")
    code = crash_at(point, lambda inst, hook: ScheduleLoop(inst, shop, FAST, crash_hook=hook).tick(T0 + HOUR),
                    instance.url)
    assert code == CRASH_EXIT_CODE
    ScheduleLoop(instance, shop, FAST).tick(T0 + HOUR)  # the restarted daemon
    runs = schedule_runs(instance, "twice_hourly")
    assert sorted(r.tags[RUN_KEY_TAG] for r in runs) == ["a", "b"]
    assert len({r.tags[INSTIGATOR_RUN_KEY_TAG] for r in runs}) == 2
    assert [t.status for t in instance.get_ticks("shop:twice_hourly")] == ["SUCCESS"]
    ScheduleLoop(instance, shop, FAST).tick(T0 + 2 * HOUR)  # and the next tick is not skipped
    assert len(schedule_runs(instance, "twice_hourly")) == 4
