"""A real uvicorn server on a free loopback port serving `hostile_project` over a seeded SQLite instance,
and the rules every answer of the hostile-input scenarios must follow."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from assetgraph.server.workspace import InProcessWorkspace
from assetgraph.storage.instance import Instance
from tests.reliability import hostile_project
from tests.server.conftest import MUTATION_HEADERS, running_server

LOCATION = "hostile"
SECRET = "hostile-s3cret-Zq7!"  # the EnvVar's value: must never reach an answer, an event or a log
MASKED = "Internal server error"


@dataclass
class HostileServer:
    url: str
    instance: Instance
    http: httpx.Client
    run_ids: list[str] = field(default_factory=list)
    backfill_ids: list[str] = field(default_factory=list)

    def post(self, body: Any, *, mutation: bool = False, headers: dict[str, str] | None = None,
             raw: bytes | None = None) -> httpx.Response:
        sent = {**(MUTATION_HEADERS if mutation else {}), **(headers or {})}
        if raw is not None:
            return self.http.post(self.url + "/graphql", content=raw,
                                  headers={"Content-Type": "application/json", **sent})
        return self.http.post(self.url + "/graphql", json=body, headers=sent)


def answer_problem(response: httpx.Response) -> str | None:
    """What is wrong with an answer to a hostile request, or None when it follows the rules: a 4xx
    refusal, or a 200 whose JSON body has `data` or `errors`, no masked internal error and no secret."""
    if SECRET in response.text:
        return "the EnvVar secret is in the answer"
    if 400 <= response.status_code < 500:
        return None
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:500]}"
    try:
        body = response.json()
    except ValueError:
        return f"not JSON: {response.text[:500]}"
    if not isinstance(body, dict) or ("data" not in body and "errors" not in body):
        return f"neither data nor errors: {response.text[:500]}"
    for error in body.get("errors") or []:
        message = str(error.get("message", ""))
        if MASKED in message:
            return f"internal error: {message}"
        if "Traceback (most recent call last)" in message:
            return f"traceback in an error: {message[:500]}"
    return None


@contextmanager
def postgres_database(password: str | None = None) -> Iterator[str]:
    """A fresh PostgreSQL database on the test server, dropped afterwards; its URL (with ``password``
    in it when given: the server trusts local users, so any password works)."""
    import psycopg

    host, port = "127.0.0.1", 5432
    user, admin_db = os.environ.get("ASSETGRAPH_TEST_PG_USER", "postgres"), os.environ.get("ASSETGRAPH_TEST_PG_DB", "test")
    name = f"assetgraph_hostile_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(host=host, port=port, user=user, dbname=admin_db, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://{user}{':' + password if password else ''}@{host}:{port}/{name}"
    finally:
        with psycopg.connect(host=host, port=port, user=user, dbname=admin_db, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def hostile_server(home: Path, url: str | None = None) -> Iterator[HostileServer]:
    """Seed an instance (SQLite under ``home``, or ``url``) and serve it, not in dev mode: unexpected
    errors are masked, as in production."""
    previous = os.environ.get(hostile_project.SECRET_ENV)
    os.environ[hostile_project.SECRET_ENV] = SECRET
    instance = Instance.from_url(url or f"sqlite:///{home / 'assetgraph.db'}")
    try:
        hostile_project.seed(instance)
        workspace = InProcessWorkspace({LOCATION: hostile_project.defs})
        with running_server(workspace, instance) as url, httpx.Client(timeout=60) as http:
            yield HostileServer(url, instance, http, [r.run_id for r in instance.get_runs()],
                                [b.backfill_id for b in instance.get_backfills()])
    finally:
        instance.dispose()
        if previous is None:
            os.environ.pop(hostile_project.SECRET_ENV, None)
        else:
            os.environ[hostile_project.SECRET_ENV] = previous
