"""`AssetGraph`: lineage, order, closures and the definition errors raised while building it."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetgraph.definitions.asset import asset
from assetgraph.definitions.checks import AssetCheckSpec, asset_check
from assetgraph.definitions.definitions import Definitions
from assetgraph.definitions.errors import (
    AssetGraphError,
    DefinitionError,
    DependencyCycleError,
    DuplicateKeyError,
    SelectionError,
    UnknownDependencyError,
)
from assetgraph.definitions.keys import AssetCheckKey, AssetKey
from assetgraph.definitions.partitions import (
    DailyPartitionsDefinition,
    IdentityPartitionMapping,
    StaticPartitionsDefinition,
    WeeklyPartitionsDefinition,
)
from assetgraph.definitions.results import AssetCheckResult
from assetgraph.definitions.spec import AssetDep, AssetSpec
from assetgraph.graph import AssetGraph
from tests.scenarios import (
    cycle,
    diamond,
    duplicate_key,
    multi_asset_pair,
    self_cycle,
    unknown_dep_typo,
    with_checks,
)
from tests.scenarios.layered import layered_key, layered_specs


def K(text: str) -> AssetKey:
    return AssetKey.from_user_string(text)


def keys(*texts: str) -> set[AssetKey]:
    return {K(t) for t in texts}


def line_of(fn: Any) -> int:
    return inspect.getsourcelines(fn.compute_fn)[1]


@pytest.fixture
def graph() -> AssetGraph:
    return AssetGraph.from_assets(diamond.assets)


# --- lineage -------------------------------------------------------------------------------------


def test_diamond_toposort_puts_every_key_after_its_parents_and_breaks_ties_by_key(graph: AssetGraph) -> None:
    assert graph.toposort() == [K("raw/orders"), K("orders_cleaned"), K("orders_enriched"), K("orders_report")]


def test_diamond_toposort_levels(graph: AssetGraph) -> None:
    assert graph.toposort_levels() == [
        keys("raw/orders"),
        keys("orders_cleaned", "orders_enriched"),
        keys("orders_report"),
    ]


def test_keys_include_external_assets(graph: AssetGraph) -> None:
    assert graph.keys == keys("raw/orders", "orders_cleaned", "orders_enriched", "orders_report")


def test_parents_and_children_are_one_step(graph: AssetGraph) -> None:
    assert graph.parents("orders_report") == keys("orders_cleaned", "orders_enriched")
    assert graph.children(K("raw/orders")) == keys("orders_cleaned", "orders_enriched")
    assert graph.parents("raw/orders") == set()


def test_upstream_and_downstream_exclude_the_key_itself(graph: AssetGraph) -> None:
    assert graph.upstream("orders_report") == keys("raw/orders", "orders_cleaned", "orders_enriched")
    assert graph.downstream("raw/orders") == keys("orders_cleaned", "orders_enriched", "orders_report")
    assert graph.upstream("raw/orders") == set()


def test_upstream_depth_one_is_the_parents(graph: AssetGraph) -> None:
    assert graph.upstream("orders_report", depth=1) == keys("orders_cleaned", "orders_enriched")


def test_node_describes_its_asset(graph: AssetGraph) -> None:
    node = graph.get("orders_report")
    assert node.key == K("orders_report")
    assert node.parents == keys("orders_cleaned", "orders_enriched")
    assert node.children == set()
    assert node.group_name == "marts"
    assert node.partitions_def is None
    assert (node.is_executable, node.is_external) == (True, False)
    assert (node.owners, node.kinds, node.tags) == (("team:analytics",), ("dbt",), {})
    assert node.description == "Joins both views."
    assert node.assets_def is diamond.orders_report
    assert graph.assets_def_for("orders_report") is diamond.orders_report


def test_external_asset_node_is_not_executable(graph: AssetGraph) -> None:
    node = graph.get("raw/orders")
    assert (node.is_executable, node.is_external) == (False, True)


def test_get_unknown_key_raises_key_error_naming_it(graph: AssetGraph) -> None:
    with pytest.raises(KeyError, match="raw/nope"):
        graph.get("raw/nope")


def test_bare_asset_specs_are_external_assets() -> None:
    graph = AssetGraph.from_assets([AssetSpec("a"), AssetSpec("b", deps=["a"])])
    assert graph.toposort() == [K("a"), K("b")]
    assert graph.get("b").is_external


def test_toposort_levels_follow_longest_path_from_a_root() -> None:
    graph = AssetGraph.from_assets([
        AssetSpec("a"), AssetSpec("b", deps=["a"]), AssetSpec("c", deps=["a", "b"]), AssetSpec("z"),
    ])
    assert graph.toposort_levels() == [keys("a", "z"), keys("b"), keys("c")]
    assert graph.toposort() == [K("a"), K("z"), K("b"), K("c")]


def test_from_definitions_reads_assets_and_checks() -> None:
    defs = Definitions(assets=with_checks.assets, asset_checks=with_checks.checks)
    graph = AssetGraph.from_definitions(defs)
    assert graph.keys == keys("orders", "customers")
    assert defs.get_asset_graph().keys == graph.keys


def test_multi_asset_siblings_are_the_keys_of_its_definition() -> None:
    graph = AssetGraph.from_assets(multi_asset_pair.assets)
    assert graph.sibling_keys("users") == (K("users"), K("sessions"))
    assert graph.sibling_keys("active_users") == (K("active_users"),)


def test_layered_scenario_has_one_level_per_layer() -> None:
    graph = AssetGraph.from_assets(layered_specs(layers=5, width=4, fan_in=2))
    levels = graph.toposort_levels()
    assert [len(level) for level in levels] == [4, 4, 4, 4, 4]
    assert graph.parents(layered_key(1, 3)) == {K(layered_key(0, 3)), K(layered_key(0, 0))}


# --- checks --------------------------------------------------------------------------------------


def test_checks_are_indexed_by_asset() -> None:
    graph = AssetGraph.from_assets(with_checks.assets, with_checks.checks)
    has_rows = AssetCheckKey(K("orders"), "has_rows")
    matches = AssetCheckKey(K("orders"), "orders_match_customers")
    assert graph.all_check_keys == {has_rows, matches}
    assert graph.get("orders").check_keys == {has_rows, matches}
    assert [spec.name for spec in graph.check_specs_for("orders")] == ["has_rows", "orders_match_customers"]
    assert graph.check_specs_for("customers") == ()
    assert graph.check_def_for(has_rows) is with_checks.orders
    assert graph.check_def_for(matches) is with_checks.orders_match_customers


def test_check_on_unknown_asset_is_an_error_suggesting_close_key() -> None:
    @asset_check(asset="order")
    def not_empty() -> AssetCheckResult:
        return AssetCheckResult(passed=True)

    with pytest.raises(UnknownDependencyError) as raised:
        AssetGraph.from_assets(with_checks.assets, [not_empty])
    message = str(raised.value)
    assert 'Check "order:not_empty" needs asset "order", which no definition provides.' in message
    assert "did you mean: orders" in message


def test_check_with_unknown_additional_dep_is_an_error() -> None:
    @asset_check(asset="orders", additional_deps=["customer"])
    def joined() -> AssetCheckResult:
        return AssetCheckResult(passed=True)

    with pytest.raises(UnknownDependencyError, match='needs asset "customer"'):
        AssetGraph.from_assets(with_checks.assets, [joined])


def test_same_check_defined_twice_is_an_error() -> None:
    @asset(check_specs=[AssetCheckSpec("has_rows", asset="orders")])
    def orders() -> None: ...

    @asset_check(asset="orders", name="has_rows")
    def has_rows() -> AssetCheckResult:
        return AssetCheckResult(passed=True)

    with pytest.raises(DuplicateKeyError, match='Check "orders:has_rows" is defined twice') as raised:
        AssetGraph.from_assets([orders], [has_rows])
    message = str(raised.value)
    assert f"first defined at: {__file__}:{inspect.getsourcelines(orders.compute_fn)[1]}" in message
    assert f"again defined at: {__file__}:{inspect.getsourcelines(has_rows.compute_fn)[1]}" in message


# --- definition errors ---------------------------------------------------------------------------


def test_cycle_error_prints_the_cycle_with_file_and_line_of_each_asset() -> None:
    with pytest.raises(DependencyCycleError) as raised:
        AssetGraph.from_assets(cycle.assets)
    message = str(raised.value)
    assert "Assets depend on each other in a cycle: a → b → c → a" in message
    for fn in (cycle.a, cycle.b, cycle.c):
        assert f"{fn.key.to_user_string()} defined at: {cycle.__file__}:{line_of(fn)}" in message
    assert "outside_the_cycle" not in message
    assert "More: docs/errors/dependency-cycle.md" in message


def test_self_dependency_is_a_cycle_of_one() -> None:
    with pytest.raises(DependencyCycleError, match="cycle: narcissus → narcissus"):
        AssetGraph.from_assets(self_cycle.assets)


def test_definitions_with_a_cycle_fail_when_built() -> None:
    with pytest.raises(DependencyCycleError):
        Definitions(assets=cycle.assets)


def test_unknown_dependency_suggests_close_key_and_shows_file_and_line() -> None:
    with pytest.raises(UnknownDependencyError) as raised:
        AssetGraph.from_assets(unknown_dep_typo.assets)
    where = f"{unknown_dep_typo.__file__}:{line_of(unknown_dep_typo.orders_daily)}"
    assert str(raised.value) == (
        'Asset "marts/orders_daily" depends on "raw/order", which no definition provides.\n'
        f"  defined at: {where}\n"
        "  did you mean: raw/orders\n"
        "Fix the key in `deps=` or `ins=`, add the missing asset to Definitions, or declare data made "
        'elsewhere as an external asset: AssetSpec("raw/order").\n'
        "More: docs/errors/unknown-dependency.md"
    )


def test_unknown_dependency_is_a_value_error_too() -> None:
    with pytest.raises(ValueError):
        AssetGraph.from_assets([AssetSpec("b", deps=["a"])])


def test_every_unknown_dependency_is_reported_at_once() -> None:
    with pytest.raises(UnknownDependencyError) as raised:
        AssetGraph.from_assets([AssetSpec("x", deps=["nope1"]), AssetSpec("y", deps=["nope2"])])
    assert '"x" depends on "nope1"' in str(raised.value)
    assert '"y" depends on "nope2"' in str(raised.value)


def test_duplicate_key_names_both_definitions() -> None:
    with pytest.raises(DuplicateKeyError) as raised:
        AssetGraph.from_assets(duplicate_key.assets)
    message = str(raised.value)
    assert 'Asset "orders" is defined twice.' in message
    assert f"first defined at: {duplicate_key.__file__}:{line_of(duplicate_key.orders)}" in message
    assert f"again defined at: {duplicate_key.__file__}:{line_of(duplicate_key.orders_again)}" in message
    assert "More: docs/errors/duplicate-key.md" in message


def test_same_definition_listed_twice_says_so() -> None:
    with pytest.raises(DuplicateKeyError, match='Asset "orders_report" is listed twice: the same definition'):
        AssetGraph.from_assets([*diamond.assets, diamond.orders_report])


@dataclass(frozen=True)
class RecordingMapping:
    """A partition mapping that records what it was validated against, and may refuse."""

    calls: list[tuple[Any, Any]]
    refuse: bool = False

    def validate(self, upstream_def: Any, downstream_def: Any) -> None:
        self.calls.append((upstream_def, downstream_def))
        if self.refuse:
            raise DefinitionError("upstream is daily, downstream is static")


def test_partition_mapping_is_validated_against_both_partitions_definitions() -> None:
    mapping = RecordingMapping(calls=[])
    AssetGraph.from_assets([
        AssetSpec("up", partitions_def="UP"),  # type: ignore[arg-type]
        AssetSpec("down", deps=[AssetDep("up", partition_mapping=mapping)],  # type: ignore[arg-type]
                  partitions_def="DOWN"),  # type: ignore[arg-type]
    ])
    assert mapping.calls == [("UP", "DOWN")]


def test_partition_mapping_that_does_not_fit_names_the_edge() -> None:
    mapping = RecordingMapping(calls=[], refuse=True)
    with pytest.raises(DefinitionError) as raised:
        AssetGraph.from_assets([
            AssetSpec("up"),
            AssetSpec("down", deps=[AssetDep("up", partition_mapping=mapping)]),  # type: ignore[arg-type]
        ])
    message = str(raised.value)
    assert message.startswith('Asset "down" maps partitions of "up" with RecordingMapping, which does not fit.\n'
                              "  defined at: ")
    assert "upstream is daily, downstream is static" in message


def test_identity_mapping_between_daily_and_static_partitions_is_refused() -> None:
    mapping = IdentityPartitionMapping()
    with pytest.raises(DefinitionError, match='"down" maps partitions of "up" with IdentityPartitionMapping'):
        AssetGraph.from_assets([
            AssetSpec("up", partitions_def=DailyPartitionsDefinition("2024-01-01")),
            AssetSpec("down", deps=[AssetDep("up", partition_mapping=mapping)],
                      partitions_def=StaticPartitionsDefinition(["us", "eu"])),
        ])


def test_different_partitions_without_a_default_mapping_need_an_explicit_one() -> None:
    with pytest.raises(DefinitionError) as raised:
        AssetGraph.from_assets([
            AssetSpec("up", partitions_def=DailyPartitionsDefinition("2024-01-01")),
            AssetSpec("down", deps=["up"], partitions_def=StaticPartitionsDefinition(["us", "eu"])),
        ])
    assert str(raised.value).startswith(
        'Asset "down" depends on "up", whose partitions differ, and names no partition mapping.\n  defined at: ')


def test_daily_upstream_of_weekly_uses_the_default_time_window_mapping() -> None:
    graph = AssetGraph.from_assets([
        AssetSpec("daily", partitions_def=DailyPartitionsDefinition("2024-01-01")),
        AssetSpec("weekly", deps=["daily"], partitions_def=WeeklyPartitionsDefinition("2024-01-01")),
        AssetSpec("total", deps=["weekly"]),
    ])
    assert graph.get("weekly").partitions_def == WeeklyPartitionsDefinition("2024-01-01")


# --- laws ----------------------------------------------------------------------------------------


_NAMES = [f"n{i:02d}" for i in range(12)]
_DEPS = [st.sets(st.sampled_from(_NAMES[:i]), max_size=3) for i in range(1, len(_NAMES))]


@st.composite
def random_dags(draw: st.DrawFn) -> AssetGraph:
    """Up to 12 assets; edges only from lower to higher index, so there is never a cycle."""
    names = _NAMES[: draw(st.integers(1, len(_NAMES)))]
    specs = [AssetSpec(name, deps=sorted(draw(_DEPS[i - 1])) if i else []) for i, name in enumerate(names)]
    order = draw(st.permutations(range(len(specs))))  # declaration order must not matter
    return AssetGraph.from_assets([specs[i] for i in order])


def naive_upstream(graph: AssetGraph, key: AssetKey) -> set[AssetKey]:
    found: set[AssetKey] = set()
    for parent in graph.parents(key):
        found |= {parent} | naive_upstream(graph, parent)
    return found


@settings(deadline=None)
@given(random_dags())
def test_toposort_puts_each_key_after_all_its_parents(graph: AssetGraph) -> None:
    position = {key: i for i, key in enumerate(graph.toposort())}
    assert set(position) == graph.keys
    for key in graph.keys:
        assert all(position[p] < position[key] for p in graph.parents(key))


@settings(deadline=None)
@given(random_dags())
def test_each_level_is_one_more_than_its_deepest_parent(graph: AssetGraph) -> None:
    level_of = {key: n for n, level in enumerate(graph.toposort_levels()) for key in level}
    for key in graph.keys:
        expected = 1 + max((level_of[p] for p in graph.parents(key)), default=-1)
        assert level_of[key] == expected


@settings(deadline=None)
@given(random_dags())
def test_upstream_is_the_transitive_closure_of_parents(graph: AssetGraph) -> None:
    for key in graph.keys:
        assert graph.upstream(key) == naive_upstream(graph, key)


@settings(deadline=None)
@given(random_dags())
def test_upstream_and_downstream_mirror_each_other(graph: AssetGraph) -> None:
    for a in graph.keys:
        for b in graph.keys:
            assert (a in graph.upstream(b)) == (b in graph.downstream(a))


@settings(deadline=None)
@given(random_dags(), st.integers(0, 4))
def test_depth_limited_closure_grows_with_depth_and_stays_within_the_full_one(graph: AssetGraph,
                                                                              depth: int) -> None:
    walks: list[Callable[..., set[AssetKey]]] = [graph.upstream, graph.downstream]
    for key in graph.keys:
        for walk in walks:
            assert walk(key, depth=depth) <= walk(key, depth=depth + 1) <= walk(key)
    for key in graph.keys:
        assert graph.upstream(key, depth=1) == graph.parents(key)
        assert graph.downstream(key, depth=0) == set()


@pytest.mark.parametrize("error", [UnknownDependencyError, DependencyCycleError, DuplicateKeyError, SelectionError])
def test_each_graph_error_has_a_docs_page(error: type[AssetGraphError]) -> None:
    page = Path(__file__).parents[2] / "docs" / "errors" / f"{error.doc_page}.md"
    text = page.read_text()
    assert "## How to fix" in text and "## Example" in text
