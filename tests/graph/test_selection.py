"""`AssetSelection` objects: what each picks, how they print, and the laws of set algebra."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetgraph.definitions.checks import AssetCheckSpec
from assetgraph.definitions.errors import SelectionError
from assetgraph.definitions.keys import AssetCheckKey, AssetKey
from assetgraph.definitions.spec import AssetSpec
from assetgraph.graph import AssetGraph, AssetSelection
from tests.scenarios import diamond, multi_asset_pair, with_checks


def K(text: str) -> AssetKey:
    return AssetKey.from_user_string(text)


def names(selected: set[AssetKey]) -> list[str]:
    return sorted(k.to_user_string() for k in selected)


DIAMOND = AssetGraph.from_assets(diamond.assets)
PAIR = AssetGraph.from_assets(multi_asset_pair.assets)
S = AssetSelection


@pytest.mark.parametrize(("selection", "expected"), [
    (S.all(), ["orders_cleaned", "orders_enriched", "orders_report", "raw/orders"]),
    (S.assets("raw/orders"), ["raw/orders"]),
    (S.assets(["raw", "orders"], K("orders_report")), ["orders_report", "raw/orders"]),
    (S.assets(diamond.orders_cleaned, diamond.raw_orders), ["orders_cleaned", "raw/orders"]),
    (S.groups("staging"), ["orders_cleaned", "orders_enriched"]),
    (S.groups("staging", "marts"), ["orders_cleaned", "orders_enriched", "orders_report"]),
    (S.groups("nope"), []),
    (S.tag("team", "core"), ["orders_cleaned"]),
    (S.tag("team"), ["orders_cleaned", "orders_enriched"]),
    (S.owners("data@example.com"), ["raw/orders"]),
    (S.kinds("dbt", "s3"), ["orders_report", "raw/orders"]),
    (S.key_prefixes("raw"), ["raw/orders"]),
    (S.key_prefixes(["raw", "orders"]), ["raw/orders"]),
    (S.assets("orders_report").upstream(), ["orders_cleaned", "orders_enriched", "orders_report", "raw/orders"]),
    (S.assets("orders_report").upstream(depth=1), ["orders_cleaned", "orders_enriched", "orders_report"]),
    (S.assets("raw/orders").downstream(depth=1), ["orders_cleaned", "orders_enriched", "raw/orders"]),
    (S.assets("orders_cleaned").downstream(depth=0), ["orders_cleaned"]),
    (S.assets("orders_report").upstream(depth=1, include_self=False), ["orders_cleaned", "orders_enriched"]),
    (S.assets("raw/orders").downstream(include_self=False), ["orders_cleaned", "orders_enriched", "orders_report"]),
    (S.all().roots(), ["raw/orders"]),
    (S.all().sinks(), ["orders_report"]),
    (S.groups("staging").roots(), ["orders_cleaned", "orders_enriched"]),
    (S.groups("staging") | S.groups("marts"), ["orders_cleaned", "orders_enriched", "orders_report"]),
    (S.groups("staging") & S.tag("team", "growth"), ["orders_enriched"]),
    (S.all() - S.groups("staging"), ["orders_report", "raw/orders"]),
    (~S.groups("staging"), ["orders_report", "raw/orders"]),
])
def test_selection_resolves_to_expected_keys(selection: AssetSelection, expected: list[str]) -> None:
    assert names(selection.resolve(DIAMOND)) == expected


@pytest.mark.parametrize(("selection", "text"), [
    (S.all(), "*"),
    (S.assets("raw/orders"), "key:raw/orders"),
    (S.assets("b", "a"), "key:a or key:b"),
    (S.assets(), "not *"),
    (S.assets("my orders"), 'key:"my orders"'),
    (S.groups("marts"), "group:marts"),
    (S.tag("team", "core"), "tag:team=core"),
    (S.tag("team"), "tag:team"),
    (S.owners("a@b.c"), "owner:a@b.c"),
    (S.kinds("dbt"), "kind:dbt"),
    (S.key_prefixes("raw"), "key_prefix:raw"),
    (S.key_prefixes("raw", ["marts", "eu"]), "key_prefix:marts/eu or key_prefix:raw"),
    (S.groups("marts").upstream(), "+group:marts"),
    (S.groups("marts").upstream(depth=2), "2+group:marts"),
    (S.groups("marts").downstream(depth=1), "group:marts+1"),
    (S.groups("a", "b").upstream(), "+(group:a or group:b)"),
    (S.groups("a").upstream().downstream(), "(+group:a)+"),
    (S.groups("a").upstream(include_self=False), "+group:a and not group:a"),
    (S.groups("a") - S.groups("b"), "group:a and not group:b"),
    ((S.groups("a") | S.groups("b")) & S.kinds("dbt"), "(group:a or group:b) and kind:dbt"),
    (S.groups("a").roots(), "roots(group:a)"),
    (S.groups("a").required_multi_asset_neighbors(), "required_multi_asset_neighbors(group:a)"),
    (S.checks("raw/orders:not_empty"), "check:raw/orders:not_empty"),
    (S.checks_for_assets("b", "a"), "checks_for(key:a or key:b)"),
])
def test_selection_prints_the_string_syntax(selection: AssetSelection, text: str) -> None:
    assert str(selection) == text


def test_union_and_intersection_are_equal_whatever_the_operand_order() -> None:
    a, b, c = S.groups("a"), S.groups("b"), S.kinds("c")
    assert a | b == b | a
    assert (a | b) | c == a | (b | c)
    assert a & b == b & a
    assert a - b != b - a


def test_selections_compare_and_hash_by_value() -> None:
    assert S.assets("raw/orders") == S.assets(K("raw/orders"))
    assert S.groups("x").upstream(2) == S.groups("x").upstream(2)
    assert len({S.groups("x"), S.groups("x")}) == 1
    assert S.groups("x").upstream(2) != S.groups("x").upstream(1)


def test_unknown_key_is_a_selection_error_listing_close_matches() -> None:
    with pytest.raises(SelectionError) as raised:
        S.assets("raw/order").resolve(DIAMOND)
    message = str(raised.value)
    assert 'The selection names "raw/order", which no definition provides.' in message
    assert "did you mean: raw/orders" in message


def test_required_multi_asset_neighbors_adds_the_rest_of_a_non_subsettable_multi_asset() -> None:
    assert names(S.assets("users").required_multi_asset_neighbors().resolve(PAIR)) == ["sessions", "users"]
    assert names(S.assets("clicks").required_multi_asset_neighbors().resolve(PAIR)) == ["clicks"]
    assert names(S.assets("active_users").required_multi_asset_neighbors().resolve(PAIR)) == ["active_users"]


CHECKED = AssetGraph.from_assets(with_checks.assets, with_checks.checks)


@pytest.mark.parametrize(("selection", "assets", "checks"), [
    (S.assets("orders"), ["orders"], ["orders:has_rows", "orders:orders_match_customers"]),
    (S.assets("customers"), ["customers"], []),
    (S.checks("orders:has_rows"), [], ["orders:has_rows"]),
    (S.checks(with_checks.orders_match_customers), [], ["orders:orders_match_customers"]),
    (S.checks_for_assets("orders"), [], ["orders:has_rows", "orders:orders_match_customers"]),
    (S.assets("orders").without_checks(), ["orders"], []),
    (S.assets("customers") | S.checks("orders:has_rows"), ["customers"], ["orders:has_rows"]),
])
def test_selection_picks_assets_and_checks(selection: AssetSelection, assets: list[str], checks: list[str]) -> None:
    assert names(selection.resolve(CHECKED)) == assets
    assert sorted(k.to_user_string() for k in selection.resolve_checks(CHECKED)) == checks


def test_unknown_check_is_a_selection_error_listing_close_matches() -> None:
    with pytest.raises(SelectionError) as raised:
        S.checks("orders:has_row").resolve_checks(CHECKED)
    assert 'names check "orders:has_row"' in str(raised.value)
    assert "did you mean: orders:has_rows" in str(raised.value)


def test_negative_depth_is_rejected() -> None:
    with pytest.raises(SelectionError):
        S.all().upstream(depth=-1)


def test_graph_select_accepts_objects_and_strings() -> None:
    assert DIAMOND.select("group:staging") == DIAMOND.select(S.groups("staging"))


# --- laws over random graphs and selections -------------------------------------------------------

KEY_POOL = ["a", "b", "raw/c", "raw/d", "marts/e", "my orders", "and", 'q"uote', "star*name", "2024"]
GROUPS = ["g1", "g2", "default"]
TAGS = [("team", "core"), ("team", "growth"), ("tier", "1")]
OWNERS = ["a@b.c", "team:x"]
KINDS = ["dbt", "pandas"]


@dataclass(frozen=True)
class StubChecks:
    """Stands in for an `AssetChecksDefinition`: the graph reads only ``check_specs``."""

    check_specs: tuple[AssetCheckSpec, ...]


# Strategies made once: building them inside `graphs` for every example dominates the run time.
_DEPS = [st.sets(st.sampled_from(KEY_POOL[:i]), max_size=3) for i in range(1, len(KEY_POOL))]
_ATTRIBUTES = st.tuples(
    st.sampled_from(GROUPS), st.sampled_from([None, *TAGS]), st.sets(st.sampled_from(OWNERS)),
    st.sets(st.sampled_from(KINDS)), st.booleans(),
)


@st.composite
def graphs(draw: st.DrawFn) -> AssetGraph:
    """Every key of the pool, with random edges (lower index → higher) and attributes. Every
    asset has a check ``c1``; some also have ``c2``."""
    specs = []
    check_specs = []
    for i, key in enumerate(KEY_POOL):
        deps = draw(_DEPS[i - 1]) if i else set()
        group, tag, owners, kinds, two_checks = draw(_ATTRIBUTES)
        asset_key = AssetKey(key.split("/"))
        specs.append(AssetSpec(
            asset_key, deps=[AssetKey(d.split("/")) for d in sorted(deps)], group_name=group,
            tags=dict([tag]) if tag else {}, owners=owners, kinds=kinds,
        ))
        check_specs += [AssetCheckSpec(name, asset=asset_key) for name in (["c1", "c2"] if two_checks else ["c1"])]
    return AssetGraph.from_assets(specs, [StubChecks(tuple(check_specs))])


depths = st.one_of(st.none(), st.integers(0, 3))
leaves = st.one_of(
    st.just(S.all()),
    st.lists(st.sampled_from(KEY_POOL), min_size=1, max_size=3).map(lambda ks: S.assets(*(k.split("/") for k in ks))),
    st.sampled_from(GROUPS).map(S.groups),
    st.sampled_from(TAGS).map(lambda kv: S.tag(*kv)),
    st.sampled_from(TAGS).map(lambda kv: S.tag(kv[0])),
    st.sampled_from(OWNERS).map(S.owners),
    st.sampled_from(KINDS).map(S.kinds),
    st.sampled_from(["raw", "marts", "a"]).map(S.key_prefixes),
    st.sampled_from(["key:raw/*", "key:*a*", 'key:"star\\*name"', 'key:"q*"']).map(S.from_string),
    st.sampled_from(KEY_POOL).map(lambda k: S.checks(AssetCheckKey(AssetKey(k.split("/")), "c1"))),
)


def extend(children: st.SearchStrategy[AssetSelection]) -> st.SearchStrategy[AssetSelection]:
    return st.one_of(
        st.tuples(children, children).map(lambda ab: ab[0] | ab[1]),
        st.tuples(children, children).map(lambda ab: ab[0] & ab[1]),
        st.tuples(children, children).map(lambda ab: ab[0] - ab[1]),
        children.map(lambda s: ~s),
        st.tuples(children, depths).map(lambda sd: sd[0].upstream(sd[1])),
        st.tuples(children, depths).map(lambda sd: sd[0].downstream(sd[1])),
        children.map(lambda s: s.roots()),
        children.map(lambda s: s.sinks()),
        children.map(lambda s: s.required_multi_asset_neighbors()),
        children.map(S.checks_for_assets),
        children.map(lambda s: s.without_checks()),
    )


selections = st.recursive(leaves, extend, max_leaves=8)


@settings(deadline=None)
@given(graphs(), selections, selections)
def test_union_and_intersection_commute_and_match_set_algebra(graph: AssetGraph, a: AssetSelection,
                                                              b: AssetSelection) -> None:
    ra, rb = a.resolve(graph), b.resolve(graph)
    assert (a | b).resolve(graph) == (b | a).resolve(graph) == ra | rb
    assert (a & b).resolve(graph) == (b & a).resolve(graph) == ra & rb
    assert (a - b).resolve(graph) == ra - rb
    assert (~a).resolve(graph) == graph.keys - ra


@settings(deadline=None)
@given(graphs(), selections, selections)
def test_checks_of_combined_selections_match_set_algebra(graph: AssetGraph, a: AssetSelection,
                                                         b: AssetSelection) -> None:
    ca, cb = a.resolve_checks(graph), b.resolve_checks(graph)
    assert (a | b).resolve_checks(graph) == ca | cb
    assert (a & b).resolve_checks(graph) == ca & cb
    assert (a - b).resolve_checks(graph) == ca - cb
    assert (~a).resolve_checks(graph) == graph.all_check_keys - ca


@settings(deadline=None)
@given(graphs(), selections)
def test_printed_selection_parses_back_to_the_same_keys(graph: AssetGraph, selection: AssetSelection) -> None:
    text = str(selection)
    parsed = AssetSelection.from_string(text)
    assert parsed.resolve(graph) == selection.resolve(graph), text
    assert parsed.resolve_checks(graph) == selection.resolve_checks(graph), text


@settings(deadline=None)
@given(graphs(), selections, depths)
def test_upstream_contains_the_selection_and_is_closed_under_parents(graph: AssetGraph, selection: AssetSelection,
                                                                     depth: int | None) -> None:
    base = selection.resolve(graph)
    upstream = selection.upstream(depth).resolve(graph)
    assert base <= upstream <= selection.upstream().resolve(graph)
    full = selection.upstream().resolve(graph)
    assert all(graph.parents(k) <= full for k in full)
    full_down = selection.downstream().resolve(graph)
    assert all(graph.children(k) <= full_down for k in full_down)


@settings(deadline=None)
@given(graphs(), selections)
def test_roots_and_sinks_are_within_the_selection(graph: AssetGraph, selection: AssetSelection) -> None:
    base = selection.resolve(graph)
    roots, sinks = selection.roots().resolve(graph), selection.sinks().resolve(graph)
    assert roots <= base and sinks <= base
    assert bool(roots) == bool(base) == bool(sinks)
