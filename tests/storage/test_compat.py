"""Databases written by earlier revisions open, migrate and keep their state (see compat/README.md)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assetgraph.definitions.events import RunStatus
from assetgraph.definitions.keys import AssetCheckKey, AssetKey
from assetgraph.storage import Instance
from assetgraph.storage.migrate import current_revision
from assetgraph.storage.schema import HEAD_REVISION

COMPAT = Path(__file__).parent / "compat"


@pytest.mark.parametrize("dump", sorted(COMPAT.glob("sqlite_*.sql")), ids=lambda p: p.stem)
def test_old_database_migrates_and_keeps_its_state(dump: Path, tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(dump.read_text(encoding="utf-8"))
    conn.close()
    with Instance.from_url(f"sqlite:///{path}") as instance:
        with instance._engine.connect() as conn:
            assert current_revision(conn) == HEAD_REVISION
        run = instance.get_run("run-1")
        assert run is not None and run.status == RunStatus.SUCCESS and run.tags == {"team": "core"}
        assert [r.run_id for r in instance.get_runs(tags={"team": "core"})] == ["run-1"]
        orders, regions = AssetKey(["raw", "orders"]), AssetKey("regions")
        assert instance.get_partition_status(orders).is_materialized()
        status = instance.get_partition_status(regions)
        assert (status.materialized.get_partition_keys(), status.failed.get_partition_keys(),
                status.in_progress.get_partition_keys(), status.total) == (["us"], ["eu"], ["apac"], 3)
        result = instance.get_latest_check_result(AssetCheckKey(orders, "not_empty"))
        assert result is not None and result.passed
        assert len(instance.get_event_records(run_id="run-1")) == 5
        assert instance.get_dynamic_partitions("files") == ["a.csv"]
        assert instance.get_cursor("sensor:s") == "42"
