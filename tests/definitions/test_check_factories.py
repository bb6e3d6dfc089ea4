"""The built-in checks: freshness and metadata bounds, evaluated against a real instance."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from assetgraph import AssetCheckSeverity, AssetKey, DefinitionError, EventType, MaterializeResult, asset
from assetgraph.definitions.check_factories import (
    build_last_update_freshness_checks,
    build_metadata_bounds_checks,
)
from assetgraph.definitions.events import Event
from assetgraph.definitions.metadata import normalize_metadata
from assetgraph.definitions.partitions import DailyPartitionsDefinition, StaticPartitionsDefinition
from assetgraph.execution.context import build_asset_context
from assetgraph.execution.materialize import materialize
from assetgraph.storage.instance import Instance

ORDERS = AssetKey("orders")


@pytest.fixture
def instance() -> Iterator[Instance]:
    with Instance.ephemeral() as inst:
        yield inst


def _materialized(instance: Instance, key: AssetKey, *, at: datetime | float | None = None,
                  partition: str | None = None, metadata: dict[str, Any] | None = None) -> None:
    ts = at.timestamp() if isinstance(at, datetime) else (at if at is not None else time.time())
    instance.store_events([Event(event_type=EventType.ASSET_MATERIALIZATION, run_id=None, timestamp=ts,
                                 asset_key=key, partition=partition, metadata=normalize_metadata(metadata))])


class _Context:
    """The part of the check context the built-in checks read, with a fixed clock."""

    def __init__(self, instance: Instance, now: datetime, partition_key: str | None = None) -> None:
        self.instance = instance
        self._now = now
        self.has_partition_key = partition_key is not None
        self.partition_key = partition_key

    def now(self) -> datetime:
        return self._now


NOW = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)


# -- freshness ---------------------------------------------------------------------------------


def test_freshness_passes_when_updated_within_the_bound(instance: Instance) -> None:
    [check] = build_last_update_freshness_checks(assets=["orders"], lower_bound_delta=timedelta(hours=2))
    _materialized(instance, ORDERS, at=NOW - timedelta(hours=1))
    result = check(_Context(instance, NOW))
    assert result.passed and result.severity == AssetCheckSeverity.WARN
    assert result.metadata["last_updated"].value == "2024-03-10T11:00:00+00:00"


def test_freshness_fails_when_last_update_is_too_old(instance: Instance) -> None:
    [check] = build_last_update_freshness_checks(assets=["orders"], lower_bound_delta=timedelta(hours=2),
                                                 severity=AssetCheckSeverity.ERROR)
    _materialized(instance, ORDERS, at=NOW - timedelta(hours=3))
    result = check(_Context(instance, NOW))
    assert not result.passed and result.severity == AssetCheckSeverity.ERROR
    assert result.metadata["overdue_seconds"].value == 3600
    assert "before the lower bound 2024-03-10T10:00:00+00:00" in (result.description or "")


def test_freshness_fails_when_never_materialized(instance: Instance) -> None:
    [check] = build_last_update_freshness_checks(assets=["orders"], lower_bound_delta=timedelta(hours=2))
    result = check(_Context(instance, NOW))
    assert not result.passed and result.description == '"orders" has never been materialized.'


def test_deadline_cron_measures_from_the_last_deadline(instance: Instance) -> None:
    # Deadline 09:00 daily, updated within 1h of it: an update at 07:30 is late at 12:00, one at 08:30 is not.
    [check] = build_last_update_freshness_checks(assets=["orders"], lower_bound_delta=timedelta(hours=1),
                                                 deadline_cron="0 9 * * *")
    _materialized(instance, ORDERS, at=NOW.replace(hour=7, minute=30))
    assert not check(_Context(instance, NOW)).passed
    _materialized(instance, ORDERS, at=NOW.replace(hour=8, minute=30))
    result = check(_Context(instance, NOW))
    assert result.passed and result.metadata["lower_bound"].value == "2024-03-10T08:00:00+00:00"


daily = DailyPartitionsDefinition(start_date="2024-01-01")


@asset(partitions_def=daily)
def events() -> int:
    return 1


def test_time_partitioned_freshness_fails_when_the_latest_partition_is_late(instance: Instance) -> None:
    [check] = build_last_update_freshness_checks(assets=[events], lower_bound_delta=timedelta(hours=6))
    _materialized(instance, AssetKey("events"), partition="2024-03-08")
    result = check(_Context(instance, NOW))
    assert not result.passed
    assert result.metadata["expected_partition"].value == "2024-03-09"
    assert 'Partition "2024-03-09" of "events" is late' in (result.description or "")
    assert result.metadata["overdue_seconds"].value == 6 * 3600


def test_time_partitioned_freshness_passes_within_the_grace_period(instance: Instance) -> None:
    # At 04:00 with 6h of grace, the partition of the 9th is not due yet: the 8th is the latest expected.
    [check] = build_last_update_freshness_checks(assets=[events], lower_bound_delta=timedelta(hours=6))
    _materialized(instance, AssetKey("events"), partition="2024-03-08")
    assert check(_Context(instance, NOW.replace(hour=4))).passed
    _materialized(instance, AssetKey("events"), partition="2024-03-09")
    assert check(_Context(instance, NOW)).passed


def test_freshness_rejects_bad_arguments() -> None:
    with pytest.raises(DefinitionError, match="non-negative timedelta"):
        build_last_update_freshness_checks(assets=["orders"], lower_bound_delta=timedelta(hours=-1))
    with pytest.raises(DefinitionError, match="not a valid cron schedule"):
        build_last_update_freshness_checks(assets=["orders"], lower_bound_delta=timedelta(0), deadline_cron="9am")
    with pytest.raises(DefinitionError, match="list of assets"):
        build_last_update_freshness_checks(assets="orders", lower_bound_delta=timedelta(0))


def test_factories_make_one_named_check_per_asset_sourced_at_the_call() -> None:
    checks = build_last_update_freshness_checks(assets=["a", ["raw", "b"]], lower_bound_delta=timedelta(hours=1))
    assert [c.check_key.to_user_string() for c in checks] == ["a:freshness_check", "raw/b:freshness_check"]
    source = checks[0].source
    assert source is not None and source.file == __file__


# -- metadata bounds ---------------------------------------------------------------------------


@pytest.mark.parametrize(("row_count", "passed"), [(0, False), (1, True), (10, True), (11, False)])
def test_metadata_bounds_are_inclusive_by_default(instance: Instance, row_count: int, passed: bool) -> None:
    [check] = build_metadata_bounds_checks(assets=["orders"], min_value=1, max_value=10)
    _materialized(instance, ORDERS, metadata={"row_count": row_count})
    result = check(_Context(instance, NOW))
    assert result.passed is passed
    assert result.metadata["row_count"].value == row_count


def test_exclusive_bounds(instance: Instance) -> None:
    [check] = build_metadata_bounds_checks(assets=["orders"], metadata_key="ratio", min_value=0, max_value=1,
                                           exclusive_min=True, exclusive_max=True)
    _materialized(instance, ORDERS, metadata={"ratio": 1.0})
    result = check(_Context(instance, NOW))
    assert not result.passed and "expected > 0 and < 1" in (result.description or "")


@pytest.mark.parametrize(("metadata", "expected"), [
    (None, "never been materialized"),
    ({"rows": 3}, "has no metadata 'row_count' (it has: rows)"),
    ({"row_count": "many"}, "is 'many', not a number"),
])
def test_metadata_bounds_fail_with_a_reason_when_the_value_is_unusable(
        instance: Instance, metadata: dict[str, Any] | None, expected: str) -> None:
    [check] = build_metadata_bounds_checks(assets=["orders"], min_value=1)
    if metadata is not None:
        _materialized(instance, ORDERS, metadata=metadata)
    result = check(_Context(instance, NOW))
    assert not result.passed and expected in (result.description or "")


def test_metadata_bounds_read_the_checked_partition(instance: Instance) -> None:
    regions = StaticPartitionsDefinition(["us", "eu"])

    @asset(partitions_def=regions)
    def sales() -> int:
        return 1

    [check] = build_metadata_bounds_checks(assets=[sales], max_value=100)
    _materialized(instance, AssetKey("sales"), partition="us", metadata={"row_count": 500})
    _materialized(instance, AssetKey("sales"), partition="eu", metadata={"row_count": 5})
    assert not check(_Context(instance, NOW, partition_key="us")).passed
    assert check(_Context(instance, NOW, partition_key="eu")).passed


def test_metadata_bounds_need_a_bound() -> None:
    with pytest.raises(DefinitionError, match="needs min_value=, max_value= or both") as info:
        build_metadata_bounds_checks(assets=["orders"])
    assert str(info.value).endswith("More: docs/errors/built-in-check-arguments.md")
    with pytest.raises(DefinitionError, match="min_value=5 > max_value=1"):
        build_metadata_bounds_checks(assets=["orders"], min_value=5, max_value=1)


def test_metadata_bounds_check_runs_after_its_asset_in_a_run(instance: Instance) -> None:
    @asset
    def orders() -> MaterializeResult:
        return MaterializeResult(value=[1, 2], metadata={"row_count": 2})

    checks = build_metadata_bounds_checks(assets=[orders], min_value=5, severity=AssetCheckSeverity.ERROR,
                                          blocking=True)
    result = materialize([orders, *checks], instance=instance, raise_on_error=False)
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.check_name == "row_count_bounds_check" and evaluation.passed is False
    assert not result.success


def test_freshness_check_in_a_run_uses_the_run_instance(instance: Instance) -> None:
    @asset
    def orders() -> int:
        return 1

    checks = build_last_update_freshness_checks(assets=[orders], lower_bound_delta=timedelta(minutes=5))
    result = materialize([orders, *checks], instance=instance)
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.passed is True
    context = build_asset_context(instance=instance)
    assert checks[0](context).passed
