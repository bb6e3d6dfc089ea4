"""Run retries: a failed run is re-executed by policy, up to its retry limit.

The limit and strategy come from the run's tags (``assetgraph/max_retries``,
``assetgraph/retry_strategy``: ``FROM_FAILURE`` or ``ALL_STEPS``), else from ``run_retries:`` in
assetgraph.yaml. Runs of a backfill are left to the backfill loop, which retries a chunk by the same
policy and waits for the retry. The loop reads RUN_FAILURE events after a stored cursor; a retry is
tagged with its parent run, so a failure seen twice (after a crash) still gets one retry. The cursor moves
past a failure only once it has been seen for `SETTLE_SECONDS`: event ids come from a sequence, so
on PostgreSQL a writer may commit a lower id after another committed a higher one, and a run's
status may turn FAILURE a moment after its RUN_FAILURE event; failures in that window are read
again on every pass. Must not import server or cli.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from assetgraph.codelocation.launch import (
    FROM_FAILURE,
    MAX_RETRIES_TAG,
    PARENT_RUN_TAG,
    RETRY_NUMBER_TAG,
    RETRY_STRATEGY_TAG,
    reexecute_run,
)
from assetgraph.codelocation.workspace import Workspace
from assetgraph.definitions.errors import AssetGraphError
from assetgraph.definitions.events import EventType, Run, RunStatus
from assetgraph.orchestration.config import DaemonConfig

log = logging.getLogger("assetgraph.daemon.retries")

CURSOR_KEY = "daemon/run_retries"
SETTLE_SECONDS = 30.0  # how long a failure stays before the cursor (longer than any write transaction)
PAGE = 200


class RunRetries:
    """One pass (`tick`) queues retries of runs that failed since the last pass."""

    def __init__(self, instance: Any, workspace: Workspace, config: DaemonConfig) -> None:
        self.instance = instance
        self.workspace = workspace
        self.config = config
        self._first_seen: dict[int, float] = {}  # event id -> when this loop first read it

    def tick(self) -> list[str]:
        """Queue the retries that are due; return the new run ids."""
        cursor = self.instance.get_cursor(CURSOR_KEY)
        if cursor is None:  # a daemon's first start: failures from before it are history, not retries
            latest = self.instance.get_event_records(event_type=EventType.RUN_FAILURE, limit=1, ascending=False)
            self.instance.set_cursor(CURSOR_KEY, str(latest[0].id if latest else 0))
            return []
        now = time.monotonic()
        created = []
        settled = after = int(cursor)
        holding = False
        while True:
            records = self.instance.get_event_records(event_type=EventType.RUN_FAILURE, after_id=after, limit=PAGE)
            for record in records:
                run = self.instance.get_run(record.run_id) if record.run_id else None
                if run is not None and run.status == RunStatus.FAILURE:
                    new = self._retry(run)
                    if new is not None:
                        created.append(new)
                first_seen = self._first_seen.setdefault(record.id, now)
                holding = holding or now - first_seen < SETTLE_SECONDS
                if not holding:
                    settled = record.id
            if len(records) < PAGE:
                break
            after = records[-1].id
        if settled != int(cursor):
            self.instance.set_cursor(CURSOR_KEY, str(settled))
            self._first_seen = {i: t for i, t in self._first_seen.items() if i > settled}
        return created

    def _retry(self, run: Run) -> str | None:
        if run.backfill_id is not None:
            return None  # the backfill loop retries the chunks of its backfills itself
        max_retries = int(run.tags.get(MAX_RETRIES_TAG, self.config.max_retries))
        number = int(run.tags.get(RETRY_NUMBER_TAG, 0))
        if number >= max_retries:
            return None
        if self.instance.get_runs(tags={PARENT_RUN_TAG: run.run_id}, limit=1):
            return None  # already retried (the daemon stopped before moving its cursor)
        location = self.workspace.get(run.code_location)
        if location is None:
            log.warning("run %s: cannot retry, code location %r is not loaded", run.run_id, run.code_location)
            return None
        strategy = run.tags.get(RETRY_STRATEGY_TAG, self.config.retry_strategy) or FROM_FAILURE
        try:
            new = reexecute_run(self.instance, location, run.run_id, strategy,
                                tags={RETRY_NUMBER_TAG: str(number + 1), MAX_RETRIES_TAG: str(max_retries)})
        except AssetGraphError as exc:
            log.warning("run %s: not retried: %s", run.run_id, exc)
            return None
        log.info("run %s failed; retry %d of %d is run %s", run.run_id, number + 1, max_retries, new.run_id)
        return new.run_id
