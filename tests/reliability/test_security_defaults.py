"""Security defaults (issue 11), each with a test; tests/server/test_security.py covers the single
cases (one mutation, the limits, masking), this file the whole surface:

- every mutation field of the schema needs the API token when one is set, and the CSRF header (or
  the server's own origin) always; a refused mutation changes nothing;
- no response grants cross-origin reads (no CORS headers, preflights refused);
- ``assetgraph dev`` warns like ``assetgraph server`` when it binds beyond loopback;
- a failure outside GraphQL is a bare 500 without a traceback;
- the storage URL's password is never printed by the commands;
- an `EnvVar`'s value is in no GraphQL answer, stored event or log line (the soak test checks the
  daemon's, server's and workers' logs and the database files over a long run).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import graphql
import httpx
import pytest

from assetgraph.server.schema import build_schema
from assetgraph.server.workspace import InProcessWorkspace
from assetgraph.storage.instance import Instance
from tests.reliability import hostile_project
from tests.reliability.hostile_server import (
    LOCATION,
    SECRET,
    HostileServer,
    hostile_server,
    postgres_database,
)
from tests.reliability.outcomes import Campaign
from tests.server.conftest import running_server

TOKEN = "t0ken-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileServer]:
    with hostile_server(tmp_path_factory.mktemp("security")) as live:
        yield live


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    instance = Instance.from_url(f"sqlite:///{tmp_path_factory.mktemp('guarded') / 'assetgraph.db'}")
    with running_server(InProcessWorkspace({LOCATION: hostile_project.defs}), instance, token=TOKEN) as url:
        yield url
    instance.dispose()


def _literal(type_: graphql.GraphQLInputType) -> str:
    """A valid literal of an input type, so that only the permission check can refuse the field."""
    if isinstance(type_, graphql.GraphQLNonNull):
        return _literal(type_.of_type)
    if isinstance(type_, graphql.GraphQLList):
        return f"[{_literal(type_.of_type)}]"
    if isinstance(type_, graphql.GraphQLInputObjectType):
        return "{" + ", ".join(f"{name}: {_literal(field.type)}" for name, field in type_.fields.items()) + "}"
    if isinstance(type_, graphql.GraphQLEnumType):
        return next(iter(type_.values))
    return {"Int": "1", "Float": "1.0", "Boolean": "false", "JSON": "{}"}.get(type_.name, '"orders"')


def mutation_documents() -> dict[str, str]:
    """One document per mutation field of the served schema, with every argument given."""
    schema = build_schema()._schema
    assert schema.mutation_type is not None
    documents = {}
    for name, field in schema.mutation_type.fields.items():
        args = ", ".join(f"{arg}: {_literal(spec.type)}" for arg, spec in field.args.items())
        named = graphql.get_named_type(field.type)
        selection = " { __typename }" if isinstance(named, graphql.GraphQLObjectType) else ""
        documents[name] = f"mutation {{ {name}{f'({args})' if args else ''}{selection} }}"
    return documents


def _refusals(url: str, headers: dict[str, str], expected: str) -> list[str]:
    """The mutation fields that were not refused with ``expected`` in the message."""
    wrong = []
    for name, document in mutation_documents().items():
        body = httpx.post(url + "/graphql", json={"query": document}, headers=headers, timeout=30).json()
        messages = " ".join(e["message"] for e in body.get("errors") or [])
        if expected not in messages or (body.get("data") or {}).get(name) is not None:
            wrong.append(f"{name}: {body}")
    return wrong


def test_every_mutation_needs_the_token(guarded: str, campaign: Campaign) -> None:
    documents = mutation_documents()
    assert len(documents) >= 15  # the whole Mutation type, not a sample
    before = httpx.post(guarded + "/graphql", json={"query": "{ runs { nodes { id } } backfills { id } }"}).json()
    wrong = _refusals(guarded, {"X-Assetgraph-Request": "1"}, "API token")
    wrong += _refusals(guarded, {"X-Assetgraph-Request": "1", "Authorization": "Bearer nope"}, "API token")
    wrong += _refusals(guarded, {"X-Assetgraph-Request": "1", "Authorization": TOKEN}, "API token")
    after = httpx.post(guarded + "/graphql", json={"query": "{ runs { nodes { id } } backfills { id } }"}).json()
    campaign.record("security", "every mutation field without, with a wrong, and with a malformed API token",
                    trials=3 * len(documents), survived=3 * len(documents) - len(wrong),
                    checked="refused with the token message, nothing written")
    assert not wrong, "\n".join(wrong)
    assert before == after


def test_every_mutation_needs_the_csrf_header_or_the_same_origin(server: HostileServer, campaign: Campaign) -> None:
    cases = [({}, "X-Assetgraph-Request"), ({"Origin": "https://evil.example"}, "another origin"),
             ({"Origin": "null"}, "another origin"), ({"Origin": server.url.replace("127.0.0.1", "localhost")},
                                                      "another origin"),
             ({"Origin": server.url + ".evil.example"}, "another origin"),
             ({"Referer": server.url + "/"}, "X-Assetgraph-Request")]
    wrong = [f"{headers}: {w}" for headers, expected in cases for w in _refusals(server.url, headers, expected)]
    trials = len(cases) * len(mutation_documents())
    campaign.record("security", "every mutation field cross-site: no CSRF header, foreign or null Origin",
                    trials=trials, survived=trials - len(wrong), checked="refused, nothing written")
    assert not wrong, "\n".join(wrong[:10])


def test_no_response_grants_cross_origin_reads(server: HostileServer, campaign: Campaign) -> None:
    evil = {"Origin": "https://evil.example"}
    preflight = {**evil, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type, x-assetgraph-request, authorization"}
    responses = [
        httpx.post(server.url + "/graphql", json={"query": "{ runs { nodes { id } } }"}, headers=evil),
        httpx.get(server.url + "/health", headers=evil),
        httpx.get(server.url + "/", headers=evil),
        httpx.get(f"{server.url}/runs/{server.run_ids[0]}/events/stream", headers=evil),
        httpx.options(server.url + "/graphql", headers=preflight),
        httpx.options(server.url + "/health", headers=preflight),
    ]
    granted = [f"{r.request.method} {r.request.url.path}: {dict(r.headers)}" for r in responses
               if any(h.lower().startswith("access-control-allow") for h in r.headers)]
    preflights_ok = [r for r in responses if r.request.method == "OPTIONS" and r.status_code < 300]
    campaign.record("security", "cross-origin reads and preflights from another site", trials=len(responses),
                    survived=len(responses) - len(granted) - len(preflights_ok),
                    checked="no Access-Control-Allow-* header, preflights refused")
    assert not granted and not preflights_ok, granted


@pytest.mark.parametrize(("host", "warns"), [("0.0.0.0", True), ("192.0.2.10", True), ("::", True),
                                             ("127.0.0.1", False), ("127.0.0.2", False), ("localhost", False),
                                             ("::1", False)])
def test_dev_warns_like_server_when_binding_beyond_loopback(host: str, warns: bool, caplog: pytest.LogCaptureFixture,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # Regression: `assetgraph dev --host 0.0.0.0` served without a word (only `server` warned).
    from assetgraph.cli.dev import _import_create_app

    monkeypatch.delenv("ASSETGRAPH_API_TOKEN", raising=False)
    with caplog.at_level(logging.WARNING, logger="assetgraph.server"):
        assert _import_create_app(host) is not None
    assert ("set ASSETGRAPH_API_TOKEN" in caplog.text) == warns


def test_dev_binds_loopback_unless_told_otherwise() -> None:
    from assetgraph.cli.dev import dev
    from assetgraph.cli.server import server

    for command in (dev, server):
        [host] = [p for p in command.params if p.name == "host"]
        assert host.default == "127.0.0.1"


def test_a_failure_outside_graphql_is_a_bare_500(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    class Broken(Instance):
        def get_run(self, run_id: str) -> Any:
            raise RuntimeError("secret detail /home/alice/.pgpass")

    instance = Broken(f"sqlite:///{tmp_path / 'assetgraph.db'}")
    with running_server(InProcessWorkspace({LOCATION: hostile_project.defs}), instance) as url, \
            caplog.at_level(logging.ERROR, logger="assetgraph.server"):
        response = httpx.get(url + "/runs/r1/events/stream")
    instance.dispose()
    assert response.status_code == 500
    assert "secret detail" not in response.text and "Traceback" not in response.text
    assert "secret detail" in caplog.text  # the details are in the server's log


def test_the_env_var_secret_is_not_stored_in_the_event_log(server: HostileServer) -> None:
    """The seeded runs resolved the resource; the value reached the asset and nothing stored it."""
    assert server.instance.get_runs()
    records = server.instance.get_event_records()
    assert any(r.metadata.get("connected") and r.metadata["connected"].value is True for r in records)
    assert SECRET not in repr([(r.message, r.metadata, r.error, r.data) for r in records])
    database = Path(server.instance.url.removeprefix("sqlite:///"))
    for path in database.parent.glob(database.name + "*"):
        assert SECRET.encode() not in path.read_bytes(), path


@pytest.fixture
def postgres_url_with_password() -> Iterator[tuple[str, str]]:
    password = "pw-" + uuid.uuid4().hex
    with postgres_database(password) as url:
        yield url, password


@pytest.mark.postgres
@pytest.mark.slow
def test_commands_never_print_the_storage_password(tmp_path: Path, postgres_url_with_password: tuple[str, str]) -> None:
    # Regression: `assetgraph daemon`, `server`, `migrate` and `dev` printed the storage URL with its
    # password in their start-up line.
    url, password = postgres_url_with_password
    (tmp_path / "loc.py").write_text("from assetgraph import Definitions\ndefs = Definitions()\n")
    env = {**os.environ, "ASSETGRAPH_STORAGE_URL": url, "ASSETGRAPH_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-m", "assetgraph.cli.main"]
    migrate = subprocess.run([*command, "migrate"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert migrate.returncode == 0, migrate.stderr
    assert "up to date" in migrate.stdout and password not in migrate.stdout + migrate.stderr
    assert "***" in migrate.stdout
    daemon = subprocess.Popen([*command, "daemon", "-f", "loc.py"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        assert daemon.stdout is not None
        deadline = time.monotonic() + 60
        lines = []
        while time.monotonic() < deadline:
            line = daemon.stdout.readline()
            lines.append(line)
            if "assetgraph daemon: instance" in line or not line:
                break
        assert any("assetgraph daemon: instance" in line for line in lines), lines
        assert password not in "".join(lines)
    finally:
        daemon.terminate()
        output = daemon.communicate(timeout=60)[0]
    assert password not in output


def test_limits_stop_batched_mutations_before_any_runs(server: HostileServer, campaign: Campaign) -> None:
    """Sixty aliased launches, or launches hidden in deep fragments, are refused whole: no run is queued."""
    before = len(server.instance.get_runs())
    aliased = "mutation { " + " ".join(f'r{i}: launchRun(selection: "orders") {{ id }}' for i in range(60)) + " }"
    nested = "key { path }"
    for _ in range(20):
        nested = f"upstream {{ {nested} }}"
    deep = ("mutation { launchRun(selection: \"orders\") { id } reportAssetMaterialization(assetKey: [\"raw\", "
            "\"orders\"]) { id } } query Q { assetNodes { ...F } } fragment F on AssetNode { " + nested + " }")
    padded = "mutation { launchRun(selection: \"orders\") { id " + "__typename " * 6000 + "} }"
    refused = []
    for document, expected in ((aliased, "aliases"), (deep, "depth"), (padded, "token")):
        body = server.post({"query": document, "operationName": None}, mutation=True).json()
        refused.append(expected in " ".join(e["message"] for e in body.get("errors") or []).lower())
    campaign.record("security", "batched mutations past the alias, depth and token limits", trials=3,
                    survived=sum(refused), checked="refused whole, no run queued")
    assert all(refused)
    assert len(server.instance.get_runs()) == before
