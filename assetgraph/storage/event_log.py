"""The event log and the tables derived from it: asset rows, partition status, check executions.

`EventLogStorage.store_events` appends a batch in one transaction and updates every derived
table in that same transaction. Imports SQLAlchemy; must not import anything above `storage`.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from assetgraph.definitions.errors import StorageError
from assetgraph.definitions.events import PAYLOAD_VERSION, AssetCheckEvaluation, Event, EventRecord, EventType
from assetgraph.definitions.keys import AssetCheckKey, AssetKey
from assetgraph.storage.dynamic_partitions import ConnectionDynamicPartitions, MemoizedDynamicPartitions
from assetgraph.storage.engine import TransactionRunner
from assetgraph.storage.schema import asset_partition_status, assets, check_executions, event_log
from assetgraph.storage.sql import chunks, insert_ignore, upsert
from assetgraph.storage.status import (
    STATUS_EVENT_TYPES,
    STATUS_KINDS,
    UNPARTITIONED,
    PartitionStatus,
    Subset,
    affects_status,
    apply_event,
    build_partition_status,
    empty_subset,
    status_updates,
    subset_for_event,
    subset_from_json,
    subset_to_json,
)

if TYPE_CHECKING:
    from assetgraph.definitions.partitions.base import DynamicPartitionsStore, PartitionsDefinition

_EVENT_FIELDS = tuple(f.name for f in fields(Event))
_CHECK_EVENT_TYPES = frozenset({EventType.ASSET_CHECK_EVALUATION_PLANNED, EventType.ASSET_CHECK_EVALUATION})
_DERIVED_EVENT_TYPES = STATUS_EVENT_TYPES | _CHECK_EVENT_TYPES
_MATERIALIZATION = EventType.ASSET_MATERIALIZATION.value
_RUNLESS = ""  # check_executions.run_id for evaluations reported outside a run
# The first key of the per-run advisory locks (PostgreSQL): "agrv" in ASCII, apart from other locks.
_RUN_LOCK_NAMESPACE = 0x61677276
_REBUILD_BATCH = 10_000  # events decoded at a time when rebuilding an asset's status


@dataclass
class _AssetState:
    """An asset's row and its status rows, read (and on PostgreSQL locked) in one query."""

    partitions_def_json: str | None
    partitions_def: PartitionsDefinition | None
    last_materialization_event_id: int | None
    wipe_after_event_id: int
    status_json: dict[str, str]


class PartitionsDefCache:
    """Decoded partitions definitions and recent status subsets, by their stored JSON.

    Subsets are immutable, so a subset this process wrote (or read) last is reused as long as the
    stored text is unchanged: decoding a subset of many ranges is not free.
    """

    MAX_SUBSETS = 256

    def __init__(self) -> None:
        self._defs: dict[str, PartitionsDefinition] = {}
        self._subsets: OrderedDict[tuple[str | None, str], Subset] = OrderedDict()

    def subset(self, pdef_text: str | None, subset_text: str) -> Subset:
        key = (pdef_text, subset_text)
        found = self._subsets.get(key)
        if found is None:
            found = subset_from_json(subset_text, self.get(pdef_text))
            self.remember(pdef_text, subset_text, found)
        else:
            # Threads share the cache (server, in-process runs): another may have evicted it since.
            with contextlib.suppress(KeyError):
                self._subsets.move_to_end(key)
        return found

    def remember(self, pdef_text: str | None, subset_text: str, subset: Subset) -> None:
        self._subsets[(pdef_text, subset_text)] = subset
        if len(self._subsets) > self.MAX_SUBSETS:
            with contextlib.suppress(KeyError):  # emptied by other threads meanwhile
                self._subsets.popitem(last=False)

    def get(self, text: str | None) -> PartitionsDefinition | None:
        if text is None:
            return None
        found = self._defs.get(text)
        if found is None:
            from assetgraph.definitions.partitions.base import partitions_def_from_dict

            found = self._defs[text] = partitions_def_from_dict(json.loads(text))
        return found


def partitions_def_json(partitions_def: PartitionsDefinition | None) -> str | None:
    if partitions_def is None:
        return None
    return json.dumps(partitions_def.to_dict(), sort_keys=True, separators=(",", ":"))


