"""Multi-dimensional partitions and `MultiPartitionKey`."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest

from assetgraph.definitions.errors import DefinitionError, UnknownPartitionKeyError
from assetgraph.definitions.partitions import (
    DailyPartitionsDefinition,
    DynamicPartitionsDefinition,
    MultiPartitionKey,
    MultiPartitionsDefinition,
    PartitionKeyRange,
    StaticPartitionsDefinition,
    partitions_def_from_dict,
)

UTC = dt.UTC
DAILY = DailyPartitionsDefinition("2024-01-01", end_date="2024-01-04")
REGIONS = StaticPartitionsDefinition(["us", "eu"])
MULTI = MultiPartitionsDefinition({"region": REGIONS, "date": DAILY})


def test_multi_partition_key_is_a_str_in_sorted_dimension_order() -> None:
    key = MultiPartitionKey({"region": "us", "date": "2024-01-01"})
    assert key == "2024-01-01|us" and isinstance(key, str)
    assert dict(key.keys_by_dimension) == {"date": "2024-01-01", "region": "us"}
    assert hash(key) == hash("2024-01-01|us")
    assert pickle.loads(pickle.dumps(key)).keys_by_dimension == key.keys_by_dimension


def test_keys_are_the_product_of_the_dimensions() -> None:
    keys = MULTI.get_partition_keys()
    assert keys[:3] == ["2024-01-01|us", "2024-01-01|eu", "2024-01-02|us"]
    assert len(keys) == MULTI.num_partitions() == 6
    assert all(isinstance(k, MultiPartitionKey) for k in keys)
    assert MULTI.get_last_partition_key() == "2024-01-03|eu"
    assert MULTI.partition_dimension_names == ["date", "region"]
    assert MULTI.time_window_dimension_name == "date"


def test_has_partition_key_checks_every_dimension() -> None:
    assert MULTI.has_partition_key("2024-01-02|eu")
    assert not MULTI.has_partition_key("2024-01-02|apac")
    assert not MULTI.has_partition_key("2024-01-02")
    with pytest.raises(UnknownPartitionKeyError) as info:
        MULTI.validate_partition_key("2024-01-02|uss")
    message = info.value.args[0]
    assert "in dimension 'region'" in message and "did you mean: us" in message


def test_range_is_the_box_between_two_keys() -> None:
    keys = MULTI.get_partition_keys_in_range(PartitionKeyRange("2024-01-02|us", "2024-01-03|eu"))
    assert keys == ["2024-01-02|us", "2024-01-02|eu", "2024-01-03|us", "2024-01-03|eu"]


def test_num_partitions_uses_current_time_of_the_time_dimension() -> None:
    multi = MultiPartitionsDefinition({"date": DailyPartitionsDefinition("2024-01-01"), "region": REGIONS})
    assert multi.num_partitions(current_time=dt.datetime(2024, 1, 11, tzinfo=UTC)) == 20


def test_dimension_rules() -> None:
    with pytest.raises(DefinitionError, match="at least two"):
        MultiPartitionsDefinition({"date": DAILY})
    with pytest.raises(DefinitionError, match=r"contains '\|'"):
        MultiPartitionsDefinition({"date": DAILY, "region": StaticPartitionsDefinition(["a|b"])})
    with pytest.raises(DefinitionError, match="flatten"):
        MultiPartitionsDefinition({"date": DAILY, "nested": MULTI})


def test_three_dimensions_work() -> None:
    multi = MultiPartitionsDefinition({"a": REGIONS, "b": StaticPartitionsDefinition(["x"]), "c": DAILY})
    assert multi.num_partitions() == 6
    assert "us|x|2024-01-01" in multi.get_partition_keys()


def test_equal_by_value_and_round_trips() -> None:
    same = MultiPartitionsDefinition({"date": DAILY, "region": StaticPartitionsDefinition(["us", "eu"])})
    assert same == MULTI and hash(same) == hash(MULTI)
    assert partitions_def_from_dict(MULTI.to_dict()) == MULTI
    with_dynamic = MultiPartitionsDefinition({"date": DAILY, "file": DynamicPartitionsDefinition("files")})
    assert partitions_def_from_dict(with_dynamic.to_dict()) == with_dynamic
