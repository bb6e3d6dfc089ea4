"""The daemon's settings, read from ``$ASSETGRAPH_HOME/assetgraph.yaml``:

.. code-block:: yaml

    run_queue:
      max_concurrent_runs: 10
      tag_concurrency_limits:
        - {key: team, value: core, limit: 2}      # runs tagged team=core
        - {key: dbt, limit: 1}                    # runs with any value of tag dbt
    run_monitoring:
      heartbeat_interval_seconds: 5               # how often a run worker records that it is alive
      heartbeat_timeout_seconds: 20               # a worker silent this long is dead (a few intervals)
      startup_timeout_seconds: 60                 # a run may stay STARTING (worker loading) this long
      interval_seconds: 2
    schedules:
      max_catchup_ticks: 5                        # after downtime, run at most this many missed ticks
    run_retries:
      max_retries: 0                              # default for runs without an assetgraph/max_retries tag
      retry_strategy: FROM_FAILURE                # or ALL_STEPS
    code_locations:
      check_interval_seconds: 1                   # how often crashed locations are restarted, reloads applied
    retention:
      non_asset_events_days: 30                   # RUN_*/STEP_*/LOG_MESSAGE events older than this are pruned
      ticks_days: 7

Pure: reads one file. Must not import server or cli.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from assetgraph.definitions.errors import ConfigError


@dataclass(frozen=True)
class TagLimit:
    """At most ``limit`` runs in progress carrying tag ``key`` (with ``value``, when given)."""

    key: str
    limit: int
    value: str | None = None

    def matches(self, tags: dict[str, str] | Any) -> bool:
        return self.key in tags and (self.value is None or tags[self.key] == self.value)


@dataclass(frozen=True)
class DaemonConfig:
    """Every setting of the daemon, with defaults for a laptop. Intervals are in seconds."""

    max_concurrent_runs: int = 10
    tag_concurrency_limits: tuple[TagLimit, ...] = ()
    heartbeat_interval: float = 5.0
    heartbeat_timeout: float = 20.0
    startup_timeout: float = 60.0
    monitor_interval: float = 2.0
    queue_interval: float = 0.2
    schedule_interval: float = 0.5
    sensor_interval: float = 0.2
    backfill_interval: float = 0.1
    location_check_interval: float = 1.0
    retention_interval: float = 3600.0
    max_catchup_ticks: int = 5
    max_retries: int = 0
    retry_strategy: str = "FROM_FAILURE"
    non_asset_events_days: float | None = None
    ticks_days: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def replace(self, **changes: Any) -> DaemonConfig:
        return replace(self, **changes)

    @staticmethod
    def load(home: Path | None = None) -> DaemonConfig:
        """The settings in ``<home>/assetgraph.yaml`` (default ``$ASSETGRAPH_HOME``); defaults when absent.

        Raises `ConfigError` naming the file and the setting that is wrong.
        """
        from assetgraph.storage.config import CONFIG_FILE, instance_home

        path = (home or instance_home()) / CONFIG_FILE
        if not path.exists():
            return DaemonConfig()
        import yaml

        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a mapping of settings.")
        return DaemonConfig.from_dict(data, str(path))

    @staticmethod
    def from_dict(data: dict[str, Any], where: str = "assetgraph.yaml") -> DaemonConfig:
        def section(name: str) -> dict[str, Any]:
            value = data.get(name) or {}
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: `{name}:` must be a mapping.")
            return value

        queue, monitor = section("run_queue"), section("run_monitoring")
        schedules, retries, retention = section("schedules"), section("run_retries"), section("retention")
        locations = section("code_locations")
        try:
            limits = tuple(TagLimit(str(x["key"]), int(x["limit"]), None if x.get("value") is None else str(x["value"]))
                           for x in queue.get("tag_concurrency_limits") or ())
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{where}: each run_queue.tag_concurrency_limits entry needs key: and limit: ({exc}).") from None
        defaults = DaemonConfig()
        strategy = str(retries.get("retry_strategy", defaults.retry_strategy))
        if strategy not in ("FROM_FAILURE", "ALL_STEPS"):
            raise ConfigError(f"{where}: run_retries.retry_strategy must be FROM_FAILURE or ALL_STEPS, not {strategy!r}.")
        interval = float(monitor.get("heartbeat_interval_seconds", defaults.heartbeat_interval))
        timeout = float(monitor.get("heartbeat_timeout_seconds", defaults.heartbeat_timeout))
        if not 0 < interval < timeout:
            raise ConfigError(f"{where}: run_monitoring.heartbeat_timeout_seconds ({timeout:g}) must exceed "
                              f"heartbeat_interval_seconds ({interval:g}), or live runs would be failed as dead.")
        return DaemonConfig(
            max_concurrent_runs=int(queue.get("max_concurrent_runs", defaults.max_concurrent_runs)),
            tag_concurrency_limits=limits,
            heartbeat_interval=interval,
            heartbeat_timeout=timeout,
            startup_timeout=float(monitor.get("startup_timeout_seconds", defaults.startup_timeout)),
            monitor_interval=float(monitor.get("interval_seconds", defaults.monitor_interval)),
            location_check_interval=float(locations.get("check_interval_seconds", defaults.location_check_interval)),
            max_catchup_ticks=int(schedules.get("max_catchup_ticks", defaults.max_catchup_ticks)),
            max_retries=int(retries.get("max_retries", defaults.max_retries)),
            retry_strategy=strategy,
            non_asset_events_days=_optional_float(retention.get("non_asset_events_days")),
            ticks_days=_optional_float(retention.get("ticks_days")),
            extra={k: v for k, v in data.items() if k not in {f.name for f in fields(DaemonConfig)}},
        )


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)
