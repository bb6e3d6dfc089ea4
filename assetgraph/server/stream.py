"""Server-sent events: a run's events as they are written (``GET /runs/{run_id}/events/stream``).

The stream follows `run_event_feed` (which polls storage), sends each event as one ``data:`` JSON
line with its id, and ends once the run has finished and every event is sent. A client reconnecting with ``Last-Event-ID`` (or ``?after=``) resumes after that
event. Clients without EventSource poll `runEvents(runId:, after:)` instead.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from assetgraph.definitions.events import EventRecord
from assetgraph.server import services
from assetgraph.server.context import in_thread
from assetgraph.server.run_feed import POLL_SECONDS, run_event_feed
from assetgraph.storage.instance import Instance

KEEPALIVE_SECONDS = 15.0


def event_json(record: EventRecord) -> dict[str, Any]:
    """The JSON of one event, with the field names of the GraphQL `RunEvent` type."""
    return {
        "id": str(record.id), "eventType": record.event_type.value, "timestamp": record.timestamp,
        "runId": record.run_id, "assetKey": {"path": list(record.asset_key.path)} if record.asset_key else None,
        "partition": record.partition, "stepKey": record.step_key, "message": record.message,
        "checkName": record.check_name, "passed": record.passed,
        "error": {"message": record.error.message, "clsName": record.error.cls_name} if record.error else None,
    }


async def _events(instance: Instance, run_id: str, after: int | None, poll: float) -> AsyncIterator[str]:
    idle = 0.0
    yield "retry: 2000\n\n"
    async for batch in run_event_feed(instance, run_id, after, poll):
        for record in batch.records:
            yield f"id: {record.id}\nevent: run_event\ndata: {json.dumps(event_json(record))}\n\n"
        if batch.is_finished:
            status = batch.status.value if batch.status is not None else "UNKNOWN"
            yield f"event: end\ndata: {json.dumps({'status': status})}\n\n"
            return
        idle = idle + poll if not batch.records else 0.0
        if idle >= KEEPALIVE_SECONDS:
            idle = 0.0
            yield ": keep-alive\n\n"


def stream_endpoint(instance: Instance, poll: float = POLL_SECONDS) -> Any:
    async def stream(request: Request) -> Response:
        run_id = request.path_params["run_id"]
        try:
            after = services.parse_event_cursor(request.headers.get("last-event-id") or request.query_params.get("after"))
        except services.RequestError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        if await in_thread(instance.get_run, run_id) is None:
            return JSONResponse({"error": f"No run with id {run_id!r}."}, status_code=404)
        return StreamingResponse(_events(instance, run_id, after, poll), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    return stream
