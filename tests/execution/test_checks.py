"""Asset checks in runs: blocking checks, check-only runs against stored values, partitions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from assetgraph import (
    AssetCheckKey,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSpec,
    AssetKey,
    AssetsDefinition,
    AssetSelection,
    MaterializeResult,
    SelectionError,
    asset,
    asset_check,
)
from assetgraph.definitions.check_factories import build_last_update_freshness_checks
from assetgraph.definitions.partitions import DailyPartitionsDefinition
from assetgraph.execution.materialize import materialize
from assetgraph.storage.instance import Instance

calls: list[str] = []


@asset
def orders() -> list[int]:
    calls.append("orders")
    return [3, 1, -2]


@asset
def revenue(orders: list[int]) -> int:
    calls.append("revenue")
    return sum(orders)


@asset_check(asset=orders, blocking=True)
def no_negative_orders(orders: list[int]) -> AssetCheckResult:
    negatives = [o for o in orders if o < 0]
    return AssetCheckResult(passed=not negatives, metadata={"negatives": len(negatives)})


@asset_check(asset=orders)
def has_orders(orders: list[int]) -> AssetCheckResult:
    return AssetCheckResult(passed=len(orders) > 0, metadata={"count": len(orders)})


@asset(check_specs=[AssetCheckSpec("positive", asset="reported")])
def reported() -> MaterializeResult:
    return MaterializeResult(value=1, check_results=[AssetCheckResult(passed=True)])


ALL: list[AssetsDefinition | AssetChecksDefinition] = [orders, revenue, no_negative_orders, has_orders]


@pytest.fixture
def instance() -> Iterator[Instance]:
    calls.clear()
    with Instance.ephemeral() as inst:
        yield inst


def test_failing_blocking_check_skips_downstream_and_stores_the_evaluation(instance: Instance) -> None:
    result = materialize(ALL, instance=instance, raise_on_error=False)
    assert not result.success
    assert calls == ["orders"]
    [skip] = result.get_step_skipped_events()
    assert skip.step_key == "revenue" and "blocking check orders:no_negative_orders failed" in skip.message
    stored = instance.get_latest_check_result(no_negative_orders.check_key)
    assert stored is not None and stored.passed is False and stored.metadata["negatives"].value == 1
    assert instance.get_latest_materialization_event(AssetKey("revenue")) is None


def test_check_only_run_reads_the_stored_value_without_rematerialising(instance: Instance) -> None:
    materialize([orders, has_orders], instance=instance)
    assert calls == ["orders"]
    result = materialize(ALL, selection=AssetSelection.checks(has_orders), instance=instance)
    assert calls == ["orders"]
    assert result.get_asset_materialization_events() == []
    assert [(e.check_name, e.passed, e.metadata["count"].value) for e in result.get_asset_check_evaluations()] == [
        ("has_orders", True, 3)]
    [step] = result.plan.steps
    assert step.kind == "check" and step.asset_keys == ()


def test_check_only_evaluation_points_at_the_materialization_it_evaluated(instance: Instance) -> None:
    first = materialize([orders, has_orders], instance=instance)
    materialization_id = first.get_asset_materialization_events()[0].id
    result = materialize(ALL, selection=[has_orders], instance=instance)
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.data["target_materialization_id"] == materialization_id


def test_checks_for_assets_selects_every_check_of_the_assets_and_no_asset(instance: Instance) -> None:
    materialize([orders], instance=instance)
    result = materialize(ALL, selection=AssetSelection.checks_for_assets(orders), instance=instance,
                         raise_on_error=False)
    assert calls == ["orders"]
    assert sorted(str(e.check_name) for e in result.get_asset_check_evaluations()) == [
        "has_orders", "no_negative_orders"]


def test_selection_string_selects_checks(instance: Instance) -> None:
    materialize([orders], instance=instance)
    result = materialize(ALL, selection="check:orders:has_orders", instance=instance)
    assert [e.check_name for e in result.get_asset_check_evaluations()] == ["has_orders"]
    assert calls == ["orders"]


def test_without_checks_materialises_and_runs_no_check(instance: Instance) -> None:
    result = materialize(ALL, selection=AssetSelection.assets(orders).without_checks(), instance=instance)
    assert calls == ["orders"] and result.get_asset_check_evaluations() == []


def test_asset_selection_minus_one_check_runs_the_others(instance: Instance) -> None:
    selection = AssetSelection.assets(orders) - AssetSelection.checks(no_negative_orders)
    result = materialize(ALL, selection=selection, instance=instance)
    assert [e.check_name for e in result.get_asset_check_evaluations()] == ["has_orders"]


def test_check_reported_by_its_asset_cannot_run_alone(instance: Instance) -> None:
    with pytest.raises(SelectionError, match="reported by its asset function"):
        materialize([reported], selection=AssetSelection.checks(AssetCheckKey(AssetKey("reported"), "positive")),
                    instance=instance)


def test_check_that_raises_is_stored_as_a_failed_evaluation_with_its_traceback(instance: Instance) -> None:
    @asset_check(asset=orders)
    def crashes(orders: list[int]) -> AssetCheckResult:
        raise KeyError("amount")

    materialize([orders], instance=instance)
    result = materialize([orders, crashes], selection=[crashes], instance=instance, raise_on_error=False)
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.passed is False and evaluation.error is not None
    assert "KeyError" in (evaluation.error.cause or evaluation.error).traceback
    stored = instance.get_latest_check_result(crashes.check_key)
    assert stored is not None and stored.passed is False


daily = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-04")


@asset(partitions_def=daily)
def events(context) -> int:  # type: ignore[no-untyped-def]
    return int(context.partition_key[-1])


@asset_check(asset=events)
def odd_day(events: int) -> AssetCheckResult:
    return AssetCheckResult(passed=events % 2 == 1, metadata={"day": events})


def test_check_results_are_per_partition(instance: Instance) -> None:
    for key in ("2024-01-01", "2024-01-02"):
        materialize([events, odd_day], partition_key=key, instance=instance, raise_on_error=False)
    first = instance.get_latest_check_result(odd_day.check_key, partition="2024-01-01")
    second = instance.get_latest_check_result(odd_day.check_key, partition="2024-01-02")
    assert first is not None and (first.passed, first.partition) == (True, "2024-01-01")
    assert second is not None and (second.passed, second.partition) == (False, "2024-01-02")


def test_check_only_run_of_a_partition_loads_that_partition(instance: Instance) -> None:
    for key in ("2024-01-01", "2024-01-02", "2024-01-03"):
        materialize([events], partition_key=key, instance=instance)
    result = materialize([events, odd_day], selection=[odd_day], partition_key="2024-01-02", instance=instance,
                         raise_on_error=False)
    [evaluation] = result.get_asset_check_evaluations()
    assert (evaluation.partition, evaluation.passed, evaluation.metadata["day"].value) == ("2024-01-02", False, 2)
    assert result.get_asset_materialization_events() == []


def test_freshness_check_step_is_unpartitioned_on_a_partitioned_asset(instance: Instance) -> None:
    [freshness] = build_last_update_freshness_checks(assets=[events], lower_bound_delta=timedelta(days=1))
    result = materialize([events, freshness], partition_key="2024-01-03", instance=instance, raise_on_error=False)
    check_step = next(s for s in result.plan.steps if s.kind == "check")
    assert check_step.partitions_def is None and check_step.upstream == ("events",)
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.partition is None and evaluation.passed is True
