"""`BackfillPolicy`: how a backfill of a partitioned asset splits into runs.

A frozen value. Must not import anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assetgraph.definitions.errors import DefinitionError


@dataclass(frozen=True)
class BackfillPolicy:
    """How many partitions of an asset one backfill run materialises.

    ``max_partitions_per_run`` is None for a single run covering every requested partition.

    >>> BackfillPolicy.single_run().is_single_run
    True
    >>> BackfillPolicy.multi_run(10).max_partitions_per_run
    10
    """

    max_partitions_per_run: int | None = 1

    def __post_init__(self) -> None:
        if self.max_partitions_per_run is not None and self.max_partitions_per_run < 1:
            raise DefinitionError(
                f"BackfillPolicy.multi_run needs max_partitions_per_run >= 1, got {self.max_partitions_per_run}."
            )

    @classmethod
    def single_run(cls) -> BackfillPolicy:
        """One run materialises all requested partitions (the asset receives a partition key range)."""
        return cls(max_partitions_per_run=None)

    @classmethod
    def multi_run(cls, max_partitions_per_run: int = 1) -> BackfillPolicy:
        """Runs of at most ``max_partitions_per_run`` partitions each."""
        return cls(max_partitions_per_run=max_partitions_per_run)

    @property
    def is_single_run(self) -> bool:
        """Whether a backfill runs all partitions in one run."""
        return self.max_partitions_per_run is None

    @property
    def policy_type(self) -> str:
        """``"single_run"`` or ``"multi_run"``."""
        return "single_run" if self.is_single_run else "multi_run"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able snapshot; `BackfillPolicy.from_dict` reads it back."""
        return {"max_partitions_per_run": self.max_partitions_per_run}

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> BackfillPolicy:
        """Rebuild from `to_dict`."""
        value = data.get("max_partitions_per_run")
        return BackfillPolicy(None if value is None else int(value))
