"""A lock shared by every process on the machine, for resources that take one writer at a time
(a DuckDB file: a second process opening it fails at once instead of waiting).

The Python IO managers and the dbt integration take the same lock (``<file>.lock`` beside the
file), so a dbt step and a pandas step writing one warehouse queue instead of colliding.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from assetgraph.definitions.errors import AssetGraphError

# Locks this process keeps until it exits (lock path -> open file): see ``until_exit``.
_HELD_FOR_LIFE: dict[str, IO[str]] = {}


class LockTimeoutError(AssetGraphError, TimeoutError):
    """Another process held the lock for longer than the timeout."""

    doc_page = "lock-timeout"


def _acquire(handle: IO[str], lock_path: Path, path: str, timeout: float) -> None:
    import fcntl

    deadline = time.monotonic() + timeout
    delay = 0.01
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise LockTimeoutError(
                    f"Waited {timeout:.0f}s for {lock_path}: another process keeps it locked. "
                    f"Is a long run or a tool holding {path} open?"
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.25)


@contextlib.contextmanager
def interprocess_lock(path: str | os.PathLike[str], timeout: float = 600.0, *,
                      until_exit: bool = False) -> Iterator[None]:
    """Hold an exclusive lock on ``<path>.lock`` (created beside ``path``) while the block runs.

    Waiting processes queue; a lock held longer than ``timeout`` seconds raises `LockTimeoutError`
    naming the file. The operating system releases the lock when its holder dies. With
    ``until_exit`` the lock stays held by this process until it exits (for a library that keeps
    the file open after it returns, as dbt-duckdb does); a process that holds a lock for life
    passes through its own later requests for it.
    """
    lock_path = Path(f"{os.fspath(path)}.lock").resolve()
    key = str(lock_path)
    if key in _HELD_FOR_LIFE:
        yield
        return
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock_path, "a+")  # noqa: SIM115 (kept open beyond the block when until_exit)
    try:
        _acquire(handle, lock_path, os.fspath(path), timeout)
    except BaseException:
        handle.close()
        raise
    if until_exit:
        _HELD_FOR_LIFE[key] = handle
        yield
        return
    try:
        yield
    finally:
        handle.close()  # closing the file releases the lock
