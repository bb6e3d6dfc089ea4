"""The file watcher of `assetgraph dev`: a saved change reloads its code location."""

from __future__ import annotations

from pathlib import Path

from assetgraph import AssetKey
from assetgraph.codelocation.watcher import LocationWatcher, python_files_state
from assetgraph.codelocation.workspace import Workspace
from tests.codelocation.conftest import file_location
from tests.codelocation.test_workspace import GOOD
from tests.orchestration.conftest import wait_for


def test_a_saved_file_reloads_its_location(tmp_path: Path) -> None:
    path = tmp_path / "watched.py"
    path.write_text(GOOD)
    with Workspace([file_location(path)]) as ws:
        reloaded = []
        watcher = LocationWatcher(ws, interval=0.05, debounce=0.1, on_reload=reloaded.append).start()
        try:
            path.write_text(GOOD.replace("def a", "def renamed").replace("[a]", "[renamed]"))
            wait_for(lambda: reloaded, timeout=15)
            assert set(ws.locations[0].snapshot.assets_by_key) == {AssetKey("renamed")}  # type: ignore[union-attr]
        finally:
            watcher.stop()


def test_tool_folders_are_not_watched(tmp_path: Path) -> None:
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "big.py").write_text("")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "x.py").write_text("")
    (tmp_path / "defs.py").write_text("")
    assert [Path(p).name for p in python_files_state(tmp_path)] == ["defs.py"]
