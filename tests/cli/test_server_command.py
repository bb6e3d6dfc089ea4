"""`assetgraph server` serves GraphQL and health on loopback, with its code location in its own process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

LOCATION = '''
from assetgraph import Definitions, asset

@asset
def numbers():
    return [1, 2]

defs = Definitions(assets=[numbers])
'''


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_server_answers_health_and_graphql(tmp_path: Path) -> None:
    (tmp_path / "loc.py").write_text(LOCATION)
    port = _free_port()
    env = {**os.environ, "ASSETGRAPH_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen([sys.executable, "-m", "assetgraph.cli.main", "server", "-f", "loc.py", "--port", str(port)],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.time() + 60
        while True:  # HTTP answers while the location still loads (by design): wait for it to report LOADED
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    assert r.status == 200
                    if b'"LOADED"' in r.read():
                        break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise
            assert time.time() < deadline, "the location did not load"
            time.sleep(0.2)
        body = json.dumps({"query": "{ assetNodes { key { path } } codeLocations { name status } }"}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=body,
                                     headers={"content-type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            data = json.loads(r.read())["data"]
        assert data["assetNodes"] == [{"key": {"path": ["numbers"]}}]
        assert [loc["status"] for loc in data["codeLocations"]] == ["LOADED"]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def test_sigterm_stops_the_server_cleanly_with_its_code_location(tmp_path: Path) -> None:
    # Regression (found by tests/reliability/test_soak.py): uvicorn re-raised SIGTERM after its
    # shutdown, killing the process (exit -15) before it stopped its code-location process and
    # removed that process's temporary folder.
    import psutil

    (tmp_path / "loc.py").write_text(LOCATION)
    port = _free_port()
    env = {**os.environ, "ASSETGRAPH_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen([sys.executable, "-m", "assetgraph.cli.main", "server", "-f", "loc.py", "--port", str(port)],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    location: psutil.Process | None = None
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                    break
            except OSError:
                assert time.time() < deadline and proc.poll() is None
                time.sleep(0.2)
        [location] = [c for c in psutil.Process(proc.pid).children() if "codelocation.server" in " ".join(c.cmdline())]
        folder = Path(location.cmdline()[location.cmdline().index("--ready-file") + 1]).parent
        assert folder.is_dir()
        proc.send_signal(signal.SIGTERM)  # the main process only, as a service manager does
        assert proc.wait(timeout=30) == 0
        assert not location.is_running() and not folder.exists()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if location is not None and location.is_running():  # orphaned when the server died uncleanly
            location.kill()
        if proc.stdout is not None:
            proc.stdout.close()
