"""Asset queries and mutations through HTTP: lineage, selection, partitions, materializations, checks."""

from __future__ import annotations

import time

import pytest

from assetgraph.definitions.events import Event, EventType
from assetgraph.definitions.keys import AssetKey
from assetgraph.execution.materialize import execute_definitions
from tests.server import project
from tests.server.conftest import LiveServer

NODE_FIELDS = """key { path } groupName description kinds owners tags { key value } metadata { label type value }
codeVersion isExecutable isExternal isPartitioned jobNames location"""


@pytest.fixture(scope="module")
def materialized(live: LiveServer) -> LiveServer:
    """orders and revenue materialised once; three daily partitions materialised, one failed."""
    execute_definitions(project.defs, selection="key:orders or key:revenue", instance=live.instance,
                        raise_on_error=False)
    for day in ("2024-01-01", "2024-01-02", "2024-01-03"):
        execute_definitions(project.defs, selection="daily_events", partition_key=day, instance=live.instance)
    live.instance.store_events([Event(event_type=EventType.ASSET_MATERIALIZATION_FAILED, run_id=None,
                                      timestamp=time.time(), asset_key=AssetKey("daily_events"),
                                      partition="2024-01-10")])
    return live


def test_asset_nodes_list_every_asset_with_its_attributes(live: LiveServer) -> None:
    nodes = {tuple(n["key"]["path"]): n for n in live.data(f"{{ assetNodes {{ {NODE_FIELDS} }} }}")["assetNodes"]}
    assert set(nodes) == {("raw", "orders"), ("orders",), ("revenue",), ("daily_events",), ("regional_sales",),
                          ("file_rows",), ("boom",), ("after_boom",), ("steady",)}
    orders = nodes[("orders",)]
    assert orders["groupName"] == "shop"
    assert orders["description"] == "Cleaned orders."
    assert orders["kinds"] == ["python", "duckdb"]
    assert orders["owners"] == ["data@example.com"]
    assert orders["tags"] == [{"key": "team", "value": "core"}]
    assert orders["metadata"] == [{"label": "rows", "type": "int", "value": 10}]
    assert orders["codeVersion"] == "v1"
    assert orders["jobNames"] == ["shop_job"]
    assert orders["location"] == "project"
    assert (orders["isExecutable"], orders["isExternal"], orders["isPartitioned"]) == (True, False, False)
    assert (nodes[("raw", "orders")]["isExecutable"], nodes[("raw", "orders")]["isExternal"]) == (False, True)


def test_upstream_and_downstream_are_closures_and_depth_limits_them(live: LiveServer) -> None:
    data = live.data('{ assetNode(key: ["revenue"]) { upstream { key { path } } parents { key { path } } '
                     'near: upstream(depth: 1) { key { path } } } '
                     'raw: assetNode(key: ["raw", "orders"]) { downstream { key { path } } children { key { path } } } }')
    assert [n["key"]["path"] for n in data["assetNode"]["upstream"]] == [["orders"], ["raw", "orders"]]
    assert [n["key"]["path"] for n in data["assetNode"]["parents"]] == [["orders"]]
    assert [n["key"]["path"] for n in data["assetNode"]["near"]] == [["orders"]]
    assert [n["key"]["path"] for n in data["raw"]["downstream"]] == [["orders"], ["revenue"]]
    assert [n["key"]["path"] for n in data["raw"]["children"]] == [["orders"]]


def test_asset_nodes_take_the_selection_syntax(live: LiveServer) -> None:
    data = live.data('{ assetNodes(selection: "+key:revenue and not kind:python") { key { path } } }')
    assert [n["key"]["path"] for n in data["assetNodes"]] == [["raw", "orders"], ["revenue"]]


def test_invalid_selection_is_a_graphql_error_with_the_position(live: LiveServer) -> None:
    message = live.error('{ assetNodes(selection: "group:shop and (") { key { path } } }')
    assert "group:shop and (" in message
    assert "^" in message


def test_unknown_asset_key_gives_null(live: LiveServer) -> None:
    assert live.data('{ assetNode(key: ["nope"]) { key { path } } }') == {"assetNode": None}


def test_empty_asset_key_is_an_error(live: LiveServer) -> None:
    assert "at least one component" in live.error('{ assetNode(key: []) { key { path } } }')


