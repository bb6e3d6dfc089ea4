"""Fixtures for daemon tests: a file-backed instance, the shop location, fast daemon settings, and
a way to kill a daemon pass at a named point (a forked process that exits there)."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assetgraph.codelocation.workspace import Workspace
from assetgraph.orchestration.config import DaemonConfig
from tests.codelocation.conftest import SHOP

FAST = DaemonConfig(heartbeat_interval=0.3, heartbeat_timeout=2.0, startup_timeout=30.0, monitor_interval=0.1, queue_interval=0.05,
                    schedule_interval=0.1, sensor_interval=0.1, backfill_interval=0.1)
CRASH_EXIT_CODE = 17


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[Any]:
    from assetgraph import Instance

    inst = Instance.from_url(f"sqlite:///{tmp_path / 'assetgraph.db'}")
    yield inst
    inst.dispose()


@pytest.fixture(scope="module")
def shop_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of the shop location and its workers: where its inbox and control files are."""
    folder = tmp_path_factory.mktemp("shop")
    (folder / "inbox").mkdir()
    return {**os.environ, "SHOP_INBOX": str(folder / "inbox"), "SHOP_BLOCK_FILE": str(folder / "block"),
            "SHOP_STARTED_FILE": str(folder / "started")}


@pytest.fixture(scope="module")
def shop(shop_env: dict[str, str]) -> Iterator[Workspace]:
    with Workspace([SHOP], load_timeout=30, env=shop_env) as ws:
        yield ws


@pytest.fixture
def inbox(shop_env: dict[str, str]) -> Iterator[Path]:
    """The shop sensor's inbox, empty at the start of each test; the control files removed."""
    folder = Path(shop_env["SHOP_INBOX"])
    for path in [*folder.iterdir(), Path(shop_env["SHOP_BLOCK_FILE"]), Path(shop_env["SHOP_STARTED_FILE"])]:
        path.unlink(missing_ok=True)
    yield folder


def wait_for(condition: Callable[[], Any], timeout: float = 20.0, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


def crash_at(point: str, daemon_pass: Callable[[Any, Callable[[str], None]], Any], url: str) -> int:
    """Run ``daemon_pass(instance, crash_hook)`` in a forked process that dies (os._exit) the first
    time the daemon reaches ``point``; return its exit code."""
    def child() -> None:
        from assetgraph import Instance

        inst = Instance.from_url(url)

        def hook(reached: str) -> None:
            if reached == point:
                os._exit(CRASH_EXIT_CODE)

        daemon_pass(inst, hook)
        os._exit(0)

    process = multiprocessing.get_context("fork").Process(target=child)
    process.start()
    process.join(30)
    return int(process.exitcode if process.exitcode is not None else -1)
