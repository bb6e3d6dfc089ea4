"""Built-in asset checks: freshness (`build_last_update_freshness_checks`) and metadata bounds
(`build_metadata_bounds_checks`).

The factories return ordinary `AssetChecksDefinition`s whose functions read the instance through
``context.instance`` when they run (the latest materialization event and its metadata). Building
them reads nothing. Must not import anything from assetgraph beyond `definitions`; croniter is
imported when a deadline is evaluated.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from assetgraph.definitions.checks import AssetChecksDefinition, AssetCheckSpec
from assetgraph.definitions.errors import DefinitionError
from assetgraph.definitions.events import AssetCheckSeverity
from assetgraph.definitions.keys import AssetKey, coerce_asset_key
from assetgraph.definitions.params import read_params
from assetgraph.definitions.results import AssetCheckResult
from assetgraph.definitions.source import SourceLocation, location_of_caller

# A check spec with this metadata set evaluates the asset as a whole: its step is unpartitioned
# even when the asset is partitioned (the planner reads it).
ALL_PARTITIONS_METADATA_KEY = "assetgraph/all_partitions"

FRESHNESS_CHECK_NAME = "freshness_check"


def build_last_update_freshness_checks(
    *,
    assets: Sequence[Any],
    lower_bound_delta: timedelta,
    deadline_cron: str | None = None,
    timezone: str = "UTC",
    severity: AssetCheckSeverity | str = AssetCheckSeverity.WARN,
    blocking: bool = False,
) -> list[AssetChecksDefinition]:
    """One ``freshness_check`` per asset: fails when the asset was last updated too long ago.

    Unpartitioned (and non-time-partitioned) assets pass when their latest materialization is no
    older than ``lower_bound_delta``, measured from now, or, with ``deadline_cron``, from the most
    recent tick of that cron schedule (in ``timezone``): "by 09:00 each day, updated within the
    last 24 hours". For a time-partitioned asset the latest partition is what counts: the last
    partition that existed ``lower_bound_delta`` before that reference time must be materialized.

    Args:
        assets: assets definitions, `AssetSpec`s or keys. Pass definitions for time-partitioned
            assets, so the check knows their partitions.
        lower_bound_delta: how old the last update (or how late the latest partition) may be.
        deadline_cron: optional cron schedule of deadlines, e.g. ``"0 9 * * *"``.
        severity: severity of a failure (default WARN: reported, never blocks).

    Returns a list of `AssetChecksDefinition` to pass to ``Definitions(asset_checks=...)``.
    Raises `DefinitionError` for a negative delta or an invalid cron string.

    >>> from datetime import timedelta
    >>> [check] = build_last_update_freshness_checks(assets=["orders"], lower_bound_delta=timedelta(hours=2))
    >>> check.check_key.to_user_string()
    'orders:freshness_check'
    """
    if not isinstance(lower_bound_delta, timedelta) or lower_bound_delta < timedelta(0):
        raise _argument_error(f"lower_bound_delta must be a non-negative timedelta, got {lower_bound_delta!r}.")
    if deadline_cron is not None:
        _validate_cron(deadline_cron)
    level = AssetCheckSeverity(severity)
    caller = location_of_caller()
    out = []
    for key, pdef in _targets(assets, "build_last_update_freshness_checks"):
        rule = _FreshnessRule(key, pdef, lower_bound_delta, deadline_cron, timezone, level)
        when = f"by each tick of {deadline_cron!r} ({timezone})" if deadline_cron else "now"
        description = (f"Latest partition materialized, at most {lower_bound_delta} late {when}"
                       if rule.is_time_partitioned else f"Updated within {lower_bound_delta} {when}")
        out.append(_build(key, FRESHNESS_CHECK_NAME, rule.evaluate, description, blocking, caller,
                          metadata={ALL_PARTITIONS_METADATA_KEY: True}))
    return out


def build_metadata_bounds_checks(
    *,
    assets: Sequence[Any],
    metadata_key: str = "row_count",
    min_value: float | None = None,
    max_value: float | None = None,
    exclusive_min: bool = False,
    exclusive_max: bool = False,
    severity: AssetCheckSeverity | str = AssetCheckSeverity.WARN,
    blocking: bool = False,
) -> list[AssetChecksDefinition]:
    """One ``<metadata_key>_bounds_check`` per asset: the numeric metadata value ``metadata_key``
    of the asset's latest materialization (of the checked partition, for a partitioned asset)
    lies within ``[min_value, max_value]`` (either bound optional; ``exclusive_*`` makes it strict).

    A missing materialization, a missing metadata entry or a non-numeric value fails the check,
    with a description that says which.

    Raises `DefinitionError` when neither bound is given or ``min_value > max_value``.

    >>> [check] = build_metadata_bounds_checks(assets=["orders"], min_value=1)
    >>> check.check_key.to_user_string()
    'orders:row_count_bounds_check'
    """
    if min_value is None and max_value is None:
        raise _argument_error("build_metadata_bounds_checks needs min_value=, max_value= or both.")
    if min_value is not None and max_value is not None and min_value > max_value:
        raise _argument_error(f"build_metadata_bounds_checks got min_value={min_value} > max_value={max_value}.")
    if not isinstance(metadata_key, str) or not metadata_key:
        raise _argument_error(f"metadata_key must be a non-empty string, got {metadata_key!r}.")
    level = AssetCheckSeverity(severity)
    caller = location_of_caller()
    bounds = _Bounds(min_value, max_value, exclusive_min, exclusive_max)
    out = []
    for key, _ in _targets(assets, "build_metadata_bounds_checks"):
        rule = _BoundsRule(key, metadata_key, bounds, level)
        out.append(_build(key, f"{metadata_key}_bounds_check", rule.evaluate,
                          f"Metadata {metadata_key!r} of the latest materialization is {bounds.describe()}",
                          blocking, caller))
    return out


def _argument_error(message: str) -> DefinitionError:
    error = DefinitionError(message)
    error.doc_page = "built-in-check-arguments"
    return error


def _targets(assets: Sequence[Any], factory: str) -> list[tuple[AssetKey, Any]]:
    """(key, partitions definition or None) for each asset; a multi-asset gives all its keys."""
    if isinstance(assets, (str, AssetKey)) or not isinstance(assets, Iterable):
        raise _argument_error(f"{factory}(assets=...) takes a list of assets, got {assets!r}.")
    out: dict[AssetKey, Any] = {}
    for item in assets:
        specs = getattr(item, "specs", None)
        if specs is not None and not isinstance(item, (str, list, tuple)):
            for spec in specs:
                out[spec.key] = spec.partitions_def if spec.partitions_def is not None else item.partitions_def
        elif hasattr(item, "key") and hasattr(item, "partitions_def"):
            out[item.key] = item.partitions_def
        else:
            out[coerce_asset_key(item)] = None
    if not out:
        raise _argument_error(f"{factory}(assets=...) got no assets.")
    return list(out.items())


def _build(key: AssetKey, name: str, fn: Callable[..., Any], description: str, blocking: bool,
           source: SourceLocation | None, metadata: dict[str, Any] | None = None) -> AssetChecksDefinition:
    spec = AssetCheckSpec(name, asset=key, blocking=blocking, description=description, metadata=metadata)

    def check(context: Any) -> AssetCheckResult:
        return fn(context)

    check.__name__ = check.__qualname__ = name
    return AssetChecksDefinition(
        specs=[spec], compute_fn=check, node_name=f"{'__'.join(key.path)}__{name}",
        params=read_params(check, f'Check "{spec.key.to_user_string()}"'), input_keys={}, source=source,
    )


def _validate_cron(cron: str) -> None:
    from croniter import croniter

    if not croniter.is_valid(cron):
        raise _argument_error(f"deadline_cron={cron!r} is not a valid cron schedule (e.g. '0 9 * * *').")


def _last_tick(cron: str, tz_name: str, now: datetime) -> datetime:
    from zoneinfo import ZoneInfo

    from croniter import croniter

    local_now = now.astimezone(ZoneInfo(tz_name))
    return croniter(cron, local_now).get_prev(datetime).astimezone(UTC)


def _now(context: Any) -> datetime:
    now = context.now() if callable(getattr(context, "now", None)) else datetime.now(UTC)
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def _iso(ts: float | datetime) -> str:
    when = ts if isinstance(ts, datetime) else datetime.fromtimestamp(ts, UTC)
    return when.astimezone(UTC).isoformat(timespec="seconds")


class _FreshnessRule:
    """Evaluates one asset's freshness against the instance the check runs with."""

    def __init__(self, key: AssetKey, pdef: Any, delta: timedelta, cron: str | None, tz_name: str,
                 severity: AssetCheckSeverity) -> None:
        self.key, self.pdef, self.delta, self.cron, self.tz_name = key, pdef, delta, cron, tz_name
        self.severity = severity

    @property
    def is_time_partitioned(self) -> bool:
        return self.pdef is not None and hasattr(self.pdef, "time_window_for_partition_key")

    def evaluate(self, context: Any) -> AssetCheckResult:
        now = _now(context)
        reference = _last_tick(self.cron, self.tz_name, now) if self.cron else now
        if self.is_time_partitioned:
            return self._latest_partition(context.instance, reference)
        return self._last_update(context.instance, reference)

    def _result(self, passed: bool, description: str, metadata: dict[str, Any]) -> AssetCheckResult:
        return AssetCheckResult(passed=passed, severity=self.severity, metadata=metadata, description=description)

    def _last_update(self, instance: Any, reference: datetime) -> AssetCheckResult:
        lower_bound = reference - self.delta
        record = instance.get_latest_materialization_event(self.key)
        metadata: dict[str, Any] = {"lower_bound": _iso(lower_bound)}
        if record is None:
            return self._result(False, f'"{self.key.to_user_string()}" has never been materialized.', metadata)
        metadata["last_updated"] = _iso(record.timestamp)
        late = lower_bound.timestamp() - record.timestamp
        if late > 0:
            metadata["overdue_seconds"] = round(late, 3)
            return self._result(False, f'"{self.key.to_user_string()}" was last updated at {_iso(record.timestamp)}, '
                                       f"before the lower bound {_iso(lower_bound)}.", metadata)
        return self._result(True, f"Updated at {_iso(record.timestamp)}, within {self.delta}.", metadata)

    def _latest_partition(self, instance: Any, reference: datetime) -> AssetCheckResult:
        expected = self.pdef.get_last_partition_key(current_time=reference - self.delta,
                                                    dynamic_partitions_store=instance)
        metadata: dict[str, Any] = {"expected_partition": expected or ""}
        if expected is None:
            return self._result(True, "No partition is due yet.", metadata)
        record = instance.get_latest_materialization_event(self.key, partition=expected)
        if record is None:
            due = self.pdef.time_window_for_partition_key(expected).end + self.delta
            metadata["overdue_seconds"] = round(max(reference - due, timedelta(0)).total_seconds(), 3)
            return self._result(False, f'Partition "{expected}" of "{self.key.to_user_string()}" is late: it was due '
                                       f"by {_iso(due)} and has not been materialized.", metadata)
        metadata["last_updated"] = _iso(record.timestamp)
        return self._result(True, f'Partition "{expected}" was materialized at {_iso(record.timestamp)}.', metadata)


