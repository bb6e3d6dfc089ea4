"""GraphQL subscriptions over WebSocket (graphql-transport-ws) against a real server: a run's
events arrive as a real run worker writes them and the subscription completes when the run ends;
a cross-origin handshake is refused, and so is a mutation sent over a socket."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from assetgraph.codelocation.loader import CodeLocationTarget
from assetgraph.codelocation.worker import RunWorker
from assetgraph.definitions.events import Event, EventType, Run, RunStatus
from assetgraph.definitions.keys import AssetKey
from tests.scenarios import chatty
from tests.server.conftest import LiveServer

PROTOCOL = "graphql-transport-ws"
RUN_EVENTS = """subscription($run: String!, $after: String) { runEvents(runId: $run, after: $after) {
    nodes { id eventType stepKey } endCursor isFinished runStatus } }"""


@contextmanager
def socket(live: LiveServer, origin: str | None = None) -> Iterator[ClientConnection]:
    """An acknowledged graphql-transport-ws connection to the server's /graphql."""
    headers = {"Origin": origin} if origin else {}
    with connect(live.url.replace("http://", "ws://") + "/graphql", subprotocols=[PROTOCOL],  # type: ignore[list-item]
                 additional_headers=headers, open_timeout=10) as ws:
        ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(text(ws.recv(timeout=10))) == {"type": "connection_ack"}
        yield ws


def text(frame: str | bytes) -> str:
    """A message of the protocol: text frames only (a browser hands binary frames over as a Blob)."""
    assert isinstance(frame, str), f"binary frame {frame!r}"
    return frame


def subscribe(ws: ClientConnection, query: str, variables: dict[str, Any], op_id: str = "1") -> None:
    ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables}}))


def until_complete(ws: ClientConnection, op_id: str = "1", timeout: float = 30) -> list[dict[str, Any]]:
    """Every message of operation ``op_id`` up to its `complete` (or `error`), answering pings."""
    messages = []
    while True:
        message = json.loads(text(ws.recv(timeout=timeout)))
        if message["type"] == "ping":
            ws.send(json.dumps({"type": "pong"}))
            continue
        assert message.get("id") == op_id, message
        if message["type"] == "complete":
            return messages
        messages.append(message)
        if message["type"] == "error":
            return messages


def test_a_runs_events_arrive_as_its_worker_writes_them(live: LiveServer) -> None:
    run_id = str(uuid.uuid4())
    live.instance.create_run(Run(run_id=run_id, status=RunStatus.QUEUED, asset_selection=(AssetKey("chatty"),)))
    live.instance.store_events([Event(event_type=EventType.RUN_ENQUEUED, run_id=run_id, timestamp=0.0)])
    with socket(live) as ws:
        subscribe(ws, RUN_EVENTS, {"run": run_id})
        first = json.loads(text(ws.recv(timeout=10)))
        assert [n["eventType"] for n in first["payload"]["data"]["runEvents"]["nodes"]] == ["RUN_ENQUEUED"]
        target = CodeLocationTarget(file=chatty.__file__, attribute="defs")
        worker = threading.Thread(target=RunWorker(live.instance, run_id, target, heartbeat_interval=0.5).run)
        worker.start()
        rest = until_complete(ws)
        worker.join(timeout=30)
    batches = [first["payload"]["data"]["runEvents"], *(m["payload"]["data"]["runEvents"] for m in rest)]
    received = [n["id"] for b in batches for n in b["nodes"]]
    assert received == [str(r.id) for r in live.instance.get_event_records(run_id=run_id)]
    assert "STEP_START" in [n["eventType"] for b in batches for n in b["nodes"]]
    assert [b["isFinished"] for b in batches] == [False] * (len(batches) - 1) + [True]
    assert batches[-1]["runStatus"] == "SUCCESS" and batches[-1]["endCursor"] == received[-1]


def test_a_subscription_resumes_after_its_cursor(live: LiveServer) -> None:
    run_id = str(uuid.uuid4())
    live.instance.create_run(Run(run_id=run_id, status=RunStatus.SUCCESS))
    stored = live.instance.store_events([Event(event_type=t, run_id=run_id, timestamp=0.0)
                                         for t in (EventType.RUN_START, EventType.RUN_SUCCESS)])
    with socket(live) as ws:
        subscribe(ws, RUN_EVENTS, {"run": run_id, "after": str(stored[0].id)})
        [message] = until_complete(ws)
    batch = message["payload"]["data"]["runEvents"]
    assert [n["eventType"] for n in batch["nodes"]] == ["RUN_SUCCESS"] and batch["isFinished"]


def test_an_unknown_run_is_an_error(live: LiveServer) -> None:
    with socket(live) as ws:
        subscribe(ws, RUN_EVENTS, {"run": "nope"})
        messages = until_complete(ws)
    assert "No run with id 'nope'" in json.dumps(messages)


def test_a_cross_origin_handshake_is_refused(live: LiveServer) -> None:
    with pytest.raises(InvalidStatus) as refused, socket(live, origin="http://evil.example"):
        pass
    assert refused.value.response.status_code == 403
    with socket(live, origin=live.url) as ws:  # the server's own pages may connect
        ws.ping().wait(timeout=10)


def test_a_mutation_sent_over_a_socket_is_refused(live: LiveServer) -> None:
    before = len(live.instance.get_runs())
    with socket(live) as ws:
        subscribe(ws, 'mutation { launchRun(selection: "steady") { id } }', {})
        messages = until_complete(ws)
    assert "Mutations must be sent with POST" in json.dumps(messages)
    assert len(live.instance.get_runs()) == before
