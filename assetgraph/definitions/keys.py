"""Identifiers: `AssetKey` and `AssetCheckKey`.

Pure values. Must not import anything from assetgraph beyond `definitions.errors`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from assetgraph.definitions.errors import DefinitionError


class AssetKey:
    """The name of an asset: a non-empty path of strings.

    >>> AssetKey(["raw", "orders"]).to_user_string()
    'raw/orders'
    >>> AssetKey.from_user_string("raw/orders") == AssetKey(["raw", "orders"])
    True
    """

    __slots__ = ("_hash", "path")

    path: tuple[str, ...]
    _hash: int

    def __init__(self, path: str | Sequence[str]) -> None:
        if isinstance(path, str):
            parts: tuple[str, ...] = (path,)
        else:
            parts = tuple(path)
        if not parts:
            raise DefinitionError("An asset key needs at least one path component.")
        for part in parts:
            if not isinstance(part, str) or not part:
                raise DefinitionError(
                    f"Asset key components must be non-empty strings, got {part!r} in {list(parts)!r}."
                )
        object.__setattr__(self, "path", parts)
        object.__setattr__(self, "_hash", hash(parts))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("AssetKey is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (AssetKey, (self.path,))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AssetKey) and other.path == self.path

    def __lt__(self, other: AssetKey) -> bool:
        return self.path < other.path

    def __le__(self, other: AssetKey) -> bool:
        return self.path <= other.path

    def __gt__(self, other: AssetKey) -> bool:
        return self.path > other.path

    def __ge__(self, other: AssetKey) -> bool:
        return self.path >= other.path

    def __repr__(self) -> str:
        return f"AssetKey({list(self.path)!r})"

    def __str__(self) -> str:
        return self.to_user_string()

    def to_user_string(self) -> str:
        """The key as users write it: components joined by ``/``."""
        return "/".join(self.path)

    @staticmethod
    def from_user_string(value: str) -> AssetKey:
        """Parse ``"raw/orders"`` into ``AssetKey(["raw", "orders"])``."""
        return AssetKey(value.split("/"))

    def with_prefix(self, prefix: str | Sequence[str]) -> AssetKey:
        """Return this key with ``prefix`` in front."""
        pre = [prefix] if isinstance(prefix, str) else list(prefix)
        return AssetKey([*pre, *self.path])

    @property
    def name(self) -> str:
        """The last component."""
        return self.path[-1]

    def to_db_string(self) -> str:
        """A stable string for storage: JSON-free, unambiguous for any component text."""
        return "\x1f".join(self.path) if len(self.path) > 1 else self.path[0]

    @staticmethod
    def from_db_string(value: str) -> AssetKey:
        return AssetKey(value.split("\x1f"))


CoercibleToAssetKey = AssetKey | str | Sequence[str]


def coerce_asset_key(value: Any) -> AssetKey:
    """Convert the forms users may write (`AssetKey`, ``"raw/orders"``, ``["raw", "orders"]``,
    an assets definition or spec with a single key) into an `AssetKey`."""
    if isinstance(value, AssetKey):
        return value
    if isinstance(value, str):
        return AssetKey.from_user_string(value)
    if isinstance(value, (list, tuple)):
        return AssetKey(list(value))
    key = getattr(value, "key", None)
    if isinstance(key, AssetKey):
        return key
    raise DefinitionError(f"Cannot use {value!r} as an asset key: pass an AssetKey, a string or a list of strings.")


def coerce_asset_keys(values: Iterable[Any]) -> list[AssetKey]:
    return [coerce_asset_key(v) for v in values]


class AssetCheckKey:
    """Names a check: the asset it checks and the check's name."""

    __slots__ = ("_hash", "asset_key", "name")

    asset_key: AssetKey
    name: str
    _hash: int

    def __init__(self, asset_key: CoercibleToAssetKey, name: str) -> None:
        object.__setattr__(self, "asset_key", coerce_asset_key(asset_key))
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "_hash", hash((self.asset_key, name)))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("AssetCheckKey is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (AssetCheckKey, (self.asset_key, self.name))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AssetCheckKey) and (other.asset_key, other.name) == (self.asset_key, self.name)

    def __lt__(self, other: AssetCheckKey) -> bool:
        return (self.asset_key, self.name) < (other.asset_key, other.name)

    def __repr__(self) -> str:
        return f"AssetCheckKey({self.asset_key!r}, {self.name!r})"

    def to_user_string(self) -> str:
        """``raw/orders:not_empty``."""
        return f"{self.asset_key.to_user_string()}:{self.name}"
