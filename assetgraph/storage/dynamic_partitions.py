"""Keys of dynamic partitions definitions, by definition name, in the order they were added.

Imports SQLAlchemy; must not import anything above `storage`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from assetgraph.definitions.partitions.base import DynamicPartitionsStore
from assetgraph.storage.engine import TransactionRunner
from assetgraph.storage.schema import dynamic_partitions
from assetgraph.storage.sql import insert_ignore


class DynamicPartitionStorage:
    """Adds, deletes and lists dynamic partition keys (satisfies `DynamicPartitionsStore`)."""

    def __init__(self, runner: TransactionRunner) -> None:
        self._runner = runner
        self._insert = insert_ignore(runner.dialect, dynamic_partitions, ["name", "partition_key"])

    def add_dynamic_partitions(self, name: str, keys: Sequence[str]) -> None:
        now = time.time()
        rows = [{"name": name, "partition_key": k, "create_timestamp": now} for k in dict.fromkeys(keys)]

        def add(conn: Connection) -> None:
            conn.execute(self._insert, rows)

        if rows:
            self._runner.run(add, write=True)

    def delete_dynamic_partition(self, name: str, key: str) -> None:
        stmt = sa.delete(dynamic_partitions).where(
            dynamic_partitions.c.name == name, dynamic_partitions.c.partition_key == key)
        self._runner.run(lambda conn: conn.execute(stmt), write=True)

    def get_dynamic_partitions(self, name: str) -> list[str]:
        return self._runner.run(lambda conn: ConnectionDynamicPartitions(conn).get_dynamic_partitions(name),
                                write=False)

    def has_dynamic_partition(self, name: str, key: str) -> bool:
        return self._runner.run(lambda conn: ConnectionDynamicPartitions(conn).has_dynamic_partition(name, key),
                                write=False)


class ConnectionDynamicPartitions:
    """Dynamic partition keys read on an open connection (satisfies `DynamicPartitionsStore`).

    Code inside a write transaction uses it: opening a second transaction there would deadlock
    on the in-memory instance's single connection.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get_dynamic_partitions(self, name: str) -> list[str]:
        stmt = (sa.select(dynamic_partitions.c.partition_key)
                .where(dynamic_partitions.c.name == name).order_by(dynamic_partitions.c.id))
        return list(self._conn.execute(stmt).scalars())

    def has_dynamic_partition(self, name: str, key: str) -> bool:
        stmt = sa.select(dynamic_partitions.c.id).where(
            dynamic_partitions.c.name == name, dynamic_partitions.c.partition_key == key)
        return self._conn.execute(stmt).first() is not None


class MemoizedDynamicPartitions:
    """Reads each dynamic definition's keys once (satisfies `DynamicPartitionsStore`): a status
    snapshot of many assets that share one definition would otherwise read them per asset."""

    def __init__(self, store: DynamicPartitionsStore) -> None:
        self._store = store
        self._keys: dict[str, tuple[list[str], frozenset[str]]] = {}

    def _read(self, name: str) -> tuple[list[str], frozenset[str]]:
        found = self._keys.get(name)
        if found is None:
            keys = list(self._store.get_dynamic_partitions(name))
            found = self._keys[name] = (keys, frozenset(keys))
        return found

    def get_dynamic_partitions(self, name: str) -> list[str]:
        return list(self._read(name)[0])

    def has_dynamic_partition(self, name: str, key: str) -> bool:
        return key in self._read(name)[1]
