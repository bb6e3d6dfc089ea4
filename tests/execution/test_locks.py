"""The cross-process lock: a second process waits for the first instead of failing."""

from __future__ import annotations

import multiprocessing as mp
import time
from pathlib import Path

import pytest

from assetgraph.execution.locks import LockTimeoutError, interprocess_lock


def _hold(path: str, seconds: float, ready: mp.Event) -> None:  # type: ignore[valid-type]
    with interprocess_lock(path):
        ready.set()  # type: ignore[attr-defined]
        time.sleep(seconds)


def test_second_process_waits_for_the_first(tmp_path: Path) -> None:
    ctx = mp.get_context("spawn")
    ready = ctx.Event()
    holder = ctx.Process(target=_hold, args=(str(tmp_path / "wh.duckdb"), 0.5, ready))
    holder.start()
    assert ready.wait(30)
    start = time.monotonic()
    with interprocess_lock(tmp_path / "wh.duckdb"):
        waited = time.monotonic() - start
    holder.join(10)
    assert waited > 0.2


def test_lock_held_too_long_names_the_file(tmp_path: Path) -> None:
    ctx = mp.get_context("spawn")
    ready = ctx.Event()
    holder = ctx.Process(target=_hold, args=(str(tmp_path / "wh.duckdb"), 3, ready))
    holder.start()
    assert ready.wait(30)
    with pytest.raises(LockTimeoutError, match=r"wh\.duckdb\.lock"), interprocess_lock(tmp_path / "wh.duckdb",
                                                                                         timeout=0.3):
        pass
    holder.terminate()
    holder.join(10)
