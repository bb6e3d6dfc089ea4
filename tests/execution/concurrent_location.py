"""A small code location for the multi-process tests: a chain of cheap assets, and one that
kills its own process after the chain before it has been committed."""

from __future__ import annotations

import os

from assetgraph import StaticPartitionsDefinition, asset

parts = StaticPartitionsDefinition([f"p{i:03d}" for i in range(200)])


@asset(partitions_def=parts)
def first(context) -> str:  # type: ignore[no-untyped-def]
    return context.partition_key


@asset(partitions_def=parts)
def second(first: str) -> str:
    return first + "!"


@asset
def survives() -> int:
    return 1


@asset
def dies(survives: int) -> int:
    os._exit(9)  # a crash (like SIGKILL or the OOM killer) in the middle of a run
