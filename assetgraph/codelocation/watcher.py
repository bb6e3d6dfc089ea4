"""Reloading code locations when their files change (``assetgraph dev``).

A stdlib polling watcher: every ``interval`` seconds it compares the modification times of the
Python files under each location's folder, and reloads a location once its files have been quiet
for ``debounce`` seconds (an editor's save of several files is one reload). Must not import
orchestration, server or cli.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from assetgraph.codelocation.workspace import CodeLocation, Workspace

log = logging.getLogger("assetgraph.watcher")

SKIPPED_DIRS = {"__pycache__", "node_modules", ".git", ".venv", "venv", ".assetgraph", "target", "dbt_packages"}
MAX_FILES = 20_000


def location_folder(location: CodeLocation) -> Path:
    target = location.target
    if target.working_directory:
        return Path(target.working_directory)
    return Path(target.file).parent if target.file else Path.cwd()


def python_files_state(folder: Path) -> dict[str, float]:
    """Modification time of every ``.py`` file under ``folder`` (hidden and tool folders skipped)."""
    state: dict[str, float] = {}
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".")]
        for name in files:
            if name.endswith(".py") or name in ("workspace.yaml", "pyproject.toml"):
                path = os.path.join(root, name)
                try:
                    state[path] = os.stat(path).st_mtime
                except FileNotFoundError:
                    continue
        if len(state) > MAX_FILES:
            break
    return state


class LocationWatcher:
    """Reloads each location of ``workspace`` when its files change."""

    def __init__(self, workspace: Workspace, *, interval: float = 0.5, debounce: float = 0.3,
                 on_reload: Callable[[CodeLocation], None] | None = None) -> None:
        self.workspace = workspace
        self.interval = interval
        self.debounce = debounce
        self.on_reload = on_reload or (lambda loc: None)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._states = {loc.name: python_files_state(location_folder(loc)) for loc in workspace.locations}

    def start(self) -> LocationWatcher:
        self._thread = threading.Thread(target=self._run, name="assetgraph-watcher", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            for loc in self.workspace.locations:
                try:
                    self.check(loc)
                except Exception:  # a reload that fails is the location's error; the watcher goes on
                    log.exception("reloading code location %s failed", loc.name)

    def check(self, location: CodeLocation) -> bool:
        """Reload ``location`` if its files changed (after they stay quiet); return whether it did."""
        folder = location_folder(location)
        state = python_files_state(folder)
        if state == self._states.get(location.name):
            return False
        while not self._stop.wait(self.debounce):  # wait for the burst of saves to end
            later = python_files_state(folder)
            if later == state:
                break
            state = later
        self._states[location.name] = state
        log.info("files of code location %s changed; reloading", location.name)
        location.reload()
        self.on_reload(location)
        return True
