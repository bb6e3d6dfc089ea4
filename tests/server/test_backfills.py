"""Backfill mutations and queries: the REQUESTED record the daemon advances, per-partition status,
cancel and resume."""

from __future__ import annotations

from assetgraph.definitions.events import Run, RunStatus
from tests.server.conftest import LiveServer

RANGE = """mutation($s: String!, $start: String!, $end: String!) {
    launchBackfill(selection: $s, partitionRange: {start: $start, end: $end}) { id status } }"""
KEYS = """mutation($s: String!, $k: [String!]!) { launchBackfill(selection: $s, partitionKeys: $k) { id status } }"""


def test_launch_backfill_over_a_range_stores_a_requested_backfill(live: LiveServer) -> None:
    backfill = live.data(RANGE, {"s": "daily_events", "start": "2024-01-01", "end": "2024-01-07"},
                         mutation=True)["launchBackfill"]
    assert backfill["status"] == "REQUESTED"
    record = live.instance.get_backfill(backfill["id"])
    assert record is not None and record.status == "REQUESTED"
    assert record.body["selection"] == ["daily_events"]
    assert record.body["partitions"] == {"range": ["2024-01-01", "2024-01-07"]}
    assert record.body["num_partitions"] == 7
    assert record.body["location"] == "project"


def test_launch_backfill_over_keys(live: LiveServer) -> None:
    backfill = live.data(KEYS, {"s": "regional_sales", "k": ["us", "eu"]}, mutation=True)["launchBackfill"]
    record = live.instance.get_backfill(backfill["id"])
    assert record is not None and record.body["partitions"] == {"keys": ["us", "eu"]}


def test_backfill_arguments_are_validated(live: LiveServer) -> None:
    assert "2024-02-30" in live.error(RANGE, {"s": "daily_events", "start": "2024-01-01", "end": "2024-02-30"},
                                      mutation=True)
    assert "mars" in live.error(KEYS, {"s": "regional_sales", "k": ["mars"]}, mutation=True)
    assert "no partitioned asset" in live.error(KEYS, {"s": "orders", "k": ["us"]}, mutation=True)
    assert "exactly one" in live.error('mutation { launchBackfill(selection: "daily_events") { id } }', mutation=True)


def test_backfill_per_partition_status_follows_its_runs(live: LiveServer) -> None:
    backfill_id = live.data(RANGE, {"s": "daily_events", "start": "2024-01-01", "end": "2024-01-03"},
                            mutation=True)["launchBackfill"]["id"]
    live.instance.create_run(Run(run_id=f"{backfill_id}-1", status=RunStatus.SUCCESS, partition_key="2024-01-01",
                                 backfill_id=backfill_id))
    live.instance.create_run(Run(run_id=f"{backfill_id}-2", status=RunStatus.FAILURE, partition_key="2024-01-02",
                                 backfill_id=backfill_id))
    data = live.data("""query($id: String!) { backfill(id: $id) { id status partitionRange { start end }
        selection numPartitions
        partitionStatuses(first: 2) { nodes { partition status runId } pageInfo { endCursor hasNextPage } }
        partitionStatusCounts { status count } runs { id } } }""", {"id": backfill_id})["backfill"]
    assert data["partitionRange"] == {"start": "2024-01-01", "end": "2024-01-03"}
    assert (data["selection"], data["numPartitions"]) == (["daily_events"], 3)
    assert data["partitionStatuses"]["nodes"] == [
        {"partition": "2024-01-01", "status": "SUCCESS", "runId": f"{backfill_id}-1"},
        {"partition": "2024-01-02", "status": "FAILURE", "runId": f"{backfill_id}-2"},
    ]
    assert data["partitionStatuses"]["pageInfo"] == {"endCursor": "2024-01-02", "hasNextPage": True}
    assert data["partitionStatusCounts"] == [{"status": "FAILURE", "count": 1}, {"status": "NOT_STARTED", "count": 1},
                                             {"status": "SUCCESS", "count": 1}]
    assert len(data["runs"]) == 2


def test_cancel_and_resume_backfill(live: LiveServer) -> None:
    backfill_id = live.data(KEYS, {"s": "regional_sales", "k": ["apac"]}, mutation=True)["launchBackfill"]["id"]
    cancel = 'mutation($id: String!) { cancelBackfill(backfillId: $id) { id status } }'
    resume = 'mutation($id: String!) { resumeBackfill(backfillId: $id) { id status } }'
    assert live.data(cancel, {"id": backfill_id}, mutation=True)["cancelBackfill"]["status"] == "CANCELING"
    assert "only a FAILED or CANCELED" in live.error(resume, {"id": backfill_id}, mutation=True)
    live.instance.update_backfill(backfill_id, "CANCELED")  # what the daemon does once its runs stopped
    assert live.data(resume, {"id": backfill_id}, mutation=True)["resumeBackfill"] == {"id": backfill_id,
                                                                                      "status": "REQUESTED"}
    assert "No backfill" in live.error(cancel, {"id": "nope"}, mutation=True)


def test_backfills_list_newest_first_with_status_filter(live: LiveServer) -> None:
    backfill_id = live.data(KEYS, {"s": "regional_sales", "k": ["us"]}, mutation=True)["launchBackfill"]["id"]
    listed = live.data("{ backfills(first: 100, status: REQUESTED) { id status } }")["backfills"]
    assert listed[0] == {"id": backfill_id, "status": "REQUESTED"}
    assert all(b["status"] == "REQUESTED" for b in listed)
    assert live.data('{ backfill(id: "nope") { id } }') == {"backfill": None}


def test_resume_failed_backfill_targets_what_is_not_materialised(live: LiveServer) -> None:
    backfill_id = live.data(KEYS, {"s": "regional_sales", "k": ["us", "eu"]}, mutation=True)["launchBackfill"]["id"]
    live.instance.update_backfill(backfill_id, "FAILED")
    resumed = live.data('mutation($id: String!) { resumeBackfill(backfillId: $id) { id status partitionKeys '
                        'tags { key value } } }', {"id": backfill_id}, mutation=True)["resumeBackfill"]
    assert resumed["id"] != backfill_id and resumed["status"] == "REQUESTED"
    assert resumed["partitionKeys"] == ["us", "eu"]
    assert {"key": "assetgraph/resumed_from", "value": backfill_id} in resumed["tags"]
