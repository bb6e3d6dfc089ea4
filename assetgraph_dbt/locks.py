"""Inter-process file locks that queue dbt invocations sharing a DuckDB file or a target folder.

DuckDB lets one process write a file at a time and fails at once otherwise, so two runs that
touch the same file must wait for each other rather than collide. Must not import dbt.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

# flock() locks belong to an open file, so two threads of one process also exclude each other;
# this lock additionally keeps one dbt invocation per process (dbt's event manager is global).
PROCESS_LOCK = threading.RLock()

# Locks this process keeps until it exits (path -> descriptor): see `hold_until_exit`.
_KEPT: dict[str, int] = {}


def hold_until_exit(path: str | os.PathLike[str]) -> None:
    """Take the lock on ``path`` for the rest of this process's life (no-op if already held).

    dbt-duckdb keeps its DuckDB file open after dbt returns (``keep_open`` defaults to true),
    so the file stays locked by this process until it exits; our lock mirrors that, so a
    second process queues instead of failing on DuckDB's own lock.
    """
    import fcntl

    key = str(Path(path).resolve())
    if key in _KEPT:
        return
    Path(key).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    _KEPT[key] = fd


@contextlib.contextmanager
def file_lock(path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing) until the block ends; waits for it."""
    import fcntl

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def file_locks(paths: Sequence[str | os.PathLike[str]]) -> Iterator[None]:
    """Several locks taken in a fixed (sorted) order, so two holders never wait on each other."""
    with contextlib.ExitStack() as stack:
        for p in sorted({str(Path(p).resolve()) for p in paths}):
            stack.enter_context(file_lock(p))
        yield
