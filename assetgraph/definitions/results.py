"""What asset and check functions return: `MaterializeResult`, `Output`, `AssetCheckResult`.

Must not import anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assetgraph.definitions.events import AssetCheckSeverity
from assetgraph.definitions.keys import AssetKey, CoercibleToAssetKey, coerce_asset_key
from assetgraph.definitions.metadata import MetadataValue, normalize_metadata


class _NoValue:
    """Marks "no value was returned" (distinct from ``None``)."""

    _instance: _NoValue | None = None

    def __new__(cls) -> _NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_VALUE"

    def __reduce__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Any = _NoValue()


@dataclass(frozen=True)
class AssetCheckResult:
    """The outcome of a check.

    >>> AssetCheckResult(passed=False, metadata={"nulls": 3}).metadata["nulls"].value
    3
    """

    passed: bool
    asset_key: AssetKey | None = None
    check_name: str | None = None
    metadata: Mapping[str, MetadataValue] = field(default_factory=dict)
    severity: AssetCheckSeverity = AssetCheckSeverity.ERROR
    description: str | None = None

    def __init__(self, passed: bool, *, asset_key: CoercibleToAssetKey | None = None, check_name: str | None = None,
                 metadata: Mapping[str, Any] | None = None,
                 severity: AssetCheckSeverity | str = AssetCheckSeverity.ERROR,
                 description: str | None = None) -> None:
        set_ = object.__setattr__
        set_(self, "passed", bool(passed))
        set_(self, "asset_key", coerce_asset_key(asset_key) if asset_key is not None else None)
        set_(self, "check_name", check_name)
        set_(self, "metadata", normalize_metadata(metadata))
        set_(self, "severity", AssetCheckSeverity(severity))
        set_(self, "description", description)


@dataclass(frozen=True)
class MaterializeResult:
    """Returned (or yielded, from a multi-asset) by an asset function to report metadata,
    check results and, optionally, a value for the IO manager."""

    asset_key: AssetKey | None = None
    metadata: Mapping[str, MetadataValue] = field(default_factory=dict)
    check_results: Sequence[AssetCheckResult] = ()
    data_version: str | None = None
    value: Any = NO_VALUE
    tags: Mapping[str, str] = field(default_factory=dict)

    def __init__(self, *, asset_key: CoercibleToAssetKey | None = None, metadata: Mapping[str, Any] | None = None,
                 check_results: Sequence[AssetCheckResult] | None = None, data_version: str | None = None,
                 value: Any = NO_VALUE, tags: Mapping[str, str] | None = None) -> None:
        set_ = object.__setattr__
        set_(self, "asset_key", coerce_asset_key(asset_key) if asset_key is not None else None)
        set_(self, "metadata", normalize_metadata(metadata))
        set_(self, "check_results", tuple(check_results or ()))
        set_(self, "data_version", data_version)
        set_(self, "value", value)
        set_(self, "tags", dict(tags or {}))


@dataclass(frozen=True)
class Output:
    """A value for the IO manager with metadata. ``output_name`` picks the asset in a multi-asset
    (its key's last component or user string)."""

    value: Any
    metadata: Mapping[str, MetadataValue] = field(default_factory=dict)
    output_name: str | None = None
    data_version: str | None = None

    def __init__(self, value: Any, metadata: Mapping[str, Any] | None = None, output_name: str | None = None,
                 data_version: str | None = None) -> None:
        set_ = object.__setattr__
        set_(self, "value", value)
        set_(self, "metadata", normalize_metadata(metadata))
        set_(self, "output_name", output_name)
        set_(self, "data_version", data_version)
