"""Status ranges and key pages, as pure functions: time windows never list keys."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetgraph.definitions.errors import UnknownPartitionKeyError
from assetgraph.definitions.keys import AssetKey
from assetgraph.definitions.partitions import (
    DynamicPartitionsDefinition,
    HourlyPartitionsDefinition,
    PartitionKeyRange,
    StaticPartitionsDefinition,
)
from assetgraph.server.partition_view import StatusRange, key_page, status_for_definition, status_ranges
from assetgraph.storage.status import KeySubset, build_partition_status

NOW = datetime(2026, 1, 1, tzinfo=UTC)
HOURS = HourlyPartitionsDefinition(start_date="1900-01-01-00:00")  # about 1.1 million partitions by NOW


class _Store:
    def __init__(self, keys: list[str]) -> None:
        self.keys = keys

    def get_dynamic_partitions(self, name: str) -> list[str]:
        return self.keys

    def has_dynamic_partition(self, name: str, key: str) -> bool:
        return key in self.keys


def test_static_ranges_follow_definition_order_and_in_progress_wins() -> None:
    pdef = StaticPartitionsDefinition(["a", "b", "c", "d", "e"])
    status = build_partition_status(AssetKey("x"), pdef, {
        "materialized": pdef.subset_with_keys(["a", "b", "c"]),
        "failed": pdef.subset_with_keys(["e"]),
        "in_progress": pdef.subset_with_keys(["b"]),
    })
    assert status_ranges(status, None) == [
        StatusRange("a", "a", "MATERIALIZED", 1), StatusRange("b", "b", "IN_PROGRESS", 1),
        StatusRange("c", "c", "MATERIALIZED", 1), StatusRange("d", "d", "MISSING", 1),
        StatusRange("e", "e", "FAILED", 1)]


def test_dynamic_ranges_follow_the_order_keys_were_added() -> None:
    pdef = DynamicPartitionsDefinition(name="files")
    store = _Store(["z", "y", "x"])
    status = build_partition_status(AssetKey("x"), pdef, {"materialized": pdef.subset_with_keys(["z", "y"])},
                                    dynamic_partitions_store=store)
    assert status_ranges(status, store) == [StatusRange("z", "y", "MATERIALIZED", 2), StatusRange("x", "x", "MISSING", 1)]


def test_million_partitions_answer_from_intervals_quickly() -> None:
    total = HOURS.num_partitions(NOW)
    assert total > 1_000_000
    done = HOURS.subset_with_key_range(PartitionKeyRange("1900-01-01-00:00", "2025-06-30-23:00"))
    failed = HOURS.subset_with_key_range(PartitionKeyRange("2025-07-01-00:00", "2025-07-01-09:00"))
    started = time.perf_counter()
    status = build_partition_status(AssetKey("x"), HOURS, {"materialized": done, "failed": failed}, current_time=NOW)
    ranges = status_ranges(status, None, NOW)
    elapsed = time.perf_counter() - started
    assert [r.status for r in ranges] == ["MATERIALIZED", "FAILED", "MISSING"]
    assert sum(r.count for r in ranges) == total
    assert ranges[1] == StatusRange("2025-07-01-00:00", "2025-07-01-09:00", "FAILED", 10)
    assert elapsed < 0.1


def test_key_page_of_a_time_window_is_arithmetic() -> None:
    page = key_page(HOURS, 3, "2024-01-01-22:00", None, NOW)
    assert page.keys == ["2024-01-01-23:00", "2024-01-02-00:00", "2024-01-02-01:00"]
    assert page.total == HOURS.num_partitions(NOW) and page.has_next_page


def test_key_page_after_unknown_key_raises_with_a_hint() -> None:
    with pytest.raises(UnknownPartitionKeyError):
        key_page(StaticPartitionsDefinition(["us", "eu"]), 5, "uk", None)
    with pytest.raises(UnknownPartitionKeyError):
        key_page(HOURS, 5, "yesterday", None, NOW)


def test_status_stored_without_a_definition_is_seen_through_the_snapshot_definition() -> None:
    pdef = StaticPartitionsDefinition(["us", "eu"])
    stored = build_partition_status(AssetKey("x"), None, {"materialized": KeySubset(["us", "gone"])})
    status = status_for_definition(stored, pdef, None)
    assert (status.total, len(status.materialized), len(status.missing)) == (2, 1, 1)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["materialized", "failed", "in_progress", None]), min_size=1, max_size=40))
def test_status_ranges_cover_every_partition_once_with_its_status(kinds: list[str | None]) -> None:
    keys = [f"k{i:02d}" for i in range(len(kinds))]
    pdef = StaticPartitionsDefinition(keys)
    by_kind = {kind: pdef.subset_with_keys([k for k, x in zip(keys, kinds, strict=True) if x == kind])
               for kind in ("materialized", "failed", "in_progress")}
    status = build_partition_status(AssetKey("x"), pdef, by_kind)
    ranges = status_ranges(status, None)
    expanded = [(key, r.status) for r in ranges
                for key in keys[keys.index(r.start):keys.index(r.end) + 1]]
    names = {"materialized": "MATERIALIZED", "failed": "FAILED", "in_progress": "IN_PROGRESS", None: "MISSING"}
    assert expanded == [(k, names[x]) for k, x in zip(keys, kinds, strict=True)]
    assert all(r.count == keys.index(r.end) - keys.index(r.start) + 1 for r in ranges)
    assert all(a.status != b.status for a, b in pairwise(ranges))
