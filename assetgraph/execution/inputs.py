"""Loading the values a step's function receives: upstream assets through their IO managers,
mapped through partition mappings. Must not import codelocation or later layers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from assetgraph.definitions.errors import DefinitionError
from assetgraph.definitions.io_manager import InputContext, IOManager
from assetgraph.definitions.keys import AssetKey

if TYPE_CHECKING:
    from assetgraph.definitions.partitions.base import PartitionsDefinition
    from assetgraph.definitions.spec import AssetDep
    from assetgraph.execution.context import Resources
    from assetgraph.execution.plan import Step
    from assetgraph.graph.asset_graph import AssetGraph


def io_manager_for(graph: AssetGraph, key: AssetKey, resources: Resources) -> IOManager:
    adef = graph.assets_def_for(key)
    name = adef.io_manager_key
    if name not in resources:
        raise DefinitionError(
            f'Asset "{key.to_user_string()}" uses IO manager {name!r}, which is not among the resources '
            f"({', '.join(sorted(resources.keys())) or 'none'})."
        )
    manager = resources[name]
    if not isinstance(manager, IOManager):
        raise DefinitionError(f"Resource {name!r} is used as an IO manager but is a {type(manager).__name__}.")
    return manager


def step_partition_keys(step: Step, store: Any) -> list[str]:
    if step.partitions_def is None:
        return []
    if step.partition_range is not None:
        return list(step.partitions_def.get_partition_keys_in_range(step.partition_range,
                                                                    dynamic_partitions_store=store))
    return list(step.partition_keys)


def upstream_partition_keys(dep: AssetDep | None, upstream_def: PartitionsDefinition | None,
                            downstream_def: PartitionsDefinition | None, downstream_keys: Sequence[str],
                            now: datetime | None, store: Any) -> list[str]:
    """The upstream partitions a downstream step needs, through the dep's mapping or the default."""
    if upstream_def is None:
        return []
    from assetgraph.definitions.partitions.mapping import default_partition_mapping

    mapping = dep.partition_mapping if dep is not None and dep.partition_mapping is not None else \
        default_partition_mapping(upstream_def, downstream_def)
    down_subset = downstream_def.subset_with_keys(downstream_keys) if downstream_def is not None else None
    up_subset = mapping.get_upstream_partitions(down_subset, downstream_def, upstream_def, current_time=now,
                                                dynamic_partitions_store=store)
    return list(up_subset.get_partition_keys())


def load_input(graph: AssetGraph, step: Step, param: str, upstream: AssetKey, downstream: AssetKey | None,
               resources: Resources, run_id: str, now: datetime | None, store: Any, as_dict: bool = False) -> Any:
    up_node = graph.get(upstream)
    dep = None
    metadata: dict[str, Any] = {}
    if downstream is not None:
        adef = graph.assets_def_for(downstream)
        dep = next((d for d in adef.get_spec(downstream).deps if d.asset_key == upstream), None)
    keys = upstream_partition_keys(dep, up_node.partitions_def, step.partitions_def,
                                   step_partition_keys(step, store), now, store)
    if as_dict or (up_node.partitions_def is not None and (step.partition_range is not None or len(keys) != 1)):
        metadata["as_dict"] = True
    ctx = InputContext(asset_key=upstream, run_id=run_id, partition_keys=keys, partitions_def=up_node.partitions_def,
                       metadata=metadata, definition_metadata=up_node.spec.metadata, downstream_asset_key=downstream,
                       resources=resources)
    return io_manager_for(graph, upstream, resources).load_input(ctx)
