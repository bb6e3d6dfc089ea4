"""assetgraph_dbt against real dbt runs on the tiny project of `tests/dbt/project.py`.

One project is parsed once per module; each run builds only what its test needs.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

pytest.importorskip("dbt.cli.main", reason="dbt-core is not installed (pip install 'assetgraph[dbt]')")
pytest.importorskip("dbt.adapters.duckdb", reason="dbt-duckdb is not installed (pip install 'assetgraph[dbt]')")

from assetgraph import (
    AssetCheckKey,
    AssetCheckSeverity,
    AssetKey,
    Definitions,
    materialize,
)
from assetgraph_dbt import DbtCliError, DbtCliResource, DbtProject, DbtTranslator, dbt_assets
from tests.dbt.project import load_source_tables, write_project

K = AssetKey.from_user_string


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    root = tmp_path_factory.mktemp("shop")
    database = root / "warehouse.duckdb"
    write_project(root / "project", database)
    load_source_tables(database)
    project = DbtProject(root / "project").prepare()

    @dbt_assets(manifest=project.manifest_path, exclude="tag:daily", source_tests_as_checks=True)
    def shop_models(context: Any, dbt: DbtCliResource) -> Any:
        yield from dbt.cli(["build"], context=context).stream()

    resource = DbtCliResource(project_dir=project.project_dir)  # a Path is accepted
    return SimpleNamespace(project=project, database=database, assets=shop_models, resource=resource)


def run(shop: SimpleNamespace, selection: Any = None, **kw: Any) -> Any:
    return materialize([shop.assets, *shop.assets.source_specs], selection=selection,
                       resources={"dbt": shop.resource}, **kw)


def test_models_seeds_and_keys_become_assets_with_deps_through_ephemeral_models(shop: SimpleNamespace) -> None:
    deps = {s.key.to_user_string(): sorted(k.to_user_string() for k in s.dep_keys) for s in shop.assets.specs}
    assert deps == {
        "raw_customers": [],
        "raw_orders": [],
        "staging/stg_orders": ["raw_orders"],
        "customers": ["raw_customers", "staging/stg_orders"],  # eph_customers walked through
        "marts/order_totals": ["staging/stg_orders"],  # meta.assetgraph.asset_key
        "payments_summary": ["raw/payments"],
        "fragile": ["raw/settings"],
    }
    spec = shop.assets.get_spec(K("marts/order_totals"))
    assert spec.group_name == "marts"
    assert shop.assets.get_spec(K("customers")).description == "One row per customer."
    assert shop.assets.get_spec(K("customers")).kinds == ("dbt",)
    assert shop.assets.can_subset


def test_code_version_is_a_hash_of_the_sql_and_changes_with_it(shop: SimpleNamespace) -> None:
    node = {"resource_type": "model", "raw_code": "select 1"}
    tr = DbtTranslator()
    assert tr.get_code_version(node) != tr.get_code_version({**node, "raw_code": "select 2"})
    assert shop.assets.get_spec(K("customers")).code_version is not None
    assert shop.assets.get_spec(K("raw_orders")).code_version is not None  # the seed's file checksum


def test_sources_become_external_assets_in_the_graph(shop: SimpleNamespace) -> None:
    assert sorted(s.key.to_user_string() for s in shop.assets.source_specs) == ["raw/payments", "raw/settings"]
    graph = Definitions(assets=[shop.assets, *shop.assets.source_specs]).get_asset_graph()
    assert graph.get(K("raw/payments")).is_external
    assert K("payments_summary") in graph.get(K("raw/payments")).children


def test_dbt_tests_become_checks_on_the_models_they_test(shop: SimpleNamespace) -> None:
    checks = {c.key.to_user_string(): c for c in shop.assets.check_specs}
    assert set(checks) == {
        "customers:unique_customers_customer_id",
        "customers:not_null_customers_customer_id",
        "customers:not_null_customers_name",
        "staging/stg_orders:relationships_stg_orders_customer_id__id__ref_raw_customers_",
        "staging/stg_orders:assert_positive_amounts",  # singular test with one parent
        "payments_summary:unique_payments_summary_payment_id",
        "raw/payments:source_not_null_raw_payments_payment_id",  # opted in
    }
    relationships = checks["staging/stg_orders:relationships_stg_orders_customer_id__id__ref_raw_customers_"]
    assert [d.asset_key for d in relationships.additional_deps] == [K("raw_customers")]
    assert checks["customers:unique_customers_customer_id"].blocking  # severity error
    assert not checks["customers:not_null_customers_name"].blocking  # severity warn


def test_build_reports_materializations_checks_and_column_lineage_of_a_join(shop: SimpleNamespace) -> None:
    result = run(shop, selection=["customers", "staging/stg_orders", "raw_orders", "raw_customers"])
    assert result.success
    mats = {e.asset_key.to_user_string(): e for e in result.get_asset_materialization_events()}
    assert set(mats) == {"customers", "staging/stg_orders", "raw_orders", "raw_customers"}
    meta = mats["customers"].metadata
    assert meta["relation_name"].value.endswith('"customers"')
    assert meta["execution_time"].value >= 0
    assert mats["raw_orders"].metadata["rows_affected"].value == 5
    assert meta["column_lineage"].value == {
        "customer_id": [{"asset_key": "raw_customers", "column": "id"}],
        "name": [{"asset_key": "raw_customers", "column": "name"}],
        "total_amount": [{"asset_key": "staging/stg_orders", "column": "amount"}],
    }
    checks = {(e.asset_key.to_user_string(), e.check_name): e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {
        ("customers", "unique_customers_customer_id"): True,
        ("customers", "not_null_customers_customer_id"): True,
        ("customers", "not_null_customers_name"): True,
        ("staging/stg_orders", "relationships_stg_orders_customer_id__id__ref_raw_customers_"): True,
        ("staging/stg_orders", "assert_positive_amounts"): True,
    }


def test_subset_runs_only_the_selected_nodes_and_their_tests(shop: SimpleNamespace) -> None:
    result = run(shop, selection=["staging/stg_orders"])
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [K("staging/stg_orders")]
    assert sorted(e.check_name for e in result.get_asset_check_evaluations()) == [
        "assert_positive_amounts", "relationships_stg_orders_customer_id__id__ref_raw_customers_"]
    run_results = json.loads((shop.project.target_dir / "run_results.json").read_text())
    assert sorted(r["unique_id"].split(".")[2] for r in run_results["results"]) == [
        "assert_positive_amounts", "relationships_stg_orders_customer_id__id__ref_raw_customers_", "stg_orders"]


def test_a_failing_unique_test_is_a_failed_blocking_check(shop: SimpleNamespace) -> None:
    load_source_tables(shop.database, duplicate_payment=True)
    try:
        result = run(shop, selection=["payments_summary"], raise_on_error=False)
    finally:
        load_source_tables(shop.database)
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [K("payments_summary")]
    evaluation = result.get_check_evaluation(AssetCheckKey(K("payments_summary"), "unique_payments_summary_payment_id"))
    assert evaluation is not None and not evaluation.passed
    assert evaluation.severity == AssetCheckSeverity.ERROR
    assert evaluation.metadata["failures"].value == 1
    assert not result.success  # a failed blocking check fails the run


def test_a_failing_model_fails_its_asset_with_dbts_message_and_file(shop: SimpleNamespace) -> None:
    load_source_tables(shop.database, bad_setting=True)
    try:
        result = run(shop, selection=["fragile"], raise_on_error=False)
    finally:
        load_source_tables(shop.database)
    assert not result.success
    [failure] = result.get_step_failure_events()
    assert "model.shop.fragile" in failure.error.message
    assert "models/fragile.sql" in failure.error.message
    assert "Conversion Error" in failure.error.message


def test_the_stream_yields_what_succeeded_before_raising_for_a_failed_model(shop: SimpleNamespace) -> None:
    from assetgraph import AssetExecutionContext

    load_source_tables(shop.database, bad_setting=True)
    keys = [K("fragile"), K("raw_customers")]
    context = AssetExecutionContext(run_id="stream", assets_def=shop.assets, selected_asset_keys=keys)
    seen = []
    try:
        with pytest.raises(DbtCliError, match="fragile"):
            for item in shop.resource.cli(["build"], context=context).stream():
                seen.append(item.asset_key)
    finally:
        load_source_tables(shop.database)
    assert seen == [K("raw_customers")]


def test_a_partitioned_incremental_model_runs_a_three_day_range_in_one_invocation(shop: SimpleNamespace) -> None:
    assetgraph = pytest.importorskip("assetgraph")
    if not hasattr(assetgraph, "DailyPartitionsDefinition"):
        pytest.skip("partitions have not landed in assetgraph yet")
    import duckdb

    daily = assetgraph.DailyPartitionsDefinition(start_date="2024-01-01")

    @dbt_assets(manifest=shop.project.manifest_path, select="tag:daily", partitions_def=daily)
    def daily_models(context: Any, dbt: DbtCliResource) -> Any:
        yield from dbt.cli(["build"], context=context).stream()

    assert [k.to_user_string() for k in daily_models.specs[0].dep_keys] == ["staging/stg_orders"]
    run(shop, selection=["staging/stg_orders", "raw_orders"])  # the upstream, from the unpartitioned definition
    result = materialize([daily_models, shop.assets, *shop.assets.source_specs], selection=["daily_orders"],
                         partition_range=("2024-01-01", "2024-01-03"), resources={"dbt": shop.resource})
    assert result.success
    con = duckdb.connect(str(shop.database))  # dbt-duckdb may still hold the file in this process
    try:
        rows = con.execute("select cast(order_date as date)::varchar, orders from main.daily_orders order by 1").fetchall()
    finally:
        con.close()
    assert rows == [("2024-01-01", 2), ("2024-01-02", 1), ("2024-01-03", 1)]  # 2024-01-04 is outside the range


def test_prepare_does_not_parse_again_until_a_project_file_changes(shop: SimpleNamespace) -> None:
    project = DbtProject(shop.project.project_dir)
    started = time.perf_counter()
    project.prepare()
    assert time.perf_counter() - started < 0.5  # hashing only, no dbt
    assert not project.is_stale()
    model = Path(project.project_dir) / "models" / "order_totals.sql"
    original = model.read_text()
    model.write_text(original + "-- changed\n")
    try:
        assert project.is_stale()
    finally:
        model.write_text(original)
    assert not project.is_stale()


def test_runs_queue_on_a_lock_keyed_by_the_duckdb_file_of_the_target(shop: SimpleNamespace) -> None:
    from assetgraph_dbt.runner import duckdb_paths

    assert [p.resolve() for p in duckdb_paths(shop.project)] == [shop.database.resolve()]
