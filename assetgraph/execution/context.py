"""`AssetExecutionContext`: what an asset or check function sees of its run.

Must not import codelocation, orchestration, server or cli.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from assetgraph.definitions.errors import DefinitionError, PartitionError
from assetgraph.definitions.keys import AssetCheckKey, AssetKey
from assetgraph.definitions.metadata import MetadataValue, normalize_metadata

if TYPE_CHECKING:
    from assetgraph.definitions.asset import AssetsDefinition
    from assetgraph.definitions.partitions.base import PartitionKeyRange, PartitionsDefinition
    from assetgraph.definitions.partitions.time_window import TimeWindow
    from assetgraph.storage.instance import Instance


class Resources:
    """The run's resources, as attributes (``context.resources.warehouse``) or by key."""

    def __init__(self, resources: Mapping[str, Any]) -> None:
        self._resources = dict(resources)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._resources[name]
        except KeyError:
            known = ", ".join(sorted(self._resources)) or "none"
            raise DefinitionError(
                f"No resource named {name!r} (resources: {known}). Pass it in Definitions(resources=...) "
                f"or materialize(resources=...)."
            ) from None

    def __getitem__(self, name: str) -> Any:
        return self.__getattr__(name)

    def __contains__(self, name: str) -> bool:
        return name in self._resources

    def keys(self) -> list[str]:
        return list(self._resources)

    def original_dict(self) -> dict[str, Any]:
        return dict(self._resources)


class PartitionScope:
    """The partitions a step works on: one key, a range, or none."""

    __slots__ = ("keys", "partitions_def", "range")

    def __init__(self, partitions_def: PartitionsDefinition | None, keys: Sequence[str] = (),
                 key_range: PartitionKeyRange | None = None) -> None:
        self.partitions_def = partitions_def
        self.keys = tuple(keys)
        self.range = key_range

    @staticmethod
    def none() -> PartitionScope:
        return PartitionScope(None)


