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