def _event_params(event: Event) -> dict[str, Any]:
    try:
        payload = json.dumps(event.payload_json(), separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise StorageError(
            f"Cannot store {event.event_type} event of run {event.run_id} for {event.asset_key}: its "
            f"metadata or data is not JSON-serialisable ({exc}). Wrap the value with MetadataValue.text(...)."
        ) from exc
    return {
        "run_id": event.run_id,
        "event_type": event.event_type.value,
        "asset_key": event.asset_key.to_db_string() if event.asset_key is not None else None,
        "partition_key": event.partition,
        "check_name": event.check_name,
        "step_key": event.step_key,
        "timestamp": event.timestamp,
        "payload": payload,
    }


def record_from_row(row: Row[Any]) -> EventRecord:
    payload = json.loads(row.payload)
    if payload.get("v", 1) > PAYLOAD_VERSION:
        raise StorageError(
            f"Event {row.id} was written by a newer assetgraph (payload version {payload['v']}, this one "
            f"reads up to {PAYLOAD_VERSION}). Upgrade assetgraph to read this event log."
        )
    return EventRecord.from_stored(
        id=row.id, event_type=row.event_type, run_id=row.run_id, timestamp=row.timestamp,
        asset_key=AssetKey.from_db_string(row.asset_key) if row.asset_key is not None else None,
        partition=row.partition_key, step_key=row.step_key, check_name=row.check_name,
        payload=payload,
    )


LATEST_RECORDS_CACHED = 100_000  # decoded latest materializations kept per instance (~1 KiB each)
_SCAN_ASSETS_ABOVE = 2_000  # read every `assets` row instead of IN-lists beyond this many keys


class RecordCache:
    """Decoded event records by id, the oldest forgotten beyond ``size``; safe across threads
    (events are immutable, so a record never goes stale while its id exists)."""

    def __init__(self, size: int) -> None:
        import threading

        self._size = size
        self._records: OrderedDict[int, EventRecord] = OrderedDict()
        self._lock = threading.Lock()

    def __contains__(self, event_id: int) -> bool:
        return event_id in self._records

    def get_many(self, event_ids: Iterable[int]) -> list[EventRecord | None]:
        with self._lock:
            get = self._records.get
            return [get(i) for i in event_ids]

    def update(self, records: Mapping[int, EventRecord]) -> None:
        if not records:
            return
        with self._lock:
            self._records.update(records)
            while len(self._records) > self._size:
                self._records.popitem(last=False)


class EventLogStorage:
    """Writes and reads the event log and its derived tables."""

    def __init__(self, runner: TransactionRunner, dynamic_partitions_store: DynamicPartitionsStore) -> None:
        self._runner = runner
        self._dynamic_partitions_store = dynamic_partitions_store
        self._is_postgres = runner.dialect == "postgresql"
        self.defs = PartitionsDefCache()
        self._latest_records = RecordCache(LATEST_RECORDS_CACHED)
        d = runner.dialect
        self._insert_events = sa.insert(event_log).returning(event_log.c.id, sort_by_parameter_order=True)
        self._ensure_asset = insert_ignore(d, assets, ["asset_key"])
        self._upsert_status = upsert(d, asset_partition_status, ["asset_key", "status"], ["subset", "last_event_id"])
        self._plan_check = insert_ignore(d, check_executions, ["asset_key", "check_name", "partition_key", "run_id"])
        self._record_check = upsert(
            d, check_executions, ["asset_key", "check_name", "partition_key", "run_id"],
            ["status", "passed", "severity", "evaluation_event_id", "materialization_event_id", "timestamp"],
        )
        self._set_last_materialization = (
            sa.update(assets).where(assets.c.asset_key == sa.bindparam("k"))
            .values(last_materialization_event_id=sa.bindparam("event_id"))
        )
        self._select_state = (
            sa.select(assets.c.partitions_def, assets.c.last_materialization_event_id,
                      assets.c.wipe_after_event_id, asset_partition_status.c.status,
                      asset_partition_status.c.subset)
            .select_from(assets.outerjoin(asset_partition_status,
                                          asset_partition_status.c.asset_key == assets.c.asset_key))
            .where(assets.c.asset_key == sa.bindparam("k"))
        )
        self._lock_asset = (sa.select(assets.c.asset_key).where(assets.c.asset_key == sa.bindparam("k"))
                            .with_for_update())
        self._lock_run = sa.select(sa.func.pg_advisory_xact_lock(
            sa.literal(_RUN_LOCK_NAMESPACE, sa.Integer), sa.func.hashtext(sa.bindparam("run_id", type_=sa.Text))))

    # -- writing -----------------------------------------------------------------------------

    def store_events(self, events: Sequence[Event]) -> list[EventRecord]:
        """Append ``events`` and update the derived tables, all in one transaction."""
        if not events:
            return []
        params = [_event_params(e) for e in events]
        return self._runner.run(lambda conn: self._store(conn, events, params), write=True)

    def _store(self, conn: Connection, events: Sequence[Event], params: list[dict[str, Any]]) -> list[EventRecord]:
        if self._is_postgres:
            self._lock_runs(conn, {e.run_id for e in events if e.run_id is not None})
        ids = [row[0] for row in conn.execute(self._insert_events, params)]
        records = [EventRecord(id=i, **{f: getattr(e, f) for f in _EVENT_FIELDS}) for i, e in zip(ids, events, strict=True)]
        by_asset: dict[str, list[EventRecord]] = {}
        for record in records:
            if record.asset_key is not None and record.event_type in _DERIVED_EVENT_TYPES:
                by_asset.setdefault(record.asset_key.to_db_string(), []).append(record)
        for db_key in sorted(by_asset):  # a fixed lock order keeps concurrent batches deadlock-free
            self._update_asset(conn, db_key, by_asset[db_key])
        return records

    def _read_state(self, conn: Connection, db_key: str) -> _AssetState:
        """Read (and on PostgreSQL lock) an asset's row and status rows, creating the row if needed.

        SQLite writers already hold the database lock (BEGIN IMMEDIATE). On PostgreSQL the asset row
        is locked in a statement of its own: a locking join would re-check only the locked row after
        waiting and return the status rows as they were before the other writer committed.
        """
        if self._is_postgres and conn.execute(self._lock_asset, {"k": db_key}).first() is None:
            conn.execute(self._ensure_asset, {"asset_key": db_key})
            conn.execute(self._lock_asset, {"k": db_key})
        rows = conn.execute(self._select_state, {"k": db_key}).all()
        if not rows:
            conn.execute(self._ensure_asset, {"asset_key": db_key})
            rows = conn.execute(self._select_state, {"k": db_key}).all()
        first = rows[0]
        return _AssetState(
            partitions_def_json=first.partitions_def,
            partitions_def=self.defs.get(first.partitions_def),
            last_materialization_event_id=first.last_materialization_event_id,
            wipe_after_event_id=first.wipe_after_event_id or 0,
            status_json={r.status: r.subset for r in rows if r.status is not None},
        )

    def _decode_statuses(self, state: _AssetState) -> dict[str, Subset]:
        return {kind: self.defs.subset(state.partitions_def_json, state.status_json[kind])
                if kind in state.status_json else empty_subset(state.partitions_def) for kind in STATUS_KINDS}

    def _write_statuses(self, conn: Connection, db_key: str, state: _AssetState,
                        statuses: Mapping[str, Subset], changed: Mapping[str, int]) -> None:
        rows = []
        for kind, event_id in changed.items():
            text = subset_to_json(statuses[kind])
            self.defs.remember(state.partitions_def_json, text, statuses[kind])
            rows.append({"asset_key": db_key, "status": kind, "subset": text, "last_event_id": event_id})
        conn.execute(self._upsert_status, rows)

    def _lock_runs(self, conn: Connection, run_ids: set[str]) -> None:
        # PostgreSQL hands out ids when rows are inserted, not when they commit: two step processes
        # of one run could commit ids 8 and 7 in that order, and a reader following the run by id
        # cursor (runEvents, the event stream) would pass 7 before it is visible. Holding the run's
        # lock from before the insert until the commit makes each run's ids commit in increasing
        # order. Taken first and in sorted order, so it never waits while holding an asset row lock.
        for run_id in sorted(run_ids):
            conn.execute(self._lock_run, {"run_id": run_id})

    def _update_asset(self, conn: Connection, db_key: str, records: Sequence[EventRecord]) -> None:
        state = self._read_state(conn, db_key)
        last_materialization = state.last_materialization_event_id
        # On PostgreSQL ids are handed out at insert, not at commit: a batch holding the asset's row
        # lock may carry a lower id than one committed before it, or one below a wipe committed
        # meanwhile. The latest materialization only moves forward, and what a wipe covers (ids up
        # to its cutoff) changes nothing, as a rebuild from the log would have it.
        cutoff = state.wipe_after_event_id
        records = [r for r in records if r.id > cutoff]
        for record in records:
            if record.event_type in _CHECK_EVENT_TYPES:
                self._write_check(conn, db_key, record, last_materialization)
            elif record.event_type == EventType.ASSET_MATERIALIZATION and (
                    last_materialization is None or record.id > last_materialization):
                last_materialization = record.id
        self._apply_statuses(conn, db_key, state, [[r for r in records if affects_status(r)]])
        if last_materialization != state.last_materialization_event_id:
            conn.execute(self._set_last_materialization, {"k": db_key, "event_id": last_materialization})

    def _apply_statuses(self, conn: Connection, db_key: str, state: _AssetState,
                        batches: Iterable[Sequence[EventRecord]]) -> None:
        """Apply status events (batches in order) to the asset's stored status; write what changed."""
        store = ConnectionDynamicPartitions(conn)
        statuses: dict[str, Subset] | None = None
        changed: dict[str, int] = {}
        for records in batches:
            for event_type, subset, event_id in status_updates(records, state.partitions_def, store):
                if statuses is None:
                    statuses = self._decode_statuses(state)
                for kind in apply_event(statuses, event_type, subset):
                    changed[kind] = event_id
        if statuses is not None and changed:
            self._write_statuses(conn, db_key, state, statuses, changed)

    def _write_check(self, conn: Connection, db_key: str, record: EventRecord, last_materialization: int | None) -> None:
        row = {
            "asset_key": db_key,
            "check_name": record.check_name,
            "partition_key": record.partition if record.partition is not None else UNPARTITIONED,
            "run_id": record.run_id or _RUNLESS,
            "timestamp": record.timestamp,
        }
        if record.event_type == EventType.ASSET_CHECK_EVALUATION_PLANNED:
            conn.execute(self._plan_check, {**row, "status": "planned"})
            return
        materialization_id = record.data.get("materialization_event_id")
        if materialization_id is None:
            materialization_id = (last_materialization if record.partition is None
                                  else self._latest_materialization_id(conn, db_key, record.partition))
        severity = record.severity
        conn.execute(self._record_check, {
            **row,
            "status": "succeeded" if record.passed else "failed",
            "passed": bool(record.passed),
            "severity": severity.value if severity is not None else None,
            "evaluation_event_id": record.id,
            "materialization_event_id": materialization_id,
        })

    def _latest_materialization_id(self, conn: Connection, db_key: str, partition: str) -> int | None:
        stmt = sa.select(sa.func.max(event_log.c.id)).where(
            event_log.c.asset_key == db_key, event_log.c.event_type == _MATERIALIZATION,
            event_log.c.partition_key == partition,
        )
        return conn.execute(stmt).scalar()

    def register_assets(self, mapping: Mapping[AssetKey, PartitionsDefinition | None]) -> None:
        """Record each asset's partitions definition; rebuild the status of assets whose changed."""
        wanted = {key.to_db_string(): partitions_def_json(pdef) for key, pdef in mapping.items()}
        self._runner.run(lambda conn: self._register(conn, wanted), write=True)

    def _register(self, conn: Connection, wanted: Mapping[str, str | None]) -> None:
        existing: dict[str, str | None] = {}
        for chunk in chunks(sorted(wanted)):
            stmt = sa.select(assets.c.asset_key, assets.c.partitions_def).where(assets.c.asset_key.in_(chunk))
            existing.update({r.asset_key: r.partitions_def for r in conn.execute(stmt)})
        new = [{"asset_key": k, "partitions_def": v} for k, v in wanted.items() if k not in existing]
        changed = [k for k, v in wanted.items() if k in existing and existing[k] != v]
        if new:
            conn.execute(insert_ignore(self._runner.dialect, assets, ["asset_key"]), new)
        if changed:
            conn.execute(
                sa.update(assets).where(assets.c.asset_key == sa.bindparam("k"))
                .values(partitions_def=sa.bindparam("pdef")),
                [{"k": k, "pdef": wanted[k]} for k in changed],
            )
            for db_key in sorted(changed):
                self._rebuild_asset(conn, db_key)

    def rebuild_partition_status(self, keys: Iterable[AssetKey] | None = None) -> None:
        """Recompute the partition status (and latest materialization) of ``keys`` (default: every
        asset) from the event log."""
        def rebuild(conn: Connection) -> None:
            if keys is None:
                db_keys = sorted(conn.execute(sa.select(assets.c.asset_key)).scalars())
            else:
                db_keys = sorted({k.to_db_string() for k in keys})
            for db_key in db_keys:
                self._rebuild_asset(conn, db_key)

        self._runner.run(rebuild, write=True)

    def _rebuild_asset(self, conn: Connection, db_key: str) -> None:
        state = self._read_state(conn, db_key)
        conn.execute(sa.delete(asset_partition_status).where(asset_partition_status.c.asset_key == db_key))
        state.status_json = {}
        conn.execute(self._set_last_materialization, {"k": db_key, "event_id": None})
        state.last_materialization_event_id = None
        stmt = (
            sa.select(event_log)
            .where(event_log.c.asset_key == db_key,
                   event_log.c.event_type.in_([t.value for t in STATUS_EVENT_TYPES]),
                   event_log.c.id > state.wipe_after_event_id)
            .order_by(event_log.c.id)
        )
        last_materialization: int | None = None

        def batches() -> Iterator[list[EventRecord]]:
            nonlocal last_materialization
            for rows in conn.execute(stmt).partitions(_REBUILD_BATCH):
                records = [record_from_row(row) for row in rows]
                for record in records:
                    if record.event_type == EventType.ASSET_MATERIALIZATION:
                        last_materialization = record.id
                yield [r for r in records if affects_status(r)]

        self._apply_statuses(conn, db_key, state, batches())
        if last_materialization is not None:
            conn.execute(self._set_last_materialization, {"k": db_key, "event_id": last_materialization})

    def wipe_assets(self, keys: Iterable[AssetKey]) -> None:
        """Forget the history of ``keys``: their events stay in the log but are hidden from asset
        queries, and their status and check executions are cleared."""
        db_keys = sorted({k.to_db_string() for k in keys})

        def wipe(conn: Connection) -> None:
            cutoff = conn.execute(sa.select(sa.func.max(event_log.c.id))).scalar() or 0
            for db_key in db_keys:
                self._read_state(conn, db_key)
                conn.execute(sa.update(assets).where(assets.c.asset_key == db_key).values(
                    wipe_timestamp=time.time(), wipe_after_event_id=cutoff, last_materialization_event_id=None))
                conn.execute(sa.delete(asset_partition_status).where(asset_partition_status.c.asset_key == db_key))
                conn.execute(sa.delete(check_executions).where(check_executions.c.asset_key == db_key))

        self._runner.run(wipe, write=True)

    # -- reading -----------------------------------------------------------------------------

    def get_event_records(
        self,
        event_type: EventType | str | Sequence[EventType | str] | None = None,
        asset_key: AssetKey | None = None,
        run_id: str | None = None,
        partition: str | None = None,
        after_id: int | None = None,
        limit: int | None = None,
        ascending: bool = True,
        step_key: str | None = None,
    ) -> list[EventRecord]:
        stmt = sa.select(event_log)
        if event_type is not None:
            types = [event_type] if isinstance(event_type, str) else list(event_type)
            stmt = stmt.where(event_log.c.event_type.in_([EventType(t).value for t in types]))
        if asset_key is not None:
            db_key = asset_key.to_db_string()
            stmt = stmt.where(event_log.c.asset_key == db_key, event_log.c.id > self._wipe_cutoff(db_key))
        if run_id is not None:
            stmt = stmt.where(event_log.c.run_id == run_id)
        if partition is not None:
            stmt = stmt.where(event_log.c.partition_key == partition)
        if step_key is not None:
            stmt = stmt.where(event_log.c.step_key == step_key)
        if after_id is not None:
            stmt = stmt.where(event_log.c.id > after_id)
        stmt = stmt.order_by(event_log.c.id.asc() if ascending else event_log.c.id.desc())
        if limit is not None:
            stmt = stmt.limit(limit)
        rows = self._runner.run(lambda conn: conn.execute(stmt).all(), write=False)
        return [record_from_row(r) for r in rows]

    def get_latest_materialization_events(self, keys: Iterable[AssetKey]) -> dict[AssetKey, EventRecord]:
        """The newest materialization of each of ``keys`` that has one (wipes respected).

        One transaction reads which event is each asset's latest (the ``assets`` table: every row
        at once for thousands of keys, else an indexed read per 500 keys); only events not read
        before are then fetched and decoded. Events are never edited, so a decoded record is
        reused for as long as it stays the latest: the lineage of 10,000 assets costs one small
        read when nothing changed.
        """
        wanted = {k.to_db_string(): k for k in keys}
        if not wanted:
            return {}
        pointer = sa.select(assets.c.asset_key, assets.c.last_materialization_event_id).where(
            assets.c.last_materialization_event_id.is_not(None))
        by_key = pointer.where(assets.c.asset_key.in_(sa.bindparam("keys", expanding=True)))
        by_id = sa.select(event_log).where(event_log.c.id.in_(sa.bindparam("ids", expanding=True)))
        cache = self._latest_records

        def fetch(conn: Connection, ids: list[int]) -> list[Row[Any]]:
            return [row for chunk in chunks(ids) for row in conn.execute(by_id, {"ids": list(chunk)})]

        def read(conn: Connection) -> tuple[list[tuple[str, int]], list[Row[Any]]]:
            if len(wanted) > _SCAN_ASSETS_ABOVE:
                found = [(k, i) for k, i in conn.execute(pointer) if k in wanted]
            else:
                found = [(k, i) for chunk in chunks(sorted(wanted)) for k, i in conn.execute(by_key, {"keys": list(chunk)})]
            missing = sorted({i for _, i in found if i not in cache})
            return found, fetch(conn, missing)

        found, rows = self._runner.run(read, write=False)
        fresh = {row.id: record_from_row(row) for row in rows}
        cache.update(fresh)
        ids = [event_id for _, event_id in found]
        records = cache.get_many(ids)
        lost = [i for i, r in zip(ids, records, strict=True) if r is None and i not in fresh]
        if lost:  # evicted meanwhile (more latest materializations than the cache holds): read again
            again = self._runner.run(lambda conn: fetch(conn, lost), write=False)
            fresh.update({row.id: record_from_row(row) for row in again})
        return {wanted[db_key]: record if record is not None else fresh[event_id]
                for (db_key, event_id), record in zip(found, records, strict=True)
                if record is not None or event_id in fresh}

    @staticmethod
    def _wipe_cutoff(db_key: str) -> sa.ColumnElement[Any]:
        cutoff = sa.select(assets.c.wipe_after_event_id).where(assets.c.asset_key == db_key).scalar_subquery()
        return sa.func.coalesce(cutoff, 0)

    def get_latest_materialization_event(self, key: AssetKey, partition: str | None = None) -> EventRecord | None:
        db_key = key.to_db_string()
        if partition is None:
            stmt = (sa.select(event_log).select_from(
                assets.join(event_log, event_log.c.id == assets.c.last_materialization_event_id))
                .where(assets.c.asset_key == db_key))
            row = self._runner.run(lambda conn: conn.execute(stmt).first(), write=False)
            return record_from_row(row) if row is not None else None
        return self._runner.run(lambda conn: self._latest_for_partition(conn, db_key, partition), write=False)

    def _latest_for_partition(self, conn: Connection, db_key: str, partition: str) -> EventRecord | None:
        base = sa.select(event_log).where(
            event_log.c.asset_key == db_key, event_log.c.event_type == _MATERIALIZATION,
            event_log.c.id > self._wipe_cutoff(db_key),
        ).order_by(event_log.c.id.desc())
        row = conn.execute(base.where(event_log.c.partition_key == partition).limit(1)).first()
        found = record_from_row(row) if row is not None else None
        pdef = self.defs.get(conn.execute(
            sa.select(assets.c.partitions_def).where(assets.c.asset_key == db_key)).scalar())
        if pdef is None:
            return found
        # One event may cover a range of partitions; those have no single partition_key.
        ranged = base.where(event_log.c.partition_key.is_(None), event_log.c.id > (found.id if found else 0))
        for range_row in conn.execute(ranged):
            record = record_from_row(range_row)
            subset = subset_for_event(record, pdef, ConnectionDynamicPartitions(conn))
            if subset is not None and partition in subset:
                return record
        return found

    def get_partition_status_snapshot(self, keys: Iterable[AssetKey]) -> dict[AssetKey, PartitionStatus]:
        """The partition status of each of ``keys``, read in one indexed query per 500 keys."""
        wanted = {k.to_db_string(): k for k in keys}

        def read(conn: Connection) -> list[Row[Any]]:
            rows: list[Row[Any]] = []
            for chunk in chunks(sorted(wanted)):
                stmt = (
                    sa.select(assets.c.asset_key, assets.c.partitions_def,
                              asset_partition_status.c.status, asset_partition_status.c.subset)
                    .select_from(assets.outerjoin(
                        asset_partition_status, asset_partition_status.c.asset_key == assets.c.asset_key))
                    .where(assets.c.asset_key.in_(chunk))
                )
                rows.extend(conn.execute(stmt))
            return rows

        rows = self._runner.run(read, write=False)
        pdef_json: dict[str, str | None] = {}
        status_json: dict[str, dict[str, str]] = {}
        for row in rows:
            pdef_json[row.asset_key] = row.partitions_def
            if row.status is not None:
                status_json.setdefault(row.asset_key, {})[row.status] = row.subset
        now = datetime.now(UTC)
        dynamic = MemoizedDynamicPartitions(self._dynamic_partitions_store)
        result: dict[AssetKey, PartitionStatus] = {}
        for db_key, key in wanted.items():
            pdef_text = pdef_json.get(db_key)
            pdef = self.defs.get(pdef_text)
            stored = status_json.get(db_key, {})
            subsets = {kind: self.defs.subset(pdef_text, text) for kind, text in stored.items()}
            result[key] = build_partition_status(key, pdef, subsets, current_time=now,
                                                 dynamic_partitions_store=dynamic)
        return result

    def get_latest_check_result(self, check_key: AssetCheckKey, partition: str | None = None
                                ) -> AssetCheckEvaluation | None:
        found = self.get_check_history(check_key, partition=partition, limit=1)
        return found[0] if found else None

    def get_check_history(self, check_key: AssetCheckKey, partition: str | None = None,
                          limit: int | None = None) -> list[AssetCheckEvaluation]:
        stmt = (
            sa.select(event_log)
            .select_from(check_executions.join(event_log, event_log.c.id == check_executions.c.evaluation_event_id))
            .where(check_executions.c.asset_key == check_key.asset_key.to_db_string(),
                   check_executions.c.check_name == check_key.name)
            .order_by(check_executions.c.evaluation_event_id.desc())
        )
        if partition is not None:
            stmt = stmt.where(check_executions.c.partition_key == partition)
        if limit is not None:
            stmt = stmt.limit(limit)
        rows = self._runner.run(lambda conn: conn.execute(stmt).all(), write=False)
        return [AssetCheckEvaluation.from_record(record_from_row(r)) for r in rows]

    def get_asset_partitions_def(self, key: AssetKey) -> PartitionsDefinition | None:
        stmt = sa.select(assets.c.partitions_def).where(assets.c.asset_key == key.to_db_string())
        return self.defs.get(self._runner.run(lambda conn: conn.execute(stmt).scalar(), write=False))
