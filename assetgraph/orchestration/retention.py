"""Retention: pruning what grows without bound and is only useful for a while.

With ``retention: {non_asset_events_days: N}`` in assetgraph.yaml, events older than N days that
name no asset (run, step and log events) are deleted, with the captured step logs of that age;
asset materializations, observations and check evaluations are always kept, so lineage and
partition status never change. ``ticks_days`` prunes finished schedule and sensor ticks.
Must not import server or cli.
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path
from typing import Any

from assetgraph.orchestration.config import DaemonConfig

log = logging.getLogger("assetgraph.daemon.retention")

DAY = 86400.0


class Retention:
    """One pass (`tick`) prunes what is older than the configured ages."""

    def __init__(self, instance: Any, config: DaemonConfig, logs_dir: Path | None = None) -> None:
        self.instance = instance
        self.config = config
        self.logs_dir = logs_dir

    @property
    def is_configured(self) -> bool:
        return self.config.non_asset_events_days is not None or self.config.ticks_days is not None

    def tick(self, now: float | None = None) -> dict[str, int]:
        """Prune; return how many events, ticks and run log folders were removed."""
        now = time.time() if now is None else now
        removed = {"events": 0, "ticks": 0, "log_folders": 0}
        if self.config.non_asset_events_days is not None:
            cutoff = now - self.config.non_asset_events_days * DAY
            removed["events"] = self.instance.prune_run_events(before=cutoff)
            removed["log_folders"] = self._prune_logs(cutoff)
        if self.config.ticks_days is not None:
            removed["ticks"] = self.instance.prune_ticks(before=now - self.config.ticks_days * DAY)
        if any(removed.values()):
            log.info("retention removed %s", removed)
        return removed

    def _prune_logs(self, cutoff: float) -> int:
        if self.logs_dir is None or not self.logs_dir.is_dir():
            return 0
        count = 0
        for folder in self.logs_dir.iterdir():
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                count += 1
        return count