class AssetExecutionContext:
    """Injected into a parameter named ``context`` (or annotated with this class)."""

    def __init__(
        self,
        *,
        run_id: str,
        assets_def: AssetsDefinition | None = None,
        selected_asset_keys: Sequence[AssetKey] = (),
        selected_asset_check_keys: Sequence[AssetCheckKey] = (),
        partitions: PartitionScope | None = None,
        instance: Instance | None = None,
        resources: Resources | None = None,
        log: logging.Logger | None = None,
        run_tags: Mapping[str, str] | None = None,
        op_config: Any = None,
        retry_number: int = 0,
    ) -> None:
        self.run_id = run_id
        self.assets_def = assets_def
        self._selected = tuple(selected_asset_keys)
        self._selected_checks = tuple(selected_asset_check_keys)
        self._partitions = partitions or PartitionScope.none()
        self._instance = instance
        self.resources = resources or Resources({})
        self.log = log or logging.getLogger("assetgraph.user")
        self.run_tags = dict(run_tags or {})
        self.op_config = op_config
        self.retry_number = retry_number
        self._output_metadata: dict[AssetKey | None, dict[str, MetadataValue]] = {}
        self._failed_partitions: dict[str, str] = {}

    @property
    def asset_key(self) -> AssetKey:
        """The asset being materialised (single-asset steps)."""
        if len(self._selected) != 1:
            raise DefinitionError(
                f"context.asset_key is for single-asset steps; this step materialises {len(self._selected)} "
                f"assets: use context.asset_keys or context.selected_asset_keys."
            )
        return self._selected[0]

    @property
    def asset_keys(self) -> Sequence[AssetKey]:
        return self._selected

    @property
    def selected_asset_keys(self) -> set[AssetKey]:
        return set(self._selected)

    @property
    def selected_asset_check_keys(self) -> set[AssetCheckKey]:
        return set(self._selected_checks)

    @property
    def has_partition_key(self) -> bool:
        return len(self._partitions.keys) == 1 and self._partitions.range is None

    @property
    def has_partition_key_range(self) -> bool:
        return self._partitions.range is not None

    @property
    def partition_key(self) -> str:
        """The partition being materialised; an error for unpartitioned steps and range steps."""
        if not self.has_partition_key:
            if self._partitions.range is not None:
                raise PartitionError(
                    "This step materialises a range of partitions; use context.partition_key_range "
                    "or context.partition_keys."
                )
            raise PartitionError("This step is not partitioned; context.partition_key has no value.")
        return self._partitions.keys[0]

    @property
    def partition_keys(self) -> Sequence[str]:
        if self._partitions.partitions_def is None:
            raise PartitionError("This step is not partitioned; context.partition_keys has no value.")
        return self._partitions.keys

    @property
    def partition_key_range(self) -> PartitionKeyRange:
        from assetgraph.definitions.partitions.base import PartitionKeyRange

        if self._partitions.range is not None:
            return self._partitions.range
        if self._partitions.keys:
            return PartitionKeyRange(self._partitions.keys[0], self._partitions.keys[-1])
        raise PartitionError("This step is not partitioned; context.partition_key_range has no value.")

    @property
    def partition_time_window(self) -> TimeWindow:
        """The time window of the partition (or range), timezone-aware."""
        pdef = self._partitions.partitions_def
        window_for = getattr(pdef, "time_window_for_partition_key", None)
        if window_for is None:
            raise PartitionError("context.partition_time_window needs a time-window partitioned asset.")
        rng = self.partition_key_range
        first, last = window_for(rng.start), window_for(rng.end)
        return type(first)(first.start, last.end)

    @property
    def partitions_def(self) -> PartitionsDefinition | None:
        return self._partitions.partitions_def

    @property
    def instance(self) -> Instance:
        if self._instance is None:
            raise DefinitionError("This context has no instance; pass instance= to build_asset_context().")
        return self._instance

    def add_output_metadata(self, metadata: Mapping[str, Any], asset_key: Any = None) -> None:
        """Attach metadata to the materialisation of this step's asset (or ``asset_key``)."""
        from assetgraph.definitions.keys import coerce_asset_key

        key = coerce_asset_key(asset_key) if asset_key is not None else None
        self._output_metadata.setdefault(key, {}).update(normalize_metadata(metadata))

    def fail_partitions(self, partition_keys: Sequence[str], message: str = "") -> None:
        """In a step over several partitions (a single-run range), mark some as failed: the
        others are materialised, these get ASSET_MATERIALIZATION_FAILED with ``message``."""
        from assetgraph.definitions.errors import PartitionError as _PartitionError

        pdef = self._partitions.partitions_def
        if pdef is None:
            raise _PartitionError("context.fail_partitions needs a partitioned step.")
        mine = pdef.subset_with_key_range(self._partitions.range) if self._partitions.range is not None else None
        for key in partition_keys:
            if key not in self._partitions.keys and (mine is None or key not in mine):
                raise _PartitionError(f"Partition {key!r} is not one of this step's partitions.")
            self._failed_partitions[key] = message

    @property
    def failed_partitions(self) -> Mapping[str, str]:
        return dict(self._failed_partitions)

    def output_metadata_for(self, key: AssetKey) -> dict[str, MetadataValue]:
        out = dict(self._output_metadata.get(None, {})) if len(self._selected) == 1 else {}
        out.update(self._output_metadata.get(key, {}))
        return out

    def now(self) -> datetime:

        return datetime.now(UTC)


AssetCheckExecutionContext = AssetExecutionContext


def build_asset_context(
    partition_key: str | None = None,
    resources: Mapping[str, Any] | None = None,
    instance: Instance | None = None,
    partitions_def: PartitionsDefinition | None = None,
    asset_key: Any = None,
    run_id: str = "test-run",
    run_tags: Mapping[str, str] | None = None,
) -> AssetExecutionContext:
    """A context for calling an asset function directly in a unit test.

    >>> build_asset_context(partition_key="2024-01-01").partition_key
    '2024-01-01'
    """
    from assetgraph.definitions.keys import coerce_asset_key

    if partition_key is not None and partitions_def is None:
        from assetgraph.definitions.partitions.static import StaticPartitionsDefinition

        partitions_def = StaticPartitionsDefinition([partition_key])
    scope = PartitionScope(partitions_def, (partition_key,) if partition_key is not None else ())
    keys = (coerce_asset_key(asset_key),) if asset_key is not None else ()
    return AssetExecutionContext(run_id=run_id, selected_asset_keys=keys, partitions=scope, instance=instance,
                                 resources=Resources(resources or {}), run_tags=run_tags)
