"""Mutations need the token (when set) and a non-cross-site request; queries are bounded; bad
input is a GraphQL error or a 4xx, never a 500; unexpected errors do not leak details."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assetgraph.server import services
from assetgraph.storage.instance import Instance
from tests.server.conftest import LiveServer, project_workspace, running_server

LAUNCH = '{"query": "mutation { launchRun(selection: \\"steady\\") { id } }"}'
QUERY = {"query": "{ codeLocations { name } }"}


@pytest.fixture(scope="module")
def guarded() -> Iterator[str]:
    instance = Instance.ephemeral()
    with running_server(project_workspace(), instance, token="s3cret") as url:
        yield url
    instance.dispose()


def _post(url: str, headers: dict[str, str], body: str = LAUNCH) -> dict[str, object]:
    response = httpx.post(url + "/graphql", content=body, headers={"Content-Type": "application/json", **headers})
    assert response.status_code == 200, response.text
    payload: dict[str, object] = response.json()
    return payload


def _message(payload: dict[str, object]) -> str:
    errors = payload.get("errors")
    assert isinstance(errors, list) and errors, payload
    return str(errors[0]["message"])


def test_mutation_without_token_is_refused(guarded: str) -> None:
    assert "API token" in _message(_post(guarded, {"X-Assetgraph-Request": "1"}))
    assert "API token" in _message(_post(guarded, {"X-Assetgraph-Request": "1", "Authorization": "Bearer wrong"}))


def test_mutation_with_token_and_header_is_allowed(guarded: str) -> None:
    payload = _post(guarded, {"X-Assetgraph-Request": "1", "Authorization": "Bearer s3cret"})
    assert "errors" not in payload


def test_queries_need_no_token(guarded: str) -> None:
    response = httpx.post(guarded + "/graphql", json=QUERY)
    assert response.json() == {"data": {"codeLocations": [{"name": "project"}]}}


def test_token_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSETGRAPH_API_TOKEN", "from-env")
    instance = Instance.ephemeral()
    with running_server(project_workspace(), instance) as url:
        assert "API token" in _message(_post(url, {"X-Assetgraph-Request": "1"}))
        assert "errors" not in _post(url, {"X-Assetgraph-Request": "1", "Authorization": "Bearer from-env"})
    instance.dispose()


def test_mutation_without_csrf_header_is_refused(live: LiveServer) -> None:
    assert "X-Assetgraph-Request" in _message(_post(live.url, {}))


def test_cross_origin_mutation_is_refused_and_same_origin_allowed(live: LiveServer) -> None:
    assert "another origin" in _message(_post(live.url, {"Origin": "https://evil.example"}))
    assert "errors" not in _post(live.url, {"Origin": live.url})


def test_form_posts_are_rejected_before_graphql(live: LiveServer) -> None:
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        response = httpx.post(live.url + "/graphql", content=LAUNCH, headers={"Content-Type": content_type})
        assert response.status_code == 400, content_type
    assert live.instance.get_runs() == [] or all(r.tags.get("csrf") is None for r in live.instance.get_runs())


def test_mutation_over_get_is_refused(live: LiveServer) -> None:
    response = httpx.get(live.url + "/graphql", params={"query": 'mutation { launchRun(selection: "steady") { id } }'})
    assert 400 <= response.status_code < 500


def test_deep_queries_are_refused(live: LiveServer) -> None:
    nested = "key { path }"
    for _ in range(20):
        nested = f"upstream {{ {nested} }}"
    assert "exceeds maximum operation depth" in live.error(f"{{ assetNodes {{ {nested} }} }}")


def test_many_aliases_are_refused(live: LiveServer) -> None:
    aliases = " ".join(f"a{i}: codeLocations {{ name }}" for i in range(60))
    assert "aliases" in live.error(f"{{ {aliases} }}").lower()


def test_huge_documents_are_refused(live: LiveServer) -> None:
    fields = " ".join("name" for _ in range(6000))
    assert "token" in live.error(f"{{ codeLocations {{ {fields} }} }}").lower()


@pytest.mark.parametrize("body", ["{", "[]", '{"query": 3}', '{"query": "{ codeLocations { name } }", "variables": 5}',
                                  "null", '"text"', "\xff", "[" * 100_000 + "]" * 100_000])
def test_malformed_bodies_are_4xx_not_500(live: LiveServer, body: str) -> None:
    response = httpx.post(live.url + "/graphql", content=body.encode("utf-8", "surrogateescape"),
                          headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500, (body, response.status_code, response.text)


@pytest.mark.parametrize("query", ["{ codeLocations { name ", "{ unknownField }", "{ assetNodes { key { nope } } }",
                                   "query($x: Int!) { runs(first: $x) { nodes { id } } }", "subscription { x }", ""])
def test_malformed_queries_are_graphql_errors(live: LiveServer, query: str) -> None:
    response = httpx.post(live.url + "/graphql", json={"query": query, "variables": {"x": "nine"}})
    assert response.status_code in (200, 400), response.text
    assert response.status_code == 400 or response.json().get("errors")


@pytest.mark.parametrize("cursor", ["9" * 30, "\u00b2", "-1", "1e3"])
def test_event_cursors_that_are_no_event_id_are_refused(live: LiveServer, cursor: str) -> None:
    # Regression: a 30-digit cursor overflowed SQLite's INTEGER and "²" passed str.isdigit; both
    # reached clients as "Internal server error" (found by tests/reliability/test_fuzz_graphql.py).
    run_id = live.data('mutation { launchRun(selection: "steady") { id } }', mutation=True)["launchRun"]["id"]
    query = "query($r: String!, $a: String) { runEvents(runId: $r, after: $a) { nodes { id } } }"
    assert "is not an event id" in live.error(query, {"r": run_id, "a": cursor})
    response = httpx.get(f"{live.url}/runs/{run_id}/events/stream", params={"after": cursor})
    assert response.status_code == 400 and "is not an event id" in response.json()["error"]


def test_bad_variables_are_graphql_errors(live: LiveServer) -> None:
    message = live.error("query($s: String) { assetNodes(selection: $s) { key { path } } }", {"s": 42})
    assert "String" in message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
       | st.from_regex(r"[+]?[0-9]?[+]?(key|group|tag|owner|kind):[a-z/*\"=]{0,8}[+]?( (and|or|not) )?[()]*",
                       fullmatch=True))
def test_any_selection_string_answers_data_or_a_graphql_error(live: LiveServer, text: str) -> None:
    response = live.http.post(live.url + "/graphql", json={
        "query": "query($s: String) { assetNodes(selection: $s) { key { path } } }", "variables": {"s": text}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert ("errors" in body) != (body.get("data") is not None and body["data"]["assetNodes"] is not None)
    for error in body.get("errors", []):
        assert "Internal server error" not in error["message"], (text, error)


def test_unexpected_errors_are_masked_and_logged(live: LiveServer, monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    def broken(*args: object) -> object:
        raise RuntimeError("secret path /home/alice/.pgpass")

    monkeypatch.setattr(services, "backfills", broken)
    with caplog.at_level("ERROR", logger="assetgraph.server"):
        message = live.error("{ backfills { id } }")
    assert message.startswith("Internal server error (id ")
    assert "secret" not in message
    assert any("secret path" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


def test_dev_mode_shows_unexpected_error_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> object:
        raise RuntimeError("visible in dev")

    monkeypatch.setattr(services, "backfills", broken)
    instance = Instance.ephemeral()
    with running_server(project_workspace(), instance, dev=True) as url:
        body = httpx.post(url + "/graphql", json={"query": "{ backfills { id } }"}).json()
    instance.dispose()
    assert body["errors"][0]["message"] == "visible in dev"
    assert "traceback" not in str(body).lower()


# DNS rebinding: a page on the attacker's domain, resolved to 127.0.0.1, is same-origin with itself

def test_requests_for_another_host_name_are_refused(live: LiveServer) -> None:
    port = live.url.rsplit(":", 1)[1]
    runs_before = len(live.instance.get_runs())
    for host in (f"rebind.attacker.example:{port}", "rebind.attacker.example", f"127.0.0.1.nip.io:{port}"):
        response = live.http.get(live.url + "/health", headers={"Host": host})
        assert response.status_code == 400 and "ASSETGRAPH_ALLOWED_HOSTS" in response.text, host
        mutation = live.http.post(live.url + "/graphql", headers={"Host": host, "X-Assetgraph-Request": "1",
                                                                   "Origin": f"http://{host}"},
                                  json={"query": 'mutation { launchRun(selection: "*") { id } }'})
        assert mutation.status_code == 400
    assert len(live.instance.get_runs()) == runs_before
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"127.0.0.2:{port}", f"[::1]:{port}", "LOCALHOST"):
        assert live.http.get(live.url + "/health", headers={"Host": host}).status_code == 200, host


def test_a_websocket_handshake_for_another_host_name_is_refused(live: LiveServer) -> None:
    import socket

    port = int(live.url.rsplit(":", 1)[1])

    def handshake(host: str) -> str:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall((f"GET /graphql HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                          "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n").encode())
            return sock.recv(1024).decode("latin-1").split("\r\n", 1)[0]

    assert " 403 " in handshake(f"rebind.attacker.example:{port}")
    assert " 101 " in handshake(f"127.0.0.1:{port}")


@pytest.mark.parametrize(("bind", "env", "header", "allowed"), [
    ("127.0.0.1", None, "localhost:3000", True),
    ("127.0.0.1", None, "LOCALHOST.", True),
    ("127.0.0.1", None, "example.com", False),
    ("127.0.0.1", None, "localhost.attacker.example", False),
    ("127.0.0.1", None, None, False),
    ("127.0.0.1", None, "10.9.8.7:3000", True),  # an address cannot be rebound: it is the origin itself
    ("127.0.0.1", None, "[::1]:3000", True),
    ("127.0.0.1", None, "[::1]evil.example", False),
    ("127.0.0.1", None, "localhost:port", False),
    ("0.0.0.0", None, "anything.example:80", False),  # every interface: still names only of this machine
    ("0.0.0.0", None, "192.168.1.5:3000", True),
    ("::", None, "localhost", True),
    ("[::]", None, "rebind.example", False),
    ("assets.internal", None, "assets.internal:3000", True),
    ("assets.internal", None, "other.internal", False),
    ("127.0.0.1", "assets.example.com, *.corp.example, [fd00::1]:3000", "assets.example.com", True),
    ("127.0.0.1", "assets.example.com, *.corp.example", "ui.corp.example:443", True),
    ("127.0.0.1", "assets.example.com, *.corp.example", "corp.example.attacker.example", False),
    ("127.0.0.1", "assets.example.com, *.corp.example", "localhost", False),
    ("127.0.0.1", "*", "anything", True),
])
def test_allowed_hosts_follow_the_bind_address_unless_configured(
        monkeypatch: pytest.MonkeyPatch, bind: str, env: str | None, header: str | None, allowed: bool) -> None:
    from assetgraph.server.security import ALLOWED_HOSTS_ENV, allowed_hosts_for, host_allowed

    if env is None:
        monkeypatch.delenv(ALLOWED_HOSTS_ENV, raising=False)
    else:
        monkeypatch.setenv(ALLOWED_HOSTS_ENV, env)
    assert host_allowed(header, allowed_hosts_for(bind)) is allowed


def test_a_server_on_every_interface_answers_the_machines_own_names(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from assetgraph.server.security import ALLOWED_HOSTS_ENV, allowed_hosts_for, host_allowed

    monkeypatch.delenv(ALLOWED_HOSTS_ENV, raising=False)
    assert host_allowed(f"{socket.gethostname()}:3000", allowed_hosts_for("0.0.0.0"))
