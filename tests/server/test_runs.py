"""Run queries and mutations through HTTP: launch (QUEUED, never executed by the server), pages,
events by cursor, cancel, re-execute from failure, and the server-sent event stream."""

from __future__ import annotations

import json
import threading
import time

import pytest

from assetgraph.definitions.events import Event, EventType, Run, RunStatus
from assetgraph.definitions.keys import AssetKey
from assetgraph.execution.materialize import execute_definitions
from tests.server import project
from tests.server.conftest import LiveServer

LAUNCH = """mutation($s: String!, $p: String) { launchRun(selection: $s, partitionKey: $p) {
    id status assetSelection { path } partitionKey codeLocation } }"""


def test_launch_run_queues_a_run_in_storage(live: LiveServer) -> None:
    run = live.data(LAUNCH, {"s": "key:orders+"}, mutation=True)["launchRun"]
    assert run["status"] == "QUEUED"
    assert run["assetSelection"] == [{"path": ["orders"]}, {"path": ["revenue"]}]
    assert run["codeLocation"] == "project"
    stored = live.instance.get_run(run["id"])
    assert stored is not None and stored.status == RunStatus.QUEUED
    assert stored.asset_selection == (AssetKey("orders"), AssetKey("revenue"))
    events = live.instance.get_event_records(run_id=run["id"])
    assert [e.event_type for e in events] == [EventType.RUN_ENQUEUED]


def test_launch_run_leaves_external_assets_out(live: LiveServer) -> None:
    run = live.data(LAUNCH, {"s": "+key:orders"}, mutation=True)["launchRun"]
    assert run["assetSelection"] == [{"path": ["orders"]}]


def test_launch_partitioned_run_validates_the_key(live: LiveServer) -> None:
    run = live.data(LAUNCH, {"s": "daily_events", "p": "2024-01-05"}, mutation=True)["launchRun"]
    assert run["partitionKey"] == "2024-01-05"
    assert "2024-01-32" in live.error(LAUNCH, {"s": "daily_events", "p": "2024-01-32"}, mutation=True)
    assert "pass a partition key" in live.error(LAUNCH, {"s": "daily_events"}, mutation=True)
    assert "none of the selected assets is partitioned" in live.error(LAUNCH, {"s": "orders", "p": "2024-01-05"},
                                                                      mutation=True)


def test_launch_run_of_only_external_assets_is_refused(live: LiveServer) -> None:
    assert "no asset that can be materialised" in live.error(LAUNCH, {"s": "key:raw/orders"}, mutation=True)


def test_runs_page_with_cursor_and_status_filter(live: LiveServer) -> None:
    ids = [live.data(LAUNCH, {"s": "steady"}, mutation=True)["launchRun"]["id"] for _ in range(3)]
    query = """query($after: String) { runs(first: 2, after: $after, status: [QUEUED]) {
        nodes { id status } pageInfo { endCursor hasNextPage } } }"""
    page = live.data(query)["runs"]
    assert [n["id"] for n in page["nodes"]] == ids[::-1][:2]
    assert page["pageInfo"] == {"endCursor": ids[1], "hasNextPage": True}
    rest = live.data(query, {"after": ids[1]})["runs"]
    assert rest["nodes"][0]["id"] == ids[0]
    assert all(n["status"] == "QUEUED" for n in rest["nodes"])
    none = live.data('{ runs(first: 5, status: [CANCELED, SUCCESS]) { nodes { status } } }')["runs"]["nodes"]
    assert all(n["status"] in ("CANCELED", "SUCCESS") for n in none)


@pytest.mark.parametrize("first", [-1, 10**9])
def test_absurd_page_sizes_are_graphql_errors(live: LiveServer, first: int) -> None:
    assert "`first` must be between" in live.error("query($f: Int!) { runs(first: $f) { nodes { id } } }", {"f": first})


def test_first_beyond_int32_is_a_variable_error(live: LiveServer) -> None:
    assert "Int" in live.error("query($f: Int!) { runs(first: $f) { nodes { id } } }", {"f": 10**12})


def test_unknown_run_cursor_is_an_error(live: LiveServer) -> None:
    assert "Cursor" in live.error('{ runs(after: "not-a-run") { nodes { id } } }')


def test_run_by_id_and_unknown_run(live: LiveServer) -> None:
    run_id = live.data(LAUNCH, {"s": "steady"}, mutation=True)["launchRun"]["id"]
    data = live.data('query($id: String!) { run(id: $id) { id status events { eventType } } '
                     'missing: run(id: "nope") { id } }', {"id": run_id})
    assert data["run"] == {"id": run_id, "status": "QUEUED", "events": [{"eventType": "RUN_ENQUEUED"}]}
    assert data["missing"] is None


