"""A run's events as they are written, for the live views: the server-sent event stream and the
GraphQL subscription read the same feed.

The feed polls storage (events are the source of truth; any process may write them) from an event
id cursor, and ends once the run has finished and every event is read. On PostgreSQL a run's
events commit in id order (`storage.event_log`), so following the cursor never skips one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

from assetgraph.definitions.events import EventRecord, RunStatus
from assetgraph.server.context import in_thread
from assetgraph.storage.instance import Instance

POLL_SECONDS = 0.25
BATCH = 500


@dataclass(frozen=True)
class FeedBatch:
    """Events read in one poll (possibly none). The last batch has ``is_finished`` and the run's
    final status (None when the run was deleted meanwhile)."""

    records: list[EventRecord]
    is_finished: bool = False
    status: RunStatus | None = None


async def run_event_feed(instance: Instance, run_id: str, after: int | None,
                         poll: float = POLL_SECONDS) -> AsyncIterator[FeedBatch]:
    """Batches of the events of ``run_id`` after the event id ``after``: one per poll while the run
    goes on, at once while a full batch comes back, and a last one once it has finished."""
    while True:
        records = await in_thread(instance.get_event_records, run_id=run_id, after_id=after, limit=BATCH)
        if records:
            after = records[-1].id
        if len(records) == BATCH:
            yield FeedBatch(records)
            continue
        run = await in_thread(instance.get_run, run_id)
        if run is None or run.status.is_finished:
            # Finished: what the worker wrote before it set the status is committed; read it all.
            if not await in_thread(instance.get_event_records, run_id=run_id, after_id=after, limit=1):
                yield FeedBatch(records, is_finished=True, status=run.status if run is not None else None)
                return
            yield FeedBatch(records)
            continue
        yield FeedBatch(records)
        await asyncio.sleep(poll)
