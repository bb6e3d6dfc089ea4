"""Asset jobs: a named selection of assets to materialise together.

Must not import anything from assetgraph beyond `definitions`. The selection is kept as given
and resolved by the graph layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assetgraph.definitions.errors import DefinitionError
from assetgraph.definitions.executors import ExecutorDefinition

if TYPE_CHECKING:
    from assetgraph.definitions.partitions.base import PartitionsDefinition


@dataclass(frozen=True)
class AssetJobDefinition:
    """A job made by `define_asset_job`."""

    name: str
    selection: Any
    partitions_def: PartitionsDefinition | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    description: str | None = None
    executor_def: ExecutorDefinition | None = None
    config: Any = None


def define_asset_job(name: str, selection: Any = "*", partitions_def: PartitionsDefinition | None = None,
                     tags: Mapping[str, str] | None = None, description: str | None = None,
                     executor_def: ExecutorDefinition | None = None, config: Any = None) -> AssetJobDefinition:
    """A named job over a selection (an `AssetSelection`, a selection string, or a list of assets).

    >>> define_asset_job("daily", selection="group:marts").name
    'daily'
    """
    if not name or not name.replace("_", "").isalnum():
        raise DefinitionError(f"Job name {name!r} must be letters, digits and underscores.")
    return AssetJobDefinition(name, selection, partitions_def, dict(tags or {}), description, executor_def, config)
