"""`FastExecutor` against graphql-core's own executor: the same response for generated queries.

A strawberry schema built to exercise what an executor must get right: nullable and non-null
fields and list items, resolvers that raise or return null where they may not, async resolvers
and futures, an interface and a union, enums, a custom scalar, arguments from literals,
defaults and variables, aliases, fragments, @skip/@include, __typename and introspection.
Hypothesis writes queries against it; both executors run each one and must agree on the data
and on the errors (message and path). Two things may differ where awaitables settle: the order of
the errors, and whether an error inside a subtree that another error nulled is reported at all
(graphql-core drops it when the nulling happens first, and cancels pending siblings; which comes
first depends on scheduling in both executors).
"""

from __future__ import annotations

import asyncio
import enum
import inspect
import re
import weakref
from collections.abc import AsyncGenerator
from typing import Annotated, Any, NewType

import pytest
import strawberry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from assetgraph.server.fast_executor import FastExecutor

MADE: weakref.WeakSet[Any] = weakref.WeakSet()
"""Coroutines the resolvers hand out as list items: those an executor never awaited can be told apart."""


def made(coroutine: Any) -> Any:
    MADE.add(coroutine)
    return coroutine


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


Upper = NewType("Upper", str)
SCALARS: dict[object, Any] = {Upper: strawberry.scalar(name="Upper", serialize=lambda v: str(v).upper(),
                                                       parse_value=str)}


@strawberry.input
class Window:
    start: int = 0
    size: int = 3


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Leaf(Named):
    weight: float
    tags: list[str]

    @strawberry.field
    def shout(self) -> Upper:
        return Upper(self.name)


@strawberry.type
class Plain:
    """A type outside the interface: no `is_type_of`, so lists of it take the inline plan."""

    v: int

    @strawberry.field
    def shaky(self) -> int:
        if self.v % 4 == 3:
            raise ValueError(f"shaky failed at v={self.v}")
        return self.v

    @strawberry.field
    async def slow(self) -> int | None:
        await asyncio.sleep(0)
        return None if self.v % 5 == 0 else self.v * 2

    @strawberry.field
    def inner(self) -> Plain | None:
        return Plain(v=self.v + 1) if self.v < 30 else None


Thing = Annotated[Leaf | Plain, strawberry.union("Thing")]


