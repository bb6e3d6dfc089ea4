"""Code-location processes: loading, errors kept per location, reload, evaluations over the protocol."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from assetgraph import AssetKey, PartitionError, SelectionError
from assetgraph.codelocation.launch import launch_run
from assetgraph.codelocation.loader import CodeLocationError
from assetgraph.codelocation.protocol import CodeLocationUnavailableError, RemoteError
from assetgraph.codelocation.workspace import (
    ERROR,
    LOADED,
    LOADING,
    LocationSettings,
    Workspace,
    load_workspace_file,
    request_reload,
)
from tests.codelocation.conftest import SHOP, file_location

GOOD = "from assetgraph import asset, Definitions\n\n@asset\ndef a():\n    return 1\n\ndefs = Definitions(assets=[a])\n"


def test_a_location_loads_in_its_own_process_and_serves_its_snapshot(shop: Workspace) -> None:
    [loc] = shop.locations
    assert (loc.name, loc.status, loc.error) == ("shop", LOADED, None)
    assert loc.pid is not None
    assert AssetKey("total") in loc.snapshot.assets_by_key  # type: ignore[union-attr]
    assert not loc.snapshot.is_executable(AssetKey(["raw", "source"]))  # type: ignore[union-attr]
    assert {s["name"] for s in loc.snapshot.data["schedules"]} == {"hourly", "twice_hourly"}  # type: ignore[union-attr]
    assert shop.locations[0].pid != __import__("os").getpid()


def test_a_syntax_error_is_that_locations_error_and_the_other_keeps_working(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("from assetgraph import asset\n\n@asset\ndef a(:\n    return 1\n")
    with Workspace([file_location(broken), SHOP]) as ws:
        bad, good = ws.locations
        assert bad.status == ERROR and good.status == LOADED
        assert "Syntax error" in (bad.error or "") and "broken.py:4" in (bad.error or "")
        assert bad.snapshot is None
        assert good.evaluate_schedule("hourly", time.time(), None)["run_requests"]


def test_an_import_error_keeps_the_users_traceback(tmp_path: Path) -> None:
    path = tmp_path / "importy.py"
    path.write_text("import helper_that_is_missing\n")
    with Workspace([file_location(path)]) as ws:
        [loc] = ws.locations
        assert loc.status == ERROR
        assert "helper_that_is_missing" in (loc.error or "")
        assert "importy.py" in (loc.error or "") and "Traceback" in (loc.error or "")


def test_a_crash_at_import_is_an_error_with_the_output(tmp_path: Path) -> None:
    path = tmp_path / "crashy.py"
    path.write_text("import os, sys\nprint('going down', file=sys.stderr)\nos._exit(3)\n")
    with Workspace([file_location(path)]) as ws:
        [loc] = ws.locations
        assert loc.status == ERROR
        assert "exited with code 3" in (loc.error or "") and "going down" in (loc.error or "")


def test_a_hang_at_import_times_out_as_an_error(tmp_path: Path) -> None:
    path = tmp_path / "hangs.py"
    path.write_text("import time\ntime.sleep(60)\n")
    t0 = time.monotonic()
    with Workspace([file_location(path)], load_timeout=1.5) as ws:
        [loc] = ws.locations
        assert loc.status == ERROR and "did not finish loading within 1.5s" in (loc.error or "")
        assert not loc.is_alive()
    assert time.monotonic() - t0 < 10


def test_reload_picks_up_the_changed_file_and_recovers_from_an_error(tmp_path: Path) -> None:
    path = tmp_path / "editable.py"
    path.write_text("this is not python\n")
    with Workspace([file_location(path)]) as ws:
        [loc] = ws.locations
        assert loc.status == ERROR
        path.write_text(GOOD)
        loc.reload()
        assert loc.status == LOADED and AssetKey("a") in loc.snapshot.assets_by_key  # type: ignore[union-attr]
        path.write_text(GOOD.replace("def a", "def b").replace("[a]", "[b]"))
        ws.reload("editable")
        assert set(loc.snapshot.assets_by_key) == {AssetKey("b")}  # type: ignore[union-attr]


def test_tcp_transport_works_too(tmp_path: Path) -> None:
    path = tmp_path / "tcp_loc.py"
    path.write_text(GOOD)
    with Workspace([file_location(path)], transport="tcp") as ws:
        assert ws.locations[0].status == LOADED


def test_schedule_and_sensor_evaluations_resolve_their_targets(shop: Workspace, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    [loc] = shop.locations
    [request] = loc.evaluate_schedule("hourly", 1_700_000_000, None)["run_requests"]
    assert request["asset_selection"] == [["orders"], ["total"]]
    assert request["tags"] == {"job": "totals"} and request["job_name"] == "totals"
    evaluation = loc.evaluate_sensor("inbox", None, None, None)
    assert evaluation["run_requests"] == [] and evaluation["skip_message"] == "no new files"


def test_a_raising_sensor_reports_the_users_traceback(shop: Workspace) -> None:
    with pytest.raises(RemoteError, match="the sensor broke") as info:
        shop.locations[0].evaluate_sensor("broken", None, None, None)
    assert "shop.py" in info.value.remote_traceback


def test_a_dead_location_process_is_marked_error(shop: Workspace) -> None:
    import os
    import signal

    [loc] = shop.locations
    assert loc.pid is not None
    os.kill(loc.pid, signal.SIGKILL)
    time.sleep(0.2)
    with pytest.raises(CodeLocationUnavailableError):
        loc.evaluate_schedule("hourly", time.time(), None)
    assert loc.status == ERROR and "exited with code -9" in (loc.error or "")


def test_workspace_yaml_lists_several_locations(tmp_path: Path) -> None:
    (tmp_path / "one.py").write_text(GOOD)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "two_defs.py").write_text(GOOD)
    (tmp_path / "workspace.yaml").write_text(
        "load_from:\n"
        "  - python_file: one.py\n"
        "  - python_module: {module_name: two_defs, location_name: two, working_directory: pkg}\n")
    specs = load_workspace_file(tmp_path / "workspace.yaml")
    assert [(s.name, s.target.module, Path(s.target.file).name if s.target.file else None) for s in specs] == [
        ("one", None, "one.py"), ("two", "two_defs", None)]
    with Workspace(specs) as ws:
        assert [loc.status for loc in ws.locations] == [LOADED, LOADED]


def test_launch_run_validates_against_the_snapshot(shop: Workspace, instance: Any) -> None:
    [loc] = shop.locations
    run = launch_run(instance, loc, "key:orders+", tags={"who": "test"})
    stored = instance.get_run(run.run_id)
    assert stored.status.value == "QUEUED" and stored.code_location == "shop"
    assert [k.to_user_string() for k in stored.asset_selection] == ["orders", "total"]
    with pytest.raises(SelectionError, match=r'"totl" is not defined .* Did you mean: total'):
        launch_run(instance, loc, asset_keys=["totl"])
    with pytest.raises(SelectionError, match="external"):
        launch_run(instance, loc, asset_keys=["raw/source"])
    with pytest.raises(PartitionError, match="partitioned; pass a partition key"):
        launch_run(instance, loc, asset_keys=["file_rows"])
    with pytest.raises(PartitionError):
        launch_run(instance, loc, asset_keys=["file_rows"], partition_key="nope.csv")
    instance.add_dynamic_partitions("files", ["a.csv"])
    assert launch_run(instance, loc, asset_keys=["file_rows"], partition_key="a.csv").partition_key == "a.csv"


def test_reexecution_all_steps_repeats_the_whole_selection(shop: Workspace, instance: Any) -> None:
    from assetgraph.codelocation.launch import ALL_STEPS, FROM_FAILURE, reexecute_run

    [loc] = shop.locations
    parent = launch_run(instance, loc, "key:orders+", tags={"team": "core"})
    again = reexecute_run(instance, loc, parent.run_id, ALL_STEPS)
    assert again.asset_selection == parent.asset_selection and again.parent_run_id == parent.run_id
    assert again.tags["team"] == "core" and again.tags["assetgraph/root_run_id"] == parent.run_id
    assert reexecute_run(instance, loc, again.run_id, FROM_FAILURE).root_run_id == parent.run_id


def test_a_location_may_name_its_own_python(tmp_path: Path) -> None:
    import sys

    (tmp_path / "own.py").write_text(GOOD)
    (tmp_path / "workspace.yaml").write_text(
        f"load_from:\n  - python_file: {{relative_path: own.py, executable_path: {sys.executable}}}\n")
    [spec] = load_workspace_file(tmp_path / "workspace.yaml")
    assert spec.python == sys.executable
    with Workspace([spec]) as ws:
        assert ws.locations[0].status == LOADED and ws.locations[0].python == sys.executable


def _crash(loc: Any) -> None:
    import os
    import signal

    pid = loc.pid
    os.kill(pid, signal.SIGKILL)
    while loc.is_alive():
        time.sleep(0.01)


def test_a_restarting_workspace_brings_a_crashed_location_back_and_gives_up_on_a_crash_loop() -> None:
    with Workspace([SHOP], restart_crashed=True, max_crashes=3) as ws:
        [loc] = ws.locations
        first = loc.pid
        _crash(loc)
        with pytest.raises(CodeLocationUnavailableError):
            loc.evaluate_schedule("hourly", time.time(), None)
        assert loc.status == LOADING and "exited with code -9" in (loc.error or "")  # not an error: restarting
        assert ws.supervise() == ["shop"]
        deadline = time.monotonic() + 30
        while loc.status != LOADED and time.monotonic() < deadline:
            time.sleep(0.02)
        assert loc.status == LOADED and loc.pid != first and loc.error is None
        assert loc.evaluate_schedule("hourly", time.time(), None)["run_requests"]
        for _ in range(2):  # found dead by the supervisor alone, the next restart a second later
            wait_until_restarted = time.monotonic() + 30
            pid = loc.pid
            _crash(loc)
            while loc.status != ERROR and (loc.status != LOADED or loc.pid == pid) and \
                    time.monotonic() < wait_until_restarted:
                ws.supervise()
                time.sleep(0.05)
        assert loc.status == ERROR and "no longer restarted" in (loc.error or "")
        assert ws.supervise() == []


def test_a_reload_requested_in_storage_reloads_the_location(tmp_path: Path, instance: Any) -> None:
    path = tmp_path / "editable.py"
    path.write_text("this is not python\n")
    with Workspace([file_location(path)]) as ws:
        [loc] = ws.locations
        assert loc.status == ERROR
        assert ws.supervise(ws.reload_requests(instance)) == []  # nothing requested
        path.write_text(GOOD)
        request_reload(instance, "editable")
        assert ws.supervise(ws.reload_requests(instance)) == ["editable"]
        deadline = time.monotonic() + 30
        while loc.status != LOADED and time.monotonic() < deadline:
            time.sleep(0.02)
        assert loc.status == LOADED
        assert ws.supervise(ws.reload_requests(instance)) == []  # done once: the request is older than the load


def test_location_settings_come_from_assetgraph_yaml(tmp_path: Path) -> None:
    assert LocationSettings.load(tmp_path) == LocationSettings(60.0, 30.0)
    (tmp_path / "assetgraph.yaml").write_text("code_locations:\n  load_timeout_seconds: 5\n")
    assert LocationSettings.load(tmp_path) == LocationSettings(5.0, 30.0)
    (tmp_path / "assetgraph.yaml").write_text("code_locations:\n  request_timeout_seconds: -1\n")
    with pytest.raises(CodeLocationError, match=r"assetgraph\.yaml: code_locations: every setting must be positive"):
        LocationSettings.load(tmp_path)


def test_a_restarting_workspace_restarts_a_location_that_crashes_while_loading(tmp_path: Path) -> None:
    path = tmp_path / "crashy.py"
    path.write_text("import os\nos._exit(3)\n")
    with Workspace([file_location(path)], restart_crashed=True) as ws:
        [loc] = ws.locations
        assert loc.status == LOADING and "exited with code 3 while loading" in (loc.error or "")
        path.write_text(GOOD)  # say it was the OOM killer: the next start works
        assert ws.supervise() == ["crashy"]
        deadline = time.monotonic() + 30
        while loc.status != LOADED and time.monotonic() < deadline:
            time.sleep(0.02)
        assert loc.status == LOADED


def test_a_location_process_whose_parent_was_killed_exits_and_removes_its_folder(tmp_path: Path) -> None:
    import multiprocessing
    import os
    import signal

    (tmp_path / "orphan.py").write_text(GOOD)
    told = tmp_path / "folder"

    def parent() -> None:  # a daemon that will be SIGKILLed, leaving no chance to clean up
        ws = Workspace([file_location(tmp_path / "orphan.py")])
        told.write_text(f"{ws.locations[0]._dir}\n{ws.locations[0].pid}")
        time.sleep(60)

    process = multiprocessing.get_context("fork").Process(target=parent)
    process.start()
    deadline = time.monotonic() + 30
    while not told.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    folder, pid = told.read_text().split("\n")
    assert Path(folder, "ready.json").exists()
    os.kill(process.pid, signal.SIGKILL)
    process.join()
    deadline = time.monotonic() + 10
    while Path(folder).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(folder).exists()

    def running() -> bool:
        import psutil

        try:
            return psutil.Process(int(pid)).status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    while running() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running()
