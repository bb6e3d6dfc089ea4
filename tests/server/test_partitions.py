"""Dynamic partitions through GraphQL."""

from __future__ import annotations

from tests.server.conftest import LiveServer

ADD = 'mutation($k: [String!]!) { addDynamicPartitions(partitionsDefName: "files", partitionKeys: $k) { partitionKeys } }'


def test_add_and_delete_dynamic_partitions(live: LiveServer) -> None:
    assert live.data(ADD, {"k": ["a.csv", "b.csv"]}, mutation=True)["addDynamicPartitions"]["partitionKeys"] == [
        "a.csv", "b.csv"]
    node = live.data('{ assetNode(key: ["file_rows"]) { partitionKeys { keys total } partitionStats { total } } }')
    assert node["assetNode"] == {"partitionKeys": {"keys": ["a.csv", "b.csv"], "total": 2},
                                 "partitionStats": {"total": 2}}
    deleted = live.data('mutation { deleteDynamicPartition(partitionsDefName: "files", partitionKey: "a.csv") '
                        '{ partitionKeys } }', mutation=True)
    assert deleted["deleteDynamicPartition"]["partitionKeys"] == ["b.csv"]
    assert live.data('{ dynamicPartitions(name: "files") { partitionKeys } }') == {
        "dynamicPartitions": {"partitionKeys": ["b.csv"]}}


def test_dynamic_partition_errors(live: LiveServer) -> None:
    assert "did you mean: files" in live.error(
        'mutation { addDynamicPartitions(partitionsDefName: "file", partitionKeys: ["x"]) { name } }', mutation=True)
    assert "non-empty" in live.error(ADD, {"k": [""]}, mutation=True)
    assert "has no key" in live.error(
        'mutation { deleteDynamicPartition(partitionsDefName: "files", partitionKey: "zzz") { name } }', mutation=True)