def test_partitions_definition_and_key_pages(live: LiveServer) -> None:
    query = """query($after: String) { assetNode(key: ["daily_events"]) {
        partitionsDefinition { type start end timezone fmt }
        partitionKeys(first: 20, after: $after) { keys total pageInfo { endCursor hasNextPage } } } }"""
    first = live.data(query)["assetNode"]
    assert first["partitionsDefinition"]["type"] == "TIME_WINDOW"
    page = first["partitionKeys"]
    assert page["total"] == 31 and page["keys"][:2] == ["2024-01-01", "2024-01-02"] and len(page["keys"]) == 20
    assert page["pageInfo"] == {"endCursor": "2024-01-20", "hasNextPage": True}
    rest = live.data(query, {"after": page["pageInfo"]["endCursor"]})["assetNode"]["partitionKeys"]
    assert rest["keys"][0] == "2024-01-21" and len(rest["keys"]) == 11 and not rest["pageInfo"]["hasNextPage"]


def test_partition_key_page_after_an_unknown_key_is_an_error(live: LiveServer) -> None:
    message = live.error('{ assetNode(key: ["regional_sales"]) { partitionKeys(after: "mars") { keys } } }')
    assert "mars" in message


def test_partition_stats_and_status_ranges(materialized: LiveServer) -> None:
    node = materialized.data("""{ assetNode(key: ["daily_events"]) {
        partitionStats { total materialized failed inProgress missing }
        partitionStatusRanges { start end status count } } }""")["assetNode"]
    assert node["partitionStats"] == {"total": 31, "materialized": 3, "failed": 1, "inProgress": 0, "missing": 27}
    assert node["partitionStatusRanges"] == [
        {"start": "2024-01-01", "end": "2024-01-03", "status": "MATERIALIZED", "count": 3},
        {"start": "2024-01-04", "end": "2024-01-09", "status": "MISSING", "count": 6},
        {"start": "2024-01-10", "end": "2024-01-10", "status": "FAILED", "count": 1},
        {"start": "2024-01-11", "end": "2024-01-31", "status": "MISSING", "count": 21},
    ]


def test_status_of_partitioned_asset_never_run_uses_the_snapshot_definition(live: LiveServer) -> None:
    node = live.data("""{ assetNode(key: ["regional_sales"]) { partitionStats { total missing }
        partitionStatusRanges { start end status count } } }""")["assetNode"]
    assert node["partitionStats"] == {"total": 3, "missing": 3}
    assert node["partitionStatusRanges"] == [{"start": "us", "end": "apac", "status": "MISSING", "count": 3}]


def test_unpartitioned_asset_has_no_ranges_and_one_partition(materialized: LiveServer) -> None:
    node = materialized.data('{ assetNode(key: ["orders"]) { partitionStats { total materialized } '
                             'partitionStatusRanges { status } partitionKeys { keys } } }')["assetNode"]
    assert node == {"partitionStats": {"total": 1, "materialized": 1}, "partitionStatusRanges": [],
                    "partitionKeys": {"keys": []}}


def test_latest_materialization_and_history_carry_metadata(materialized: LiveServer) -> None:
    node = materialized.data("""{ assetNode(key: ["orders"]) {
        latestMaterialization { id runId metadata { label value } }
        materializations(first: 5) { id timestamp } } }""")["assetNode"]
    assert {"label": "row_count", "value": 3} in node["latestMaterialization"]["metadata"]
    assert node["latestMaterialization"]["runId"]
    assert node["materializations"][0]["id"] == node["latestMaterialization"]["id"]


def test_checks_with_latest_execution_and_history(materialized: LiveServer) -> None:
    node = materialized.data("""{ orders: assetNode(key: ["orders"]) { checks { name blocking
            latestExecution { passed severity } } }
        revenue: assetNode(key: ["revenue"]) { checks { name blocking latestExecution { passed severity }
            executions(first: 5) { passed metadata { label value } } } } }""")
    assert node["orders"]["checks"] == [{"name": "has_rows", "blocking": False,
                                         "latestExecution": {"passed": True, "severity": "ERROR"}}]
    revenue_check = node["revenue"]["checks"][0]
    assert revenue_check["name"] == "revenue_positive" and revenue_check["blocking"] is True
    assert revenue_check["latestExecution"]["passed"] is False
    assert revenue_check["executions"][0]["metadata"] == [{"label": "min", "value": -1}]


