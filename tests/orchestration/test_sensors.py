"""The sensor loop: cursors, run-key de-duplication, dynamic partitions, failures, and a daemon
killed at each point of a tick."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assetgraph.codelocation.workspace import Workspace
from assetgraph.orchestration.instigators import (
    RUN_KEY_TAG,
    RUNNING,
    SENSOR_TAG,
    sensor_cursor_key,
    set_instigator_status,
)
from assetgraph.orchestration.sensors import SensorLoop
from tests.orchestration.conftest import CRASH_EXIT_CODE, FAST, crash_at


def sensor_runs(instance: Any, name: str = "inbox") -> list[Any]:
    return instance.get_runs(tags={SENSOR_TAG: name})


def drop(inbox: Path, *names: str) -> None:
    for n in names:
        (inbox / n).write_text(n)


def test_new_files_become_runs_partitions_and_a_cursor(instance: Any, shop: Workspace, inbox: Path) -> None:
    set_instigator_status(instance, "shop", "inbox", RUNNING)
    loop = SensorLoop(instance, shop, FAST)
    assert loop.tick(1000.0) == 0  # empty inbox
    assert [t.status for t in instance.get_ticks("shop:inbox")] == ["SKIPPED"]
    drop(inbox, "a.csv", "b.csv")
    assert loop.tick(1001.0) == 2
    runs = sensor_runs(instance)
    assert sorted((r.partition_key, r.tags[RUN_KEY_TAG]) for r in runs) == [("a.csv", "a.csv"), ("b.csv", "b.csv")]
    assert instance.get_dynamic_partitions("files") == ["a.csv", "b.csv"]
    assert instance.get_cursor(sensor_cursor_key("shop:inbox")) == "b.csv"
    drop(inbox, "c.csv")
    assert loop.tick(1002.0) == 1
    assert instance.get_ticks("shop:inbox", limit=1)[0].status == "SUCCESS"


def test_a_run_key_never_runs_twice(instance: Any, shop: Workspace, inbox: Path) -> None:
    set_instigator_status(instance, "shop", "inbox", RUNNING)
    drop(inbox, "a.csv")
    loop = SensorLoop(instance, shop, FAST)
    assert loop.tick(1000.0) == 1
    instance.set_cursor(sensor_cursor_key("shop:inbox"), "")  # the sensor forgets and asks again
    drop(inbox, "b.csv")
    assert loop.tick(1001.0) == 1  # only b.csv is new
    assert sorted(r.partition_key for r in sensor_runs(instance)) == ["a.csv", "b.csv"]


def test_a_raising_sensor_records_a_failed_tick_with_the_traceback(instance: Any, shop: Workspace) -> None:
    set_instigator_status(instance, "shop", "broken", RUNNING)
    SensorLoop(instance, shop, FAST).tick(1000.0)
    [tick] = instance.get_ticks("shop:broken")
    assert tick.status == "FAILURE" and "the sensor broke" in tick.body["error"] and "shop.py" in tick.body["error"]


def test_a_stopped_sensor_is_not_evaluated(instance: Any, shop: Workspace, inbox: Path) -> None:
    drop(inbox, "a.csv")
    assert SensorLoop(instance, shop, FAST).tick(1000.0) == 0
    assert instance.get_ticks("shop:inbox") == []


@pytest.mark.parametrize("point", ["sensor:after_evaluate", "sensor:before_submit", "sensor:after_submit"])
def test_a_daemon_killed_mid_tick_neither_duplicates_nor_skips(instance: Any, shop: Workspace, inbox: Path,
                                                               point: str) -> None:
    set_instigator_status(instance, "shop", "inbox", RUNNING)
    drop(inbox, "a.csv", "b.csv")
    code = crash_at(point, lambda inst, hook: SensorLoop(inst, shop, FAST, crash_hook=hook).tick(1000.0), instance.url)
    assert code == CRASH_EXIT_CODE
    SensorLoop(instance, shop, FAST).tick(1000.5)  # the restarted daemon resumes the stored tick
    assert sorted(r.partition_key for r in sensor_runs(instance)) == ["a.csv", "b.csv"]
    assert instance.get_cursor(sensor_cursor_key("shop:inbox")) == "b.csv"
    assert [t.status for t in instance.get_ticks("shop:inbox")] == ["SUCCESS"]
    drop(inbox, "c.csv")
    SensorLoop(instance, shop, FAST).tick(1001.0)
    assert sorted(r.partition_key for r in sensor_runs(instance)) == ["a.csv", "b.csv", "c.csv"]


def test_minimum_interval_holds_across_a_daemon_restart(instance: Any, shop: Workspace) -> None:
    set_instigator_status(instance, "shop", "periodic", RUNNING)
    loop = SensorLoop(instance, shop, FAST)
    assert loop.tick(1000.0) == 1
    assert loop.tick(1030.0) == 0
    assert SensorLoop(instance, shop, FAST).tick(1059.0) == 0  # restarted: the interval comes from storage
    assert loop.tick(1061.0) == 1
    assert len(sensor_runs(instance, "periodic")) == 2
