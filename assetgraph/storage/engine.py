"""Engines for the supported URLs and the transaction runner with its retry policy.

SQLite runs in WAL mode with a busy timeout; writers take the lock up front (`BEGIN IMMEDIATE`)
and a bounded retry with backoff keeps "database is locked" from reaching users. PostgreSQL goes
through psycopg 3; a lost connection (the server restarting, a failover) is retried for up to
`CONNECTION_RETRY_SECONDS`, except when it was lost during COMMIT of a write, whose outcome is
unknown: that is a `StorageError` saying so. A full disk under SQLite is a `StorageError` naming it.
Imports SQLAlchemy; must not import anything above `storage`.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
import weakref
from collections.abc import Callable
from contextlib import nullcontext, suppress
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import StaticPool

from assetgraph.definitions.errors import StorageError

log = logging.getLogger(__name__)

T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 10_000
MAX_ATTEMPTS = 8
CONNECTION_RETRY_SECONDS = 30.0
# PostgreSQL SQLSTATEs worth retrying: serialization failure, deadlock detected.
_PG_RETRY_CODES = {"40001", "40P01"}
# PostgreSQL SQLSTATEs of a lost server: admin shutdown, crash shutdown, cannot connect now (class 08:
# connection exceptions). A connection that fails without a SQLSTATE is lost too.
_PG_LOST_CODES = {"57P01", "57P02", "57P03"}


class _LostDuringCommit(Exception):
    """The connection went away while a write transaction committed: it may or may not have."""

    def __init__(self, error: DBAPIError) -> None:
        super().__init__(str(error))
        self.error = error


def normalize_url(url: str) -> str:
    """Route `postgresql://` and `postgres://` URLs to the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def is_memory_sqlite(url: str) -> bool:
    return url in ("sqlite://", "sqlite:///:memory:")


def create_sql_engine(url: str) -> Engine:
    """An engine for ``url``, configured for assetgraph's access pattern."""
    url = normalize_url(url)
    if is_memory_sqlite(url):
        engine = sa.create_engine(
            "sqlite://", poolclass=StaticPool,
            connect_args={"check_same_thread": False, "isolation_level": None},
        )
        _configure_sqlite(engine, wal=False)
        return engine
    if url.startswith("sqlite"):
        database = sa.make_url(url).database
        if database:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            url, pool_size=5, max_overflow=10,
            connect_args={"check_same_thread": False, "isolation_level": None,
                          "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        _configure_sqlite(engine, wal=True)
        _forget_connections_in_forked_children(engine)
        return engine
    if url.startswith("postgresql"):
        engine = sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
        _forget_connections_in_forked_children(engine)
        return engine
    raise StorageError(
        f"Unsupported storage URL {url!r}: use sqlite:///path/to/assetgraph.db or postgresql://user@host/db."
    )


def _forget_connections_in_forked_children(engine: Engine) -> None:
    # A forked child (the multi-process executor forks) must neither use nor close the parent's
    # pooled connections: they share the parent's socket or file handle.
    ref = weakref.ref(engine)

    def after_fork_in_child() -> None:
        forked = ref()
        if forked is not None:
            forked.dispose(close=False)

    os.register_at_fork(after_in_child=after_fork_in_child)


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    # The driver runs in autocommit mode so that we, not pysqlite, decide how a transaction
    # begins: BEGIN IMMEDIATE for writes takes the write lock before reading what we modify.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("assetgraph_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


class TransactionRunner:
    """Runs a function in one transaction, retrying transient lock and serialization errors.

    The function may run more than once, so it must do nothing but database work.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        # One shared in-memory connection: threads must take turns.
        self._lock: threading.RLock | None = (
            threading.RLock() if isinstance(engine.pool, StaticPool) else None
        )

    def run(self, fn: Callable[[Connection], T], *, write: bool) -> T:
        attempt = 0
        lost_since: float | None = None
        while True:
            attempt += 1
            try:
                with self._locked():
                    return self._attempt(fn, write)
            except _LostDuringCommit as lost:
                raise StorageError(
                    f"The connection to the storage was lost while a write was being committed ({lost.error.orig}); "
                    "whether it was stored is unknown. The run or command that wrote it should be retried."
                ) from lost.error
            except DBAPIError as exc:
                if "NUL (0x00)" in str(exc.orig):  # psycopg refuses such text before sending it
                    raise StorageError(f"PostgreSQL cannot store or look up text holding a NUL character (\\x00): "
                                       f"{exc.orig}. Remove it from the key, id or value.") from exc
                if self._connection_lost(exc):
                    now = time.monotonic()
                    lost_since = lost_since if lost_since is not None else now
                    if now - lost_since >= CONNECTION_RETRY_SECONDS:
                        raise StorageError(
                            f"The storage did not answer for {now - lost_since:.0f}s ({exc.orig}); is the "
                            "database server running and reachable?"
                        ) from exc
                    log.warning("connection to the storage lost (%s); retrying", exc.orig)
                    time.sleep(min(0.05 * 2 ** min(attempt, 5), 1.0))
                    continue
                if self._disk_full(exc):
                    where = f" holding {self.engine.url.database}" if self.engine.url.database else ""
                    raise StorageError(
                        f"The storage could not write: the disk{where} is full ({exc.orig}). Nothing already "
                        "committed is lost; free some space and retry or resume."
                    ) from exc
                if not self._is_transient(exc) or attempt >= MAX_ATTEMPTS:
                    if self._is_transient(exc):
                        raise StorageError(
                            f"The storage stayed busy after {attempt} attempts ({exc.orig}). "
                            "Another process holds a long write transaction; retry later."
                        ) from exc
                    raise
                delay = min(0.01 * 2 ** (attempt - 1), 1.0) * (0.5 + random.random())
                log.debug("storage busy (%s); retry %d in %.3fs", exc.orig, attempt, delay)
                time.sleep(delay)

    def _locked(self) -> threading.RLock | nullcontext[None]:
        return self._lock if self._lock is not None else nullcontext()

    def _attempt(self, fn: Callable[[Connection], T], write: bool) -> T:
        """One transaction: ``fn`` then COMMIT (a lost connection during a write's COMMIT is told apart)."""
        with self.engine.connect() as conn:
            if write and self.dialect == "sqlite":
                conn = conn.execution_options(assetgraph_write=True)
            transaction = conn.begin()
            try:
                result = fn(conn)
            except BaseException:
                with suppress(DBAPIError):  # the connection may be gone already
                    transaction.rollback()
                raise
            try:
                transaction.commit()
            except DBAPIError as exc:
                if write and self._connection_lost(exc):
                    raise _LostDuringCommit(exc) from exc
                raise
            return result

    def _connection_lost(self, exc: DBAPIError) -> bool:
        if self.dialect != "postgresql" or not isinstance(exc, OperationalError):
            return False
        code = getattr(exc.orig, "sqlstate", None)
        return bool(exc.connection_invalidated) or code is None or code.startswith("08") or code in _PG_LOST_CODES

    def _disk_full(self, exc: DBAPIError) -> bool:
        return self.dialect == "sqlite" and "disk is full" in str(exc.orig).lower()

    def _is_transient(self, exc: DBAPIError) -> bool:
        if self.dialect == "sqlite":
            text = str(exc.orig).lower()
            return isinstance(exc, OperationalError) and ("locked" in text or "busy" in text)
        return getattr(exc.orig, "sqlstate", None) in _PG_RETRY_CODES
