"""The run page shows a step's captured stdout while the run is live and after it: a real run
worker process (the multi-process executor captures each step's output to files) writes into the
server's instance, and Chromium reads the output through GraphQL and the download route. The live
events arrive through the GraphQL subscription over WebSocket, or, when the socket is refused,
through the server-sent event stream."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from assetgraph.codelocation.worker import HEARTBEAT_INTERVAL_ENV
from assetgraph.definitions.events import Run, RunStatus
from assetgraph.definitions.keys import AssetKey
from assetgraph.storage.config import HOME_ENV_VAR
from tests.scenarios import chatty
from tests.ui.conftest import REPO, UIServer, save_screenshot

expect = pytest.importorskip(
    "playwright.sync_api", reason="UI end-to-end tests need the playwright package (pip install playwright)").expect

RUN_TIMEOUT_MS = 30_000


def start_worker(ui_server: UIServer, run_id: str, release: Path) -> subprocess.Popen[bytes]:
    """``python -m assetgraph.codelocation.worker`` for ``run_id``, as the daemon's launcher starts it."""
    home = Path(ui_server.instance.url.removeprefix("sqlite:///")).parent
    env = {**os.environ, chatty.RELEASE_ENV: str(release), HOME_ENV_VAR: str(home), HEARTBEAT_INTERVAL_ENV: "0.5"}
    command = [sys.executable, "-m", "assetgraph.codelocation.worker", run_id, "-f", chatty.__file__, "-a", "defs",
               "--instance-url", ui_server.instance.url]
    return subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.parametrize("live_via", ["websocket", "event stream"])
def test_a_step_that_prints_shows_its_line_on_the_run_page(page: Any, ui_server: UIServer, tmp_path: Path,
                                                           live_via: str) -> None:
    run_id = str(uuid.uuid4())
    # STARTING, not QUEUED: the test's run queue leaves it to this worker process.
    ui_server.instance.create_run(Run(run_id=run_id, status=RunStatus.STARTING,
                                      asset_selection=(AssetKey("held_chatty"),)))
    release = tmp_path / "release"
    worker = start_worker(ui_server, run_id, release)
    sockets: list[str] = []
    streams: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.on("request", lambda r: streams.append(r.url) if r.url.endswith("/events/stream") else None)
    if live_via == "event stream":  # the socket closes at once, as behind a proxy without WebSocket
        page.route_web_socket("**/graphql", lambda ws: (sockets.append(ws.url), ws.close()))
    try:
        page.goto(f"/runs/{run_id}")
        log = page.get_by_test_id("captured-log")
        expect(log).to_contain_text("held_chatty started", timeout=RUN_TIMEOUT_MS)
        expect(page.get_by_test_id("log-state")).to_contain_text("live")
        release.write_text("go")
        expect(log).to_contain_text("held_chatty released", timeout=RUN_TIMEOUT_MS)
        expect(page.get_by_test_id("log-state")).to_have_text("complete", timeout=RUN_TIMEOUT_MS)
        page.locator("h1 .tag.status-success").wait_for(timeout=RUN_TIMEOUT_MS)
        expect(page.get_by_test_id("event-log")).to_contain_text("RUN_SUCCESS")
        save_screenshot(page, f"run-captured-output-{live_via.replace(' ', '-')}")
    finally:
        release.write_text("go")
        _, stderr = worker.communicate(timeout=60)
    assert worker.returncode == 0, stderr.decode()
    assert sockets == [ui_server.url.replace("http://", "ws://") + "/graphql"]
    assert streams == ([] if live_via == "websocket" else [f"{ui_server.url}/runs/{run_id}/events/stream"])

    href = page.get_by_role("link", name="Download stdout").get_attribute("href")
    download = page.request.get(href)
    assert download.ok and download.text() == "held_chatty started\nheld_chatty released\n"

    page.get_by_role("button", name="stderr", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?logs=held_chatty&stream=stderr$"))
    expect(log).to_have_text("The step wrote nothing to stderr.")

    page.get_by_test_id("event-log").get_by_role("button", name="view stdout").click()
    expect(page).to_have_url(re.compile(r"\?logs=held_chatty&stream=stdout$"))
    expect(log).to_contain_text("held_chatty released")
    page.get_by_role("link", name="Captured output of held_chatty").click()
    expect(page).to_have_url(re.compile(r"\?logs=held_chatty&stream=stdout$"))