@strawberry.type
class Node(Named):
    """Node ``n``: children, nullable and non-null values that fail for some ``n``."""

    n: int
    colour: Colour
    maybe: str | None
    _pending: strawberry.Private[dict[int, asyncio.Future[int]]]

    @strawberry.field
    def children(self, window: Window | None = None) -> list[Node]:
        start, size = (window.start, window.size) if window else (0, 2)
        return [make(self.n * 3 + 1 + i) for i in range(start, start + min(size, 3)) if self.n < 40]

    @strawberry.field
    def sparse(self) -> list[Node | None] | None:
        if self.n % 11 == 5:
            return None
        return [make(self.n + i) if (self.n + i) % 3 else None for i in range(3)]

    @strawberry.field
    def strict(self, k: int = 1) -> int:
        if (self.n + k) % 5 == 0:
            raise ValueError(f"strict failed at n={self.n} k={k}")
        return self.n * k

    @strawberry.field
    def loose(self, k: int = 2) -> int | None:
        if (self.n + k) % 4 == 0:
            raise ValueError(f"loose failed at n={self.n}")
        return None if (self.n + k) % 3 == 0 else self.n + k

    @strawberry.field
    def lies(self) -> str:  # declared non-null, returns null for some nodes
        return None if self.n % 6 == 1 else f"n{self.n}"  # type: ignore[return-value]

    @strawberry.field
    async def later(self, k: int = 0) -> int | None:
        await asyncio.sleep(0)
        if (self.n + k) % 7 == 3:
            raise ValueError(f"later failed at n={self.n}")
        return self.n - k

    @strawberry.field
    async def later_strict(self) -> Leaf:
        await asyncio.sleep(0)
        if self.n % 9 == 4:
            raise ValueError("later_strict failed")
        return Leaf(name=f"leaf{self.n}", weight=self.n / 2, tags=["a", str(self.n)])

    @strawberry.field
    def future(self) -> int | None:
        """A future resolved by the event loop (as data loaders return)."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[int] = loop.create_future()
        loop.call_soon(fut.set_result, self.n * 10)
        return fut  # type: ignore[return-value]

    @strawberry.field
    def items(self) -> list[Named]:
        return [make(self.n + 100) if self.n % 2 else Leaf(name=f"l{self.n}", weight=1.5, tags=[])]

    @strawberry.field
    def either(self) -> Leaf | None:
        return Leaf(name="e", weight=0.25, tags=["x"]) if self.n % 4 else None

    @strawberry.field
    def grid(self) -> list[list[int | None]]:
        return [[i * j if (i + j + self.n) % 4 else None for j in range(2)] for i in range(2)]

    @strawberry.field
    def labels(self) -> list[str] | None:
        """A nullable list of strings: a null item nulls it; an item of another type is coerced."""
        if self.n % 5 == 2:
            return ["x", None]  # type: ignore[list-item]
        if self.n % 5 == 3:
            return ["y", 7]  # type: ignore[list-item]
        return ["a", f"n{self.n}"]

    @strawberry.field
    def where(self, info: strawberry.Info) -> str:
        """What a resolver sees of its position."""
        return f"{'/'.join(map(str, info.path.as_list()))} {info.field_name}"

    @strawberry.field
    def plains(self) -> list[Plain]:
        return [Plain(v=self.n + i) for i in range(3)]

    @strawberry.field
    def waits(self) -> list[int | None]:
        """List items that are awaitables (futures and coroutines), some failing."""
        loop = asyncio.get_running_loop()

        async def item(i: int) -> int:
            await asyncio.sleep(0)
            if (self.n + i) % 6 == 5:
                raise ValueError(f"wait {i} failed")
            return i

        ready: asyncio.Future[int] = loop.create_future()
        loop.call_soon(ready.set_result, self.n)
        return [ready, made(item(1)), made(item(2))]  # type: ignore[list-item]

    @strawberry.field
    def cut(self) -> list[int]:
        """Non-null items: a null one cuts the list short before the awaitables after it."""
        async def item(i: int) -> int:
            await asyncio.sleep(0)
            return i

        return [made(item(0)), None, made(item(2))] if self.n == 4 else [made(item(0))]  # type: ignore[list-item]

    @strawberry.field
    def stream(self) -> list[int]:
        """An asynchronous iterable where a list is expected."""
        async def items() -> AsyncGenerator[int, None]:
            for i in range(3):
                await asyncio.sleep(0)
                yield self.n + i

        return items()  # type: ignore[return-value]

    @strawberry.field
    def thing(self) -> Thing:
        return Plain(v=self.n) if self.n % 2 else Leaf(name=f"t{self.n}", weight=2.0, tags=["u"])

    @strawberry.field
    def big(self) -> int:  # outside GraphQL's Int for some nodes: a coercion error
        return self.n * 2**31 if self.n % 8 == 7 else self.n


def make(n: int) -> Node:
    return Node(name=f"node{n}", n=n, colour=Colour.RED if n % 2 else Colour.GREEN,
                maybe=None if n % 3 == 0 else f"m{n}", _pending={})


@strawberry.type
class Query:
    @strawberry.field
    def root(self, n: int = 1) -> Node:
        return make(n)

    @strawberry.field
    def nodes(self, count: int = 3) -> list[Node]:
        if count < 0:
            raise ValueError("count must not be negative")
        return [make(i) for i in range(min(count, 6))]

    @strawberry.field
    async def fallible(self, n: int = 0) -> Node:
        await asyncio.sleep(0)
        if n == 13:
            raise ValueError("unlucky")
        return make(n)

    @strawberry.field
    def colours(self, only: Colour | None = None) -> list[Colour]:
        return [only] if only else list(Colour)


@strawberry.type
class Mutation:
    @strawberry.mutation
    def bump(self, n: int) -> int:
        return n + 1


class QuietSchema(strawberry.Schema):
    """Errors are what these tests compare, not something to log."""

    def process_errors(self, errors: list[Any], execution_context: Any = None) -> None:
        return None


def _schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    fast = QuietSchema(query=Query, mutation=Mutation, types=[Leaf], config=StrawberryConfig(scalar_map=SCALARS),
                       execution_context_class=FastExecutor)
    core = QuietSchema(query=Query, mutation=Mutation, types=[Leaf], config=StrawberryConfig(scalar_map=SCALARS),
                       execution_context_class=StrawberryGraphQLCoreExecutionContext)
    return fast, core


FAST, CORE = _schemas()


def run_both(query: str, variables: dict[str, Any] | None = None) -> tuple[Any, Any]:
    """Run the query on both executors. FastExecutor must leave no coroutine un-awaited;
    graphql-core 3.3 drops some when an error unwinds past them, which is not under test here."""
    import gc
    import warnings

    async def run(schema: strawberry.Schema) -> Any:
        result = await schema.execute(query, variable_values=variables)
        # abandoned work settles in background tasks: let it finish in this loop
        others = asyncio.all_tasks() - {asyncio.current_task()}
        await asyncio.gather(*others, return_exceptions=True)
        return result

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fast = asyncio.run(run(FAST))
        for error in fast.errors or []:  # tracebacks keep the resolvers' frames (and what they made) alive
            error.__traceback__ = None
            if error.original_error is not None:
                error.original_error.__traceback__ = None
        gc.collect(1)
    unawaited = [str(w.message) for w in caught if "never awaited" in str(w.message)]
    assert not unawaited, (query, unawaited)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        core = asyncio.run(run(CORE))
        for coroutine in list(MADE):  # closed, they never warn (in a later test's full collection, say)
            if inspect.getcoroutinestate(coroutine) == inspect.CORO_CREATED:
                coroutine.close()
        gc.collect(1)
    return fast, core


def errors_of(result: Any) -> list[tuple[str, tuple[Any, ...], str]]:
    return sorted((e.message, tuple(e.path or ()), str(e.locations)) for e in result.errors or [])


def nulled_by(path: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """The shortest prefix of an error's path that is null in the response: the position the error
    (or another one above it) nulled."""
    node = data
    for depth, key in enumerate(path):
        if node is None:
            return path[:depth]
        node = node[key]
    return path


def assert_same(query: str, variables: dict[str, Any] | None = None) -> Any:
    """Both executors answer alike: the same data; every position nulled by an error is explained
    by at least one error in both; errors under a nulled position may differ (which settles first);
    no error twice."""
    fast, core = run_both(query, variables)
    assert fast.data == core.data, query
    fast_errors, core_errors = set(errors_of(fast)), set(errors_of(core))
    nulled_fast = {nulled_by(path, fast.data) for _, path, _ in fast_errors}
    nulled_core = {nulled_by(path, core.data) for _, path, _ in core_errors}
    assert nulled_fast == nulled_core, (query, fast_errors ^ core_errors)
    outside = {e for e in fast_errors ^ core_errors if nulled_by(e[1], fast.data) == e[1]}
    assert not outside or all(nulled_by(e[1], fast.data) in nulled_fast for e in outside), (query, outside)
    assert len(fast.errors or []) == len(fast_errors)  # no error reported twice
    return fast


# generated queries

SCALAR_ARGS: dict[str, st.SearchStrategy[str]] = {
    "k": st.integers(-3, 9).map(str),
    "n": st.sampled_from(["0", "1", "2", "4", "13", "$n"]),
    "count": st.sampled_from(["0", "2", "5", "$count"]),
    "only": st.sampled_from(["RED", "GREEN", "null"]),
    "window": st.sampled_from(["{start: 1, size: 2}", "{size: 1}", "null", "{}"]),
}
NODE_LEAVES = ["name", "n", "colour", "maybe", "strict", "loose", "lies", "later", "future", "big", "where",
               "labels", "waits", "stream", "__typename"]
NODE_OBJECTS = ["children", "sparse", "laterStrict", "items", "either", "plains", "thing"]
ARGS = {"strict": ["k"], "loose": ["k"], "later": ["k"], "children": ["window"]}


@st.composite
def node_selection(draw: st.DrawFn, depth: int) -> str:
    parts = []
    for field in draw(st.lists(st.sampled_from(NODE_LEAVES + (NODE_OBJECTS if depth > 0 else []) + ["grid"]),
                               min_size=1, max_size=5)):
        alias = draw(st.sampled_from(["", "", f"{field}A: ", f"{field}B: "]))
        args = ""
        names = [a for a in ARGS.get(field, []) if draw(st.booleans())]
        if names:
            args = "(" + ", ".join(f"{a}: {draw(SCALAR_ARGS[a])}" for a in names) + ")"
            alias = field + "_" + re.sub(r"\W", "_", args) + ": "  # one response key per argument set
        directive = draw(st.sampled_from(["", "", "", " @skip(if: $flag)", " @include(if: $flag)",
                                          " @include(if: true)"]))
        sub = ""
        if field in ("children", "sparse"):
            sub = " { " + draw(node_selection(depth - 1)) + " }"
        elif field == "laterStrict" or field == "either":
            sub = " { name weight tags shout __typename }"
        elif field == "items":
            sub = (" { __typename name ... on Leaf { weight shout } ... on Node { n "
                   + draw(node_selection(max(depth - 2, 0))) + " } }")
        elif field == "plains":
            sub = " { " + draw(st.sampled_from(["v", "v shaky", "slow v", "inner { v shaky inner { slow } }",
                                                "shaky inner { v }"])) + " }"
        elif field == "thing":
            sub = " { __typename ... on Leaf { name tags } ... on Plain { v shaky } }"
        parts.append(f"{alias}{field}{args}{directive}{sub}")
    if draw(st.booleans()):
        parts.append("...NodeBits")
    if draw(st.booleans()):
        parts.append("... on Named { name }")
    return " ".join(parts)


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    roots = []
    for i, root in enumerate(draw(st.lists(st.sampled_from(["root", "nodes", "fallible", "colours"]), min_size=1,
                                           max_size=3))):
        arg = {"root": "n", "nodes": "count", "fallible": "n", "colours": "only"}[root]
        args = f"({arg}: {draw(SCALAR_ARGS[arg])})" if draw(st.booleans()) else ""
        sub = "" if root == "colours" else " { " + draw(node_selection(2)) + " }"
        roots.append(f"r{i}: {root}{args}{sub}")
    body = " ".join(roots)
    fragment = "fragment NodeBits on Node { n maybe looseOne: loose(k: 1) }"
    uses = body + (fragment if "...NodeBits" in body else "")
    declared = [d for name, d in (("flag", "$flag: Boolean!"), ("n", "$n: Int = 4"), ("count", "$count: Int"))
                if f"${name}" in uses]
    query = "query Q" + (f"({', '.join(declared)})" if declared else "") + " { " + body + " }"
    if "...NodeBits" in body:
        query += "\n" + fragment
    variables: dict[str, Any] = {}
    if "$flag" in uses:
        variables["flag"] = draw(st.booleans())
    if "$count" in uses and draw(st.booleans()):
        variables["count"] = draw(st.sampled_from([1, 4, -1]))
    return query, variables


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_generated_queries_get_the_same_response_from_both_executors(doc: tuple[str, dict[str, Any]]) -> None:
    query, variables = doc
    fast = assert_same(query, variables)
    assert not any("Variable" in message or "conflict" in message for message, _, _ in errors_of(fast)), query


# cases worth naming

def test_non_null_error_nulls_the_nearest_nullable_ancestor_and_reports_once() -> None:
    result = assert_same("{ nodes(count: 6) { n children { n strict(k: 4) } } }")
    assert result.errors  # strict fails for some children; their parent node's list is non-null
    assert result.data is None  # ... and so is everything above it, up to the response


def test_async_non_null_error_inside_a_nullable_list_item_nulls_only_that_item() -> None:
    # sparse of node 4: nodes 4 and 5, then null; laterStrict fails for node 4 (after an await)
    result = assert_same("{ root(n: 4) { sparse { n laterStrict { name } } } }")
    assert result.data["root"]["sparse"] == [None, {"n": 5, "laterStrict": {"name": "leaf5"}}, None]
    assert [(e.message, e.path) for e in result.errors] == [("later_strict failed", ["root", "sparse", 0,
                                                                                     "laterStrict"])]


def test_leaf_coercion_errors_and_lying_non_null_resolvers() -> None:
    result = assert_same("{ x: root(n: 7) { sparse { big } } y: root(n: 1) { sparse { lies } } }")
    messages = [e.message for e in result.errors]
    assert any("Int cannot represent" in m for m in messages)
    assert "Cannot return null for non-nullable field Node.lies." in messages


def test_variables_defaults_enums_custom_scalars_and_introspection() -> None:
    assert_same("query($n: Int = 3, $c: Colour) { root(n: $n) { colour later(k: $n) items { __typename ... on Leaf "
                "{ shout } } } colours(only: $c) __typename __schema { queryType { name } } }", {"c": "GREEN"})


def test_resolvers_see_their_path() -> None:
    result = assert_same("{ nodes(count: 2) { children { w: where } } }")
    assert result.data["nodes"][1]["children"][0]["w"] == "nodes/1/children/0/w where"


def test_an_argument_error_is_reported_for_every_object() -> None:
    result = assert_same("query($count: Int) { nodes(count: $count) { n } }", {"count": -1})
    assert result.errors[0].path == ["nodes"]


def test_mutations_are_left_to_graphql_core(monkeypatch: pytest.MonkeyPatch) -> None:
    from assetgraph.server import fast_executor

    def refuse(*args: Any) -> None:
        raise AssertionError("a mutation went through the query executor")

    monkeypatch.setattr(fast_executor, "_QueryRun", refuse)
    result = assert_same("mutation { bump(n: 41) }")
    assert result.data == {"bump": 42}


def test_collector_pauses_nest_and_overlong_ones_still_collect(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    from assetgraph.server import fast_executor
    from assetgraph.server.fast_executor import CollectorPause

    pause = CollectorPause()
    pause.acquire()
    pause.acquire()
    assert not gc.isenabled()
    pause.release()
    assert not gc.isenabled()  # the other holder still builds its response
    monkeypatch.setattr(fast_executor, "MAX_PAUSE_SECONDS", 0.0)
    full_collections = gc.get_stats()[2]["collections"]
    pause.acquire()  # overlapping holders kept it off too long: one full collection now
    assert gc.get_stats()[2]["collections"] == full_collections + 1
    pause.release()
    pause.release()
    assert gc.isenabled()
    gc.disable()  # a process that turned the collector off itself keeps it off
    try:
        pause.acquire()
        pause.release()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_response_hold_keeps_the_collector_off_until_the_request_ends() -> None:
    import gc

    from assetgraph.server.fast_executor import response_hold

    async def request() -> tuple[Any, bool]:
        with response_hold():
            result = await FAST.execute("{ nodes(count: 2) { n later } }")
            still_off = not gc.isenabled()  # the response is not encoded yet
        return result, still_off

    result, still_off = asyncio.run(request())
    assert result.data["nodes"][1]["later"] == 1 and still_off and gc.isenabled()


def test_the_garbage_collector_is_left_as_it_was_found() -> None:
    import gc

    assert_same("{ nodes(count: 3) { n later children { n } } }")
    assert gc.isenabled()
    gc.disable()
    try:
        assert_same("{ nodes(count: 3) { n later } }")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_rest_of_a_list_cut_short_by_an_error_is_still_awaited() -> None:
    result = assert_same("{ nodes(count: 6) { n cut } }")
    assert result.data is None and result.errors
