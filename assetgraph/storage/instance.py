"""`Instance`: the public handle on an assetgraph instance's storage.

A thin façade over the SQL storage modules, which it loads when an instance is created:
importing this module must not import SQLAlchemy. Must not import anything above `storage`.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from assetgraph.definitions.errors import StorageError
from assetgraph.definitions.events import (
    AssetCheckEvaluation,
    AssetMaterialization,
    Event,
    EventRecord,
    EventType,
    Run,
    RunStatus,
)
from assetgraph.definitions.keys import AssetCheckKey, AssetKey
from assetgraph.storage import config
from assetgraph.storage.captured_logs import CapturedLogFile, CapturedLogs, LogStream
from assetgraph.storage.status import UNPARTITIONED, PartitionStatus

if TYPE_CHECKING:
    from assetgraph.definitions.partitions.base import PartitionsDefinition
    from assetgraph.storage.daemon_state import BackfillRecord, TickRecord

MEMORY_URL = "sqlite://"


class Instance:
    """The storage of runs, the event log, partition status and checks.

    >>> instance = Instance.ephemeral()
    >>> instance.get_runs()
    []
    >>> instance.dispose()

    Satisfies `EventSink`, `StatusReader` and `DynamicPartitionsStore`.
    """

    def __init__(self, url: str, *, home: Path | None = None, allow_upgrade: bool = True,
                 wait_seconds: float = 0.0) -> None:
        """Open the storage at ``url``, creating its schema if the database is empty. ``home`` is
        the instance directory (default: the SQLite file's directory, else ``$ASSETGRAPH_HOME``).
        A PostgreSQL server that cannot be reached is tried again for ``wait_seconds`` (run workers
        and step processes wait out a restart of the server; commands fail at once).

        Raises `StorageError` for an unreachable server, an unsupported URL or a schema this
        version cannot use.
        """
        from sqlalchemy.exc import OperationalError

        from assetgraph.storage.daemon_state import DaemonStateStorage
        from assetgraph.storage.dynamic_partitions import DynamicPartitionStorage
        from assetgraph.storage.engine import (
            TransactionRunner,
            create_sql_engine,
            is_memory_sqlite,
            normalize_url,
        )
        from assetgraph.storage.event_log import EventLogStorage
        from assetgraph.storage.migrate import ensure_schema
        from assetgraph.storage.runs import RunStorage

        self._url = normalize_url(url)
        self._is_ephemeral = is_memory_sqlite(self._url)
        self._home = home
        self._temp_dir: str | None = None
        self._captured_logs: CapturedLogs | None = None
        engine = create_sql_engine(self._url)
        deadline = time.monotonic() + (wait_seconds if self._url.startswith("postgresql") else 0.0)
        delay = 0.1
        while True:
            try:
                ensure_schema(engine, allow_upgrade=allow_upgrade or self._url.startswith("sqlite"))
                break
            except OperationalError as exc:
                if time.monotonic() + delay < deadline:
                    time.sleep(delay)
                    delay = min(delay * 2, 1.0)
                    continue
                engine.dispose()
                shown = engine.url.render_as_string(hide_password=True)
                raise StorageError(f"Cannot open the storage at {shown}: {exc.orig}") from exc
            except BaseException:
                engine.dispose()
                raise
        self._engine = engine
        runner = TransactionRunner(engine)
        self._runs = RunStorage(runner)
        self._dynamic = DynamicPartitionStorage(runner)
        self._events = EventLogStorage(runner, self._dynamic)
        self._daemon = DaemonStateStorage(runner)
        self._runner = runner
        if not self._is_ephemeral:  # resolved now: a run worker changes directory after opening its instance
            self._captured_logs = CapturedLogs(self._home_dir() / "logs")

    @classmethod
    def ephemeral(cls) -> Instance:
        """An in-memory instance, for tests and `materialize`; gone when disposed."""
        return cls(MEMORY_URL)

    @classmethod
    def get(cls, *, wait_seconds: float = 0.0) -> Instance:
        """The instance configured by ``$ASSETGRAPH_STORAGE_URL`` or ``$ASSETGRAPH_HOME/assetgraph.yaml``,
        else the SQLite file ``$ASSETGRAPH_HOME/assetgraph.db`` (home defaults to ``./.assetgraph``)."""
        home = config.instance_home()
        url = config.storage_url(home)
        if url.startswith("sqlite:///"):
            home.mkdir(parents=True, exist_ok=True)
        return cls(url, home=home, wait_seconds=wait_seconds)

    @classmethod
    def from_url(cls, url: str, *, wait_seconds: float = 0.0) -> Instance:
        """An instance on ``sqlite:///path/to.db``, ``sqlite://`` (memory) or ``postgresql://...``."""
        return cls(url, wait_seconds=wait_seconds)

    @property
    def url(self) -> str:
        """The storage URL, password included: hand it to processes, never print it (`display_url`)."""
        return self._url

    @property
    def display_url(self) -> str:
        """The storage URL with its password masked, for messages and logs.

        >>> Instance.from_url("sqlite://").display_url
        'sqlite://'
        """
        return self._engine.url.render_as_string(hide_password=True)

    @property
    def is_ephemeral(self) -> bool:
        return self._is_ephemeral

    @property
    def storage_dir(self) -> Path:
        """Where file-based IO managers keep values: ``<home>/storage``; a temporary directory,
        removed by `dispose`, for an ephemeral instance."""
        return self._home_dir() / "storage"

    def _home_dir(self) -> Path:
        if self._is_ephemeral:
            if self._temp_dir is None:
                self._temp_dir = tempfile.mkdtemp(prefix="assetgraph-")
            return Path(self._temp_dir)
        if self._home is not None:
            return self._home
        database = self._engine.url.database if self._url.startswith("sqlite") else None
        return Path(database).parent if database else config.instance_home()

    @property
    def captured_logs(self) -> CapturedLogs:
        """The folder of captured step output, ``<home>/logs`` (one sub-folder per run): where run
        workers write each step's stdout and stderr, and the only place they are read from."""
        if self._captured_logs is None:
            self._captured_logs = CapturedLogs(self._home_dir() / "logs")
        return self._captured_logs

    def __repr__(self) -> str:
        return f"Instance({self.display_url!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        if self._is_ephemeral:
            raise StorageError("An ephemeral instance lives in one process and cannot be sent to another; "
                               "use Instance.from_url('sqlite:///path') for multi-process runs.")
        return (_reopen, (self._url, self._home))

    def __enter__(self) -> Instance:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.dispose()

    def dispose(self) -> None:
        """Close every connection (an ephemeral instance's data is gone afterwards)."""
        self._engine.dispose()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None

    # -- runs --------------------------------------------------------------------------------

    def create_run(self, run: Run) -> Run:
        """Store a new run (``create_time`` defaults to now) and return it."""
        return self._runs.create_run(run)

    def update_run(self, run_id: str, *, status: RunStatus | None = None, start_time: float | None = None,
                   end_time: float | None = None, only_from: Sequence[RunStatus] | None = None) -> bool:
        """Change a run's status and times; with ``only_from``, only while its status is one of those
        (returns False when it is not, so two processes never both move a run on). Raises
        `StorageError` for an unknown run."""
        return self._runs.update_run(run_id, status=status, start_time=start_time, end_time=end_time,
                                     only_from=only_from)

    def add_run_tags(self, run_id: str, tags: Mapping[str, str]) -> None:
        """Add or overwrite tags of a run."""
        self._runs.add_run_tags(run_id, tags)

    def heartbeat_run(self, run_id: str, timestamp: float | None = None) -> None:
        """Record that a run's worker is alive; run monitoring reads it with `get_run_heartbeats`."""
        self._runs.heartbeat_run(run_id, timestamp)

    def get_run_heartbeats(self, run_ids: Sequence[str]) -> dict[str, float]:
        """Each run's last sign of life (heartbeat or update), as a Unix timestamp."""
        return self._runs.get_run_heartbeats(run_ids)

    def get_run(self, run_id: str) -> Run | None:
        """The run with ``run_id``, or None."""
        return self._runs.get_run(run_id)

    def get_runs(self, status: RunStatus | Sequence[RunStatus] | None = None,
                 tags: Mapping[str, str] | None = None, limit: int | None = None,
                 backfill_id: str | None = None) -> list[Run]:
        """Runs newest first, filtered by status (one or several), tags (all must match) and backfill."""
        return self._runs.get_runs(status=status, tags=tags, limit=limit, backfill_id=backfill_id)

    # -- event log ---------------------------------------------------------------------------

    def store_events(self, events: Sequence[Event]) -> list[EventRecord]:
        """Append ``events`` in one transaction, updating partition status, latest materializations
        and check executions in the same transaction; return the stored records in order."""
        return self._events.store_events(events)

    def get_event_records(
        self,
        event_type: EventType | Sequence[EventType] | None = None,
        asset_key: AssetKey | None = None,
        run_id: str | None = None,
        partition: str | None = None,
        after_id: int | None = None,
        limit: int | None = None,
        ascending: bool = True,
        step_key: str | None = None,
    ) -> list[EventRecord]:
        """Events matching every given filter, by id (ascending unless ``ascending=False``).

        With ``asset_key``, events from before the asset was last wiped are left out.
        """
        return self._events.get_event_records(event_type, asset_key, run_id, partition, after_id, limit, ascending,
                                              step_key)

    def get_latest_materialization_event(self, key: AssetKey, partition: str | None = None) -> EventRecord | None:
        """The newest materialization of ``key`` (of ``partition`` when given, including events that
        cover it as part of a range), or None."""
        return self._events.get_latest_materialization_event(key, partition)

    def report_runless_asset_event(self, materialization: AssetMaterialization) -> EventRecord:
        """Record a materialization that happened outside any run (external assets).

        Raises `UnknownPartitionKeyError` when the asset's registered partitions definition has
        no such partition.
        """
        key = materialization.asset_key
        if materialization.partition is not None:
            pdef = self._events.get_asset_partitions_def(key)
            if pdef is not None:
                pdef.validate_partition_key(materialization.partition, dynamic_partitions_store=self)
        event = Event(
            event_type=EventType.ASSET_MATERIALIZATION, run_id=None, timestamp=time.time(), asset_key=key,
            partition=materialization.partition, metadata=materialization.metadata,
            message=materialization.description or "",
        )
        return self.store_events([event])[0]

    # -- captured step output ----------------------------------------------------------------

    def get_captured_log(self, run_id: str, step_key: str, stream: LogStream) -> CapturedLogFile | None:
        """The captured ``stream`` of a step of ``run_id``: the file its captured-logs event names,
        when that file lies in the run's folder of `captured_logs`. None when the step's output
        was not captured (in-process and Dask executors) or the event names any other path."""
        records = self.get_event_records(EventType.LOG_MESSAGE, run_id=run_id, step_key=step_key)
        return self.captured_logs.find(run_id, step_key, stream, records)

    # -- assets, partition status and checks -------------------------------------------------

    def register_assets(self, mapping: Mapping[AssetKey, PartitionsDefinition | None]) -> None:
        """Record each asset's partitions definition. When one changed, that asset's status is
        rebuilt from the event log."""
        self._events.register_assets(mapping)

    def get_partition_status(self, key: AssetKey) -> PartitionStatus:
        """Materialized, failed, in-progress and missing partitions of ``key``, in one indexed read."""
        return self._events.get_partition_status_snapshot([key])[key]

    def get_partition_status_snapshot(self, keys: Iterable[AssetKey]) -> dict[AssetKey, PartitionStatus]:
        """`get_partition_status` for many keys at once (the `StatusReader` protocol)."""
        return self._events.get_partition_status_snapshot(keys)

    def get_materialized_partitions(self, key: AssetKey) -> set[str]:
        """The partition keys of ``key`` that have been materialized (empty for unpartitioned assets)."""
        subset = self.get_partition_status(key).materialized
        return {k for k in subset.get_partition_keys() if k != UNPARTITIONED}

    def rebuild_partition_status(self, keys: Iterable[AssetKey] | None = None) -> None:
        """Recompute derived partition status from the event log (default: every asset)."""
        self._events.rebuild_partition_status(keys)

    def wipe_assets(self, keys: Iterable[AssetKey]) -> None:
        """Forget the materializations, status and check results of ``keys``. Events stay in the
        log but asset queries no longer return them."""
        self._events.wipe_assets(keys)

    def get_latest_check_result(self, check_key: AssetCheckKey, partition: str | None = None
                                ) -> AssetCheckEvaluation | None:
        """The newest evaluation of a check (of ``partition`` when given), or None."""
        return self._events.get_latest_check_result(check_key, partition)

    def get_check_history(self, check_key: AssetCheckKey, partition: str | None = None,
                          limit: int | None = None) -> list[AssetCheckEvaluation]:
        """Evaluations of a check, newest first."""
        return self._events.get_check_history(check_key, partition, limit)

    # -- dynamic partitions (the DynamicPartitionsStore protocol) ------------------------------

    def add_dynamic_partitions(self, name: str, keys: Sequence[str]) -> None:
        """Add keys to the dynamic partitions definition ``name`` (existing keys are ignored)."""
        self._dynamic.add_dynamic_partitions(name, keys)

    def delete_dynamic_partition(self, name: str, key: str) -> None:
        """Remove one key from the dynamic partitions definition ``name``."""
        self._dynamic.delete_dynamic_partition(name, key)

    def get_dynamic_partitions(self, name: str) -> list[str]:
        """The keys of ``name``, in the order they were added."""
        return self._dynamic.get_dynamic_partitions(name)

    def has_dynamic_partition(self, name: str, key: str) -> bool:
        return self._dynamic.has_dynamic_partition(name, key)

    # -- daemon state ------------------------------------------------------------------------

    def get_cursor(self, key: str) -> str | None:
        """A stored cursor (sensors, daemons), or None."""
        return self._daemon.get_cursor(key)

    def set_cursor(self, key: str, value: str) -> None:
        self._daemon.set_cursor(key, value)

    def get_kvs(self, keys: Iterable[str]) -> dict[str, str]:
        """The stored values of those ``keys`` that exist."""
        return self._daemon.get_kvs(keys)

    def set_kvs(self, values: Mapping[str, str]) -> None:
        self._daemon.set_kvs(values)

    def add_backfill(self, backfill_id: str, status: str, body: Mapping[str, Any]) -> BackfillRecord:
        """Store a new backfill; ``body`` is any JSON-able document the daemon owns."""
        return self._daemon.add_backfill(backfill_id, status, body)

    def update_backfill(self, backfill_id: str, status: str, body: Mapping[str, Any] | None = None) -> None:
        self._daemon.update_backfill(backfill_id, status, body)

    def get_backfill(self, backfill_id: str) -> BackfillRecord | None:
        return self._daemon.get_backfill(backfill_id)

    def get_backfills(self, status: str | None = None, limit: int | None = None) -> list[BackfillRecord]:
        """Backfills newest first."""
        return self._daemon.get_backfills(status=status, limit=limit)

    def create_tick(self, instigator_name: str, tick_type: str, status: str, timestamp: float,
                    body: Mapping[str, Any]) -> TickRecord:
        """Record one schedule or sensor evaluation."""
        return self._daemon.create_tick(instigator_name, tick_type, status, timestamp, body)

    def update_tick(self, tick_id: int, status: str, body: Mapping[str, Any] | None = None) -> None:
        self._daemon.update_tick(tick_id, status, body)

    def get_ticks(self, instigator_name: str, limit: int | None = None) -> list[TickRecord]:
        """Ticks of one schedule or sensor, newest first."""
        return self._daemon.get_ticks(instigator_name, limit)

    # -- retention ---------------------------------------------------------------------------

    def prune_run_events(self, before: float) -> int:
        """Delete events older than ``before`` (a Unix time) that name no asset: run, step and log
        events. Asset and check events are kept, so history and partition status never change.
        Returns how many were deleted."""
        import sqlalchemy as sa

        from assetgraph.storage.schema import event_log

        stmt = sa.delete(event_log).where(event_log.c.asset_key.is_(None), event_log.c.timestamp < before)
        return int(self._runner.run(lambda conn: conn.execute(stmt).rowcount, write=True))

    def prune_ticks(self, before: float) -> int:
        """Delete finished schedule and sensor ticks older than ``before``; a STARTED tick, which the
        daemon resumes after a crash, is kept. Returns how many were deleted."""
        import sqlalchemy as sa

        from assetgraph.storage.schema import ticks

        stmt = sa.delete(ticks).where(ticks.c.timestamp < before, ticks.c.status != "STARTED")
        return int(self._runner.run(lambda conn: conn.execute(stmt).rowcount, write=True))

    # -- batched reads for the server (one query per 500 keys, never one per key) --------------

    def get_latest_materialization_events(self, keys: Iterable[AssetKey]) -> dict[AssetKey, EventRecord]:
        """The newest materialization of each of ``keys`` that has one (wipes respected), in one
        batched read: what `get_latest_materialization_event` gives, for many keys."""
        return self._events.get_latest_materialization_events(keys)

    def get_runs_page(self, status: RunStatus | Sequence[RunStatus] | None = None,
                      tags: Mapping[str, str] | None = None, backfill_id: str | None = None,
                      after_run_id: str | None = None, limit: int | None = None) -> list[Run]:
        """`get_runs` continuing after the run ``after_run_id`` (newest first), for cursor pages.

        Raises `StorageError` when ``after_run_id`` is not a run of this instance.
        """
        if after_run_id is None:
            return self.get_runs(status=status, tags=tags, limit=limit, backfill_id=backfill_id)
        import sqlalchemy as sa

        from assetgraph.storage.runs import _run_from_row as run_from_row
        from assetgraph.storage.schema import run_tags, runs

        def read(conn: Any) -> list[Run]:
            position = conn.execute(sa.select(runs.c.id).where(runs.c.run_id == after_run_id)).scalar()
            if position is None:
                raise StorageError(f"No run with id {after_run_id!r} to continue after.")
            stmt = sa.select(runs).where(runs.c.id < position).order_by(runs.c.id.desc())
            if status is not None:
                statuses = [status] if isinstance(status, str) else list(status)
                stmt = stmt.where(runs.c.status.in_([RunStatus(s).value for s in statuses]))
            for key, value in (tags or {}).items():
                stmt = stmt.where(runs.c.run_id.in_(
                    sa.select(run_tags.c.run_id).where(run_tags.c.key == key, run_tags.c.value == value)))
            if backfill_id is not None:
                stmt = stmt.where(runs.c.backfill_id == backfill_id)
            if limit is not None:
                stmt = stmt.limit(limit)
            return [run_from_row(r) for r in conn.execute(stmt)]

        return self._runner.run(read, write=False)


def _reopen(url: str, home: Path | None) -> Instance:
    """Unpickle an instance: the same storage and the same home (so the same `storage_dir`)."""
    return Instance(url, home=home)
