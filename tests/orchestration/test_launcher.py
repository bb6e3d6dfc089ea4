"""The run launcher's warm worker process (the zygote), when it dies under a launch."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from assetgraph.orchestration.launcher import _Zygote


def test_a_launch_fails_at_once_when_the_warm_process_dies_while_it_starts(tmp_path: Path) -> None:
    """A stop of the daemon's process group kills the zygote while a launch waits for it to be
    ready; the launch must fail at once (the launcher then starts a cold worker), not wait out its
    timeout while the daemon shuts down and leave the run STARTING without a worker."""
    for _ in range(5):  # the zygote's stdout closes a moment before it can be reaped: try the race a few times
        zygote = _Zygote(sys.executable, dict(os.environ), tmp_path / "warm.log")
        os.kill(zygote.process.pid, signal.SIGTERM)  # still importing: not ready yet
        started = time.monotonic()
        with pytest.raises(OSError, match="exited"):
            zygote.launch("run", [], {}, None, tmp_path / "worker.log", timeout=20)
        assert time.monotonic() - started < 5
        zygote.close()
