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
