"""A lock shared by every process on the machine, for resources that take one writer at a time
(a DuckDB file: a second process opening it fails at once instead of waiting).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from assetgraph.definitions.errors import AssetGraphError


class LockTimeoutError(AssetGraphError, TimeoutError):
    """Another process held the lock for longer than the timeout."""

    doc_page = "lock-timeout"


@contextlib.contextmanager
def interprocess_lock(path: str | os.PathLike[str], timeout: float = 600.0) -> Iterator[None]:
    """Hold an exclusive lock on ``<path>.lock`` (created beside ``path``) while the block runs.

    Waiting processes queue; a lock held longer than ``timeout`` seconds raises `LockTimeoutError`
    naming the file. The operating system releases the lock when its holder dies.
    """
    import fcntl

    lock_path = Path(f"{os.fspath(path)}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        deadline = time.monotonic() + timeout
        delay = 0.01
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LockTimeoutError(
                        f"Waited {timeout:.0f}s for {lock_path}: another process keeps it locked. "
                        f"Is a long run or a tool holding {os.fspath(path)} open?"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.25)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