def test_run_events_by_cursor(live: LiveServer) -> None:
    result = execute_definitions(project.defs, selection="orders", instance=live.instance)
    query = """query($id: String!, $after: String) { runEvents(runId: $id, after: $after, first: 3) {
        nodes { id eventType assetKey { path } } pageInfo { endCursor hasNextPage } } }"""
    seen: list[str] = []
    after = None
    for _ in range(50):
        page = live.data(query, {"id": result.run_id, "after": after})["runEvents"]
        seen += [n["eventType"] for n in page["nodes"]]
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
    stored = [e.event_type.value for e in live.instance.get_event_records(run_id=result.run_id)]
    assert seen == stored
    assert "ASSET_MATERIALIZATION" in seen
    assert "not an event id" in live.error(query, {"id": result.run_id, "after": "abc"})


def test_cancel_queued_run_cancels_it_at_once(live: LiveServer) -> None:
    run_id = live.data(LAUNCH, {"s": "steady"}, mutation=True)["launchRun"]["id"]
    data = live.data('mutation($id: String!) { cancelRun(runId: $id) { status canCancel } }', {"id": run_id},
                     mutation=True)
    assert data["cancelRun"] == {"status": "CANCELED", "canCancel": False}


def test_cancel_started_run_moves_it_to_canceling(live: LiveServer) -> None:
    live.instance.create_run(Run(run_id="running", status=RunStatus.STARTED))
    data = live.data('mutation { cancelRun(runId: "running") { status } }', mutation=True)
    assert data["cancelRun"] == {"status": "CANCELING"}
    stored = live.instance.get_run("running")
    assert stored is not None and stored.status == RunStatus.CANCELING
    events = live.instance.get_event_records(run_id="running")
    assert [e.event_type for e in events] == [EventType.RUN_CANCELING]


def test_cancel_finished_run_is_an_error(live: LiveServer) -> None:
    result = execute_definitions(project.defs, selection="steady", instance=live.instance)
    message = live.error('mutation($id: String!) { cancelRun(runId: $id) { status } }', {"id": result.run_id},
                         mutation=True)
    assert "already finished" in message


def test_reexecute_from_failure_queues_only_what_did_not_succeed(live: LiveServer) -> None:
    failed = execute_definitions(project.defs, selection="group:fragile", instance=live.instance,
                                 raise_on_error=False)
    assert not failed.success
    query = """mutation($id: String!, $f: Boolean!) { reexecuteRun(runId: $id, fromFailure: $f) {
        id status assetSelection { path } } }"""
    run = live.data(query, {"id": failed.run_id, "f": True}, mutation=True)["reexecuteRun"]
    assert run["status"] == "QUEUED"
    assert run["assetSelection"] == [{"path": ["after_boom"]}, {"path": ["boom"]}]
    stored = live.instance.get_run(run["id"])
    assert stored is not None and (stored.parent_run_id, stored.root_run_id) == (failed.run_id, failed.run_id)
    everything = live.data(query, {"id": failed.run_id, "f": False}, mutation=True)["reexecuteRun"]
    assert everything["assetSelection"] == [{"path": ["after_boom"]}, {"path": ["boom"]}, {"path": ["steady"]}]


def test_reexecute_successful_run_from_failure_is_an_error(live: LiveServer) -> None:
    result = execute_definitions(project.defs, selection="steady", instance=live.instance)
    message = live.error('mutation($id: String!) { reexecuteRun(runId: $id, fromFailure: true) { id } }',
                         {"id": result.run_id}, mutation=True)
    assert "succeeded" in message


def test_event_stream_sends_events_then_ends_when_the_run_finishes(live: LiveServer) -> None:
    run = live.instance.create_run(Run(run_id="streamed", status=RunStatus.STARTED))

    def finish() -> None:
        time.sleep(0.3)
        live.instance.store_events([Event(event_type=EventType.LOG_MESSAGE, run_id=run.run_id,
                                          timestamp=time.time(), message="working")])
        live.instance.update_run(run.run_id, status=RunStatus.SUCCESS)

    threading.Thread(target=finish).start()
    events: list[dict[str, object]] = []
    end: dict[str, object] = {}
    with live.http.stream("GET", f"{live.url}/runs/{run.run_id}/events/stream") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        kind = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                kind = line[len("event: "):]
            elif line.startswith("data: "):
                payload = json.loads(line[len("data: "):])
                if kind == "end":
                    end = payload
                    break
                events.append(payload)
    assert [e["message"] for e in events] == ["working"]
    assert end == {"status": "SUCCESS"}


def test_event_stream_of_unknown_run_is_404(live: LiveServer) -> None:
    assert live.http.get(f"{live.url}/runs/nope/events/stream").status_code == 404


def test_runs_filter_by_tags_and_backfill(live: LiveServer) -> None:
    tagged = live.data('mutation { launchRun(selection: "steady", tags: [{key: "team", value: "core"}]) { id } }',
                       mutation=True)["launchRun"]["id"]
    live.instance.create_run(Run(run_id="of-backfill", status=RunStatus.SUCCESS, backfill_id="bf1"))
    by_tag = live.data('{ runs(tags: [{key: "team", value: "core"}]) { nodes { id tags { key value } } } }')
    assert [n["id"] for n in by_tag["runs"]["nodes"]] == [tagged]
    by_backfill = live.data('{ runs(backfillId: "bf1") { nodes { id backfillId } } }')
    assert by_backfill["runs"]["nodes"] == [{"id": "of-backfill", "backfillId": "bf1"}]
