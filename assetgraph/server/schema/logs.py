"""GraphQL types of captured step output: `capturedLogs` reads a step's stdout or stderr in chunks
by byte cursor, and `CapturedOutput` (on the event that announces it) names the download URLs."""

from __future__ import annotations

import enum

import strawberry

from assetgraph.server import services
from assetgraph.server.captured_logs import download_url
from assetgraph.server.context import in_thread
from assetgraph.server.schema.common import Info, ctx
from assetgraph.storage.captured_logs import LogStream

DEFAULT_CHUNK_BYTES = 64 * 1024


@strawberry.enum(name="LogStream", description="A step's standard output or standard error.")
class LogStreamEnum(enum.Enum):
    STDOUT = "stdout"
    STDERR = "stderr"


@strawberry.type(description="The event that says a step's output is captured: where to download it.")
class CapturedOutput:
    step_key: str
    stdout_download_url: str
    stderr_download_url: str

    @staticmethod
    def of(run_id: str, step_key: str) -> CapturedOutput:
        return CapturedOutput(step_key=step_key, stdout_download_url=download_url(run_id, step_key, LogStream.STDOUT),
                              stderr_download_url=download_url(run_id, step_key, LogStream.STDERR))


@strawberry.type(description="Bytes of a step's captured output, decoded as UTF-8 (invalid bytes replaced).")
class CapturedLogChunk:
    step_key: str
    stream: LogStreamEnum
    data: str
    start: float = strawberry.field(description="The byte offset of `data` in the file.")
    cursor: str = strawberry.field(description="The byte offset after `data`: pass it as `cursor` to read on.")
    size: float = strawberry.field(description="The file's size in bytes when it was read (0 before the step "
                                               "process created it).")
    has_more: bool = strawberry.field(description="More bytes are already written: read again at once.")
    is_complete: bool = strawberry.field(description="The run has finished, so the file no longer grows; while "
                                                     "false the step may still be writing.")
    exists: bool = strawberry.field(description="False while the step has not created the file yet, or after "
                                                "retention removed it.")
    download_url: str = strawberry.field(description="GET it for the whole file as written so far.")


@strawberry.type
class LogQueries:
    @strawberry.field(description="A chunk of a step's captured stdout or stderr from the byte offset `cursor` "
                                  "(default: the start; with `fromEnd`, the last `maxBytes` from a line start). "
                                  "Null when the step's output was not captured (in-process or Dask executors); "
                                  "an error for an unknown run.")
    async def captured_logs(self, info: Info, run_id: str, step_key: str, stream: LogStreamEnum,
                            cursor: str | None = None, max_bytes: int = DEFAULT_CHUNK_BYTES,
                            from_end: bool = False) -> CapturedLogChunk | None:
        read = await in_thread(services.captured_log, ctx(info).instance, run_id, step_key, LogStream(stream.value),
                               cursor, max_bytes, from_end)
        if read is None:
            return None
        chunk = read.chunk
        return CapturedLogChunk(
            step_key=step_key, stream=stream, data=chunk.data, start=chunk.start, cursor=str(chunk.end),
            size=chunk.size, has_more=chunk.has_more, is_complete=read.is_complete, exists=chunk.exists,
            download_url=download_url(run_id, step_key, read.file.stream))
