"""Dynamic partitions: keys come from the store passed in."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from assetgraph.definitions.errors import PartitionError, UnknownPartitionKeyError
from assetgraph.definitions.partitions import (
    DynamicPartitionsDefinition,
    DynamicPartitionsStore,
    PartitionKeyRange,
    partitions_def_from_dict,
)


class FakeStore:
    def __init__(self, **keys: list[str]) -> None:
        self.keys = keys

    def get_dynamic_partitions(self, name: str) -> Sequence[str]:
        return self.keys.get(name, [])

    def has_dynamic_partition(self, name: str, key: str) -> bool:
        return key in self.keys.get(name, [])


STORE = FakeStore(files=["b.csv", "a,1.csv", "c d.csv"])
FILES = DynamicPartitionsDefinition("files")


def test_fake_store_satisfies_the_protocol() -> None:
    assert isinstance(STORE, DynamicPartitionsStore)


def test_keys_come_from_the_store_in_insertion_order() -> None:
    assert FILES.get_partition_keys(dynamic_partitions_store=STORE) == ["b.csv", "a,1.csv", "c d.csv"]
    assert FILES.num_partitions(dynamic_partitions_store=STORE) == 3
    assert FILES.has_partition_key("a,1.csv", dynamic_partitions_store=STORE)
    assert FILES.get_last_partition_key(dynamic_partitions_store=STORE) == "c d.csv"
    assert FILES.get_partition_keys_in_range(PartitionKeyRange("a,1.csv", "c d.csv"), STORE) == ["a,1.csv", "c d.csv"]


def test_without_a_store_the_error_says_what_to_pass() -> None:
    with pytest.raises(PartitionError, match="dynamic_partitions_store"):
        FILES.get_partition_keys()
    with pytest.raises(PartitionError, match="'files'"):
        FILES.num_partitions()


def test_unknown_key_suggests_close_matches() -> None:
    with pytest.raises(UnknownPartitionKeyError) as info:
        FILES.validate_partition_key("b.cvs", dynamic_partitions_store=STORE)
    assert "did you mean: b.csv" in info.value.args[0]


def test_subsets_are_key_sets() -> None:
    everything = FILES.all_subset(dynamic_partitions_store=STORE)
    done = FILES.subset_with_keys(["b.csv"])
    assert set((everything - done).get_partition_keys()) == {"a,1.csv", "c d.csv"}
    assert FILES.subset_with_key_range(PartitionKeyRange("b.csv", "a,1.csv"), STORE).get_partition_keys() == [
        "a,1.csv", "b.csv",
    ]


def test_equal_by_name_and_round_trips() -> None:
    assert FILES == DynamicPartitionsDefinition("files") != DynamicPartitionsDefinition("other")
    assert partitions_def_from_dict(FILES.to_dict()) == FILES
