"""Selections of asset checks: `AssetSelection.checks`, `checks_for_assets`, `without_checks`,
the ``check:`` attribute and the ``checks_for(...)`` function of the string syntax."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetgraph import AssetCheckKey, AssetCheckResult, AssetSelection, SelectionError, asset, asset_check
from assetgraph.graph.asset_graph import AssetGraph


@asset(group_name="raw", key_prefix="raw")
def orders() -> int:
    return 1


@asset(group_name="marts", deps=[orders])
def revenue() -> int:
    return 1


@asset_check(asset=orders)
def not_empty() -> AssetCheckResult:
    return AssetCheckResult(passed=True)


@asset_check(asset=orders)
def unique_ids() -> AssetCheckResult:
    return AssetCheckResult(passed=True)


@asset_check(asset=revenue)
def positive() -> AssetCheckResult:
    return AssetCheckResult(passed=True)


GRAPH = AssetGraph.from_assets([orders, revenue], [not_empty, unique_ids, positive])
NOT_EMPTY = AssetCheckKey(["raw", "orders"], "not_empty")
UNIQUE = AssetCheckKey(["raw", "orders"], "unique_ids")
POSITIVE = AssetCheckKey("revenue", "positive")


def names(checks: set[AssetCheckKey]) -> list[str]:
    return sorted(k.to_user_string() for k in checks)


def test_asset_selection_picks_the_checks_of_its_assets() -> None:
    sel = AssetSelection.groups("raw")
    assert names(sel.resolve_checks(GRAPH)) == ["raw/orders:not_empty", "raw/orders:unique_ids"]


def test_checks_selection_picks_checks_and_no_asset() -> None:
    sel = AssetSelection.checks(not_empty, "revenue:positive")
    assert sel.resolve(GRAPH) == set()
    assert sel.resolve_checks(GRAPH) == {NOT_EMPTY, POSITIVE}


def test_checks_for_assets_picks_every_check_of_the_assets() -> None:
    sel = AssetSelection.checks_for_assets(orders)
    assert sel.resolve(GRAPH) == set()
    assert sel.resolve_checks(GRAPH) == {NOT_EMPTY, UNIQUE}
    assert AssetSelection.checks_for_assets(AssetSelection.groups("marts")).resolve_checks(GRAPH) == {POSITIVE}


def test_without_checks_keeps_the_assets_and_drops_their_checks() -> None:
    sel = AssetSelection.all().without_checks()
    assert sel.resolve(GRAPH) == GRAPH.keys
    assert sel.resolve_checks(GRAPH) == set()


def test_set_operations_apply_to_checks_too() -> None:
    assets = AssetSelection.assets(orders)
    assert (assets - AssetSelection.checks(not_empty)).resolve_checks(GRAPH) == {UNIQUE}
    assert (AssetSelection.checks(not_empty) | AssetSelection.checks(positive)).resolve_checks(GRAPH) == {
        NOT_EMPTY, POSITIVE}
    assert (assets & AssetSelection.checks(not_empty, positive)).resolve_checks(GRAPH) == {NOT_EMPTY}
    assert (~AssetSelection.checks(not_empty)).resolve_checks(GRAPH) == {UNIQUE, POSITIVE}


def test_unknown_check_suggests_close_names() -> None:
    with pytest.raises(SelectionError) as info:
        AssetSelection.checks("raw/orders:not_emty").resolve_checks(GRAPH)
    assert str(info.value) == (
        'The selection names check "raw/orders:not_emty", which no definition provides.\n'
        "  did you mean: raw/orders:not_empty\n"
        "Fix the check key (asset key, a colon, the check name), or list the checks with `assetgraph list`.\n"
        "More: docs/errors/unknown-check.md"
    )


def test_check_key_string_needs_asset_and_name() -> None:
    with pytest.raises(SelectionError, match="is not a check key"):
        AssetSelection.checks("orders")


@pytest.mark.parametrize("text", [
    "check:raw/orders:not_empty",
    "check:raw/orders:not_empty or check:revenue:positive",
    "checks_for(group:raw)",
    "key:revenue and not check:revenue:positive",
    'check:"my orders":"null ids"',
    "+checks_for(key:revenue)",
])
def test_check_selections_round_trip_through_the_string_syntax(text: str) -> None:
    sel = AssetSelection.from_string(text)
    assert str(sel) == text
    assert AssetSelection.from_string(str(sel)) == sel


def test_python_and_string_forms_agree() -> None:
    assert AssetSelection.from_string("check:raw/orders:not_empty") == AssetSelection.checks(NOT_EMPTY)
    assert AssetSelection.from_string("checks_for(key:raw/orders)") == AssetSelection.checks_for_assets(orders)
    assert AssetSelection.from_string("checks_for(key:raw/orders)").resolve_checks(GRAPH) == {NOT_EMPTY, UNIQUE}


@pytest.mark.parametrize(("text", "message"), [
    ("check:orders", "expected ':' and a check name"),
    ("check:orders:", "expected a value after 'check:orders:'"),
    ("check:raw/*:x", "wildcards"),
])
def test_malformed_check_selection_points_at_the_problem(text: str, message: str) -> None:
    with pytest.raises(SelectionError, match=message):
        AssetSelection.from_string(text)


SELECTIONS = st.sampled_from([
    AssetSelection.all(), AssetSelection.groups("raw"), AssetSelection.assets(revenue),
    AssetSelection.checks(not_empty), AssetSelection.checks(positive, unique_ids),
    AssetSelection.checks_for_assets(orders), AssetSelection.all().without_checks(),
])


@given(SELECTIONS, SELECTIONS)
def test_check_resolution_follows_the_set_operations(a: AssetSelection, b: AssetSelection) -> None:
    left, right = a.resolve_checks(GRAPH), b.resolve_checks(GRAPH)
    assert (a | b).resolve_checks(GRAPH) == left | right == (b | a).resolve_checks(GRAPH)
    assert (a & b).resolve_checks(GRAPH) == left & right == (b & a).resolve_checks(GRAPH)
    assert (a - b).resolve_checks(GRAPH) == left - right
    assert AssetSelection.from_string(str(a | b)).resolve_checks(GRAPH) == left | right
