"""The backfill loop: advances every unfinished backfill by one step per pass, through
`assetgraph.execution.backfill.advance_backfill`, which records the chunk in flight and submits
the next chunk (or a retry of a failed one, by the retry policy) as a QUEUED run. The chunk's run
id is stored before its run is submitted, so the loop resumes after a crash at any point without a
duplicate run. A backfill whose code location is not loaded (still loading, restarting after a
crash, or failing to load) waits for it rather than submitting runs that could not start. Must not
import server or cli.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from assetgraph.codelocation.workspace import LOADED, Workspace
from assetgraph.definitions.events import Event, EventType, Run
from assetgraph.execution.backfill import BackfillStatus, advance_backfill
from assetgraph.orchestration.config import DaemonConfig

log = logging.getLogger("assetgraph.daemon.backfills")

UNFINISHED = (BackfillStatus.REQUESTED, BackfillStatus.IN_PROGRESS, BackfillStatus.CANCELING)


class BackfillLoop:
    """One pass (`tick`) advances each unfinished backfill."""

    def __init__(self, instance: Any, workspace: Workspace, on_submitted: Callable[[], None] | None = None,
                 crash_hook: Callable[[str], None] | None = None, config: DaemonConfig | None = None) -> None:
        self.instance = instance
        self.workspace = workspace
        self.on_submitted = on_submitted or (lambda: None)
        self.crash_hook = crash_hook or (lambda point: None)
        self.config = config or DaemonConfig()

    def tick(self) -> int:
        """Advance every unfinished backfill once; return how many runs were submitted."""
        submitted = 0

        def submit(run: Run) -> None:
            nonlocal submitted
            if run.code_location is None:
                only = self.workspace.get(None)
                run = run.replace(code_location=only.name if only is not None else None)
            self.crash_hook("backfill:before_submit")
            self.instance.create_run(run)
            self.instance.store_events([Event(event_type=EventType.RUN_ENQUEUED, run_id=run.run_id,
                                              timestamp=time.time(), message=f"Backfill {run.backfill_id}")])
            self.crash_hook("backfill:after_submit")
            submitted += 1

        for status in UNFINISHED:
            for record in self.instance.get_backfills(status=status.value):
                location = self.workspace.get(record.body.get("location"))
                if status != BackfillStatus.CANCELING and location is not None and location.status != LOADED:
                    log.debug("backfill %s waits for code location %s (%s)", record.backfill_id, location.name,
                              location.status)
                    continue
                advance_backfill(self.instance, record.backfill_id, submit, max_retries=self.config.max_retries,
                                 retry_strategy=self.config.retry_strategy)
        if submitted:
            self.on_submitted()
        return submitted