class _Bounds:
    def __init__(self, low: float | None, high: float | None, exclusive_low: bool, exclusive_high: bool) -> None:
        self.low, self.high, self.exclusive_low, self.exclusive_high = low, high, exclusive_low, exclusive_high

    def contains(self, value: float) -> bool:
        if self.low is not None and (value <= self.low if self.exclusive_low else value < self.low):
            return False
        return not (self.high is not None and (value >= self.high if self.exclusive_high else value > self.high))

    def describe(self) -> str:
        parts = []
        if self.low is not None:
            parts.append(f"{'>' if self.exclusive_low else '>='} {self.low}")
        if self.high is not None:
            parts.append(f"{'<' if self.exclusive_high else '<='} {self.high}")
        return " and ".join(parts)


class _BoundsRule:
    """Evaluates one asset's metadata value against the bounds."""

    def __init__(self, key: AssetKey, metadata_key: str, bounds: _Bounds, severity: AssetCheckSeverity) -> None:
        self.key, self.metadata_key, self.bounds, self.severity = key, metadata_key, bounds, severity

    def evaluate(self, context: Any) -> AssetCheckResult:
        partition = context.partition_key if context.has_partition_key else None
        record = context.instance.get_latest_materialization_event(self.key, partition=partition)
        what = f'"{self.key.to_user_string()}"' + (f' partition "{partition}"' if partition else "")
        meta: dict[str, Any] = {"min_value": self.bounds.low, "max_value": self.bounds.high}
        meta = {k: v for k, v in meta.items() if v is not None}
        if record is None:
            return self._result(False, f"{what} has never been materialized.", meta)
        entry = record.metadata.get(self.metadata_key)
        if entry is None:
            known = ", ".join(sorted(record.metadata)) or "none"
            return self._result(False, f"The latest materialization of {what} has no metadata {self.metadata_key!r} "
                                       f"(it has: {known}).", meta)
        value = entry.value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            return self._result(False, f"Metadata {self.metadata_key!r} of {what} is {value!r}, not a number.", meta)
        meta[self.metadata_key] = value
        if self.bounds.contains(value):
            return self._result(True, f"{self.metadata_key} = {value}, {self.bounds.describe()}.", meta)
        return self._result(False, f"{self.metadata_key} = {value} of {what} is out of bounds: expected "
                                   f"{self.bounds.describe()}.", meta)

    def _result(self, passed: bool, description: str, metadata: dict[str, Any]) -> AssetCheckResult:
        return AssetCheckResult(passed=passed, severity=self.severity, metadata=metadata, description=description)
