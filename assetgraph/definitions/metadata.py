"""Metadata values attached to assets and events.

Users may pass plain values; they are wrapped once at the boundary (`normalize_metadata`).
Must not import anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MetadataValue:
    """A typed metadata value; ``.value`` is the plain value.

    >>> MetadataValue.int(3).value
    3
    """

    type: str
    value: Any

    @staticmethod
    def text(value: str) -> MetadataValue:
        return MetadataValue("text", value)

    @staticmethod
    def int(value: builtins.int) -> MetadataValue:
        return MetadataValue("int", value)

    @staticmethod
    def float(value: builtins.float) -> MetadataValue:
        return MetadataValue("float", value)

    @staticmethod
    def bool(value: builtins.bool) -> MetadataValue:
        return MetadataValue("bool", value)

    @staticmethod
    def json(value: Any) -> MetadataValue:
        return MetadataValue("json", value)

    @staticmethod
    def url(value: str) -> MetadataValue:
        return MetadataValue("url", value)

    @staticmethod
    def path(value: str) -> MetadataValue:
        return MetadataValue("path", str(value))

    @staticmethod
    def md(value: str) -> MetadataValue:
        return MetadataValue("md", value)

    @staticmethod
    def timestamp(value: builtins.float) -> MetadataValue:
        return MetadataValue("timestamp", value)

    @staticmethod
    def null() -> MetadataValue:
        return MetadataValue("null", None)

    def to_dict(self) -> dict[str, Any]:
        value = self.value
        if self.type == "float" and isinstance(value, builtins.float) and not math.isfinite(value):
            value = repr(value)
        return {"type": self.type, "value": value}

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> MetadataValue:
        value = data["value"]
        if data["type"] == "float" and isinstance(value, str):
            value = float(value)
        return MetadataValue(data["type"], value)


def wrap_metadata_value(value: Any) -> MetadataValue:
    """Wrap a plain value in the `MetadataValue` that fits it."""
    if isinstance(value, MetadataValue):
        return value
    if value is None:
        return MetadataValue.null()
    if isinstance(value, bool):
        return MetadataValue.bool(value)
    if isinstance(value, int):
        return MetadataValue.int(value)
    if isinstance(value, float):
        return MetadataValue.float(value)
    if isinstance(value, str):
        return MetadataValue.text(value)
    if isinstance(value, (dict, list, tuple)):
        return MetadataValue.json(value)
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        return wrap_metadata_value(item())
    return MetadataValue.text(str(value))


def normalize_metadata(metadata: Mapping[str, Any] | None) -> dict[str, MetadataValue]:
    """Wrap every value of a user's metadata dict."""
    if not metadata:
        return {}
    return {str(k): wrap_metadata_value(v) for k, v in metadata.items()}


def metadata_to_json(metadata: Mapping[str, MetadataValue]) -> dict[str, Any]:
    return {k: v.to_dict() for k, v in metadata.items()}


def metadata_from_json(data: Mapping[str, Any] | None) -> dict[str, MetadataValue]:
    if not data:
        return {}
    return {k: MetadataValue.from_dict(v) for k, v in data.items()}
