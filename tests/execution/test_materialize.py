"""The in-process executor end to end, against the fake event sink."""

from __future__ import annotations

import pytest

from assetgraph import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    AssetSpec,
    Backoff,
    EventType,
    MaterializeResult,
    Output,
    RetryPolicy,
    RunStatus,
    UserCodeError,
    asset,
    asset_check,
    multi_asset,
)
from assetgraph.execution.materialize import materialize, materialize_to_memory
from tests.execution.fake_instance import FakeInstance


@asset
def numbers() -> list[int]:
    return [1, 2, 3]


@asset
def total(numbers: list[int]) -> int:
    return sum(numbers)


@asset
def doubled(total: int) -> int:
    return total * 2


def test_values_flow_downstream_through_the_io_manager() -> None:
    inst = FakeInstance()
    result = materialize([numbers, total, doubled], instance=inst)  # type: ignore[arg-type]
    assert result.success
    assert result.asset_value("doubled") == 12
    assert [r.asset_key.to_user_string() for r in result.get_asset_materialization_events()] == [  # type: ignore[union-attr]
        "numbers", "total", "doubled"]
    assert inst.runs[result.run_id].status == RunStatus.SUCCESS


def test_event_sequence_of_a_one_step_run() -> None:
    inst = FakeInstance()
    result = materialize([numbers], instance=inst)  # type: ignore[arg-type]
    assert inst.types(result.run_id) == [
        "RUN_START", "ASSET_MATERIALIZATION_PLANNED", "STEP_START", "ASSET_MATERIALIZATION", "STEP_SUCCESS",
        "RUN_SUCCESS",
    ]


def test_failed_step_skips_every_downstream_step_with_the_reason() -> None:
    @asset(name="total")
    def broken(numbers: list[int]) -> int:
        raise ZeroDivisionError("boom")

    inst = FakeInstance()
    result = materialize([numbers, broken, doubled], instance=inst, raise_on_error=False)  # type: ignore[arg-type]
    assert not result.success
    failure = result.get_step_failure_events()[0]
    assert failure.error is not None and "ZeroDivisionError" in failure.error.message
    assert failure.error.cause is not None and "boom" in failure.error.cause.traceback
    skipped = result.get_step_skipped_events()
    assert [s.step_key for s in skipped] == ["doubled"]
    assert "upstream step 'total' failed" in skipped[0].message
    assert inst.runs[result.run_id].status == RunStatus.FAILURE


def test_user_error_is_raised_with_asset_key_and_run_id() -> None:
    @asset
    def explodes() -> int:
        raise ValueError("bad data")

    with pytest.raises(UserCodeError) as info:
        materialize([explodes], instance=FakeInstance())  # type: ignore[arg-type]
    assert '"explodes"' in str(info.value) and "ValueError: bad data" in str(info.value)
    assert "run:" in str(info.value)
    assert isinstance(info.value.__cause__, ValueError)


def test_retry_policy_retries_then_succeeds() -> None:
    calls = []

    @asset(retry_policy=RetryPolicy(max_retries=2, delay=0.0, backoff=Backoff.EXPONENTIAL))
    def flaky() -> int:
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError("try again")
        return 7

    inst = FakeInstance()
    result = materialize([flaky], instance=inst)  # type: ignore[arg-type]
    assert result.success and result.asset_value("flaky") == 7
    assert inst.types(result.run_id).count("STEP_UP_FOR_RETRY") == 2


def test_multi_asset_yields_one_result_per_asset() -> None:
    @multi_asset(specs=[AssetSpec("left"), AssetSpec("right")])
    def split():
        yield Output(1, output_name="left")
        yield MaterializeResult(asset_key="right", metadata={"rows": 5}, value=2)

    @asset
    def combined(left: int, right: int) -> int:
        return left + right

    result = materialize([split, combined], instance=FakeInstance())  # type: ignore[arg-type]
    assert result.asset_value("combined") == 3
    rows = next(r for r in result.get_asset_materialization_events() if r.asset_key == AssetKey("right"))
    assert rows.metadata["rows"].value == 5


def test_failing_blocking_check_skips_downstream_but_not_the_asset() -> None:
    @asset_check(asset=total, blocking=True)
    def total_is_small(total: int) -> AssetCheckResult:
        return AssetCheckResult(passed=total < 3, metadata={"total": total})

    inst = FakeInstance()
    result = materialize([numbers, total, doubled, total_is_small], instance=inst,  # type: ignore[arg-type]
                         raise_on_error=False)
    evals = result.get_asset_check_evaluations()
    assert len(evals) == 1 and evals[0].passed is False and evals[0].metadata["total"].value == 6
    skipped = result.get_step_skipped_events()
    assert [s.step_key for s in skipped] == ["doubled"]
    assert "blocking check total:total_is_small failed" in skipped[0].message
    assert {r.asset_key for r in result.get_asset_materialization_events()} == {AssetKey("numbers"), AssetKey("total")}


def test_warn_check_failure_does_not_block() -> None:
    @asset_check(asset=total, blocking=True)
    def soft(total: int) -> AssetCheckResult:
        return AssetCheckResult(passed=False, severity=AssetCheckSeverity.WARN)

    result = materialize([numbers, total, doubled, soft], instance=FakeInstance())  # type: ignore[arg-type]
    assert result.success and result.asset_value("doubled") == 12


