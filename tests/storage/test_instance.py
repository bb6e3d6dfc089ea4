"""`Instance` itself: how it is opened, where it keeps files, how it travels between processes."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from assetgraph.definitions.keys import AssetKey
from assetgraph.definitions.partitions.dynamic import DynamicPartitionsDefinition
from assetgraph.storage import Instance


def test_pickled_instance_keeps_its_home_and_storage_dir(tmp_path: Path) -> None:
    # As Instance.get() builds it when assetgraph.yaml or ASSETGRAPH_STORAGE_URL puts the
    # database outside $ASSETGRAPH_HOME: IO managers in worker processes must use the same files.
    home = tmp_path / "home"
    instance = Instance(f"sqlite:///{tmp_path / 'db' / 'assetgraph.db'}", home=home)
    with instance, pickle.loads(pickle.dumps(instance)) as copy:
        assert copy.url == instance.url
        assert copy.storage_dir == instance.storage_dir == home / "storage"


def test_status_snapshot_reads_a_shared_dynamic_definition_once(monkeypatch: pytest.MonkeyPatch) -> None:
    files = DynamicPartitionsDefinition("files")
    keys = [AssetKey(f"asset_{n}") for n in range(20)]
    with Instance.ephemeral() as instance:
        instance.add_dynamic_partitions("files", ["a.csv", "b.csv"])
        instance.register_assets(dict.fromkeys(keys, files))
        reads: list[str] = []
        read = instance._dynamic.get_dynamic_partitions
        monkeypatch.setattr(instance._dynamic, "get_dynamic_partitions", lambda name: reads.append(name) or read(name))
        snapshot = instance.get_partition_status_snapshot(keys)
        assert all(status.total == 2 for status in snapshot.values())
        assert reads == ["files"]
