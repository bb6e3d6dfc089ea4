"""Pieces of the event log storage that the contract suite cannot reach."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from assetgraph.storage.event_log import PartitionsDefCache
from assetgraph.storage.status import KeySubset, subset_to_json


class _EvictedByAnotherThread(OrderedDict[Any, Any]):
    """Another thread evicts an entry between this thread's lookup and its LRU bump."""

    def get(self, key: Any, default: Any = None) -> Any:
        found = super().get(key, default)
        self.pop(key, None)
        return found


def test_subset_cache_survives_a_concurrent_eviction() -> None:
    cache = PartitionsDefCache()
    text = subset_to_json(KeySubset(["a"]))
    cache.remember(None, text, KeySubset(["a"]))
    cache._subsets = _EvictedByAnotherThread(cache._subsets)
    assert cache.subset(None, text) == KeySubset(["a"])
