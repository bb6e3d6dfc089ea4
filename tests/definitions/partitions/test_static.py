"""Static partitions: keys are data, duplicates are errors, order is kept."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetgraph.definitions.errors import DefinitionError, PartitionError, UnknownPartitionKeyError
from assetgraph.definitions.partitions import (
    PartitionKeyRange,
    StaticPartitionsDefinition,
    partitions_def_from_dict,
)

ODD_KEYS = ["a,b", "c|d", 'say "hi"', "it's", " padded ", "ünïcødé", "日本", "emoji 🎉"]


def test_keys_may_hold_any_characters() -> None:
    static = StaticPartitionsDefinition(ODD_KEYS)
    assert static.get_partition_keys() == ODD_KEYS
    assert all(static.has_partition_key(k) for k in ODD_KEYS)
    assert static.subset_with_keys(["c|d", "a,b"]).get_partition_keys() == ["a,b", "c|d"]
    assert partitions_def_from_dict(static.to_dict()) == static


def test_duplicate_key_is_a_definition_error_naming_it() -> None:
    with pytest.raises(DefinitionError, match="'eu' appears more than once"):
        StaticPartitionsDefinition(["us", "eu", "eu"])


def test_a_bare_string_is_rejected() -> None:
    with pytest.raises(DefinitionError, match="list of keys"):
        StaticPartitionsDefinition("us")


def test_empty_key_is_rejected() -> None:
    with pytest.raises(DefinitionError, match="non-empty"):
        StaticPartitionsDefinition(["us", ""])


def test_unknown_key_suggests_close_matches() -> None:
    static = StaticPartitionsDefinition(["us-east", "us-west", "eu"])
    with pytest.raises(UnknownPartitionKeyError) as info:
        static.validate_partition_key("us-esat")
    assert "did you mean:" in info.value.args[0] and "us-east" in info.value.args[0]
    assert isinstance(info.value, KeyError) and isinstance(info.value, PartitionError)


def test_range_follows_definition_order_and_rejects_reversed_range() -> None:
    static = StaticPartitionsDefinition(["c", "a", "b", "d"])
    assert static.get_partition_keys_in_range(PartitionKeyRange("a", "d")) == ["a", "b", "d"]
    with pytest.raises(PartitionError, match="starts after"):
        static.get_partition_keys_in_range(PartitionKeyRange("d", "a"))
    assert static.get_last_partition_key() == "d"


def test_equal_by_value_and_order_matters() -> None:
    assert StaticPartitionsDefinition(["a", "b"]) == StaticPartitionsDefinition(("a", "b"))
    assert hash(StaticPartitionsDefinition(["a", "b"])) == hash(StaticPartitionsDefinition(["a", "b"]))
    assert StaticPartitionsDefinition(["a", "b"]) != StaticPartitionsDefinition(["b", "a"])
    static = StaticPartitionsDefinition(ODD_KEYS)
    assert pickle.loads(pickle.dumps(static)) == static


@given(st.lists(st.text(min_size=1), unique=True, min_size=1))
def test_any_unique_keys_round_trip_through_dict(keys: list[str]) -> None:
    static = StaticPartitionsDefinition(keys)
    assert partitions_def_from_dict(static.to_dict()) == static
    assert static.all_subset().get_partition_keys() == keys
    assert len(static.all_subset()) == static.num_partitions() == len(keys)
