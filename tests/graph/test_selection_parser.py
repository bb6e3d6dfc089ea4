"""The selection string syntax: what each form parses to, and where a bad string is wrong."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetgraph.definitions.errors import SelectionError
from assetgraph.definitions.keys import AssetCheckKey, AssetKey
from assetgraph.definitions.spec import AssetSpec
from assetgraph.graph import AssetGraph, AssetSelection, parse_selection

S = AssetSelection

# raw/orders → orders → revenue → report ; raw/users → users → revenue ; "my orders" stands alone.
GRAPH = AssetGraph.from_assets([
    AssetSpec("raw/orders", group_name="raw", owners=["a@b.c"], kinds=["s3"]),
    AssetSpec("raw/users", group_name="raw"),
    AssetSpec("orders", deps=["raw/orders"], group_name="staging", tags={"team": "core"}, kinds=["dbt"]),
    AssetSpec("users", deps=["raw/users"], group_name="staging", tags={"team": "growth"}),
    AssetSpec("revenue", deps=["orders", "users"], group_name="marts", tags={"team": "core", "pii": "no"}),
    AssetSpec("report", deps=["revenue"], group_name="marts"),
    AssetSpec(AssetKey(["raw", "my orders"]), group_name="raw"),
])


def selected(text: str) -> list[str]:
    return sorted(k.to_user_string() for k in GRAPH.select(text))


@pytest.mark.parametrize(("text", "expected"), [
    ("key:raw/orders", ["raw/orders"]),
    ("raw/orders", ["raw/orders"]),
    ("orders", ["orders"]),
    ('"raw/my orders"', ["raw/my orders"]),
    ('key:"raw/my orders"', ["raw/my orders"]),
    ("key:raw/*", ["raw/my orders", "raw/orders", "raw/users"]),
    ("key:*orders", ["orders", "raw/my orders", "raw/orders"]),
    ("key:*", ["orders", "raw/my orders", "raw/orders", "raw/users", "report", "revenue", "users"]),
    ("*", ["orders", "raw/my orders", "raw/orders", "raw/users", "report", "revenue", "users"]),
    ("key_prefix:raw", ["raw/my orders", "raw/orders", "raw/users"]),
    ("+key:revenue", ["orders", "raw/orders", "raw/users", "revenue", "users"]),
    ("1+key:revenue", ["orders", "revenue", "users"]),
    ("2+key:report", ["orders", "report", "revenue", "users"]),
    ("key:orders+", ["orders", "report", "revenue"]),
    ("key:orders+1", ["orders", "revenue"]),
    ("+key:orders+", ["orders", "raw/orders", "report", "revenue"]),
    ("1+key:orders+1", ["orders", "raw/orders", "revenue"]),
    ("+(key:orders or key:users)", ["orders", "raw/orders", "raw/users", "users"]),
    ("(group:raw)+1", ["orders", "raw/my orders", "raw/orders", "raw/users", "users"]),
    ("group:marts", ["report", "revenue"]),
    ("tag:team=core", ["orders", "revenue"]),
    ("tag:team", ["orders", "revenue", "users"]),
    ('tag:"pii"="no"', ["revenue"]),
    ('owner:"a@b.c"', ["raw/orders"]),
    ("owner:a@b.c", ["raw/orders"]),
    ("kind:dbt", ["orders"]),
    ("group:staging and tag:team=core", ["orders"]),
    ("group:staging or group:marts", ["orders", "report", "revenue", "users"]),
    ("not group:raw", ["orders", "report", "revenue", "users"]),
    ("group:marts and not key:report", ["revenue"]),
    ("roots(+key:revenue)", ["raw/orders", "raw/users"]),
    ("sinks(group:staging or group:marts)", ["report"]),
    ("roots (group:marts)", ["revenue"]),
    ("key:report", ["report"]),
])
def test_string_selects_expected_keys(text: str, expected: list[str]) -> None:
    assert selected(text) == expected


@pytest.mark.parametrize(("text", "equivalent"), [
    ("group:raw or group:staging and tag:team=core", "group:raw or (group:staging and tag:team=core)"),
    ("not group:raw and tag:team", "(not group:raw) and tag:team"),
    ("not group:raw or group:marts", "(not group:raw) or group:marts"),
    ("not not group:raw", "group:raw"),
    ("NOT group:raw AND tag:team OR group:marts", "((not group:raw) and tag:team) or group:marts"),
    ("group:raw and group:staging or group:marts", "(group:raw and group:staging) or group:marts"),
])
def test_not_binds_tighter_than_and_which_binds_tighter_than_or(text: str, equivalent: str) -> None:
    assert GRAPH.select(text) == GRAPH.select(equivalent)


@pytest.mark.parametrize(("text", "parsed"), [
    ("key:a", S.assets("a")),
    ("a", S.assets("a")),
    ("*", S.all()),
    ("group:g", S.groups("g")),
    ("tag:k=v", S.tag("k", "v")),
    ("tag:k", S.tag("k")),
    ("owner:o", S.owners("o")),
    ("kind:dbt", S.kinds("dbt")),
    ("key_prefix:raw/eu", S.key_prefixes(["raw", "eu"])),
    ("+key:a", S.assets("a").upstream()),
    ("2+key:a", S.assets("a").upstream(depth=2)),
    ("key:a+", S.assets("a").downstream()),
    ("key:a+3", S.assets("a").downstream(depth=3)),
    ("group:x or group:y", S.groups("x") | S.groups("y")),
    ("group:x and not group:y", S.groups("x") & ~S.groups("y")),
    ("sinks(group:x)", S.groups("x").sinks()),
    ("required_multi_asset_neighbors(key:a)", S.assets("a").required_multi_asset_neighbors()),
    ('key:"a\\"b"', S.assets('a"b')),
    ('key:"a\\*b"', S.assets("a*b")),
    ("key:roots", S.assets("roots")),
    ("key:and", S.assets("and")),
    ("key:OR", S.assets("OR")),
    ("key:2024", S.assets("2024")),
    ("key:2+", S.assets("2").downstream()),
    ("check:raw/orders:not_empty", S.checks("raw/orders:not_empty")),
    ('check:"raw/my orders":"has rows"', S.checks(AssetCheckKey(AssetKey(["raw", "my orders"]), "has rows"))),
    ("checks_for(group:x)", S.checks_for_assets(S.groups("x"))),
])
def test_string_parses_to_the_selection_object(text: str, parsed: AssetSelection) -> None:
    assert parse_selection(text) == parsed
    assert AssetSelection.from_string(text) == parsed


@pytest.mark.parametrize(("text", "message", "position"), [
    ("key:a and", "expected an expression after 'and'", 9),
    ("key:a or", "expected an expression after 'or'", 8),
    ("not", "expected an expression after 'not'", 3),
    ("grop:x", "unknown attribute 'grop'", 0),
    ("key:a and grop:x", "did you mean: group", 10),
    ("", "expected an expression", 0),
    ("   ", "expected an expression", 3),
    ("(key:a", "this parenthesis is never closed", 0),
    ("key:a)", "expected 'and', 'or' or the end, found ')'", 5),
    ("()", "expected an expression inside the parentheses", 1),
    ("key:", "expected a value after 'key:'", 4),
    ('key:"abc', "this quoted value is never closed", 4),
    ("key:a key:b", "expected 'and', 'or' or the end, found 'key'", 6),
    ("group:a*", "wildcards '*' work only in key: values", 6),
    ("key:a//b", "is not an asset key", 4),
    ("key:a ; drop", "unexpected character ';'", 6),
    ("and key:a", "expected an expression, found the keyword 'and'", 0),
    ("+", "expected an expression; the selection ends too early", 1),
    ("tag:k=", "expected a value after 'tag:k='", 6),
    ("check:orders", "expected ':' and a check name after the asset key", 12),
    ("check:orders:", "expected a value after 'check:orders:'", 13),
])
def test_bad_string_raises_selection_error_at_the_offending_position(text: str, message: str,
                                                                     position: int) -> None:
    with pytest.raises(SelectionError) as raised:
        parse_selection(text)
    assert message in str(raised.value)
    assert raised.value.position == position
    assert raised.value.text == text


def test_selection_error_draws_a_caret_under_the_position() -> None:
    with pytest.raises(SelectionError) as raised:
        parse_selection("key:a and")
    assert str(raised.value) == (
        "expected an expression after 'and'\n"
        "  key:a and\n"
        "           ^\n"
        "More: docs/errors/selection-error.md"
    )


def test_unknown_attribute_suggests_the_close_one() -> None:
    with pytest.raises(SelectionError, match=r"did you mean: group\?"):
        parse_selection("grop:marts")


def test_exact_key_that_does_not_exist_lists_close_matches() -> None:
    with pytest.raises(SelectionError) as raised:
        GRAPH.select("key:raw/ordrs")
    assert "did you mean: raw/orders" in str(raised.value)


def test_function_name_without_parentheses_is_a_key() -> None:
    with pytest.raises(SelectionError, match='names "roots"'):
        GRAPH.select("roots")


def test_glob_that_matches_nothing_selects_nothing() -> None:
    assert GRAPH.select("key:nothing/*") == set()


def test_parse_selection_refuses_non_strings() -> None:
    with pytest.raises(SelectionError):
        parse_selection(42)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["(" * 5000 + "orders" + ")" * 5000, "not " * 5000 + "orders",
                                  "roots(" * 3000 + "orders" + ")" * 3000])
def test_absurd_nesting_is_a_selection_error_not_a_recursion_error(text: str) -> None:
    # Regression: the GraphQL fuzzing (tests/reliability/test_fuzz_graphql.py) made the server fail
    # with a RecursionError on 5,000 opening parentheses.
    with pytest.raises(SelectionError, match="nests more than 64 levels"):
        parse_selection(text)
    assert GRAPH.select("(" * 64 + "orders" + ")" * 64) == GRAPH.select("orders")


# --- properties ----------------------------------------------------------------------------------

SYNTAX = ["key:", "check:", "checks_for(", "group:", "tag:", "=", "+", "2+", "+1", "(", ")", " and ", " or ", "not ", "*", '"', "\\",
          "a", "raw/orders", "roots(", "orders", " ", "key_prefix:", ":", "owner:"]


@settings(deadline=None, max_examples=300)
@given(st.text())
def test_parser_raises_only_selection_error_on_arbitrary_text(text: str) -> None:
    try:
        parse_selection(text)
    except SelectionError as err:
        assert err.position is None or 0 <= err.position <= len(text)


@settings(deadline=None, max_examples=500)
@given(st.lists(st.sampled_from(SYNTAX), max_size=12).map("".join))
def test_parser_raises_only_selection_error_on_syntax_soup(text: str) -> None:
    try:
        selection = parse_selection(text)
    except SelectionError as err:
        assert err.position is None or 0 <= err.position <= len(text)
        return
    assert str(parse_selection(str(selection))) == str(selection)  # printing is a fixed point


@settings(deadline=None)
@given(st.lists(st.sampled_from(SYNTAX), max_size=12).map("".join))
def test_successful_parse_resolves_or_raises_selection_error(text: str) -> None:
    with contextlib.suppress(SelectionError):
        GRAPH.select(text)
