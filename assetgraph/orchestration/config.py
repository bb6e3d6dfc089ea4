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

from collections.abc import Callable
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

        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path} is not valid YAML:\n{exc}") from None
        return DaemonConfig.from_dict(data, str(path))

    @staticmethod
    def from_dict(data: dict[str, Any], where: str = "assetgraph.yaml") -> DaemonConfig:
        """The settings of a parsed ``assetgraph.yaml``; `ConfigError` naming the setting that is wrong."""
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: expected a mapping of settings, got {data!r}.")

        def section(name: str) -> dict[str, Any]:
            value = data.get(name) or {}
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: `{name}:` must be a mapping.")
            return value

        queue, retries = section("run_queue"), section("run_retries")
        try:
            limits = tuple(TagLimit(str(x["key"]), int(x["limit"]), None if x.get("value") is None else str(x["value"]))
                           for x in queue.get("tag_concurrency_limits") or ())
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            raise ConfigError(f"{where}: each run_queue.tag_concurrency_limits entry needs key: and limit: ({exc}).") from None
        defaults = DaemonConfig()
        strategy = str(retries.get("retry_strategy", defaults.retry_strategy))
        if strategy not in ("FROM_FAILURE", "ALL_STEPS"):
            raise ConfigError(f"{where}: run_retries.retry_strategy must be FROM_FAILURE or ALL_STEPS, not {strategy!r}.")

        def number(setting: str, default: Any, convert: Callable[[Any], Any]) -> Any:
            owner, _, name = setting.partition(".")
            value = section(owner).get(name, default)
            try:
                return None if value is None and default is None else convert(value)
            except (TypeError, ValueError, OverflowError):
                raise ConfigError(f"{where}: {setting} must be a number, got {value!r}.") from None

        interval = number("run_monitoring.heartbeat_interval_seconds", defaults.heartbeat_interval, float)
        timeout = number("run_monitoring.heartbeat_timeout_seconds", defaults.heartbeat_timeout, float)
        if not 0 < interval < timeout:
            raise ConfigError(f"{where}: run_monitoring.heartbeat_timeout_seconds ({timeout:g}) must exceed "
                              f"heartbeat_interval_seconds ({interval:g}), or live runs would be failed as dead.")
        return DaemonConfig(
            max_concurrent_runs=number("run_queue.max_concurrent_runs", defaults.max_concurrent_runs, int),
            tag_concurrency_limits=limits,
            heartbeat_interval=interval,
            heartbeat_timeout=timeout,
            startup_timeout=number("run_monitoring.startup_timeout_seconds", defaults.startup_timeout, float),
            monitor_interval=number("run_monitoring.interval_seconds", defaults.monitor_interval, float),
            location_check_interval=number("code_locations.check_interval_seconds",
                                           defaults.location_check_interval, float),
            max_catchup_ticks=number("schedules.max_catchup_ticks", defaults.max_catchup_ticks, int),
            max_retries=number("run_retries.max_retries", defaults.max_retries, int),
            retry_strategy=strategy,
            non_asset_events_days=number("retention.non_asset_events_days", None, float),
            ticks_days=number("retention.ticks_days", None, float),
            extra={k: v for k, v in data.items() if k not in {f.name for f in fields(DaemonConfig)}},
        )


