"""The shapes of definitions the graph reads: small Protocols over `AssetsDefinition` and
`AssetChecksDefinition`, so the graph is built from anything that looks like them.

Must not import anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from assetgraph.definitions.keys import AssetCheckKey, AssetKey
from assetgraph.definitions.source import SourceLocation
from assetgraph.definitions.spec import AssetSpec


class CheckSpecLike(Protocol):
    """What the graph reads from an `AssetCheckSpec`."""

    @property
    def key(self) -> AssetCheckKey: ...

    @property
    def asset_key(self) -> AssetKey: ...

    @property
    def blocking(self) -> bool: ...

    @property
    def additional_deps(self) -> Sequence[Any]: ...


class AssetsDefinitionLike(Protocol):
    """What the graph reads from an `AssetsDefinition` (see docs/internals/contracts.md)."""

    @property
    def specs(self) -> Sequence[AssetSpec]: ...

    @property
    def is_executable(self) -> bool: ...

    @property
    def can_subset(self) -> bool: ...

    @property
    def node_name(self) -> str: ...

    @property
    def check_specs(self) -> Sequence[Any]: ...

    @property
    def source(self) -> SourceLocation | None: ...


class ChecksDefinitionLike(Protocol):
    """What the graph reads from an `AssetChecksDefinition`."""

    @property
    def check_specs(self) -> Sequence[Any]: ...


class DefinitionsLike(Protocol):
    """What `AssetGraph.from_definitions` reads from `Definitions`."""

    def get_all_assets_definitions(self) -> Sequence[Any]: ...

    def get_all_checks_definitions(self) -> Sequence[Any]: ...
