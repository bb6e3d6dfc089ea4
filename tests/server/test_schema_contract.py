"""The GraphQL schema is a contract: the checked-in SDL matches the code, and the names API.md
promises are there, spelled exactly."""

from __future__ import annotations

from pathlib import Path

from assetgraph.definitions.events import EventType, RunStatus
from assetgraph.server.export_schema import main as export_main
from assetgraph.server.schema import build_schema, print_schema

CHECKED_IN = Path(__file__).parents[2] / "ui" / "src" / "graphql" / "schema.graphql"


def test_checked_in_schema_matches_the_code() -> None:
    assert CHECKED_IN.read_text(encoding="utf-8") == print_schema(), (
        "The GraphQL schema changed: run `python -m assetgraph.server.export_schema` and commit "
        "ui/src/graphql/schema.graphql (the UI builds on it; the diff is what reviewers read).")


def test_export_script_writes_the_schema(tmp_path: Path) -> None:
    target = tmp_path / "schema.graphql"
    assert export_main([str(target)]) == 0
    assert target.read_text(encoding="utf-8") == print_schema()


def _type(name: str) -> dict[str, object]:
    schema = build_schema()
    result = schema.execute_sync('query($n: String!) { __type(name: $n) { name kind enumValues { name } '
                                 'fields { name args { name } } inputFields { name } } }', variable_values={"n": name})
    assert result.errors is None, result.errors
    assert result.data is not None and result.data["__type"] is not None, name
    found: dict[str, object] = result.data["__type"]
    return found


def _fields(name: str) -> dict[str, set[str]]:
    return {f["name"]: {a["name"] for a in f["args"]} for f in _type(name)["fields"]}  # type: ignore[union-attr, index]


def test_run_status_and_event_type_names_are_the_storage_names() -> None:
    assert [v["name"] for v in _type("RunStatus")["enumValues"]] == [s.value for s in RunStatus]  # type: ignore[union-attr, index]
    assert [v["name"] for v in _type("EventType")["enumValues"]] == [t.value for t in EventType]  # type: ignore[union-attr, index]
    assert [v["name"] for v in _type("BackfillStatus")["enumValues"]] == [  # type: ignore[union-attr, index]
        "REQUESTED", "IN_PROGRESS", "COMPLETED", "FAILED", "CANCELING", "CANCELED"]


def test_api_md_queries_and_mutations_exist_with_their_arguments() -> None:
    query = _fields("Query")
    assert query["assetNodes"] == {"selection"}
    assert query["assetNode"] == {"key"}
    assert {"first", "after", "status"} <= query["runs"]
    assert query["run"] == {"id"}
    assert {"runId", "after"} <= query["runEvents"]
    for name in ("backfills", "backfill", "schedules", "sensors", "codeLocations"):
        assert name in query
    mutation = _fields("Mutation")
    assert {"selection", "partitionKey"} <= mutation["launchRun"]
    assert {"selection", "partitionRange", "partitionKeys"} <= mutation["launchBackfill"]
    assert {"runId", "fromFailure"} <= mutation["reexecuteRun"]
    assert mutation["reloadCodeLocation"] == {"name"}
    for name in ("cancelRun", "reportAssetMaterialization", "startSchedule", "stopSchedule", "startSensor",
                 "stopSensor", "cancelBackfill", "resumeBackfill", "addDynamicPartitions", "deleteDynamicPartition",
                 "wipeAssets"):
        assert name in mutation


def test_api_md_object_fields_exist() -> None:
    node = _fields("AssetNode")
    for name in ("key", "groupName", "description", "kinds", "owners", "tags", "upstream", "downstream",
                 "partitionsDefinition", "partitionKeys", "partitionStats", "partitionStatusRanges",
                 "latestMaterialization", "materializations", "checks", "metadata", "codeVersion", "isExecutable",
                 "isExternal", "jobNames", "location"):
        assert name in node, name
    assert set(_fields("AssetKey")) >= {"path"}
    assert set(_fields("PartitionStats")) >= {"total", "materialized", "failed", "inProgress"}
    assert set(_fields("AssetCheck")) >= {"name", "blocking", "latestExecution"}
    assert set(_fields("AssetCheckExecution")) >= {"passed", "severity"}
    assert set(_fields("Run")) >= {"id", "status", "startTime", "endTime", "events"}
    assert set(_fields("RunConnection")) == {"nodes", "pageInfo"}
    assert set(_fields("PageInfo")) == {"endCursor", "hasNextPage"}
    assert set(_fields("CodeLocation")) >= {"name", "status", "error"}
    assert set(_fields("Backfill")) >= {"id", "status"}
    assert {f["name"] for f in _type("PartitionRangeInput")["inputFields"]} == {"start", "end"}  # type: ignore[union-attr, index]
