"""Captured step output through the server: `capturedLogs` reads a step's stdout or stderr by byte
cursor (also while the step still writes), `GET /runs/{id}/logs` downloads the whole file, and
nothing but files that a run's events name inside its log folder can be read either way."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assetgraph.codelocation.loader import CodeLocationTarget
from assetgraph.codelocation.worker import RunWorker
from assetgraph.definitions.events import Event, EventType, Run, RunStatus
from assetgraph.definitions.keys import AssetKey
from assetgraph.storage.captured_logs import CAPTURED_LOGS_KIND
from tests.scenarios import chatty
from tests.server.conftest import LiveServer

CHATTY = CodeLocationTarget(file=chatty.__file__, attribute="defs")
READ = """query($run: String!, $step: String!, $stream: LogStream!, $cursor: String, $max: Int! = 65536,
                 $fromEnd: Boolean! = false) {
    capturedLogs(runId: $run, stepKey: $step, stream: $stream, cursor: $cursor, maxBytes: $max, fromEnd: $fromEnd) {
        stepKey stream data start cursor size hasMore isComplete exists downloadUrl } }"""


def run_worker(live: LiveServer, asset_name: str) -> str:
    run_id = str(uuid.uuid4())
    live.instance.create_run(Run(run_id=run_id, status=RunStatus.QUEUED, asset_selection=(AssetKey(asset_name),)))
    RunWorker(live.instance, run_id, CHATTY, heartbeat_interval=0.5).run()
    return run_id


def read(live: LiveServer, run_id: str, step: str, stream: str = "STDOUT", **more: Any) -> dict[str, Any] | None:
    found: dict[str, Any] | None = live.data(READ, {"run": run_id, "step": step, "stream": stream, **more})["capturedLogs"]
    return found


@pytest.fixture(scope="module")
def chatty_run(live: LiveServer) -> str:
    return run_worker(live, "chatty")


def test_a_finished_steps_stdout_and_stderr_are_read_in_full(live: LiveServer, chatty_run: str) -> None:
    out = read(live, chatty_run, "chatty")
    assert out is not None
    assert out["data"] == "hello from chatty\ngröße: 42 ✓\n"
    assert out["isComplete"] and out["exists"] and not out["hasMore"]
    assert int(out["cursor"]) == out["size"] == len(out["data"].encode())
    err = read(live, chatty_run, "chatty", "STDERR")
    assert err is not None and err["data"] == "a warning on stderr\n" and err["stream"] == "STDERR"


def test_chunks_by_cursor_add_up_to_the_file(live: LiveServer, chatty_run: str) -> None:
    text, cursor = "", None
    for _ in range(20):
        chunk = read(live, chatty_run, "chatty", cursor=cursor, max=7)
        assert chunk is not None
        text += chunk["data"]
        cursor = chunk["cursor"]
        if not chunk["hasMore"]:
            break
    assert text == "hello from chatty\ngröße: 42 ✓\n"
    tail = read(live, chatty_run, "chatty", max=20, fromEnd=True)
    assert tail is not None and tail["data"] == "größe: 42 ✓\n" and tail["start"] == 18


def test_the_run_event_links_the_download_of_each_stream(live: LiveServer, chatty_run: str) -> None:
    events = live.data('query($id: String!) { runEvents(runId: $id) { nodes { stepKey capturedOutput { '
                       'stepKey stdoutDownloadUrl stderrDownloadUrl } } } }', {"id": chatty_run})["runEvents"]["nodes"]
    [link] = [e["capturedOutput"] for e in events if e["capturedOutput"]]
    assert link["stepKey"] == "chatty"
    response = live.http.get(live.url + link["stdoutDownloadUrl"])
    assert response.status_code == 200
    assert response.text == "hello from chatty\ngröße: 42 ✓\n"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"] == f'attachment; filename="{chatty_run[:8]}-chatty.out"'
    assert live.http.get(live.url + link["stderrDownloadUrl"]).text == "a warning on stderr\n"


def test_a_step_that_is_still_running_is_read_as_it_writes(live: LiveServer, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    release = tmp_path / "release"
    monkeypatch.setenv(chatty.RELEASE_ENV, str(release))
    run_id = str(uuid.uuid4())
    live.instance.create_run(Run(run_id=run_id, status=RunStatus.QUEUED, asset_selection=(AssetKey("held_chatty"),)))
    worker = threading.Thread(target=RunWorker(live.instance, run_id, CHATTY, heartbeat_interval=0.5).run)
    worker.start()
    try:
        first = wait_for_text(live, run_id, "held_chatty started\n")
        assert not first["isComplete"] and not first["hasMore"]
        download = live.http.get(live.url + first["downloadUrl"])
        assert download.status_code == 200 and download.text == "held_chatty started\n"
    finally:
        release.write_text("go")
        worker.join(timeout=60)
    rest = read(live, run_id, "held_chatty", cursor=first["cursor"])
    assert rest is not None and rest["data"] == "held_chatty released\n" and rest["isComplete"]


def wait_for_text(live: LiveServer, run_id: str, text: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        chunk = read(live, run_id, "held_chatty")
        if chunk is not None and chunk["data"] == text:
            return chunk
        time.sleep(0.05)
    raise AssertionError(f"the step did not write {text!r} in time")


def test_an_unknown_run_is_an_error_and_a_404(live: LiveServer) -> None:
    assert "No run with id 'nope'" in live.error(READ, {"run": "nope", "step": "chatty", "stream": "STDOUT"})
    response = live.http.get(live.url + "/runs/nope/logs", params={"step": "chatty"})
    assert response.status_code == 404 and "No run" in response.json()["error"]


def test_a_step_without_captured_output_reads_as_null(live: LiveServer, chatty_run: str) -> None:
    assert read(live, chatty_run, "no_such_step") is None
    response = live.http.get(live.url + f"/runs/{chatty_run}/logs", params={"step": "no_such_step"})
    assert response.status_code == 404


@pytest.mark.parametrize(("variables", "message"), [
    ({"cursor": "-5"}, "not a byte offset"), ({"cursor": "²"}, "not a byte offset"),
    ({"max": 0}, "`maxBytes` must be between"), ({"max": 2_000_000}, "`maxBytes` must be between"),
])
def test_bad_cursors_and_sizes_are_errors(live: LiveServer, chatty_run: str, variables: dict[str, Any],
                                          message: str) -> None:
    assert message in live.error(READ, {"run": chatty_run, "step": "chatty", "stream": "STDOUT", **variables})


def test_the_download_route_checks_its_parameters(live: LiveServer, chatty_run: str) -> None:
    url = live.url + f"/runs/{chatty_run}/logs"
    assert live.http.get(url).status_code == 400
    assert live.http.get(url, params={"step": "chatty", "stream": "../../etc/passwd"}).status_code == 400
    assert live.http.get(url, params={"step": "chatty", "stream": "stderr"}).text == "a warning on stderr\n"


@pytest.fixture
def forged_run(live: LiveServer, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A run whose events name files outside its log folder, as a forged or corrupted event would."""
    run_id = str(uuid.uuid4())
    live.instance.create_run(Run(run_id=run_id, status=RunStatus.SUCCESS))
    folder = live.instance.captured_logs.run_dir(run_id)
    folder.mkdir(parents=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("the database password")
    (folder / "escape.out").symlink_to(secret)
    database = Path(live.instance.url.removeprefix("sqlite:///"))
    paths = {"absolute": str(secret), "traversal": str(folder / ".." / ".." / database.name),
             "symlink": str(folder / "escape.out"), "passwd": "/etc/passwd"}
    live.instance.store_events([
        Event(event_type=EventType.LOG_MESSAGE, run_id=run_id, timestamp=time.time(), step_key=step, message="forged",
              data={"kind": CAPTURED_LOGS_KIND, "stdout": path, "stderr": path})
        for step, path in paths.items()])
    yield run_id, paths


def test_forged_paths_are_never_served(live: LiveServer, forged_run: tuple[str, dict[str, str]]) -> None:
    run_id, paths = forged_run
    for step in paths:
        assert read(live, run_id, step) is None, step
        response = live.http.get(live.url + f"/runs/{run_id}/logs", params={"step": step})
        assert response.status_code == 404, step
        assert "password" not in response.text and "root:" not in response.text


@pytest.mark.parametrize("run_path", ["..%2F..%2Fassetgraph.db", "%2E%2E", "..", "%00", "..%5C.."])
def test_a_run_id_cannot_walk_out_of_the_log_folder(live: LiveServer, run_path: str) -> None:
    response = live.http.get(live.url + f"/runs/{run_path}/logs", params={"step": "chatty"})
    # Either the logs route refuses the unknown run, or (a decoded slash) no route matches and the UI's
    # index page answers; never a file.
    assert "content-disposition" not in response.headers
    assert response.status_code == 404 or response.headers["content-type"].startswith("text/html")
    assert "SQLite format" not in response.text
