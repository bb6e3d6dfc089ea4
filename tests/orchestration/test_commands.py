"""`assetgraph dev` and `assetgraph daemon` as users run them: start, serve, stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from assetgraph import Instance, RunStatus
from assetgraph.codelocation.launch import launch_run
from assetgraph.codelocation.loader import CodeLocationTarget, load_definitions
from assetgraph.codelocation.snapshot import DefinitionsSnapshot, build_snapshot
from tests.codelocation.test_workspace import GOOD
from tests.orchestration.conftest import wait_for

ASSETGRAPH = [sys.executable, "-m", "assetgraph.cli.main"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(args: list[str], tmp_path: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "ASSETGRAPH_HOME": str(tmp_path / "home")}
    return subprocess.Popen([*ASSETGRAPH, *args], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=20)
    return out


def test_dev_serves_http_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    (tmp_path / "defs.py").write_text(GOOD)
    port = free_port()
    process = start(["dev", "-f", "defs.py", "--port", str(port), "--no-watch"], tmp_path)
    try:
        # HTTP answers while the location still loads (by design); wait for it to report LOADED.
        body = wait_for(lambda: _loaded(_get(f"http://127.0.0.1:{port}/health")), timeout=60, interval=0.1)
        assert '"LOADED"' in body
    finally:
        out = stop(process)
    assert process.returncode == 0, out
    assert f"serving http://127.0.0.1:{port}" in out and "stopped." in out


def test_daemon_runs_queued_runs_until_sigterm(tmp_path: Path) -> None:
    (tmp_path / "defs.py").write_text(GOOD)
    process = start(["daemon", "-f", "defs.py"], tmp_path)
    instance = Instance.from_url(f"sqlite:///{tmp_path / 'home' / 'assetgraph.db'}")
    try:
        target = CodeLocationTarget(file=str(tmp_path / "defs.py"), working_directory=str(tmp_path))
        snapshot = DefinitionsSnapshot.from_dict(build_snapshot(load_definitions(target), "defs"))
        run = launch_run(instance, snapshot, "*")
        assert wait_for(lambda: _finished(instance, run.run_id), timeout=60) == RunStatus.SUCCESS
    finally:
        out = stop(process)
        instance.dispose()
    assert process.returncode == 0, out


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return str(response.read().decode())
    except OSError:
        return None


def _loaded(body: str | None) -> str | None:
    return body if body is not None and '"LOADED"' in body else None


def _finished(instance: Instance, run_id: str) -> RunStatus | None:
    time.sleep(0.05)
    run = instance.get_run(run_id)
    return run.status if run is not None and run.status.is_finished else None
