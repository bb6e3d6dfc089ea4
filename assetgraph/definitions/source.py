"""Where a definition was written, so errors can name file and line.

Must not import anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SourceLocation:
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


def location_of_function(fn: Callable[..., Any]) -> SourceLocation | None:
    code = getattr(fn, "__code__", None)
    if code is None:
        return None
    return SourceLocation(code.co_filename, code.co_firstlineno)


def location_of_caller(depth: int = 2) -> SourceLocation | None:
    """The file and line ``depth`` frames up, skipping assetgraph's own frames."""
    try:
        frame = sys._getframe(depth)
    except ValueError:
        return None
    while frame is not None and frame.f_globals.get("__name__", "").startswith("assetgraph."):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return None
    return SourceLocation(frame.f_code.co_filename, frame.f_lineno)


def docstring_of(fn: Callable[..., Any]) -> str | None:
    """A function's docstring without its indentation: the default description of assets and checks."""
    doc = fn.__doc__
    if not doc:
        return None
    lines = doc.expandtabs().splitlines()
    indents = [len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()]
    cut = min(indents) if indents else 0
    return "\n".join([lines[0].strip(), *(line[cut:].rstrip() for line in lines[1:])]).strip()
