"""The per-request GraphQL context: the instance, the workspace index, the request's loaders and
whether this request may run mutations.

Loaders batch the reads of one request (every asset node asks for its latest materialization;
one storage call answers all of them) and run storage calls in worker threads, so the event
loop never waits on the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import anyio.to_thread
from strawberry.dataloader import DataLoader

from assetgraph.definitions.events import AssetCheckEvaluation, EventRecord, Run
from assetgraph.definitions.keys import AssetCheckKey, AssetKey
from assetgraph.server import services
from assetgraph.server.index import WorkspaceIndex
from assetgraph.storage.instance import Instance
from assetgraph.storage.status import PartitionStatus

T = TypeVar("T")


async def in_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking storage call off the event loop."""
    return await anyio.to_thread.run_sync(partial(fn, *args, **kwargs))


@dataclass
class Loaders:
    """One request's batched reads."""

    instance: Instance
    index: WorkspaceIndex
    latest_materialization: DataLoader[AssetKey, EventRecord | None] = field(init=False)
    partition_status: DataLoader[AssetKey, PartitionStatus] = field(init=False)
    latest_check: DataLoader[AssetCheckKey, AssetCheckEvaluation | None] = field(init=False)
    run: DataLoader[str, Run | None] = field(init=False)

    def __post_init__(self) -> None:
        self.latest_materialization = DataLoader(load_fn=self._batch(services.latest_materializations))
        self.partition_status = DataLoader(load_fn=self._batch(
            lambda instance, keys: services.partition_statuses(instance, self.index, keys)))
        self.latest_check = DataLoader(load_fn=self._batch(services.latest_check_results))
        self.run = DataLoader(load_fn=self._batch(services.runs_by_ids))

    def _batch(self, fn: Callable[[Instance, Sequence[Any]], Sequence[Any]]) -> Callable[[list[Any]], Any]:
        async def load(keys: list[Any]) -> Sequence[Any]:
            return await in_thread(fn, self.instance, keys)

        return load


@dataclass
class RequestContext:
    """What every resolver receives as ``info.context``."""

    instance: Instance
    index: WorkspaceIndex
    loaders: Loaders
    mutation_refusal: str | None = None  # why this request may not mutate; None when it may
    dev: bool = False
    # Reads done ahead for a whole list of nodes (name → key → value), so the fields of thousands
    # of nodes resolve without an awaitable each; loaders cover nodes outside the list.
    prefetched: dict[str, dict[Any, Any]] = field(default_factory=dict)
