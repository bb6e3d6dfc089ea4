"""`Definitions`: everything a code location exposes.

The graph layer builds the `AssetGraph`; since this layer may not import it, the graph module
registers its factory here when it is imported (the top-level package always imports it).
Must not import anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from assetgraph.definitions.asset import AssetsDefinition
from assetgraph.definitions.checks import AssetChecksDefinition
from assetgraph.definitions.errors import DefinitionError, InternalError
from assetgraph.definitions.executors import ExecutorDefinition
from assetgraph.definitions.jobs import AssetJobDefinition
from assetgraph.definitions.spec import AssetSpec

_graph_factory: Callable[[Definitions], Any] | None = None


def register_graph_factory(factory: Callable[[Definitions], Any]) -> None:
    """Called by `assetgraph.graph` so that `Definitions.get_asset_graph` can build graphs."""
    global _graph_factory
    _graph_factory = factory


class Definitions:
    """The assets, checks, jobs, schedules, sensors and resources of a code location.

    The asset graph is built (and validated) when the object is made: a definition error
    surfaces when the module loads, never halfway through a run.

    >>> @asset
    ... def orders() -> int:
    ...     return 1
    >>> sorted(k.to_user_string() for k in Definitions(assets=[orders]).get_asset_graph().keys)
    ['orders']
    """

    def __init__(
        self,
        assets: Iterable[AssetsDefinition | AssetSpec | AssetChecksDefinition] | None = None,
        asset_checks: Iterable[AssetChecksDefinition] | None = None,
        jobs: Iterable[AssetJobDefinition] | None = None,
        schedules: Iterable[Any] | None = None,
        sensors: Iterable[Any] | None = None,
        resources: Mapping[str, Any] | None = None,
        executor: ExecutorDefinition | None = None,
    ) -> None:
        # Building thousands of definitions allocates many small objects and no garbage; the
        # cyclic collector would otherwise run dozens of times over a graph being built.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            self._build(assets, asset_checks, jobs, schedules, sensors, resources, executor)
        finally:
            if was_enabled:
                gc.enable()

    def _build(self, assets: Iterable[AssetsDefinition | AssetSpec | AssetChecksDefinition] | None,
               asset_checks: Iterable[AssetChecksDefinition] | None, jobs: Iterable[AssetJobDefinition] | None,
               schedules: Iterable[Any] | None, sensors: Iterable[Any] | None, resources: Mapping[str, Any] | None,
               executor: ExecutorDefinition | None) -> None:
        self.assets: list[AssetsDefinition] = []
        self.asset_checks: list[AssetChecksDefinition] = []
        for item in assets or ():
            self._add_asset_item(item)
        for check in asset_checks or ():
            if not isinstance(check, AssetChecksDefinition):
                raise DefinitionError(f"Definitions(asset_checks=...) got {check!r}; pass @asset_check functions.")
            self.asset_checks.append(check)
        self.jobs: list[AssetJobDefinition] = list(jobs or ())
        self.schedules: list[Any] = list(schedules or ())
        self.sensors: list[Any] = list(sensors or ())
        self.resources: dict[str, Any] = dict(resources or {})
        self.executor = executor
        self._check_unique_names()
        self._graph: Any = None
        if _graph_factory is not None:
            self.get_asset_graph()

    def _add_asset_item(self, item: Any) -> None:
        if isinstance(item, AssetsDefinition):
            self.assets.append(item)
        elif isinstance(item, AssetSpec):
            self.assets.append(AssetsDefinition.from_spec(item))
        elif isinstance(item, AssetChecksDefinition):
            self.asset_checks.append(item)
        else:
            raise DefinitionError(
                f"Definitions(assets=...) got {item!r}: pass functions decorated with @asset or @multi_asset, "
                f"or AssetSpec objects for external assets."
            )

    def _check_unique_names(self) -> None:
        for what, items in (("job", self.jobs), ("schedule", self.schedules), ("sensor", self.sensors)):
            seen: set[str] = set()
            for item in items:
                name = getattr(item, "name", None)
                if name in seen:
                    raise DefinitionError(f"Two {what}s are named {name!r}; names must be unique in a code location.")
                seen.add(name)  # type: ignore[arg-type]

    def get_all_assets_definitions(self) -> Sequence[AssetsDefinition]:
        return self.assets

    def get_all_checks_definitions(self) -> Sequence[AssetChecksDefinition]:
        return self.asset_checks

    def get_asset_graph(self) -> Any:
        """The `AssetGraph` of these definitions (built once, then cached)."""
        if self._graph is None:
            if _graph_factory is None:
                raise InternalError("assetgraph.graph was not imported, so no graph factory is registered.")
            self._graph = _graph_factory(self)
        return self._graph

    def get_job_def(self, name: str) -> AssetJobDefinition:
        for job in self.jobs:
            if job.name == name:
                return job
        known = ", ".join(j.name for j in self.jobs) or "none"
        raise DefinitionError(f"No job named {name!r} (jobs: {known}).")

    def get_schedule_def(self, name: str) -> Any:
        for s in self.schedules:
            if s.name == name:
                return s
        raise DefinitionError(f"No schedule named {name!r}.")

    def get_sensor_def(self, name: str) -> Any:
        for s in self.sensors:
            if s.name == name:
                return s
        raise DefinitionError(f"No sensor named {name!r}.")

    @staticmethod
    def merge(*defs: Definitions) -> Definitions:
        """One `Definitions` with everything from each; duplicate asset keys are an error."""
        resources: dict[str, Any] = {}
        executor = None
        for d in defs:
            for k, v in d.resources.items():
                if k in resources and resources[k] is not v:
                    raise DefinitionError(f"Definitions.merge: resource {k!r} is defined twice with different values.")
                resources[k] = v
            executor = d.executor or executor
        return Definitions(
            assets=[a for d in defs for a in d.assets],
            asset_checks=[c for d in defs for c in d.asset_checks],
            jobs=[j for d in defs for j in d.jobs],
            schedules=[s for d in defs for s in d.schedules],
            sensors=[s for d in defs for s in d.sensors],
            resources=resources,
            executor=executor,
        )