def test_check_that_raises_is_a_failed_check_execution_not_a_crash() -> None:
    @asset_check(asset=numbers)
    def crashes(numbers: list[int]) -> AssetCheckResult:
        raise KeyError("column")

    result = materialize([numbers, total, crashes], instance=FakeInstance(),  # type: ignore[arg-type]
                         raise_on_error=False)
    evals = result.get_asset_check_evaluations()
    assert len(evals) == 1 and evals[0].passed is False and evals[0].error is not None
    assert result.asset_value("total") == 6


def test_asset_reports_its_own_check_results() -> None:
    @asset(check_specs=[AssetCheckSpec("positive")])
    def measured() -> MaterializeResult:
        return MaterializeResult(value=3, check_results=[AssetCheckResult(passed=True)])

    result = materialize([measured], instance=FakeInstance())  # type: ignore[arg-type]
    evals = result.get_asset_check_evaluations()
    assert [(e.check_name, e.passed) for e in evals] == [("positive", True)]


def test_context_log_becomes_log_message_events() -> None:
    @asset
    def chatty(context) -> int:  # type: ignore[no-untyped-def]
        context.log.info("hello %s", "world")
        return 1

    result = materialize([chatty], instance=FakeInstance())  # type: ignore[arg-type]
    logs = [r for r in result.all_events if r.event_type == EventType.LOG_MESSAGE]
    assert [r.message for r in logs] == ["hello world"]


def test_config_and_resources_are_injected() -> None:
    from assetgraph import Config, ConfigurableResource

    class Limit(Config):
        limit: int = 10

    class Greeter(ConfigurableResource):
        word: str

    @asset
    def limited(config: Limit, greeter: Greeter) -> str:
        return f"{greeter.word}:{config.limit}"

    result = materialize_to_memory([limited], resources={"greeter": Greeter(word="hi")},
                                   run_config={"ops": {"limited": {"config": {"limit": 5}}}})
    assert result.asset_value("limited") == "hi:5"


def test_external_asset_cannot_be_materialised() -> None:
    from assetgraph import SelectionError

    with pytest.raises(SelectionError, match="external"):
        materialize([AssetSpec("raw")], selection=["raw"], instance=FakeInstance())  # type: ignore[arg-type]


def test_skipped_partitions_are_no_longer_in_progress(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from assetgraph import DailyPartitionsDefinition, Instance, asset, materialize

    days = DailyPartitionsDefinition(start_date="2024-01-01")

    @asset(partitions_def=days)
    def upstream_fails() -> int:
        raise RuntimeError("no data")

    @asset(partitions_def=days)
    def downstream(upstream_fails: int) -> int:
        return upstream_fails

    inst = Instance.from_url(f"sqlite:///{tmp_path}/ag.db")
    materialize([upstream_fails, downstream], partition_key="2024-01-02", instance=inst, raise_on_error=False)
    down = inst.get_partition_status(downstream.key)
    assert len(down.in_progress) == 0 and len(down.materialized) == 0
    assert inst.get_partition_status(upstream_fails.key).failed.get_partition_keys() == ["2024-01-02"]


def test_results_yielded_before_an_exception_stay_materialised() -> None:
    @multi_asset(specs=[AssetSpec("a"), AssetSpec("b")])
    def ab():  # type: ignore[no-untyped-def]
        yield MaterializeResult(asset_key="a", metadata={"n": 1})
        raise RuntimeError("b failed")

    inst = FakeInstance()
    result = materialize([ab], instance=inst, raise_on_error=False)  # type: ignore[arg-type]
    assert [r.asset_key for r in result.get_asset_materialization_events()] == [AssetKey("a")]
    failed = [r.asset_key for r in result.all_events if r.event_type == EventType.ASSET_MATERIALIZATION_FAILED]
    assert failed == [AssetKey("b")]
    # "a" was written as soon as it was yielded, before the step ended.
    types = inst.types(result.run_id)
    assert types.index("ASSET_MATERIALIZATION") < types.index("STEP_FAILURE")


def test_skippable_asset_may_go_unreported() -> None:
    @multi_asset(specs=[AssetSpec("always"), AssetSpec("sometimes", skippable=True)])
    def maybe():  # type: ignore[no-untyped-def]
        yield MaterializeResult(asset_key="always")

    result = materialize([maybe], instance=FakeInstance())  # type: ignore[arg-type]
    assert result.success
    assert [r.asset_key for r in result.get_asset_materialization_events()] == [AssetKey("always")]
    assert [r.asset_key for r in result.all_events if r.event_type == EventType.STEP_SKIPPED] == [AssetKey("sometimes")]


def test_multi_asset_reports_checks_on_the_external_assets_it_reads() -> None:
    source = AssetSpec("raw/source")

    @multi_asset(specs=[AssetSpec("model", deps=[source])],
                 check_specs=[AssetCheckSpec("source_not_empty", asset=source.key)])
    def model_and_source_test():  # type: ignore[no-untyped-def]
        yield MaterializeResult(asset_key="model")
        yield AssetCheckResult(passed=False, asset_key=source.key, check_name="source_not_empty")

    result = materialize([source, model_and_source_test], instance=FakeInstance())  # type: ignore[arg-type]
    evals = result.get_asset_check_evaluations()
    assert [(e.asset_key, e.check_name, e.passed) for e in evals] == [
        (AssetKey(["raw", "source"]), "source_not_empty", False)]
