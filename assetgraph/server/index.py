"""Read-only indexes over the workspace's snapshots: which location holds an asset, its snapshot
entry, its checks and jobs, and selection over every location.

Built once per snapshot (the `IndexCache` the app owns keeps them) and shared by requests.
Never imports user code: everything comes from `DefinitionsSnapshot`.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from assetgraph.codelocation.snapshot import DefinitionsSnapshot
from assetgraph.definitions.errors import SelectionError
from assetgraph.definitions.keys import AssetKey
from assetgraph.graph.asset_graph import AssetGraph
from assetgraph.graph.selection import AssetSelection
from assetgraph.server.workspace import CodeLocation, Workspace


class LocationIndex:
    """One loaded location's snapshot, with lookups the resolvers need."""

    def __init__(self, name: str, snapshot: DefinitionsSnapshot) -> None:
        self.name = name
        self.snapshot = snapshot
        self.entries: Mapping[AssetKey, Mapping[str, Any]] = snapshot.assets_by_key
        self.order: tuple[AssetKey, ...] = tuple(self.entries)
        # Objects the schema layer derives once per snapshot (GraphQL node objects and their edges).
        self.memo: dict[str, Any] = {}

    @cached_property
    def graph(self) -> AssetGraph:
        graph: AssetGraph = self.snapshot.graph
        return graph

    @cached_property
    def checks_by_asset(self) -> Mapping[AssetKey, list[Mapping[str, Any]]]:
        found: dict[AssetKey, list[Mapping[str, Any]]] = {}
        for check in self.snapshot.data.get("checks", []):
            found.setdefault(AssetKey(check["asset_key"]), []).append(check)
        return found

    @cached_property
    def job_names_by_asset(self) -> Mapping[AssetKey, list[str]]:
        found: dict[AssetKey, list[str]] = {}
        for job in self.snapshot.data.get("jobs", []):
            selections = job["selection"] if isinstance(job["selection"], list) else [job["selection"]]
            keys: set[AssetKey] = set()
            for text in selections:
                try:
                    keys |= self.graph.select(text)
                except SelectionError:
                    continue  # a job whose selection no longer resolves lists no assets
            for key in keys:
                found.setdefault(key, []).append(job["name"])
        return found

    def is_executable(self, key: AssetKey) -> bool:
        """Whether assetgraph materialises ``key`` (the rebuilt graph holds every node as a spec)."""
        return bool(self.entries[key].get("is_executable"))

    def partitions_def(self, key: AssetKey) -> Any:
        return self.graph.get(key).partitions_def

    def instigators(self, kind: str) -> list[Mapping[str, Any]]:
        """The snapshot's ``"schedules"`` or ``"sensors"``."""
        return list(self.snapshot.data.get(kind, []))


@dataclass(frozen=True)
class WorkspaceIndex:
    """Every loaded location's index; an asset key belongs to the first location that declares it."""

    locations: tuple[LocationIndex, ...]
    all_locations: tuple[CodeLocation, ...]

    @cached_property
    def location_by_key(self) -> Mapping[AssetKey, LocationIndex]:
        found: dict[AssetKey, LocationIndex] = {}
        for loc in self.locations:
            for key in loc.order:
                found.setdefault(key, loc)
        return found

    def location(self, name: str) -> LocationIndex | None:
        return next((loc for loc in self.locations if loc.name == name), None)

    def code_location(self, name: str) -> CodeLocation | None:
        return next((loc for loc in self.all_locations if loc.name == name), None)

    @cached_property
    def _all_pairs(self) -> tuple[tuple[LocationIndex, AssetKey], ...]:
        return tuple((loc, key) for key, loc in self.location_by_key.items())

    def all_keys(self) -> list[tuple[LocationIndex, AssetKey]]:
        """Every asset, in each location's topological order."""
        return list(self._all_pairs)

    def select(self, text: str) -> list[tuple[LocationIndex, AssetKey]]:
        """The assets a selection string picks, in topological order per location.

        Raises `SelectionError` (with the position) for text that does not parse, or when no
        location can resolve it.
        """
        selection = AssetSelection.from_string(text)
        picked: list[tuple[LocationIndex, AssetKey]] = []
        errors: list[SelectionError] = []
        owner = self.location_by_key
        for loc in self.locations:
            try:
                keys = selection.resolve(loc.graph)
            except SelectionError as exc:  # a key may live in another location; fail only if none resolves it
                errors.append(exc)
                continue
            picked.extend((loc, k) for k in loc.order if k in keys and owner.get(k) is loc)
        if errors and len(errors) == len(self.locations):
            unloaded = self.unloaded()
            if unloaded:  # the selection may name an asset of a location that is not loaded
                raise SelectionError(f"{errors[0]}\nNot loaded at the moment: {unloaded}.") from errors[0]
            raise errors[0]
        return picked

    def unloaded(self) -> str:
        """The locations not loaded now, with their status (``"etl (error)"``), or ``""``."""
        return ", ".join(f"{loc.name} ({loc.status.lower()})" for loc in self.all_locations if loc.status != "LOADED")


class IndexCache:
    """The app's indexes, rebuilt only when a location's snapshot or status changed."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self._lock = threading.Lock()
        self._state: tuple[Any, ...] = ()
        self._index = WorkspaceIndex((), ())

    def current(self) -> WorkspaceIndex:
        all_locations = tuple(self._workspace.locations)
        state = tuple((loc.name, loc.status, id(loc.snapshot)) for loc in all_locations)
        with self._lock:
            if state != self._state:
                loaded = tuple(LocationIndex(loc.name, snap) for loc in all_locations
                               if (snap := loc.snapshot) is not None and loc.status == "LOADED")
                self._index, self._state = WorkspaceIndex(loaded, all_locations), state
            return self._index
