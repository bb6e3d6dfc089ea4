"""Pools: at most N steps at once, across every run on this machine, touch a shared resource.

A pool ``warehouse`` with limit 2 is two lock files under the pools folder
(``$ASSETGRAPH_HOME/pools/warehouse.0.lock`` and ``.1.lock``); a step takes one with a
non-blocking ``flock`` before it starts and gives it back when it ends. The operating system
releases the lock of a process that dies, so a killed worker never leaks a slot. Limits are per
machine; runs on several machines would need slots in shared storage. Must not import
codelocation, orchestration, server or cli.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path


class PoolSlots:
    """Takes and gives back slots of the pools that have a limit; other pools are unlimited."""

    def __init__(self, folder: Path, limits: Mapping[str, int]) -> None:
        self.folder = folder
        self.limits = {name: max(1, int(n)) for name, n in limits.items()}
        self._held: dict[str, int] = {}  # step key -> file descriptor

    def try_acquire(self, step_key: str, pool: str | None) -> bool:
        """Take a slot of ``pool`` for ``step_key``; False when every slot is taken (try again later)."""
        if pool is None or pool not in self.limits:
            return True
        import fcntl

        self.folder.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_.-]", "_", pool)
        for slot in range(self.limits[pool]):
            fd = os.open(self.folder / f"{stem}.{slot}.lock", os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self._held[step_key] = fd
            return True
        return False

    def release(self, step_key: str) -> None:
        fd = self._held.pop(step_key, None)
        if fd is not None:
            os.close(fd)  # closing the descriptor releases the lock

    def release_all(self) -> None:
        for key in list(self._held):
            self.release(key)


def parse_pool_limits(value: object, where: str) -> dict[str, int]:
    """``pools:`` of assetgraph.yaml: a mapping of pool name to limit. Raises ValueError naming ``where``."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, int) and v > 0 for v in value.values()):
        raise ValueError(f"{where}: `pools:` must map pool names to positive limits, e.g. `pools: {{warehouse: 2}}`.")
    return {str(k): int(v) for k, v in value.items()}
