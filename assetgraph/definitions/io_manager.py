"""The IO manager interface and the contexts it receives.

Implementations that touch files live in `assetgraph.execution.io_managers`. Must not import
anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assetgraph.definitions.keys import AssetKey
from assetgraph.definitions.metadata import MetadataValue, normalize_metadata

if TYPE_CHECKING:
    import logging

    from assetgraph.definitions.partitions.base import PartitionsDefinition

@dataclass
class OutputContext:
    """What an IO manager knows when it stores an asset's value."""

    asset_key: AssetKey
    run_id: str | None = None
    step_key: str | None = None
    partition_key: str | None = None
    partition_keys: Sequence[str] = ()
    partitions_def: PartitionsDefinition | None = None
    definition_metadata: Mapping[str, MetadataValue] = field(default_factory=dict)
    resources: Any = None
    log: logging.Logger | None = None
    _added_metadata: dict[str, MetadataValue] = field(default_factory=dict)

    @property
    def has_partition_key(self) -> bool:
        return self.partition_key is not None

    @property
    def has_asset_partitions(self) -> bool:
        return bool(self.partition_keys)

    @property
    def asset_partition_keys(self) -> Sequence[str]:
        return self.partition_keys

    def add_output_metadata(self, metadata: Mapping[str, Any]) -> None:
        """Metadata the IO manager learnt while storing (file path, row count, ...)."""
        self._added_metadata.update(normalize_metadata(metadata))

    @property
    def added_metadata(self) -> Mapping[str, MetadataValue]:
        return self._added_metadata


@dataclass
class InputContext:
    """What an IO manager knows when it loads an upstream asset's value for a downstream.

    ``partition_keys`` are the upstream partitions needed. ``partition_key`` is set when exactly
    one is needed and the upstream is partitioned.
    """

    asset_key: AssetKey
    run_id: str | None = None
    partition_keys: Sequence[str] = ()
    partitions_def: PartitionsDefinition | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    definition_metadata: Mapping[str, MetadataValue] = field(default_factory=dict)
    downstream_asset_key: AssetKey | None = None
    resources: Any = None
    log: logging.Logger | None = None

    @property
    def has_asset_partitions(self) -> bool:
        return self.partitions_def is not None

    @property
    def partition_key(self) -> str | None:
        return self.partition_keys[0] if self.partitions_def is not None and len(self.partition_keys) == 1 else None

    @property
    def has_partition_key(self) -> bool:
        return self.partition_key is not None

    @property
    def asset_partition_keys(self) -> Sequence[str]:
        return self.partition_keys


class IOManager(ABC):
    """Stores asset values and loads them for downstream assets and checks."""

    @abstractmethod
    def handle_output(self, context: OutputContext, obj: Any) -> None:
        """Store ``obj`` as the value of ``context.asset_key`` (and partition)."""

    @abstractmethod
    def load_input(self, context: InputContext) -> Any:
        """Load the value of ``context.asset_key``. Several partitions come back as a dict key → value."""
