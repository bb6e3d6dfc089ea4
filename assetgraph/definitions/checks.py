"""Asset checks: `AssetCheckSpec`, `@asset_check`, `@multi_asset_check`, `AssetChecksDefinition`.

Must not import anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assetgraph.definitions.errors import DefinitionError
from assetgraph.definitions.keys import AssetCheckKey, AssetKey, coerce_asset_key
from assetgraph.definitions.params import FunctionParams, read_params
from assetgraph.definitions.retry import RetryPolicy
from assetgraph.definitions.source import SourceLocation, docstring_of, location_of_function
from assetgraph.definitions.spec import AssetDep, coerce_deps


@dataclass(frozen=True)
class AssetCheckSpec:
    """Declares a check on an asset. In ``@asset(check_specs=[...])`` the asset function reports
    its result through ``MaterializeResult(check_results=[...])``.

    >>> AssetCheckSpec("not_empty", asset="orders", blocking=True).key.to_user_string()
    'orders:not_empty'
    """

    name: str
    asset_key: AssetKey | None = None
    blocking: bool = False
    description: str | None = None
    additional_deps: tuple[AssetDep, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, name: str, *, asset: Any = None, blocking: bool = False, description: str | None = None,
                 additional_deps: Iterable[Any] | None = None, metadata: Mapping[str, Any] | None = None) -> None:
        if not isinstance(name, str) or not name:
            raise DefinitionError(f"A check needs a non-empty name, got {name!r}.")
        set_ = object.__setattr__
        set_(self, "name", name)
        set_(self, "asset_key", coerce_asset_key(asset) if asset is not None else None)
        set_(self, "blocking", bool(blocking))
        set_(self, "description", description)
        set_(self, "additional_deps", coerce_deps(additional_deps))
        set_(self, "metadata", dict(metadata or {}))

    @property
    def key(self) -> AssetCheckKey:
        if self.asset_key is None:
            raise DefinitionError(f"Check {self.name!r} is not bound to an asset yet.")
        return AssetCheckKey(self.asset_key, self.name)

    @property
    def is_blocking(self) -> bool:
        return self.blocking

    def with_asset(self, asset_key: AssetKey) -> AssetCheckSpec:
        return self.replace(asset=asset_key)

    def replace(self, **changes: Any) -> AssetCheckSpec:
        """A copy with some attributes changed (``asset=`` rebinds the check to another asset)."""
        values: dict[str, Any] = {"asset": self.asset_key, "blocking": self.blocking, "description": self.description,
                                  "additional_deps": self.additional_deps, "metadata": self.metadata}
        name = changes.pop("name", self.name)
        values.update(changes)
        return AssetCheckSpec(name, **values)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_check_spec, (self.name, self.asset_key, self.blocking, self.description,
                                      self.additional_deps, dict(self.metadata)))


def _rebuild_check_spec(name: str, asset_key: AssetKey | None, blocking: bool, description: str | None,
                        additional_deps: tuple[AssetDep, ...], metadata: dict[str, Any]) -> AssetCheckSpec:
    return AssetCheckSpec(name, asset=asset_key, blocking=blocking, description=description,
                          additional_deps=additional_deps, metadata=metadata)


class AssetChecksDefinition:
    """One or more checks and the function that evaluates them (what `@asset_check` returns).

    ``input_keys`` maps parameters to the assets whose values they receive (loaded through the
    IO manager). Calling it calls the function, for unit tests.
    """

    def __init__(self, *, specs: Sequence[AssetCheckSpec], compute_fn: Callable[..., Any], node_name: str,
                 params: FunctionParams, input_keys: Mapping[str, AssetKey],
                 retry_policy: RetryPolicy | None = None, source: SourceLocation | None = None,
                 required_resource_keys: Iterable[str] = ()) -> None:
        self.check_specs: tuple[AssetCheckSpec, ...] = tuple(specs)
        self.compute_fn = compute_fn
        self.node_name = node_name
        self.params = params
        self.input_keys = dict(input_keys)
        self.retry_policy = retry_policy
        self.source = source
        self.required_resource_keys = frozenset(required_resource_keys)

    @property
    def check_keys(self) -> tuple[AssetCheckKey, ...]:
        return tuple(s.key for s in self.check_specs)

    @property
    def check_key(self) -> AssetCheckKey:
        if len(self.check_specs) != 1:
            raise DefinitionError(f"{self.node_name!r} defines {len(self.check_specs)} checks; use .check_keys.")
        return self.check_specs[0].key

    @property
    def asset_key(self) -> AssetKey:
        key = self.check_specs[0].asset_key
        if key is None:
            raise DefinitionError(f"{self.node_name!r} is not bound to an asset.")
        return key

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.compute_fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<AssetChecksDefinition {self.node_name} [{', '.join(k.to_user_string() for k in self.check_keys)}]>"


def _check_input_keys(params: FunctionParams, asset_keys: Sequence[AssetKey], extra: Sequence[AssetDep],
                      what: str, source: SourceLocation | None) -> dict[str, AssetKey]:
    by_name: dict[str, AssetKey] = {}
    for k in [*asset_keys, *(d.asset_key for d in extra)]:
        by_name.setdefault(k.name, k)
        by_name.setdefault("__".join(k.path), k)
    out = {}
    for p in params.values:
        if p not in by_name:
            if p in params.optional:
                continue
            known = ", ".join(sorted(by_name))
            raise DefinitionError(
                f"{what} has a parameter {p!r} that names no asset it checks or depends on (known: {known}).\n"
                f"  defined at: {source}\nName the parameter after the checked asset, or add it to additional_deps=."
            )
        out[p] = by_name[p]
    return out


def asset_check(
    *,
    asset: Any,
    name: str | None = None,
    description: str | None = None,
    blocking: bool = False,
    additional_deps: Iterable[Any] | None = None,
    retry_policy: RetryPolicy | None = None,
    required_resource_keys: Iterable[str] | None = None,
) -> Callable[[Callable[..., Any]], AssetChecksDefinition]:
    """Declare a check on ``asset``; the function returns an `AssetCheckResult`.

    A parameter named after the asset receives its latest value.

    >>> @asset_check(asset="orders", blocking=True)
    ... def orders_not_empty(orders):
    ...     return AssetCheckResult(passed=len(orders) > 0)
    >>> orders_not_empty.check_key.to_user_string()
    'orders:orders_not_empty'
    """
    asset_key = coerce_asset_key(asset)

    def build(fn: Callable[..., Any]) -> AssetChecksDefinition:
        source = location_of_function(fn)
        check_name = name or fn.__name__
        spec = AssetCheckSpec(check_name, asset=asset_key, blocking=blocking,
                              description=description if description is not None else docstring_of(fn),
                              additional_deps=additional_deps)
        what = f'Check "{spec.key.to_user_string()}"'
        params = read_params(fn, what)
        return AssetChecksDefinition(
            specs=[spec], compute_fn=fn, node_name=f"{'__'.join(asset_key.path)}__{check_name}", params=params,
            input_keys=_check_input_keys(params, [asset_key], spec.additional_deps, what, source),
            retry_policy=retry_policy, source=source, required_resource_keys=required_resource_keys or (),
        )

    return build


def multi_asset_check(
    *,
    specs: Sequence[AssetCheckSpec],
    name: str | None = None,
    retry_policy: RetryPolicy | None = None,
    required_resource_keys: Iterable[str] | None = None,
) -> Callable[[Callable[..., Any]], AssetChecksDefinition]:
    """Declare several checks evaluated by one function, which yields one `AssetCheckResult`
    (with ``asset_key`` and ``check_name``) per check."""

    def build(fn: Callable[..., Any]) -> AssetChecksDefinition:
        source = location_of_function(fn)
        node = name or fn.__name__
        what = f"Multi-asset check {node!r}"
        if not specs or any(s.asset_key is None for s in specs):
            raise DefinitionError(f"{what} needs specs that each name their asset.\n  defined at: {source}")
        params = read_params(fn, what)
        asset_keys = list(dict.fromkeys(s.key.asset_key for s in specs))
        extra = [d for s in specs for d in s.additional_deps]
        return AssetChecksDefinition(
            specs=specs, compute_fn=fn, node_name=node, params=params,
            input_keys=_check_input_keys(params, asset_keys, extra, what, source),
            retry_policy=retry_policy, source=source, required_resource_keys=required_resource_keys or (),
        )

    return build
