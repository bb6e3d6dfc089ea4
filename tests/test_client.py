"""`AssetGraphClient` end to end against a real server: launch → QUEUED run in storage, a stand-in
for the daemon completes it, the client waits for it and reads partition status."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assetgraph.client import AssetGraphClient, AssetGraphClientError, RunWaitTimeout
from assetgraph.definitions.events import Run, RunStatus
from assetgraph.execution.materialize import execute_definitions
from assetgraph.graph.selection import AssetSelection
from assetgraph.storage.instance import Instance
from tests.server import project
from tests.server.conftest import project_workspace, running_server


class _StandInDaemon:
    """Executes QUEUED runs in process, as the daemon's run queue would (in a run of its own)."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self.stop.is_set():
            for run in self.instance.get_runs(status=RunStatus.QUEUED):
                self.instance.update_run(run.run_id, status=RunStatus.STARTED, start_time=time.time())
                result = execute_definitions(project.defs, selection=AssetSelection.assets(*run.asset_selection),
                                             partition_key=run.partition_key, instance=self.instance,
                                             raise_on_error=False)
                final = RunStatus.SUCCESS if result.success else RunStatus.FAILURE
                self.instance.update_run(run.run_id, status=final, end_time=time.time())
            time.sleep(0.05)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Instance, _StandInDaemon]]:
    path: Path = tmp_path_factory.mktemp("client") / "assetgraph.db"
    instance = Instance.from_url(f"sqlite:///{path}")
    daemon = _StandInDaemon(instance)
    with running_server(project_workspace(), instance, token="tok") as url:
        yield url, instance, daemon
    daemon.stop.set()
    if daemon.thread.is_alive():
        daemon.thread.join(timeout=10)
    instance.dispose()


def test_materialize_queues_a_run(server: tuple[str, Instance, _StandInDaemon]) -> None:
    url, instance, _ = server
    run_id = AssetGraphClient(url, token="tok").materialize("key:orders+", tags={"source": "ci"})
    run = instance.get_run(run_id)
    assert run is not None and run.status == RunStatus.QUEUED and run.tags == {"source": "ci"}
    info = AssetGraphClient(url).get_run(run_id)
    assert info is not None and info.status == RunStatus.QUEUED and [k.to_user_string() for k in info.asset_selection] == [
        "orders", "revenue"]


def test_wait_for_run_returns_the_final_status(server: tuple[str, Instance, _StandInDaemon]) -> None:
    url, _, daemon = server
    client = AssetGraphClient(url, token="tok")
    run_id = client.materialize("daily_events", partition_key="2024-01-02")
    daemon.thread.start()
    assert client.wait_for_run(run_id, timeout=60, poll_interval=0.05) == RunStatus.SUCCESS
    status = client.get_partition_status("daily_events")
    assert (status.total, status.materialized, status.missing) == (31, 1, 30)
    assert [(r.start, r.end, r.status) for r in status.ranges] == [
        ("2024-01-01", "2024-01-01", "MISSING"), ("2024-01-02", "2024-01-02", "MATERIALIZED"),
        ("2024-01-03", "2024-01-31", "MISSING")]


def test_failed_run_is_reexecuted_from_failure(server: tuple[str, Instance, _StandInDaemon]) -> None:
    url, _, _ = server
    client = AssetGraphClient(url, token="tok")
    run_id = client.materialize("group:fragile")
    assert client.wait_for_run(run_id, timeout=60, poll_interval=0.05) == RunStatus.FAILURE
    retry_id = client.reexecute_run(run_id)
    retry = client.get_run(retry_id)
    assert retry is not None
    # The stand-in executes under a run id of its own, so the launched run recorded no materialization
    # and everything is re-executed; tests/server/test_runs.py checks the from-failure subset.
    assert [k.to_user_string() for k in retry.asset_selection] == ["after_boom", "boom", "steady"]


def test_launch_backfill_by_range_and_by_keys(server: tuple[str, Instance, _StandInDaemon]) -> None:
    url, instance, _ = server
    client = AssetGraphClient(url, token="tok")
    by_range = client.launch_backfill("daily_events", partition_range=("2024-01-01", "2024-01-31"))
    by_keys = client.launch_backfill("regional_sales", partitions=["us", "eu"])
    for backfill_id in (by_range, by_keys):
        record = instance.get_backfill(backfill_id)
        assert record is not None and record.status == "REQUESTED"
    with pytest.raises(ValueError, match="exactly one"):
        client.launch_backfill("daily_events")


def test_errors_carry_the_server_message(server: tuple[str, Instance, _StandInDaemon]) -> None:
    url, _, _ = server
    with pytest.raises(AssetGraphClientError, match="API token"):
        AssetGraphClient(url).materialize("steady")
    with pytest.raises(AssetGraphClientError, match="expected an expression"):
        AssetGraphClient(url, token="tok").materialize("steady and")
    with pytest.raises(AssetGraphClientError, match="No run"):
        AssetGraphClient(url).wait_for_run("nope", timeout=1)
    with pytest.raises(AssetGraphClientError, match="No asset"):
        AssetGraphClient(url).get_partition_status("nope")
    assert AssetGraphClient(url).get_run("nope") is None


def test_wait_for_run_times_out(server: tuple[str, Instance, _StandInDaemon]) -> None:
    url, instance, _ = server
    client = AssetGraphClient(url + "/graphql", token="tok")
    instance.create_run(Run(run_id="stuck", status=RunStatus.STARTED))  # the stand-in only runs QUEUED runs
    assert client.cancel_run("stuck") == RunStatus.CANCELING
    with pytest.raises(RunWaitTimeout, match="still CANCELING"):
        client.wait_for_run("stuck", timeout=0.2, poll_interval=0.05)


def test_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(AssetGraphClientError, match="Cannot reach"):
        AssetGraphClient("http://127.0.0.1:9", timeout=2).get_run("x")
