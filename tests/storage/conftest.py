"""Fixtures for the storage contract suite: a migrated SQLite template file and a throwaway
PostgreSQL database per test session."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_HOST = os.environ.get("ASSETGRAPH_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("ASSETGRAPH_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("ASSETGRAPH_TEST_PG_USER", "postgres")
PG_ADMIN_DB = os.environ.get("ASSETGRAPH_TEST_PG_DB", "test")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file at the head revision; tests copy it instead of migrating each time."""
    from assetgraph.storage import Instance

    path = tmp_path_factory.mktemp("template") / "assetgraph.db"
    Instance.from_url(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "assetgraph.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


def _admin_connection():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=PG_ADMIN_DB, autocommit=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, uniquely named database for this session, dropped at the end."""
    try:
        admin = _admin_connection()
    except Exception as exc:  # the server is part of the test environment
        pytest.fail(f"PostgreSQL at {PG_HOST}:{PG_PORT} is not reachable: {exc}")
    name = f"assetgraph_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with _admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def clean_postgres_url(postgres_url: str) -> str:
    """The session database, migrated and with every table emptied."""
    from assetgraph.storage import Instance

    with Instance.from_url(postgres_url) as instance:
        names = [t for t in _table_names() if t != "alembic_version"]
        with instance._engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {', '.join(names)} RESTART IDENTITY")
    return postgres_url


def _table_names() -> list[str]:
    from assetgraph.storage.schema import metadata

    return list(metadata.tables)
