"""The transaction runner: transient lock errors and lost PostgreSQL connections are retried with
backoff and never reach users raw; a connection lost during COMMIT and a full disk are errors that
say so; other errors pass through untouched."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, OperationalError

from assetgraph.definitions.errors import StorageError
from assetgraph.definitions.events import EventType
from assetgraph.storage import Instance
from assetgraph.storage import engine as engine_module
from assetgraph.storage.engine import TransactionRunner, create_sql_engine, normalize_url

from .contract import ORDERS, ev


def locked() -> OperationalError:
    return OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> TransactionRunner:
    monkeypatch.setattr(engine_module.time, "sleep", lambda seconds: None)
    return TransactionRunner(create_sql_engine("sqlite://"))


def test_locked_database_is_retried_until_it_frees(runner: TransactionRunner) -> None:
    calls = []

    def work(conn: Connection) -> str:
        calls.append(1)
        if len(calls) < 3:
            raise locked()
        return "done"

    assert runner.run(work, write=True) == "done" and len(calls) == 3


def test_lock_that_never_frees_becomes_a_storage_error(runner: TransactionRunner) -> None:
    def work(conn: Connection) -> None:
        raise locked()

    with pytest.raises(StorageError, match="stayed busy after 8 attempts") as info:
        runner.run(work, write=True)
    assert "docs/errors/storage-error.md" in str(info.value)


def test_other_database_errors_are_not_retried(runner: TransactionRunner) -> None:
    calls = []

    def work(conn: Connection) -> None:
        calls.append(1)
        raise IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed"))

    with pytest.raises(IntegrityError):
        runner.run(work, write=True)
    assert len(calls) == 1


def test_writer_waits_for_another_process_holding_the_write_lock(sqlite_url: str) -> None:
    path = sqlite_url.removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, holder.execute, args=("COMMIT",))
    release.start()
    try:
        with Instance.from_url(sqlite_url) as instance:
            start = time.perf_counter()
            instance.store_events([ev(EventType.ASSET_MATERIALIZATION, ORDERS)])
            assert time.perf_counter() - start >= 0.2
            assert instance.get_latest_materialization_event(ORDERS) is not None
    finally:
        release.join()
        holder.close()


def test_postgres_urls_use_psycopg() -> None:
    assert normalize_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"


def test_unsupported_url_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="Unsupported storage URL"):
        Instance.from_url(f"mysql://localhost/{tmp_path.name}")


def test_sqlite_file_in_a_new_directory_is_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "assetgraph.db"
    with Instance.from_url(f"sqlite:///{path}") as instance:
        assert instance.get_runs() == []
    assert path.exists()


def test_unreachable_server_is_a_storage_error_naming_it() -> None:
    with pytest.raises(StorageError, match=r"Cannot open the storage at postgresql\+psycopg://u:\*\*\*@127.0.0.1:1/db"):
        Instance.from_url("postgresql://u:secret@127.0.0.1:1/db")


def _terminate(url: str, pid: int) -> None:
    """End backend ``pid`` as a server shutting down does, and wait until it is gone."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 10
        while admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone() != (0,):
            assert time.monotonic() < deadline, "the backend did not end"
            time.sleep(0.02)


@pytest.mark.postgres
def test_a_connection_lost_mid_transaction_is_retried_and_one_lost_at_commit_is_an_error(
        clean_postgres_url: str) -> None:
    engine = create_sql_engine(clean_postgres_url)
    runner = TransactionRunner(engine)
    runner.run(lambda conn: conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS lost_probe (n int)"), write=True)
    attempts: list[int] = []

    def write(conn: Connection) -> int:
        attempts.append(1)
        if len(attempts) == 1:  # the server goes away in the middle of the first attempt
            _terminate(clean_postgres_url, conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
        conn.exec_driver_sql("INSERT INTO lost_probe VALUES (1)")
        return len(attempts)

    try:
        assert runner.run(write, write=True) == 2
        assert runner.run(lambda c: c.exec_driver_sql("SELECT count(*) FROM lost_probe").scalar_one(), write=False) == 1

        def lost_at_commit(conn: Connection) -> None:
            conn.exec_driver_sql("INSERT INTO lost_probe VALUES (2)")
            _terminate(clean_postgres_url, conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())

        with pytest.raises(StorageError, match=r"lost while a write was being committed.*whether it was stored is unknown"):
            runner.run(lost_at_commit, write=True)
    finally:
        runner.run(lambda conn: conn.exec_driver_sql("DROP TABLE lost_probe"), write=True)
        engine.dispose()


def test_a_full_disk_is_a_storage_error_that_names_it(runner: TransactionRunner) -> None:
    def write(conn: Connection) -> None:
        raise OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full"))

    with pytest.raises(StorageError, match=r"the disk is full .*free some space"):
        runner.run(write, write=True)


def test_a_server_that_cannot_be_reached_is_tried_again_for_wait_seconds() -> None:
    started = time.monotonic()
    with pytest.raises(StorageError, match="Cannot open the storage"):
        Instance.from_url("postgresql://u@127.0.0.1:1/db", wait_seconds=1.0)  # what run workers do
    assert time.monotonic() - started >= 0.5  # (at once without the wait)
