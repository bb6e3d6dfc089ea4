"""GraphQL types shared by every domain: asset keys, tags, metadata entries, page info, and the
helpers resolvers use to reach the request context.

Every node in the asset graph view resolves these; keep them cheap.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import strawberry
from strawberry.scalars import JSON

from assetgraph.definitions.keys import AssetKey
from assetgraph.definitions.metadata import MetadataValue
from assetgraph.server.context import RequestContext

Info = strawberry.Info[RequestContext, None]


def ctx(info: Info) -> RequestContext:
    return info.context


@strawberry.type(name="AssetKey", description="An asset key: `path` is its components, `raw/orders` → [raw, orders].")
class AssetKeyType:
    path: list[str]

    @strawberry.field(description="The key as users write it: components joined by `/`.")
    def user_string(self) -> str:
        return "/".join(self.path)

    @staticmethod
    def of(key: AssetKey) -> AssetKeyType:
        return AssetKeyType(path=list(key.path))


def key_of(path: list[str]) -> AssetKey:
    """An asset key from a GraphQL argument (user input: checked here)."""
    from assetgraph.server.services import RequestError

    if not path or any(not p for p in path):
        raise RequestError(f"An asset key needs at least one component, none of them empty; got {path!r}.")
    return AssetKey(path)


@strawberry.type
class Tag:
    key: str
    value: str

    @staticmethod
    def of(tags: Mapping[str, str]) -> list[Tag]:
        return [Tag(key=k, value=str(v)) for k, v in sorted(tags.items())]


@strawberry.input
class TagInput:
    key: str
    value: str


@strawberry.type(description="One metadata value: `type` is text, int, float, bool, json, url, path, md, "
                             "timestamp or null; `value` is the plain value as JSON.")
class MetadataEntry:
    label: str
    type: str
    value: JSON | None

    @staticmethod
    def of(metadata: Mapping[str, MetadataValue]) -> list[MetadataEntry]:
        return [MetadataEntry(label=k, type=v.type, value=_jsonable(v.to_dict()["value"])) for k, v in metadata.items()]

    @staticmethod
    def of_json(metadata: Mapping[str, Any]) -> list[MetadataEntry]:
        return [MetadataEntry(label=k, type=v["type"], value=_jsonable(v["value"])) for k, v in metadata.items()]


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value


@strawberry.type
class PageInfo:
    end_cursor: str | None
    has_next_page: bool


@strawberry.type(description="An exception as data.")
class Error:
    message: str
    cls_name: str
    traceback: str
