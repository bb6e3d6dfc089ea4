"""Bringing a database's schema up to date with the Alembic migration chain.

Opening an instance reads `alembic_version` first; Alembic (slow to import) is loaded only
when the database is new or behind. Must not import anything above `storage`.
"""

from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from assetgraph.definitions.errors import StorageError
from assetgraph.storage.schema import HEAD_REVISION

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Serializes concurrent first openings of one PostgreSQL database.
_PG_MIGRATION_LOCK_ID = 0x61737367  # "assg"


def current_revision(conn: Connection) -> str | None:
    """The revision the database is at, or None for a database without our schema."""
    if conn.dialect.name == "sqlite":
        found = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).first()
    else:
        found = conn.exec_driver_sql("SELECT to_regclass('alembic_version')").scalar()
    if not found:
        return None
    return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def ensure_schema(engine: Engine, *, allow_upgrade: bool) -> None:
    """Create or upgrade the schema unless it is already at `HEAD_REVISION`.

    Raises `StorageError` when the database was written by a newer assetgraph, or when it is
    behind and ``allow_upgrade`` is false (run `assetgraph migrate`).
    """
    with engine.connect() as conn:
        revision = current_revision(conn)
        conn.rollback()
    if revision == HEAD_REVISION:
        return
    _check_known(revision)
    if revision is not None and not allow_upgrade:
        raise StorageError(
            f"The storage schema is at revision {revision}; this assetgraph needs {HEAD_REVISION}. "
            "Run `assetgraph migrate` to upgrade it."
        )
    upgrade(engine)


def upgrade(engine: Engine) -> None:
    """Run every pending migration in one transaction, holding the database's write lock."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn = conn.execution_options(assetgraph_write=True)
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_MIGRATION_LOCK_ID})
            revision = current_revision(conn)  # another process may have migrated meanwhile
            if revision == HEAD_REVISION:
                return
            _check_known(revision)
            log.info("Migrating storage schema from %s to %s", revision or "empty", HEAD_REVISION)
            _run_alembic(conn)


def _check_known(revision: str | None) -> None:
    if revision is None or revision in _known_revisions():
        return
    raise StorageError(
        f"The storage schema is at revision {revision!r}, which this assetgraph does not know: "
        "it was written by a newer version. Upgrade assetgraph, or point it at another storage."
    )


def _known_revisions() -> set[str]:
    return {p.stem.split("_", 1)[0] for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*.py")}


def _run_alembic(conn: Connection) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    command.upgrade(config, "head")


def script_head() -> str | None:
    """The head revision according to the migration scripts (for tests and `assetgraph migrate`)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()
