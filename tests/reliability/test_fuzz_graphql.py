"""GraphQL fuzzing of the whole schema against a running server (issue 11, hostile input).

Queries and mutations are generated from the server's own schema (hypothesis-graphql), with
arguments drawn from what the seeded instance holds (run ids, keys, partitions, selections) mixed
with hostile text and edge integers, and POSTed over HTTP like any client. Hand-written requests add
what generation does not reach: malformed documents, wrong variable types, absurd page sizes, deep
nesting, many aliases, bad selection strings and bodies that are not JSON. Every answer must be a
4xx refusal or a JSON body with ``data`` or ``errors``: never a 5xx, never the masked "Internal server
error" (each one is a server bug), never a traceback, never the resource's secret.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import graphql
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, queries

from assetgraph.server.schema import print_schema
from tests.reliability import hostile_project
from tests.reliability.hostile_server import (
    SECRET,
    HostileServer,
    answer_problem,
    hostile_server,
    postgres_database,
)
from tests.reliability.outcomes import Campaign, scale

pytestmark = pytest.mark.slow

SELECTIONS = ["*", "orders", "key:orders+", "+key:revenue", "2+key:sql_asset", "group:daily", "group:regional", "shift_metrics",
              "tag:team=core", "owner:data@example.com", "kind:python", "not group:odd", "key:raw/*",
              hostile_project.key_selection(hostile_project.ODD_ASSET),
              hostile_project.key_selection(hostile_project.SQL_ASSET), "daily_events or regional_sales",
              "key:nope(", "((", "key:\"unterminated", "group:", "9999999+key:orders"]
PARTITIONS = ["2024-01-02", "2024-01-14", "2024-01-15", "2023-12-31", "eu", "us", "2024-01-02|us", "us|2024-01-02",
              "a.csv", "2024-02-30", "0000-00-00", "9999-12-31", "1-01-01", "2024-01-02 09:15", "9999-12-31 09:00",
              "0001-01-01 09:00", *hostile_project.ODD_TEXT]
NAMES = ["hostile", "nightly", "new_orders", "files", "shop_job", "raw", "orders", "odd", "has_rows"]
HOSTILE_TEXT = ["", " ", "\x00", "%", "_", "*", "\\", "'", '"', "\u202e", "\ud7ff", "😀" * 50, "9" * 40, "-1",
                "0", "1e309", "NaN", "null", "undefined", "../../etc/passwd", "<script>alert(1)</script>",
                "'; DROP TABLE runs; --", "a" * 20_000, "\n".join(["x"] * 100)]
EDGE_INTS = [0, 1, -1, 2, 50, 999, 1000, 1001, 9999, 10_000, 10_001, 2**31 - 1, -(2**31), 2**16]


def _node(value: Any) -> graphql.ValueNode:
    """A GraphQL literal for a JSON value (object field names are GraphQL names)."""
    if value is None:
        return graphql.NullValueNode()
    if isinstance(value, bool):
        return graphql.BooleanValueNode(value=value)
    if isinstance(value, int):
        return graphql.IntValueNode(value=str(value))
    if isinstance(value, float):
        return graphql.FloatValueNode(value=repr(value))
    if isinstance(value, str):
        return graphql.StringValueNode(value=value)
    if isinstance(value, list):
        return graphql.ListValueNode(values=tuple(_node(v) for v in value))
    return graphql.ObjectValueNode(fields=tuple(
        graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=_node(v)) for k, v in value.items()))


def _json_values() -> st.SearchStrategy[Any]:
    leaves = (st.none() | st.booleans() | st.integers(-(2**31), 2**31 - 1)
              | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20) | st.sampled_from(HOSTILE_TEXT))
    return st.recursive(leaves, lambda inner: st.lists(inner, max_size=4)
                        | st.dictionaries(st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True), inner, max_size=4),
                        max_leaves=12)


def scalars(server: HostileServer) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    """Argument values: mostly things the instance knows (so resolvers go deep), plus hostile text."""
    known = [*server.run_ids, *server.backfill_ids, *SELECTIONS, *PARTITIONS, *NAMES, "1", "7", "100000"]
    text = st.sampled_from(known) | st.sampled_from(HOSTILE_TEXT) | st.text(max_size=30)
    return {
        "String": text.map(lambda s: graphql.StringValueNode(value=s)),
        "Int": (st.sampled_from(EDGE_INTS) | st.integers(-5, 2000)).map(lambda i: graphql.IntValueNode(value=str(i))),
        "JSON": _json_values().map(_node),
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileServer]:
    with hostile_server(tmp_path_factory.mktemp("fuzz-graphql")) as live:
        yield live


@dataclass
class Tally:
    """How many inputs a scenario sent, and which answers broke the rules."""

    trials: int = 0
    problems: int = 0
    first: str = ""
    # Exceptions nobody could raise (a resolver coroutine dropped unawaited, in the server's thread),
    # caught while the scenario runs so that they are blamed on the document that caused them.
    unraisable: list[str] = field(default_factory=list)
    blamed: int = 0

    def judge(self, what: str, problem: str | None) -> None:
        self.trials += 1
        if problem is None and len(self.unraisable) > self.blamed:
            problem = f"unraisable exceptions in the server: {self.unraisable[self.blamed:self.blamed + 3]}"
        self.blamed = len(self.unraisable)
        if problem is not None:
            self.problems += 1
            self.first = self.first or f"{problem}\n  for: {what[:2000]}"
            raise AssertionError(f"{problem}\n  for: {what[:2000]}")


def _fuzz(campaign: Campaign, scenario: str, examples: int, test: Callable[[Tally], None]) -> None:
    tally = Tally()
    previous = sys.unraisablehook
    sys.unraisablehook = lambda hooked: tally.unraisable.append(f"{hooked.exc_value!r} in {hooked.object!r}"[:300])
    try:
        test(tally)
    finally:
        sys.unraisablehook = previous
        campaign.record("input", scenario, trials=tally.trials, survived=tally.trials - tally.problems,
                        checked="no 5xx, JSON with data or errors, no internal error, no traceback, no secret",
                        details=f"{examples} examples requested; first problem: {tally.first[:300]}" if tally.first
                        else f"{examples} examples requested")


def fuzz_settings(examples: int) -> settings:
    """Fresh examples every run (no example database), no deadline: the server is a real process."""
    return settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None,
                    phases=[Phase.explicit, Phase.generate, Phase.shrink])


def test_generated_queries_of_the_whole_schema_never_break_the_server(server: HostileServer,
                                                                      campaign: Campaign) -> None:
    examples = scale(250, 1500)
    strategy = queries(print_schema(), custom_scalars=scalars(server))

    @fuzz_settings(examples)
    @given(document=strategy)
    def fuzz(tally: Tally, document: str) -> None:
        tally.judge(document, answer_problem(server.post({"query": document})))

    _fuzz(campaign, "GraphQL queries generated from the whole schema", examples, lambda t: fuzz(t))


def test_generated_mutations_never_break_the_server(server: HostileServer, campaign: Campaign) -> None:
    examples = scale(200, 1000)
    strategy = mutations(print_schema(), custom_scalars=scalars(server))

    @fuzz_settings(examples)
    @given(document=strategy)
    def fuzz(tally: Tally, document: str) -> None:
        tally.judge(document, answer_problem(server.post({"query": document}, mutation=True)))

    _fuzz(campaign, "GraphQL mutations generated from the whole schema", examples, lambda t: fuzz(t))


def test_generated_invalid_documents_are_refused_cleanly(server: HostileServer, campaign: Campaign) -> None:
    from hypothesis_graphql import Mode, from_schema

    examples = scale(150, 500)
    strategy = from_schema(print_schema(), custom_scalars=scalars(server), mode=Mode.NEGATIVE)

    @fuzz_settings(examples)
    @given(document=strategy, as_mutation=st.booleans())
    def fuzz(tally: Tally, document: str, as_mutation: bool) -> None:
        tally.judge(document, answer_problem(server.post({"query": document}, mutation=as_mutation)))

    _fuzz(campaign, "invalid GraphQL documents generated from the schema", examples, lambda t: fuzz(t))


@pytest.mark.postgres
def test_generated_documents_never_break_a_postgresql_server(tmp_path: Path, campaign: Campaign) -> None:
    """The same fuzzing over PostgreSQL, whose text columns refuse NUL characters that SQLite stores."""
    examples = scale(150, 1000)
    with postgres_database() as url, hostile_server(tmp_path, url) as live:
        strategy = queries(print_schema(), custom_scalars=scalars(live)) | mutations(
            print_schema(), custom_scalars=scalars(live))

        @fuzz_settings(examples)
        @given(document=strategy)
        def fuzz(tally: Tally, document: str) -> None:
            tally.judge(document, answer_problem(live.post({"query": document}, mutation=document.startswith(
                "mutation"))))

        def nul_and_generated(tally: Tally) -> None:
            for query, variables in NUL_CASES:
                body = {"query": query, "variables": variables}
                tally.judge(f"{query} {variables!r}", answer_problem(live.post(body, mutation=query.startswith(
                    "mutation"))))
            fuzz(tally)

        _fuzz(campaign, "GraphQL queries and mutations generated from the schema, PostgreSQL instance", examples,
              nul_and_generated)


NUL_CASES: list[tuple[str, dict[str, Any]]] = [
    ("query($id: String!) { run(id: $id) { id } }", {"id": "r\x00"}),
    ("query($p: String) { assetNode(key: [\"daily_events\"]) { materializations(partition: $p) { id } } }",
     {"p": "2024-01-02\x00"}),
    ("query($a: String) { runs(after: $a) { nodes { id } } }", {"a": "\x00"}),
    ("query($n: String!) { dynamicPartitions(name: $n) { partitionKeys } }", {"n": "files\x00"}),
    ("mutation($k: [String!]!) { addDynamicPartitions(partitionsDefName: \"files\", partitionKeys: $k) { name } }",
     {"k": ["a\x00b"]}),
    ("mutation($t: [TagInput!]) { launchRun(selection: \"orders\", tags: $t) { id } }",
     {"t": [{"key": "k\x00", "value": "v"}]}),
    ("mutation($m: JSON) { reportAssetMaterialization(assetKey: [\"raw\", \"orders\"], metadata: $m) { id } }",
     {"m": {"note": "a\x00b"}}),
]


def _variables_cases(server: HostileServer) -> list[tuple[str, dict[str, Any]]]:
    run_id, backfill_id = server.run_ids[0], server.backfill_ids[0]
    return [
        ("query($s: String) { assetNodes(selection: $s) { key { path } } }", {"s": 42}),
        ("query($s: String) { assetNodes(selection: $s) { key { path } } }", {"s": ["a"]}),
        ("query($s: String) { assetNodes(selection: $s) { key { path } } }", {"s": {"a": 1}}),
        ("query($k: [String!]!) { assetNode(key: $k) { id } }", {"k": "orders"}),
        ("query($k: [String!]!) { assetNode(key: $k) { id } }", {"k": [None]}),
        ("query($k: [String!]!) { assetNode(key: $k) { id } }", {"k": []}),
        ("query($k: [String!]!) { assetNode(key: $k) { id } }", {"k": [""]}),
        ("query($k: [String!]!) { assetNode(key: $k) { id } }", {"k": ["x"] * 10_000}),
        ("query($n: Int!) { runs(first: $n) { nodes { id } } }", {"n": 2**40}),
        ("query($n: Int!) { runs(first: $n) { nodes { id } } }", {"n": 1.5}),
        ("query($n: Int!) { runs(first: $n) { nodes { id } } }", {"n": "10"}),
        ("query($n: Int!) { runs(first: $n) { nodes { id } } }", {}),
        ("query($st: [RunStatus!]) { runs(status: $st) { nodes { id } } }", {"st": ["NOPE"]}),
        ("query($t: [TagInput!]) { runs(tags: $t) { nodes { id } } }", {"t": [{"key": "a"}]}),
        ("query($t: [TagInput!]) { runs(tags: $t) { nodes { id } } }", {"t": [{"key": "a", "value": "b", "x": 1}]}),
        ("mutation($m: JSON) { reportAssetMaterialization(assetKey: [\"raw\", \"orders\"], metadata: $m) { id } }",
         {"m": [1, 2]}),
        ("mutation($m: JSON) { reportAssetMaterialization(assetKey: [\"raw\", \"orders\"], metadata: $m) { id } }",
         {"m": {"nested": {"deep": [{"x": None}] * 50}, "big": 10**30, "f": 1e300}}),
        ("mutation($r: PartitionRangeInput) { launchBackfill(selection: \"daily_events\", partitionRange: $r) { id } }",
         {"r": {"start": "2024-01-09", "end": "2024-01-02"}}),
        ("mutation($r: PartitionRangeInput) { launchBackfill(selection: \"daily_events\", partitionRange: $r) { id } }",
         {"r": {"start": "2024-01-02"}}),
        ("query($id: String!) { run(id: $id) { events(after: $id) { id } } }", {"id": run_id}),
        ("query($id: String!) { backfill(id: $id) { partitionStatuses(after: $id) { nodes { partition } } } }",
         {"id": backfill_id}),
        ("query { runs { nodes { id } } }", {"unused": {"deep": [1, 2, 3]}}),
    ]


def test_wrong_variables_are_graphql_errors(server: HostileServer, campaign: Campaign) -> None:
    tally = Tally()
    try:
        for query, variables in _variables_cases(server):
            mutation = query.startswith("mutation")
            tally.judge(f"{query} {variables!r}"[:500],
                        answer_problem(server.post({"query": query, "variables": variables}, mutation=mutation)))
    finally:
        campaign.record("input", "GraphQL variables of the wrong type, shape or size", trials=tally.trials,
                        survived=tally.trials - tally.problems, checked="GraphQL errors, never a 5xx or internal error",
                        details=tally.first[:300])


PAGINATION = [
    "{{ runs(first: {n}) {{ nodes {{ id }} }} }}",
    "{{ runEvents(runId: \"{run}\", first: {n}) {{ nodes {{ id }} }} }}",
    "{{ backfills(first: {n}) {{ id }} }}",
    "{{ assetNode(key: [\"daily_events\"]) {{ partitionKeys(first: {n}) {{ keys }} }} }}",
    "{{ assetNode(key: [\"daily_events\"]) {{ materializations(first: {n}) {{ id }} }} }}",
    "{{ assetNode(key: [\"orders\"]) {{ checks {{ executions(first: {n}) {{ passed }} }} }} }}",
    "{{ schedules {{ ticks(first: {n}) {{ id }} }} }}",
    "{{ sensors {{ ticks(first: {n}) {{ id }} }} }}",
    "{{ backfill(id: \"{backfill}\") {{ partitionStatuses(first: {n}) {{ nodes {{ partition }} }} }} }}",
    "{{ run(id: \"{run}\") {{ events(first: {n}) {{ id }} }} }}",
    "{{ assetNode(key: [\"orders\"]) {{ upstream(depth: {n}) {{ id }} downstream(depth: {n}) {{ id }} }} }}",
]
CURSORS = [
    "{{ runs(after: {cursor}) {{ nodes {{ id }} }} }}",
    "{{ runEvents(runId: \"{run}\", after: {cursor}) {{ nodes {{ id }} }} }}",
    "{{ run(id: \"{run}\") {{ events(after: {cursor}) {{ id }} }} }}",
    "{{ assetNode(key: [\"daily_events\"]) {{ partitionKeys(after: {cursor}) {{ keys }} }} }}",
    "{{ assetNode(key: [\"file_rows\"]) {{ partitionKeys(after: {cursor}) {{ keys }} }} }}",
    "{{ backfill(id: \"{backfill}\") {{ partitionStatuses(after: {cursor}) {{ nodes {{ partition }} }} }} }}",
]


def test_absurd_pagination_arguments_are_errors_or_bounded_pages(server: HostileServer, campaign: Campaign) -> None:
    tally = Tally()
    ids = {"run": server.run_ids[0], "backfill": server.backfill_ids[0]}
    try:
        for template in PAGINATION:
            for n in (-1, -(2**31), 0, 10_001, 2**31 - 1, 1_000_000):
                query = template.format(n=n, **ids)
                tally.judge(query, answer_problem(server.post({"query": query})))
        for template in CURSORS:
            for cursor in ("", "-1", "1e9", "9" * 30, "\u00b2", "' OR 1=1 --", "\x00", "zzz", "2024-01-02"):
                query = template.format(cursor=json.dumps(cursor), **ids)
                tally.judge(query, answer_problem(server.post({"query": query})))
    finally:
        campaign.record("input", "absurd page sizes, depths and cursors", trials=tally.trials,
                        survived=tally.trials - tally.problems,
                        checked="an error naming the bound, or a bounded page; never a 5xx", details=tally.first[:300])


def _hostile_documents() -> list[str]:
    nested = "key { path }"
    for _ in range(40):
        nested = f"upstream {{ {nested} }}"
    fragments = "fragment A on Query { ...B } fragment B on Query { ...A } { ...A }"
    return [
        "", " ", "{", "}", "{ }", "query", "mutation", "{ __typename }", "{ __schema { types { name } } }",
        "{ assetNodes { key { path } } } { runs { nodes { id } } }",
        "query A { runs { nodes { id } } } query B { backfills { id } }",
        f"{{ assetNodes {{ {nested} }} }}",
        fragments,
        "{ runs(first: 99999999999999999999999) { nodes { id } } }",
        "{ runs(first: 1.5) { nodes { id } } }",
        "{ assetNodes(selection: \"\\ud800\") { id } }",
        "{ assetNodes(selection: \"\\u0000\") { id } }",
        "{ codeLocations @skip(if: \"yes\") { name } }",
        "{ codeLocations @nope { name } }",
        "{ codeLocations { name ...on Nope { x } } }",
        "{ " + " ".join(f"a{i}: codeLocations {{ name }}" for i in range(5000)) + " }",
        "{ codeLocations { " + "name " * 20_000 + "} }",
        "{ assetNodes(selection: \"" + "(" * 5000 + "\") { id } }",
        "{ assetNodes(selection: \"" + "not " * 5000 + "orders\") { id } }",
        "{ assetNodes(selection: \"" + " or ".join(["orders"] * 2000) + "\") { id } }",
        "{ assetNodes(selection: \"" + "+" * 3000 + "key:orders\") { id } }",
        "{ assetNodes(selection: \"key:" + "*" * 5000 + "\") { id } }",
        "{ lineage(selection: \"" + "a/" * 5000 + "b\") { keys } }",
        "subscription { runs { nodes { id } } }",
        "{ assetNode(key: [\"" + "x" * 100_000 + "\"]) { id } }",
        "#" * 100_000,
        "{ runs { nodes { id } } }" + "\n" * 100_000,
    ]


def test_hostile_documents_are_refused_without_a_5xx(server: HostileServer, campaign: Campaign) -> None:
    tally = Tally()
    try:
        for document in _hostile_documents():
            for mutation in (False, True):
                tally.judge(document[:300], answer_problem(server.post({"query": document}, mutation=mutation)))
    finally:
        campaign.record("input", "malformed, deep, aliased, huge and cyclic GraphQL documents", trials=tally.trials,
                        survived=tally.trials - tally.problems, checked="4xx or GraphQL errors, never a 5xx",
                        details=tally.first[:300])


BODIES: list[bytes] = [
    b"", b"{", b"[]", b"[{\"query\": \"{ codeLocations { name } }\"}]", b"null", b"true", b"3", b"\"text\"",
    b"\xff\xfe", b"\x00" * 100, b"{\"query\": null}", b"{\"query\": 3}", b"{\"query\": [\"{ runs }\"]}",
    b"{\"query\": \"{ codeLocations { name } }\", \"variables\": 5}",
    b"{\"query\": \"{ codeLocations { name } }\", \"variables\": \"{}\"}",
    b"{\"query\": \"{ codeLocations { name } }\", \"operationName\": 7}",
    b"{\"query\": \"{ codeLocations { name } }\", \"operationName\": \"Nope\"}",
    b"{\"query\": \"{ codeLocations { name } }\", \"extensions\": \"x\"}",
    b"{\"query\": \"{ codeLocations { name } }\"" + b", \"x\": 1" * 10_000 + b"}",
    b"[" * 100_000 + b"]" * 100_000,
    b"{\"a\":" * 50_000 + b"1" + b"}" * 50_000,
    b"{\"query\": \"" + b"\\ud800" * 1000 + b"\"}",
    b"{\"query\": \"{ codeLocations { name } }\"} trailing",
    "{\"query\": \"{ assetNodes(selection: \\\"ünï\\\") { id } }\"}".encode("utf-16"),
]
CONTENT_TYPES = ["application/json", "application/json; charset=latin-1", "application/graphql", "text/plain",
                 "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/json; x"]


def test_bodies_that_are_not_graphql_requests_are_4xx(server: HostileServer, campaign: Campaign) -> None:
    tally = Tally()
    try:
        for body in BODIES:
            tally.judge(repr(body[:200]), answer_problem(server.post(None, raw=body)))
        for content_type in CONTENT_TYPES:
            raw = b"{\"query\": \"{ codeLocations { name } }\"}"
            tally.judge(content_type, answer_problem(server.post(None, raw=raw, headers={"Content-Type": content_type})))
        for params in ({"query": "{ codeLocations { name } }"}, {"query": "{"}, {"variables": "x"},
                       {"query": "mutation { wipeAssets(assetKeys: [[\"orders\"]]) { path } }"}):
            response = server.http.get(server.url + "/graphql", params=params)
            tally.judge(f"GET {params}", answer_problem(response))
        for method in ("PUT", "DELETE", "PATCH", "OPTIONS"):
            response = server.http.request(method, server.url + "/graphql", json={"query": "{ runs { nodes { id } } }"})
            tally.judge(method, None if response.status_code < 500 else f"HTTP {response.status_code}")
    finally:
        campaign.record("input", "HTTP bodies, content types and methods that are not GraphQL requests",
                        trials=tally.trials, survived=tally.trials - tally.problems,
                        checked="a 4xx (or GraphQL errors), never a 5xx", details=tally.first[:300])


def test_the_other_endpoints_survive_hostile_paths(server: HostileServer, campaign: Campaign) -> None:
    tally = Tally()
    paths = ["/runs/nope/events/stream", "/runs/%00/events/stream?after=zz", "/runs/x/events/stream?after=-1",
             f"/runs/{server.run_ids[0]}/events/stream?after=99999999999999999999999",
             "/assets/%2e%2e/%2e%2e/etc/passwd", "/../../etc/passwd", "/static/../../pyproject.toml",
             "/assets/" + "%F0%9F%9A%80" * 100, "/health?x=" + "a" * 10_000, "/%ff", "/assets/odd/it's%20%22q%22"]
    try:
        for path in paths:
            with server.http.stream("GET", server.url + path, headers={"Last-Event-ID": "x\u00ff"[:1]}) as response:
                body = next(response.iter_bytes(), b"")[:4000].decode("utf-8", "replace")
                problem = None if response.status_code < 500 else f"HTTP {response.status_code}"
                if "[tool.assetgraph]" in body or "root:" in body:
                    problem = "a file outside the UI's static directory was served"
                tally.judge(path, problem)
    finally:
        campaign.record("input", "hostile paths on the event stream, static files and health", trials=tally.trials,
                        survived=tally.trials - tally.problems, checked="no 5xx, nothing served outside static/",
                        details=tally.first[:300])


def test_the_resource_secret_never_reaches_a_graphql_answer(server: HostileServer) -> None:
    """The seeded runs used the EnvVar; no field of any run, event, asset or location shows its value."""
    full = """{ assetNodes { id metadata { label value } tags { key value } description
        latestMaterialization { metadata { label value } description } } codeLocations { name error }
        runs(first: 1000) { nodes { id tags { key value } events(first: 10000) { message metadata { label value }
        error { message traceback } } } } }"""
    response = server.post({"query": full})
    assert response.status_code == 200 and "errors" not in response.json(), response.text[:2000]
    runs = response.json()["data"]["runs"]["nodes"]
    assert any(e["metadata"] for r in runs for e in r["events"])  # the answer holds the materialisations
    assert SECRET not in response.text


def _schema_path() -> Path:
    return Path(__file__).parents[2] / "ui" / "src" / "graphql" / "schema.graphql"


def test_the_fuzzed_schema_is_the_served_schema() -> None:
    """Generation uses the same SDL the UI builds on, so the fuzzing covers every field clients can use."""
    assert print_schema() == _schema_path().read_text(encoding="utf-8")
