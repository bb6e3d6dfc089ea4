"""What the daemon keeps between evaluations: backfills, schedule and sensor ticks, cursors, and a
small key-value store.

Bodies are JSON documents owned by the caller; storage indexes only the columns it filters on.
Imports SQLAlchemy; must not import anything above `storage`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from assetgraph.definitions.errors import StorageError
from assetgraph.storage.engine import TransactionRunner
from assetgraph.storage.schema import backfills, cursors, kvs, ticks
from assetgraph.storage.sql import chunks, upsert


@dataclass(frozen=True)
class BackfillRecord:
    """A stored backfill: its id, status, creation time and the caller's JSON body."""

    backfill_id: str
    status: str
    create_time: float
    body: Mapping[str, Any]


@dataclass(frozen=True)
class TickRecord:
    """One evaluation of a schedule or sensor."""

    id: int
    instigator_name: str
    tick_type: str
    status: str
    timestamp: float
    body: Mapping[str, Any]


def _dumps(value: Mapping[str, Any]) -> str:
    return json.dumps(dict(value), separators=(",", ":"))


class DaemonStateStorage:
    """Backfills, ticks, cursors and key-values."""

    def __init__(self, runner: TransactionRunner) -> None:
        self._runner = runner
        self._upsert_cursor = upsert(runner.dialect, cursors, ["key"], ["value", "update_time"])
        self._upsert_kv = upsert(runner.dialect, kvs, ["key"], ["value"])

    def get_cursor(self, key: str) -> str | None:
        stmt = sa.select(cursors.c.value).where(cursors.c.key == key)
        return self._runner.run(lambda conn: conn.execute(stmt).scalar(), write=False)

    def set_cursor(self, key: str, value: str) -> None:
        row = {"key": key, "value": value, "update_time": time.time()}
        self._runner.run(lambda conn: conn.execute(self._upsert_cursor, row), write=True)

    def get_kvs(self, keys: Iterable[str]) -> dict[str, str]:
        wanted = sorted(set(keys))

        def read(conn: Connection) -> dict[str, str]:
            found: dict[str, str] = {}
            for chunk in chunks(wanted):
                found.update((r.key, r.value) for r in conn.execute(sa.select(kvs.c.key, kvs.c.value).where(kvs.c.key.in_(chunk))))
            return found

        return self._runner.run(read, write=False)

    def set_kvs(self, values: Mapping[str, str]) -> None:
        rows = [{"key": k, "value": v} for k, v in values.items()]
        if rows:
            self._runner.run(lambda conn: conn.execute(self._upsert_kv, rows), write=True)

    def add_backfill(self, backfill_id: str, status: str, body: Mapping[str, Any]) -> BackfillRecord:
        record = BackfillRecord(backfill_id, status, time.time(), dict(body))

        def add(conn: Connection) -> None:
            if conn.execute(sa.select(backfills.c.id).where(backfills.c.backfill_id == backfill_id)).first():
                raise StorageError(f"A backfill with id {backfill_id!r} already exists.")
            conn.execute(sa.insert(backfills), {"backfill_id": backfill_id, "status": status,
                                                "create_time": record.create_time, "body": _dumps(body)})

        self._runner.run(add, write=True)
        return record

    def update_backfill(self, backfill_id: str, status: str, body: Mapping[str, Any] | None = None) -> None:
        values: dict[str, Any] = {"status": status}
        if body is not None:
            values["body"] = _dumps(body)
        stmt = sa.update(backfills).where(backfills.c.backfill_id == backfill_id).values(**values)
        if not self._runner.run(lambda conn: conn.execute(stmt).rowcount, write=True):
            raise StorageError(f"No backfill with id {backfill_id!r} in this instance.")

    def get_backfill(self, backfill_id: str) -> BackfillRecord | None:
        found = self.get_backfills(backfill_id=backfill_id)
        return found[0] if found else None

    def get_backfills(self, status: str | None = None, limit: int | None = None,
                      backfill_id: str | None = None) -> list[BackfillRecord]:
        """Backfills, newest first."""
        stmt = sa.select(backfills).order_by(backfills.c.id.desc())
        if status is not None:
            stmt = stmt.where(backfills.c.status == status)
        if backfill_id is not None:
            stmt = stmt.where(backfills.c.backfill_id == backfill_id)
        if limit is not None:
            stmt = stmt.limit(limit)
        rows = self._runner.run(lambda conn: conn.execute(stmt).all(), write=False)
        return [BackfillRecord(r.backfill_id, r.status, r.create_time, json.loads(r.body)) for r in rows]

    def create_tick(self, instigator_name: str, tick_type: str, status: str, timestamp: float,
                    body: Mapping[str, Any]) -> TickRecord:
        row = {"instigator_name": instigator_name, "tick_type": tick_type, "status": status,
               "timestamp": timestamp, "body": _dumps(body)}
        stmt = sa.insert(ticks).returning(ticks.c.id)
        tick_id = self._runner.run(lambda conn: conn.execute(stmt, row).scalar_one(), write=True)
        return TickRecord(tick_id, instigator_name, tick_type, status, timestamp, dict(body))

    def update_tick(self, tick_id: int, status: str, body: Mapping[str, Any] | None = None) -> None:
        values: dict[str, Any] = {"status": status}
        if body is not None:
            values["body"] = _dumps(body)
        stmt = sa.update(ticks).where(ticks.c.id == tick_id).values(**values)
        self._runner.run(lambda conn: conn.execute(stmt), write=True)

    def get_ticks(self, instigator_name: str, limit: int | None = None) -> list[TickRecord]:
        """An instigator's ticks, newest first."""
        stmt = (sa.select(ticks).where(ticks.c.instigator_name == instigator_name)
                .order_by(ticks.c.timestamp.desc(), ticks.c.id.desc()))
        if limit is not None:
            stmt = stmt.limit(limit)
        rows = self._runner.run(lambda conn: conn.execute(stmt).all(), write=False)
        return [TickRecord(r.id, r.instigator_name, r.tick_type, r.status, r.timestamp, json.loads(r.body))
                for r in rows]
