"""Sensors: cursors, results, dynamic partition requests and validation. Pure."""

from __future__ import annotations

import pytest

from assetgraph import DefinitionError, DynamicPartitionsDefinition, define_asset_job
from assetgraph.definitions.schedules import RunRequest, SkipReason
from assetgraph.definitions.sensors import (
    AddDynamicPartitionsRequest,
    DefaultSensorStatus,
    DeleteDynamicPartitionsRequest,
    SensorResult,
    build_sensor_context,
    dynamic_partitions_request_from_dict,
    sensor,
)


def test_update_cursor_is_the_next_cursor() -> None:
    @sensor(target="*", minimum_interval_seconds=5)
    def counter(context):  # type: ignore[no-untyped-def]
        n = int(context.cursor or 0) + 1
        context.update_cursor(str(n))
        return RunRequest(run_key=str(n))

    evaluation = counter.evaluate_tick(build_sensor_context(cursor="41"))
    assert evaluation.cursor == "42"
    assert [r.run_key for r in evaluation.run_requests] == ["42"]
    assert counter.minimum_interval_seconds == 5
    assert counter.default_status == DefaultSensorStatus.STOPPED


def test_sensor_result_carries_cursor_and_dynamic_partition_requests() -> None:
    files = DynamicPartitionsDefinition(name="files")

    @sensor(job=define_asset_job("ingest", selection="*"))
    def new_files(context):  # type: ignore[no-untyped-def]
        return SensorResult(run_requests=[RunRequest(partition_key="a.csv", run_key="a.csv")], cursor="a.csv",
                            dynamic_partitions_requests=[AddDynamicPartitionsRequest(files, ["a.csv"]),
                                                         DeleteDynamicPartitionsRequest("files", ["old.csv"])])

    evaluation = new_files.evaluate_tick(build_sensor_context())
    assert evaluation.cursor == "a.csv"
    assert [d.to_dict() for d in evaluation.dynamic_partitions_requests] == [
        {"kind": "add", "name": "files", "keys": ["a.csv"]}, {"kind": "delete", "name": "files", "keys": ["old.csv"]}]
    assert dynamic_partitions_request_from_dict(evaluation.dynamic_partitions_requests[0].to_dict()) == \
        AddDynamicPartitionsRequest("files", ["a.csv"])
    assert new_files.job_name == "ingest"


def test_a_sensor_that_skips_keeps_its_cursor() -> None:
    @sensor(target="*")
    def quiet(context):  # type: ignore[no-untyped-def]
        return SkipReason("nothing new")

    evaluation = quiet.evaluate_tick(build_sensor_context(cursor="7"))
    assert (evaluation.run_requests, evaluation.skip_message, evaluation.cursor) == ((), "nothing new", "7")


def test_a_request_without_target_or_selection_is_an_error() -> None:
    @sensor()
    def aimless(context):  # type: ignore[no-untyped-def]
        yield RunRequest()

    with pytest.raises(DefinitionError, match="no job= or target="):
        aimless.evaluate_tick(build_sensor_context())


def test_a_request_naming_assets_needs_no_target() -> None:
    @sensor()
    def pointed(context):  # type: ignore[no-untyped-def]
        yield RunRequest(asset_selection=["raw/orders"])

    [request] = pointed.evaluate_tick(build_sensor_context()).run_requests
    assert [k.to_user_string() for k in request.asset_selection or ()] == ["raw/orders"]


def test_sensor_functions_stay_callable_for_unit_tests() -> None:
    @sensor(target="*")
    def s(context):  # type: ignore[no-untyped-def]
        return RunRequest(run_key=context.cursor)

    assert s(build_sensor_context(cursor="c")).run_key == "c"


def test_job_and_target_together_is_an_error() -> None:
    with pytest.raises(DefinitionError, match="not both"):
        sensor(job=define_asset_job("j", "*"), target="*")(lambda context: None)
