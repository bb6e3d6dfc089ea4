"""Executor declarations: how a run's steps are executed. The executors themselves live in
`assetgraph.execution`. Must not import anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InProcessExecutor:
    """Run every step in the calling process, one after the other (tests, `materialize`)."""


@dataclass(frozen=True)
class MultiprocessExecutor:
    """Run steps in child processes, at most ``max_concurrent`` at once (default: CPU count)."""

    max_concurrent: int | None = None


@dataclass(frozen=True)
class DaskExecutor:
    """Run steps as tasks on a `dask.distributed` cluster at ``address`` (a local cluster when None)."""

    address: str | None = None
    n_workers: int | None = None


ExecutorDefinition = InProcessExecutor | MultiprocessExecutor | DaskExecutor
