"""Progress display for long CLI work: one updating line on a terminal, quiet lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import IO, Any


class ProgressLine:
    """``[ 12/1000] ████░░░░ 1.2% a00011  (3 failed, 2 skipped)`` updated in place on a terminal.

    Off a terminal only failures print, so CI logs stay short.
    """

    def __init__(self, total: int, label: str = "steps", stream: IO[str] | None = None,
                 started: float | None = None) -> None:
        self.total = max(total, 1)
        self.label = label
        self.stream = stream or sys.stderr
        self.is_tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.done = 0
        self.failed = 0
        self.skipped = 0
        self.started = started if started is not None else time.perf_counter()
        self._last_draw = 0.0

    def update(self, name: str, status: str, detail: str = "") -> None:
        self.done += 1
        if status == "FAILURE":
            self.failed += 1
            self._print_line(f"  FAILED  {name}" + (f": {detail}" if detail else ""))
        elif status == "SKIPPED":
            self.skipped += 1
        now = time.perf_counter()
        if self.is_tty and (now - self._last_draw > 0.05 or self.done == self.total):
            self._last_draw = now
            self._draw(name)

    def _bar(self, width: int = 24) -> str:
        filled = int(width * self.done / self.total)
        return "█" * filled + "░" * (width - filled)

    def _draw(self, name: str) -> None:
        extra = []
        if self.failed:
            extra.append(f"{self.failed} failed")
        if self.skipped:
            extra.append(f"{self.skipped} skipped")
        tail = f"  ({', '.join(extra)})" if extra else ""
        pct = 100.0 * self.done / self.total
        line = f"[{self.done:>{len(str(self.total))}}/{self.total}] {self._bar()} {pct:5.1f}% {name[:40]}{tail}"
        self.stream.write("\r\x1b[2K" + line)
        self.stream.flush()

    def _print_line(self, text: str) -> None:
        if self.is_tty:
            self.stream.write("\r\x1b[2K")
        self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self, summary: Any = None) -> None:
        if self.is_tty:
            self.stream.write("\n")
        elapsed = time.perf_counter() - self.started
        if summary:
            self.stream.write(f"{summary} in {elapsed:.2f}s\n")
        self.stream.flush()
