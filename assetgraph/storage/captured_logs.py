"""Captured step output: the stdout and stderr files that run workers write under the instance's
``logs/RUN_ID/`` folder, found through the run's events and read in chunks by byte cursor.

A file is readable only when a captured-logs event of its run and step names it *and* its real
path (symlinks resolved) lies inside that run's folder under the instance's log directory:
nothing else on disk can be reached through here, whatever an event or a request says.
Plain file I/O over event records; must not import SQLAlchemy or anything above `storage`.
"""

from __future__ import annotations

import enum
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assetgraph.definitions.events import EventRecord

log = logging.getLogger("assetgraph.storage.captured_logs")

# `data["kind"]` of the LOG_MESSAGE event that names a step's captured files (execution writes it).
CAPTURED_LOGS_KIND = "captured_logs"
MAX_CHUNK_BYTES = 1024 * 1024


class LogStream(enum.StrEnum):
    """Which captured file of a step: its standard output or its standard error."""

    STDOUT = "stdout"
    STDERR = "stderr"


@dataclass(frozen=True)
class CapturedLogFile:
    """One vetted captured file: ``path`` is inside its run's log folder and named by its events."""

    run_id: str
    step_key: str
    stream: LogStream
    path: Path

    def size(self) -> int:
        """Bytes written so far (0 while the step process has not created the file yet)."""
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def exists(self) -> bool:
        return self.path.is_file()


@dataclass(frozen=True)
class LogChunk:
    """Bytes ``start``..``end`` of a captured file, decoded as UTF-8 (invalid bytes replaced).

    ``end`` is the cursor of the next read. ``size`` is the file's size when it was read. Unless
    read as final, a chunk never ends inside a UTF-8 character (a writer may be in the middle of
    one), so ``end`` may stop up to three bytes short of the end of the file. ``has_more`` says
    whether the read stopped at ``max_bytes`` with more bytes already written.
    """

    data: str
    start: int
    end: int
    size: int
    exists: bool
    has_more: bool


class CapturedLogs:
    """The captured-output folder of one instance (``<home>/logs``): one sub-folder per run.

    >>> import tempfile
    >>> logs = CapturedLogs(Path(tempfile.mkdtemp()))
    >>> logs.run_dir("abc").name
    'abc'
    """

    def __init__(self, base_dir: Path) -> None:
        # Resolved once: a worker changes directory after opening its instance.
        self.base_dir = base_dir.resolve()

    def run_dir(self, run_id: str) -> Path:
        """The folder of ``run_id``'s captured output. Raises `ValueError` for an id that is not one
        plain path component (run ids are generated; anything else is a forged request)."""
        if not run_id or run_id in (".", "..") or "/" in run_id or "\\" in run_id or "\0" in run_id:
            raise ValueError(f"{run_id!r} is not a run id.")
        return self.base_dir / run_id

    def find(self, run_id: str, step_key: str, stream: LogStream,
             records: Sequence[EventRecord]) -> CapturedLogFile | None:
        """The file of ``step_key``'s ``stream`` that the newest captured-logs event among ``records``
        (the run's LOG_MESSAGE events) names, or None when no event names one or the named path
        lies outside the run's folder (refused, with a warning in the log)."""
        for record in reversed(records):
            if record.run_id != run_id or record.step_key != step_key:
                continue
            if record.data.get("kind") != CAPTURED_LOGS_KIND:
                continue
            named = record.data.get(stream.value)
            path = self._vetted(run_id, named)
            if path is None:
                log.warning("refused to serve %r for step %r of run %s: not a file of the run's log folder %s",
                            named, step_key, run_id, self.base_dir)
                return None
            return CapturedLogFile(run_id, step_key, stream, path)
        return None

    def _vetted(self, run_id: str, named: object) -> Path | None:
        if not isinstance(named, str) or not named or "\0" in named:
            return None
        path = Path(named)
        if not path.is_absolute():
            return None
        try:
            folder = self.run_dir(run_id).resolve()
        except ValueError:
            return None
        real = path.resolve()
        if real == folder or not real.is_relative_to(folder):
            return None
        return real


def read_chunk(file: CapturedLogFile, cursor: int | None, max_bytes: int, *, from_end: bool = False,
               final: bool = False) -> LogChunk:
    """Read up to ``max_bytes`` of ``file`` from byte ``cursor`` (None: the start; with ``from_end``,
    the last ``max_bytes``, starting at a line boundary). A missing file reads as empty. ``final``
    says nothing writes the file any more, so a character cut off at its end is decoded as is.

    Raises `ValueError` for a negative cursor or a size outside 1..`MAX_CHUNK_BYTES`.
    """
    if not 1 <= max_bytes <= MAX_CHUNK_BYTES:
        raise ValueError(f"`maxBytes` must be between 1 and {MAX_CHUNK_BYTES}, got {max_bytes}.")
    if cursor is not None and cursor < 0:
        raise ValueError(f"A log cursor is a byte offset, 0 or more; got {cursor}.")
    try:
        # O_NOFOLLOW: the vetted path has no symlinks; refuse one swapped in since.
        fd = os.open(file.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        start = cursor or 0
        return LogChunk("", start, start, 0, exists=False, has_more=False)
    with os.fdopen(fd, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        align = cursor is None and from_end and size > max_bytes
        start = min(cursor, size) if cursor is not None else (size - max_bytes if align else 0)
        f.seek(start)
        raw = f.read(min(max_bytes, size - start))
        if raw and complete_utf8_prefix(raw) == 0:  # less than one character fits: return that character
            raw += f.read(min(3, size - start - len(raw)))
    has_more = start + len(raw) < size
    skip = _line_start(raw) if align else 0
    keep = len(raw) - skip if final and not has_more else complete_utf8_prefix(raw[skip:])
    text = raw[skip:skip + keep].decode("utf-8", errors="replace")
    return LogChunk(text, start + skip, start + skip + keep, size, exists=True, has_more=has_more)


def _line_start(raw: bytes) -> int:
    """Where the first whole line of ``raw`` begins (a tail read starts mid-file)."""
    newline = raw.find(b"\n")
    if 0 <= newline < len(raw) - 1:
        return newline + 1
    skip = 0
    while skip < len(raw) and raw[skip] & 0xC0 == 0x80:  # at least never start inside a character
        skip += 1
    return skip


def complete_utf8_prefix(raw: bytes) -> int:
    """The length of ``raw`` without a UTF-8 character cut off at its end (whole input when valid)."""
    for back in range(1, min(4, len(raw)) + 1):
        byte = raw[-back]
        if byte & 0xC0 == 0x80:  # a continuation byte: look further back for the lead byte
            continue
        if byte < 0x80:
            return len(raw)
        needed = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
        return len(raw) if back >= needed else len(raw) - back
    return len(raw)
