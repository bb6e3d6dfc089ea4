"""What the server serves: a workspace of code locations, each with a definitions snapshot or a
load error.

`Workspace` and `CodeLocation` are Protocols: the multi-process workspace of
`assetgraph.codelocation` satisfies them, and so does `InProcessWorkspace` here (tests and
single-process use), which snapshots `Definitions` already imported in this process. Must not
import Starlette or strawberry.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Literal, Protocol, runtime_checkable

from assetgraph.codelocation.snapshot import DefinitionsSnapshot, build_snapshot
from assetgraph.definitions.definitions import Definitions

LocationStatus = Literal["LOADED", "ERROR"]


@runtime_checkable
class CodeLocation(Protocol):
    """One code location as the server sees it."""

    @property
    def name(self) -> str: ...

    @property
    def status(self) -> str:
        """``"LOADED"`` or ``"ERROR"``."""
        ...

    @property
    def error(self) -> str | None:
        """The load error (message and traceback) when ``status`` is ``"ERROR"``."""
        ...

    @property
    def snapshot(self) -> DefinitionsSnapshot | None: ...

    def reload(self) -> None:
        """Load the location again; afterwards ``status``, ``error`` and ``snapshot`` are current."""
        ...


@runtime_checkable
class Workspace(Protocol):
    """The code locations the server serves, in a stable order."""

    @property
    def locations(self) -> Sequence[CodeLocation]: ...


class InProcessLocation:
    """A code location whose `Definitions` come from a factory called in this process.

    ``load`` returns the `Definitions`; an exception it raises becomes the location's error.
    """

    def __init__(self, name: str, load: Callable[[], Definitions]) -> None:
        self._name = name
        self._load = load
        self._lock = threading.Lock()
        self._snapshot: DefinitionsSnapshot | None = None
        self._error: str | None = None
        self.reload()

    @property
    def name(self) -> str:
        return self._name

    @property
    def status(self) -> str:
        return "ERROR" if self._error is not None else "LOADED"

    @property
    def error(self) -> str | None:
        return self._error

    @property
    def snapshot(self) -> DefinitionsSnapshot | None:
        return self._snapshot

    def reload(self) -> None:
        with self._lock:
            try:
                snapshot = DefinitionsSnapshot.from_dict(build_snapshot(self._load(), self._name))
            except Exception as exc:  # a broken location is shown as its error; the server keeps serving
                import traceback

                self._snapshot, self._error = None, "".join(traceback.format_exception(exc)).rstrip()
                return
            self._snapshot, self._error = snapshot, None


class InProcessWorkspace:
    """A workspace over `Definitions` objects (or factories returning them) keyed by location name.

    >>> from assetgraph import Definitions, asset
    >>> @asset
    ... def orders(): ...
    >>> workspace = InProcessWorkspace({"shop": Definitions(assets=[orders])})
    >>> [(loc.name, loc.status) for loc in workspace.locations]
    [('shop', 'LOADED')]
    """

    def __init__(self, defs_by_name: Mapping[str, Definitions | Callable[[], Definitions]]) -> None:
        self._locations = [InProcessLocation(name, _factory(value)) for name, value in defs_by_name.items()]

    @property
    def locations(self) -> Sequence[InProcessLocation]:
        return tuple(self._locations)


def _factory(value: Definitions | Callable[[], Definitions]) -> Callable[[], Definitions]:
    if isinstance(value, Definitions):
        return lambda: value
    return value
