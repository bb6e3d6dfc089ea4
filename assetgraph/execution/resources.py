"""Setting up a run's resources: resolve `EnvVar` fields, call set-up and tear-down hooks, and
supply the default IO manager. Must not import codelocation or later layers.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Mapping
from typing import Any

from assetgraph.execution.context import Resources

DEFAULT_IO_MANAGER_KEY = "io_manager"


def _is_configurable(value: Any) -> bool:
    mod = sys.modules.get("assetgraph.definitions.resources")
    return mod is not None and isinstance(value, mod.ConfigurableResource)


@contextlib.contextmanager
def run_resources(given: Mapping[str, Any], default_io_manager: Any, run_config: Mapping[str, Any]) -> Iterator[Resources]:
    """Resources for one run: set up on entry, torn down on exit (in reverse order)."""
    resolved: dict[str, Any] = {}
    overrides = run_config.get("resources", {}) if run_config else {}
    for key, value in given.items():
        if _is_configurable(value):
            cfg = (overrides.get(key) or {}).get("config")
            if cfg:
                value = value.model_copy(update=dict(cfg))
            value = value.resolved()
        resolved[key] = value
    resolved.setdefault(DEFAULT_IO_MANAGER_KEY, default_io_manager)
    started: list[Any] = []
    try:
        for value in resolved.values():
            if _is_configurable(value):
                value.setup_for_execution(None)
                started.append(value)
        yield Resources(resolved)
    finally:
        for value in reversed(started):
            value.teardown_after_execution(None)
