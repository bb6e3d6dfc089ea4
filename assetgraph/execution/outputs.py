"""Turning what a user function returned (value, `Output`, `MaterializeResult`, generators of
them, check results) into one normalised list. Must not import codelocation or later layers.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assetgraph.definitions.errors import DefinitionError
from assetgraph.definitions.events import AssetMaterialization
from assetgraph.definitions.keys import AssetKey
from assetgraph.definitions.metadata import MetadataValue
from assetgraph.definitions.results import NO_VALUE, AssetCheckResult, MaterializeResult, Output


@dataclass
class AssetOutput:
    """What one asset of a step produced."""

    key: AssetKey
    value: Any = NO_VALUE
    metadata: dict[str, MetadataValue] = field(default_factory=dict)
    data_version: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class StepOutputs:
    assets: dict[AssetKey, AssetOutput] = field(default_factory=dict)
    check_results: list[AssetCheckResult] = field(default_factory=list)


def _items(result: Any) -> list[Any]:
    if inspect.isgenerator(result):
        return list(result)
    if isinstance(result, (list, tuple)) and result and all(
            isinstance(r, (MaterializeResult, Output, AssetCheckResult, AssetMaterialization)) for r in result):
        return list(result)
    return [result]


def _resolve_key(item_key: AssetKey | None, output_name: str | None, keys: Sequence[AssetKey],
                 node: str) -> AssetKey:
    if item_key is not None:
        if item_key not in keys:
            allowed = ", ".join(k.to_user_string() for k in keys)
            raise DefinitionError(
                f"{node!r} reported a result for {item_key.to_user_string()!r}, which this step does not "
                f"materialise (it materialises: {allowed})."
            )
        return item_key
    if output_name is not None:
        for k in keys:
            if output_name in (k.name, k.to_user_string(), "__".join(k.path)):
                return k
        raise DefinitionError(f"{node!r} yielded Output(output_name={output_name!r}), which names none of its assets.")
    if len(keys) == 1:
        return keys[0]
    raise DefinitionError(
        f"{node!r} materialises several assets; each MaterializeResult needs asset_key= "
        f"(and each Output needs output_name=)."
    )


def add_item(out: StepOutputs, item: Any, keys: Sequence[AssetKey], node: str, is_multi: bool,
             only_item: bool = False) -> AssetOutput | AssetCheckResult | None:
    """Add one returned or yielded item to ``out``; return what it added (None for nothing)."""
    if isinstance(item, AssetCheckResult):
        out.check_results.append(item)
        return item
    if isinstance(item, MaterializeResult):
        key = _resolve_key(item.asset_key, None, keys, node)
        ao = out.assets.setdefault(key, AssetOutput(key))
        ao.value = item.value
        ao.metadata.update(item.metadata)
        ao.data_version = item.data_version
        ao.tags.update(item.tags)
        out.check_results.extend(item.check_results)
        return ao
    if isinstance(item, Output):
        key = _resolve_key(None, item.output_name, keys, node)
        ao = out.assets.setdefault(key, AssetOutput(key))
        ao.value = item.value
        ao.metadata.update(item.metadata)
        ao.data_version = item.data_version
        return ao
    if isinstance(item, AssetMaterialization):
        key = _resolve_key(item.asset_key, None, keys, node)
        ao = out.assets.setdefault(key, AssetOutput(key))
        ao.metadata.update(item.metadata)
        return ao
    if is_multi and item is None and only_item:
        return None
    if is_multi:
        raise DefinitionError(
            f"Multi-asset {node!r} returned {type(item).__name__}; return or yield one "
            f"MaterializeResult(asset_key=...) or Output(value, output_name=...) per asset."
        )
    ao = AssetOutput(keys[0], item if item is not None else NO_VALUE)
    out.assets[keys[0]] = ao
    return ao


def missing_outputs(out: StepOutputs, keys: Sequence[AssetKey], node: str, skippable: set[AssetKey]) -> None:
    """Raise for selected assets that got no result, unless their spec says they may be skipped."""
    missing = [k for k in keys if k not in out.assets and k not in skippable]
    if missing:
        raise DefinitionError(
            f"{node!r} did not report a result for {', '.join(k.to_user_string() for k in missing)}; "
            f"yield a MaterializeResult(asset_key=...) for every selected asset "
            f"(context.selected_asset_keys lists them), or declare it AssetSpec(..., skippable=True)."
        )


def collect_asset_outputs(result: Any, keys: Sequence[AssetKey], node: str, is_multi: bool,
                          skippable: set[AssetKey] | None = None) -> StepOutputs:
    """Normalise an asset function's return value for the step's selected ``keys``."""
    out = StepOutputs()
    items = _items(result) if is_multi or inspect.isgenerator(result) else [result]
    for item in items:
        add_item(out, item, keys, node, is_multi, only_item=len(items) == 1)
    if not is_multi and keys and keys[0] not in out.assets:
        out.assets[keys[0]] = AssetOutput(keys[0])
    missing_outputs(out, keys, node, skippable or set())
    return out


def collect_check_results(result: Any, node: str) -> list[AssetCheckResult]:
    """Normalise a check function's return value."""
    items: Iterable[Any] = _items(result)
    out = []
    for item in items:
        if not isinstance(item, AssetCheckResult):
            raise DefinitionError(f"Check {node!r} returned {type(item).__name__}; return an AssetCheckResult.")
        out.append(item)
    if not out:
        raise DefinitionError(f"Check {node!r} returned no AssetCheckResult.")
    return out
