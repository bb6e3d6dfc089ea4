"""Downloading a step's captured output: ``GET /runs/{run_id}/logs?step=STEP&stream=stdout``
(or ``stderr``) answers the whole file as written so far, as an attachment.

The file comes from `Instance.get_captured_log`, which serves only files that the run's events
name inside the run's folder of the instance's captured-log directory; this module never turns a
request into a path. Logs are user output: they are sent as ``text/plain`` with ``nosniff`` and as
an attachment, so a browser never renders them as a page.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote, urlencode

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from assetgraph.server.context import in_thread
from assetgraph.storage.captured_logs import CapturedLogFile, LogStream
from assetgraph.storage.instance import Instance

CHUNK_BYTES = 64 * 1024
_SUFFIX = {LogStream.STDOUT: "out", LogStream.STDERR: "err"}


def download_url(run_id: str, step_key: str, stream: LogStream) -> str:
    """The server-relative URL that downloads a step's captured ``stream``."""
    return f"/runs/{quote(run_id, safe='')}/logs?{urlencode({'step': step_key, 'stream': stream.value})}"


def _refusal(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status)


async def _snapshot(file: CapturedLogFile, size: int) -> AsyncIterator[bytes]:
    # Exactly `size` bytes: a live step keeps appending, and Content-Length was already sent.
    async with await anyio.open_file(file.path, "rb") as f:
        left = size
        while left > 0:
            data = await f.read(min(CHUNK_BYTES, left))
            if not data:
                return
            left -= len(data)
            yield data


def logs_endpoint(instance: Instance) -> Any:
    async def download(request: Request) -> Response:
        run_id = request.path_params["run_id"]
        step_key = request.query_params.get("step")
        stream_name = request.query_params.get("stream", LogStream.STDOUT.value)
        if not step_key:
            return _refusal(400, "Name the step: ?step=STEP_KEY&stream=stdout (or stderr).")
        if stream_name not in {s.value for s in LogStream}:
            return _refusal(400, f"`stream` must be stdout or stderr, got {stream_name!r}.")
        if await in_thread(instance.get_run, run_id) is None:
            return _refusal(404, f"No run with id {run_id!r}.")
        file = await in_thread(instance.get_captured_log, run_id, step_key, LogStream(stream_name))
        if file is None:
            return _refusal(404, f"Step {step_key!r} of run {run_id} has no captured {stream_name}.")
        try:
            size = (await in_thread(os.stat, file.path)).st_size
        except FileNotFoundError:
            return _refusal(404, f"The captured {stream_name} of step {step_key!r} is gone (removed by retention, "
                                 "or the step never started).")
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{run_id[:8]}-{file.path.stem}.{_SUFFIX[file.stream]}")
        headers = {"Content-Length": str(size), "Content-Disposition": f'attachment; filename="{name}"',
                   "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
        return StreamingResponse(_snapshot(file, size), media_type="text/plain; charset=utf-8", headers=headers)

    return download
