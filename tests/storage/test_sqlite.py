"""The storage contract on SQLite (file and in-memory), plus what only SQLite has: the embedded
default location, WAL, cheap reopening and the write-latency budget."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from assetgraph.definitions.errors import StorageError
from assetgraph.definitions.events import EventType
from assetgraph.storage import Instance

from . import workers
from .contract import ORDERS, StorageContract, ev

REPO = Path(__file__).resolve().parents[2]


class TestSqliteStorage(StorageContract):
    supports_processes = True
    writer_processes = 4

    @pytest.fixture
    def url(self, sqlite_url: str) -> str:
        return sqlite_url


class TestEphemeralStorage(StorageContract):
    supports_processes = False

    @pytest.fixture
    def url(self) -> str:
        return "sqlite://"

    def test_threads_share_the_one_connection_safely(self, instance: Instance) -> None:
        def write(n: int) -> None:
            for i in range(50):
                instance.store_events(workers.step_batch(f"t{n}", f"s{i}", f"t{n}-{i}"))

        threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(instance.get_event_records()) == 4 * 50 * workers.EVENTS_PER_BATCH
        assert len(instance.get_materialized_partitions(workers.PER_WORKER)) == 200


def run_python(code: str, **env: str) -> str:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, capture_output=True,
                            text=True, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), **env})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_importing_storage_does_not_import_sqlalchemy() -> None:
    assert run_python("""
        import sys
        import assetgraph.storage, assetgraph.storage.instance
        print(sorted(m for m in ("sqlalchemy", "alembic", "psycopg") if m in sys.modules))
    """) == "[]"


def test_opening_a_current_database_skips_alembic(sqlite_url: str) -> None:
    out = run_python(f"""
        import sys, time
        from assetgraph.storage import Instance
        import assetgraph.storage.event_log, assetgraph.storage.migrate  # time the opening, not imports
        start = time.perf_counter()
        Instance.from_url({sqlite_url!r}).dispose()
        print("alembic" in sys.modules, time.perf_counter() - start)
    """)
    loaded, seconds = out.split()
    assert loaded == "False"
    assert float(seconds) < 0.3  # typically 2-3 ms


def test_instance_get_uses_home_and_creates_sqlite_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    out = run_python("""
        from assetgraph.storage import Instance
        with Instance.get() as instance:
            print(instance.url)
            print(instance.storage_dir)
    """, ASSETGRAPH_HOME=str(home))
    url, storage_dir = out.splitlines()
    assert url == f"sqlite:///{home / 'assetgraph.db'}" and (home / "assetgraph.db").exists()
    assert storage_dir == str(home / "storage")


def test_instance_get_reads_yaml_then_environment(tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.db"
    (tmp_path / "assetgraph.yaml").write_text(f"storage:\n  url: sqlite:///{other}\n")
    code = "from assetgraph.storage import Instance\nwith Instance.get() as i: print(i.url)"
    assert run_python(code, ASSETGRAPH_HOME=str(tmp_path)) == f"sqlite:///{other}"
    env_db = tmp_path / "env.db"
    assert run_python(code, ASSETGRAPH_HOME=str(tmp_path),
                      ASSETGRAPH_STORAGE_URL=f"sqlite:///{env_db}") == f"sqlite:///{env_db}"


def test_file_instance_pickles_by_url_and_ephemeral_refuses(sqlite_url: str) -> None:
    with Instance.from_url(sqlite_url) as instance:
        instance.store_events([ev(EventType.ASSET_MATERIALIZATION, ORDERS)])
        with pickle.loads(pickle.dumps(instance)) as copy:
            assert copy.get_latest_materialization_event(ORDERS) is not None
    with Instance.ephemeral() as ephemeral, pytest.raises(StorageError, match="cannot be sent"):
        pickle.dumps(ephemeral)


def test_ephemeral_storage_dir_is_removed_on_dispose() -> None:
    instance = Instance.ephemeral()
    storage_dir = instance.storage_dir
    storage_dir.mkdir(parents=True)
    instance.dispose()
    assert not storage_dir.parent.exists()


def test_database_from_a_newer_version_is_refused(sqlite_url: str) -> None:
    with Instance.from_url(sqlite_url) as instance, instance._engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StorageError, match="newer version"):
        Instance.from_url(sqlite_url)


def test_wal_mode_is_on(sqlite_url: str) -> None:
    with Instance.from_url(sqlite_url) as instance, instance._engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
