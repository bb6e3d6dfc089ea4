"""End-to-end fixtures for the web UI: a real server (create_app over the test project and a SQLite
instance, uvicorn on a free loopback port), a tiny run queue that executes QUEUED runs and
advances backfills the way the daemon does, and Debian's headless Chromium driven by Playwright.

The tests are skipped, with the reason, when /usr/bin/chromium or the playwright package is
missing. CI installs both: ``apt-get install -y chromium`` and the ``playwright`` dev dependency
(never ``playwright install``: its browser download fails here).
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from assetgraph.codelocation.loader import CodeLocationTarget
from assetgraph.codelocation.worker import RunWorker
from assetgraph.definitions.events import Run, RunStatus
from assetgraph.execution.backfill import advance_backfill
from assetgraph.server.app import WS_PROTOCOL, create_app
from assetgraph.server.workspace import InProcessWorkspace
from assetgraph.storage.instance import Instance
from tests.ui import project

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("ASSETGRAPH_UI_ARTIFACTS", Path(__file__).parent / "artifacts"))
SCREENSHOTS = REPO / "docs" / "screenshots"
# The pages docs/ui.md shows; every screenshot is kept as a test artifact.
DOC_SCREENSHOTS = {"lineage-graph", "lineage-graph-dark", "asset-page", "materialize-dialog", "run-failure", "backfill"}
LOCATION = "test_project"

log = logging.getLogger("tests.ui")


def _skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return "UI end-to-end tests need Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "UI end-to-end tests need the playwright package (pip install playwright; no browser download)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _skip_reason()
    if reason is None:
        return
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.skip(reason=reason))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RunQueue:
    """What the daemon does, in a thread: advance unfinished backfills, then execute QUEUED runs
    one at a time with the run worker (the project's InProcessExecutor keeps it in this process)."""

    instance: Instance
    target: CodeLocationTarget
    errors: list[BaseException] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def submit(self, run: Run) -> None:
        self.instance.create_run(run if run.code_location else run.replace(code_location=LOCATION))

    def tick(self) -> None:
        for status in ("REQUESTED", "IN_PROGRESS", "CANCELING"):
            for record in self.instance.get_backfills(status=status):
                advance_backfill(self.instance, record.backfill_id, self.submit, LOCATION)
        for run in reversed(self.instance.get_runs(status=RunStatus.QUEUED)):
            RunWorker(self.instance, run.run_id, self.target, heartbeat_interval=0.5).run()

    def loop(self) -> None:
        while not self._stop.wait(0.1):
            try:
                self.tick()
            except Exception as exc:  # reported by the fixture when the module's tests end
                log.exception("run queue tick failed")
                self.errors.append(exc)
                self._stop.wait(1.0)

    def stop(self) -> None:
        self._stop.set()


@dataclass
class UIServer:
    url: str
    instance: Instance
    queue: RunQueue


@pytest.fixture(scope="module")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UIServer]:
    if _skip_reason():
        pytest.skip(_skip_reason() or "")
    import uvicorn

    home = tmp_path_factory.mktemp("ui-home")
    instance = Instance.from_url(f"sqlite:///{home / 'assetgraph.db'}")
    workspace = InProcessWorkspace({LOCATION: project.defs})
    port = _free_port()
    config = uvicorn.Config(create_app(workspace, instance), host="127.0.0.1", port=port, log_level="warning",
                            lifespan="off", ws=WS_PROTOCOL)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="ui-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    queue = RunQueue(instance, CodeLocationTarget(file=str(Path(project.__file__)), attribute="defs"))
    worker = threading.Thread(target=queue.loop, name="ui-test-run-queue", daemon=True)
    worker.start()
    try:
        yield UIServer(f"http://127.0.0.1:{port}", instance, queue)
    finally:
        queue.stop()
        worker.join(timeout=30)
        server.should_exit = True
        thread.join(timeout=10)
        instance.dispose()
    if queue.errors:
        raise queue.errors[0]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if _skip_reason():
        pytest.skip(_skip_reason() or "")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, ui_server: UIServer, request: pytest.FixtureRequest) -> Iterator[Any]:
    scheme = getattr(request, "param", "light")
    context = browser.new_context(viewport={"width": 1440, "height": 900}, color_scheme=scheme,
                                  base_url=ui_server.url)
    page = context.new_page()
    page.set_default_timeout(20_000)
    messages: list[str] = []
    page.on("pageerror", lambda exc: messages.append(f"page error: {exc}"))
    page.on("console", lambda msg: messages.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
    context.close()
    errors = [m for m in messages if "favicon" not in m]
    assert not errors, "\n".join(errors)


def save_screenshot(page: Any, name: str) -> None:
    """A screenshot as a test artifact; the documented ones also into docs/screenshots when
    ASSETGRAPH_UPDATE_SCREENSHOTS=1."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    if os.environ.get("ASSETGRAPH_UPDATE_SCREENSHOTS") == "1" and name in DOC_SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, SCREENSHOTS / f"{name}.png")
