"""Schedules and sensors: listed from the snapshot, started and stopped through the instance's
key-values, with their ticks."""

from __future__ import annotations

import time

from assetgraph.orchestration.instigators import instigator_status
from tests.server.conftest import LiveServer


def test_schedules_and_sensors_are_listed_with_their_default_status(live: LiveServer) -> None:
    data = live.data("""{ schedules { name location status cronSchedule executionTimezone jobName }
        sensors { name status minimumIntervalSeconds jobName } }""")
    assert data["schedules"] == [{"name": "nightly", "location": "project", "status": "STOPPED",
                                  "cronSchedule": "0 0 * * *", "executionTimezone": "UTC", "jobName": "shop_job"}]
    assert data["sensors"][0]["name"] == "new_orders"
    assert data["sensors"][0]["minimumIntervalSeconds"] == 60


def test_start_and_stop_schedule_persist_in_storage(live: LiveServer) -> None:
    started = live.data('mutation { startSchedule(name: "nightly") { name status } }', mutation=True)
    assert started["startSchedule"] == {"name": "nightly", "status": "RUNNING"}
    assert instigator_status(live.instance, "project:nightly", "STOPPED") == "RUNNING"
    assert live.data("{ schedules { status } }")["schedules"] == [{"status": "RUNNING"}]
    stopped = live.data('mutation { stopSchedule(name: "nightly") { status } }', mutation=True)
    assert stopped["stopSchedule"]["status"] == "STOPPED"


def test_start_and_stop_sensor(live: LiveServer) -> None:
    assert live.data('mutation { startSensor(name: "new_orders") { status } }',
                     mutation=True)["startSensor"]["status"] == "RUNNING"
    assert live.data('mutation { stopSensor(name: "new_orders") { status } }',
                     mutation=True)["stopSensor"]["status"] == "STOPPED"


def test_unknown_schedule_suggests_close_names(live: LiveServer) -> None:
    assert "did you mean: nightly" in live.error('mutation { startSchedule(name: "nighty") { status } }', mutation=True)


def test_ticks_come_from_storage_newest_first(live: LiveServer) -> None:
    now = time.time()
    live.instance.create_tick("project:nightly", "SCHEDULE", "SKIPPED", now - 10, {"skip_message": "nothing new"})
    live.instance.create_tick("project:nightly", "SCHEDULE", "SUCCESS", now, {"run_ids": ["r1"]})
    ticks = live.data("{ schedules { ticks(first: 2) { status runIds skipReason } } }")["schedules"][0]["ticks"]
    assert ticks == [{"status": "SUCCESS", "runIds": ["r1"], "skipReason": None},
                     {"status": "SKIPPED", "runIds": [], "skipReason": "nothing new"}]
