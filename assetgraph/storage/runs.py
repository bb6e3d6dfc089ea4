"""Run records and their tags.

A run is stored as indexed columns (status, times, backfill) plus a JSON body for the rest.
Imports SQLAlchemy; must not import anything above `storage`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from assetgraph.definitions.errors import StorageError
from assetgraph.definitions.events import Run, RunStatus
from assetgraph.definitions.keys import AssetCheckKey, AssetKey
from assetgraph.storage.engine import TransactionRunner
from assetgraph.storage.schema import run_tags, runs
from assetgraph.storage.sql import chunks


def _run_body(run: Run) -> str:
    body = {
        "tags": dict(run.tags),
        "asset_selection": [list(k.path) for k in run.asset_selection],
        "asset_check_selection": (None if run.asset_check_selection is None else
                                  [[list(c.asset_key.path), c.name] for c in run.asset_check_selection]),
        "partition_key": run.partition_key,
        "partition_range": list(run.partition_range) if run.partition_range else None,
        "partition_keys": list(run.partition_keys),
        "run_config": dict(run.run_config),
        "parent_run_id": run.parent_run_id,
        "root_run_id": run.root_run_id,
        "code_location": run.code_location,
    }
    try:
        return json.dumps(body, separators=(",", ":"))
    except TypeError as exc:
        raise StorageError(f"Run {run.run_id}: its config or tags are not JSON-serialisable ({exc}).") from exc


def _run_from_row(row: Row[Any]) -> Run:
    body = json.loads(row.body)
    checks = body.get("asset_check_selection")
    rng = body.get("partition_range")
    return Run(
        run_id=row.run_id,
        status=RunStatus(row.status),
        tags=body.get("tags", {}),
        job_name=row.job_name,
        asset_selection=tuple(AssetKey(p) for p in body.get("asset_selection", [])),
        asset_check_selection=None if checks is None else tuple(AssetCheckKey(AssetKey(p), n) for p, n in checks),
        partition_key=body.get("partition_key"),
        partition_range=(rng[0], rng[1]) if rng else None,
        partition_keys=tuple(body.get("partition_keys") or ()),
        run_config=body.get("run_config", {}),
        parent_run_id=body.get("parent_run_id"),
        root_run_id=body.get("root_run_id"),
        create_time=row.create_time,
        start_time=row.start_time,
        end_time=row.end_time,
        backfill_id=row.backfill_id,
        code_location=body.get("code_location"),
    )


class RunStorage:
    """Creates, updates and queries runs."""

    def __init__(self, runner: TransactionRunner) -> None:
        self._runner = runner

    def create_run(self, run: Run) -> Run:
        """Store a new run; its ``create_time`` defaults to now. Raises `StorageError` if the id is taken."""
        if not run.create_time:
            run = run.replace(create_time=time.time())
        row = {
            "run_id": run.run_id, "status": run.status.value, "job_name": run.job_name,
            "backfill_id": run.backfill_id, "create_time": run.create_time, "start_time": run.start_time,
            "end_time": run.end_time, "update_time": time.time(), "body": _run_body(run),
        }

        def create(conn: Connection) -> None:
            if conn.execute(sa.select(runs.c.id).where(runs.c.run_id == run.run_id)).first() is not None:
                raise StorageError(f"A run with id {run.run_id!r} already exists.")
            conn.execute(sa.insert(runs), row)
            if run.tags:
                conn.execute(sa.insert(run_tags), [
                    {"run_id": run.run_id, "key": k, "value": v} for k, v in run.tags.items()])

        self._runner.run(create, write=True)
        return run

    def update_run(self, run_id: str, *, status: RunStatus | None = None, start_time: float | None = None,
                   end_time: float | None = None, only_from: Sequence[RunStatus] | None = None) -> bool:
        """Change a run's status and times; with ``only_from``, only while its status is one of those
        (False when it is not). Raises `StorageError` for an unknown run."""
        values: dict[str, Any] = {"update_time": time.time()}
        if status is not None:
            values["status"] = RunStatus(status).value
        if start_time is not None:
            values["start_time"] = start_time
        if end_time is not None:
            values["end_time"] = end_time
        stmt = sa.update(runs).where(runs.c.run_id == run_id).values(**values)
        if only_from is not None:
            stmt = stmt.where(runs.c.status.in_([RunStatus(s).value for s in only_from]))
        count = self._runner.run(lambda conn: conn.execute(stmt).rowcount, write=True)
        if not count and (only_from is None or self.get_run(run_id) is None):
            raise StorageError(f"No run with id {run_id!r} in this instance.")
        return bool(count)

    def add_run_tags(self, run_id: str, tags: Mapping[str, str]) -> None:
        """Add or overwrite tags on an existing run."""
        def add(conn: Connection) -> None:
            # Read-modify-write of the body: lock the row so that concurrent taggers (worker,
            # daemon, server) do not overwrite each other's tags on PostgreSQL.
            row = conn.execute(sa.select(runs.c.body).where(runs.c.run_id == run_id).with_for_update()).first()
            if row is None:
                raise StorageError(f"No run with id {run_id!r} in this instance.")
            body = json.loads(row.body)
            body["tags"] = {**body.get("tags", {}), **tags}
            conn.execute(sa.update(runs).where(runs.c.run_id == run_id).values(
                body=json.dumps(body, separators=(",", ":")), update_time=time.time()))
            conn.execute(sa.delete(run_tags).where(run_tags.c.run_id == run_id, run_tags.c.key.in_(list(tags))))
            conn.execute(sa.insert(run_tags), [{"run_id": run_id, "key": k, "value": v} for k, v in tags.items()])

        if tags:
            self._runner.run(add, write=True)

    def heartbeat_run(self, run_id: str, timestamp: float | None = None) -> None:
        """Record that the run's worker is alive (any update of the run counts as one too)."""
        stmt = sa.update(runs).where(runs.c.run_id == run_id).values(update_time=timestamp or time.time())
        self._runner.run(lambda conn: conn.execute(stmt), write=True)

    def get_run_heartbeats(self, run_ids: Sequence[str]) -> dict[str, float]:
        """The last sign of life of each run: its last heartbeat or update."""
        def read(conn: Connection) -> dict[str, float]:
            found: dict[str, float] = {}
            for chunk in chunks(list(run_ids)):
                stmt = sa.select(runs.c.run_id, runs.c.update_time).where(runs.c.run_id.in_(chunk))
                found.update((r.run_id, r.update_time) for r in conn.execute(stmt))
            return found

        return self._runner.run(read, write=False)

    def get_run(self, run_id: str) -> Run | None:
        stmt = sa.select(runs).where(runs.c.run_id == run_id)
        row = self._runner.run(lambda conn: conn.execute(stmt).first(), write=False)
        return _run_from_row(row) if row is not None else None

    def get_runs(self, status: RunStatus | Sequence[RunStatus] | None = None,
                 tags: Mapping[str, str] | None = None, limit: int | None = None,
                 backfill_id: str | None = None) -> list[Run]:
        stmt = sa.select(runs).order_by(runs.c.id.desc())
        if status is not None:
            statuses = [status] if isinstance(status, str) else list(status)
            stmt = stmt.where(runs.c.status.in_([RunStatus(s).value for s in statuses]))
        for key, value in (tags or {}).items():
            tagged = sa.select(run_tags.c.run_id).where(run_tags.c.key == key, run_tags.c.value == value)
            stmt = stmt.where(runs.c.run_id.in_(tagged))
        if backfill_id is not None:
            stmt = stmt.where(runs.c.backfill_id == backfill_id)
        if limit is not None:
            stmt = stmt.limit(limit)
        rows = self._runner.run(lambda conn: conn.execute(stmt).all(), write=False)
        return [_run_from_row(r) for r in rows]
