"""`Instance` itself: how it is opened, where it keeps files, how it travels between processes."""

from __future__ import annotations

import pickle
from pathlib import Path

from assetgraph.storage import Instance


def test_pickled_instance_keeps_its_home_and_storage_dir(tmp_path: Path) -> None:
    # As Instance.get() builds it when assetgraph.yaml or ASSETGRAPH_STORAGE_URL puts the
    # database outside $ASSETGRAPH_HOME: IO managers in worker processes must use the same files.
    home = tmp_path / "home"
    instance = Instance(f"sqlite:///{tmp_path / 'db' / 'assetgraph.db'}", home=home)
    with instance, pickle.loads(pickle.dumps(instance)) as copy:
        assert copy.url == instance.url
        assert copy.storage_dir == instance.storage_dir == home / "storage"