def test_check_never_run_has_no_latest_execution(live: LiveServer) -> None:
    # a fresh server module may have run checks already; a check with no executions answers null
    data = live.data('{ assetNode(key: ["orders"]) { checks { name executions(first: 1) { passed } } } }')
    assert data["assetNode"]["checks"][0]["name"] == "has_rows"


def test_report_asset_materialization_for_an_external_asset(live: LiveServer) -> None:
    data = live.data("""mutation { reportAssetMaterialization(assetKey: ["raw", "orders"],
        metadata: {rows: 42}, description: "nightly export") { id assetKey { path } metadata { label value } } }""",
                     mutation=True)["reportAssetMaterialization"]
    assert data["assetKey"]["path"] == ["raw", "orders"]
    assert data["metadata"] == [{"label": "rows", "value": 42}]
    latest = live.instance.get_latest_materialization_event(AssetKey(["raw", "orders"]))
    assert latest is not None and str(latest.id) == data["id"]


def test_report_materialization_validates_the_partition(live: LiveServer) -> None:
    message = live.error('mutation { reportAssetMaterialization(assetKey: ["daily_events"], partition: "2024-13-01") '
                         '{ id } }', mutation=True)
    assert "2024-13-01" in message
    assert "give the partition" in live.error(
        'mutation { reportAssetMaterialization(assetKey: ["daily_events"]) { id } }', mutation=True)


def test_report_materialization_of_unknown_asset_suggests_close_keys(live: LiveServer) -> None:
    message = live.error('mutation { reportAssetMaterialization(assetKey: ["order"]) { id } }', mutation=True)
    assert "did you mean: orders" in message


def test_wipe_assets_clears_status(live: LiveServer) -> None:
    execute_definitions(project.defs, selection="steady", instance=live.instance)
    assert live.instance.get_latest_materialization_event(AssetKey("steady")) is not None
    data = live.data('mutation { wipeAssets(assetKeys: [["steady"]]) { path } }', mutation=True)
    assert data == {"wipeAssets": [{"path": ["steady"]}]}
    node = live.data('{ assetNode(key: ["steady"]) { latestMaterialization { id } partitionStats { materialized } } }')
    assert node["assetNode"] == {"latestMaterialization": None, "partitionStats": {"materialized": 0}}


def test_list_reads_agree_with_single_node_reads(materialized: LiveServer) -> None:
    fields = "key { path } latestMaterialization { id } partitionStats { total materialized failed }"
    listed = materialized.data(f'{{ assetNodes(selection: "key:revenue or daily_events") {{ {fields} '
                               f'upstream {{ {fields} }} }} }}')["assetNodes"]
    listed.sort(key=lambda n: n["key"]["path"])
    assert [n["key"]["path"] for n in listed] == [["daily_events"], ["revenue"]]
    for node in [*listed, *listed[1]["upstream"]]:
        single = materialized.data("query($k: [String!]!) { assetNode(key: $k) { " + fields + " } }",
                                   {"k": node["key"]["path"]})["assetNode"]
        assert {k: v for k, v in node.items() if k != "upstream"} == single
    assert listed[1]["latestMaterialization"] is not None


def test_compact_lineage_matches_asset_nodes(materialized: LiveServer) -> None:
    data = materialized.data('{ lineage(selection: "+key:revenue") { keys groups locations executable edges '
                             'latestMaterializationTimestamps } }')["lineage"]
    assert data["keys"] == ["raw/orders", "orders", "revenue"]
    assert data["groups"] == ["raw", "shop", "shop"]
    assert data["locations"] == ["project"] * 3
    assert data["executable"] == [0, 1, 1]
    assert data["edges"] == [0, 1, 1, 2]
    stamps = data["latestMaterializationTimestamps"]
    assert stamps[2] == materialized.data('{ assetNode(key: ["revenue"]) { latestMaterialization { timestamp } } }'
                                          )["assetNode"]["latestMaterialization"]["timestamp"]
    assert "position" in materialized.error('{ lineage(selection: "key:(") { keys } }') or "^" in materialized.error(
        '{ lineage(selection: "key:(") { keys } }')
