"""`BackfillPolicy` (assetgraph/definitions/policies.py)."""

from __future__ import annotations

import dataclasses

import pytest

from assetgraph.definitions.errors import DefinitionError
from assetgraph.definitions.policies import BackfillPolicy


def test_single_and_multi_run_policies() -> None:
    assert BackfillPolicy.single_run().is_single_run
    assert BackfillPolicy.single_run().policy_type == "single_run"
    multi = BackfillPolicy.multi_run(max_partitions_per_run=5)
    assert multi.max_partitions_per_run == 5 and multi.policy_type == "multi_run"
    assert BackfillPolicy.multi_run() == BackfillPolicy.multi_run(1)


def test_policy_is_a_frozen_value_that_round_trips() -> None:
    policy = BackfillPolicy.multi_run(3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.max_partitions_per_run = 4  # type: ignore[misc]
    for p in (policy, BackfillPolicy.single_run()):
        assert BackfillPolicy.from_dict(p.to_dict()) == p


def test_zero_partitions_per_run_is_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match="max_partitions_per_run"):
        BackfillPolicy.multi_run(0)
