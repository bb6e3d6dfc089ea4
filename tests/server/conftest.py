"""A real uvicorn server on a free loopback port, serving the test project over a SQLite instance."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from assetgraph.definitions.definitions import Definitions
from assetgraph.server.app import WS_PROTOCOL, create_app
from assetgraph.server.workspace import InProcessWorkspace
from assetgraph.storage.instance import Instance
from tests.server import project

MUTATION_HEADERS = {"X-Assetgraph-Request": "1"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    instance: Instance
    workspace: InProcessWorkspace
    http: httpx.Client

    def gql(self, query: str, variables: dict[str, Any] | None = None, *, mutation: bool = False,
            headers: dict[str, str] | None = None) -> dict[str, Any]:
        """POST a GraphQL document; returns the JSON body and asserts the HTTP status is 200."""
        sent = dict(MUTATION_HEADERS if mutation else {})
        sent.update(headers or {})
        response = self.http.post(self.url + "/graphql", json={"query": query, "variables": variables}, headers=sent)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def data(self, query: str, variables: dict[str, Any] | None = None, *, mutation: bool = False) -> dict[str, Any]:
        body = self.gql(query, variables, mutation=mutation)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def error(self, query: str, variables: dict[str, Any] | None = None, *, mutation: bool = False,
              headers: dict[str, str] | None = None) -> str:
        body = self.gql(query, variables, mutation=mutation, headers=headers)
        assert body.get("errors"), body
        return "\n".join(e["message"] for e in body["errors"])


@contextmanager
def running_server(workspace: Any, instance: Instance, **app_options: Any) -> Iterator[str]:
    """Serve ``create_app(workspace, instance, **app_options)`` with uvicorn in a thread; yield its URL."""
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(create_app(workspace, instance, **app_options), host="127.0.0.1", port=port,
                            log_level="warning", lifespan="off", ws=WS_PROTOCOL)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def project_workspace(**extra: Definitions) -> InProcessWorkspace:
    return InProcessWorkspace({"project": project.defs, **extra})


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server per test module: the test project over a fresh SQLite instance."""
    path: Path = tmp_path_factory.mktemp("instance") / "assetgraph.db"
    instance = Instance.from_url(f"sqlite:///{path}")
    workspace = project_workspace()
    with running_server(workspace, instance) as url, httpx.Client(timeout=30) as http:
        yield LiveServer(url, instance, workspace, http)
    instance.dispose()
