"""`@asset`, `@multi_asset` and `AssetsDefinition`: assets declared with the code that makes them.

Lineage is read from declarations here (parameters named after assets, ``ins``, ``deps``),
once, when the module is imported. Must not import anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, overload

from assetgraph.definitions.errors import DefinitionError
from assetgraph.definitions.keys import AssetKey, CoercibleToAssetKey, coerce_asset_key
from assetgraph.definitions.params import FunctionParams, read_params
from assetgraph.definitions.retry import RetryPolicy
from assetgraph.definitions.source import SourceLocation, docstring_of, location_of_function
from assetgraph.definitions.spec import AssetDep, AssetIn, AssetSpec, coerce_deps

if TYPE_CHECKING:
    from assetgraph.definitions.checks import AssetCheckSpec
    from assetgraph.definitions.partitions.base import PartitionsDefinition
    from assetgraph.definitions.policies import BackfillPolicy

DEFAULT_IO_MANAGER_KEY = "io_manager"


class AssetsDefinition:
    """One or more assets and the function that materialises them (what `@asset` returns).

    Calling it calls the function, for unit tests: ``orders()`` or ``orders(build_asset_context())``.
    """

    def __init__(
        self,
        *,
        specs: Sequence[AssetSpec],
        compute_fn: Callable[..., Any] | None = None,
        node_name: str | None = None,
        params: FunctionParams | None = None,
        input_keys: Mapping[str, AssetKey] | None = None,
        check_specs: Sequence[AssetCheckSpec] = (),
        can_subset: bool = False,
        is_multi: bool = False,
        execution: ExecutionOptions | None = None,
        source: SourceLocation | None = None,
    ) -> None:
        self.specs: tuple[AssetSpec, ...] = tuple(specs)
        self.keys: tuple[AssetKey, ...] = tuple(s.key for s in self.specs)
        self.compute_fn = compute_fn
        self.node_name = node_name or "__".join(self.keys[0].path)
        self.params = params
        self.input_keys: Mapping[str, AssetKey] = dict(input_keys or {})
        self.check_specs: tuple[AssetCheckSpec, ...] = tuple(check_specs)
        self.can_subset = can_subset
        self.is_multi = is_multi
        self.execution = execution or _DEFAULT_EXECUTION
        self.source = source
        first = self.specs[0].partitions_def if self.specs else None
        # Identity first: comparing partitions definitions by value costs more than a 10,000-asset module can afford.
        if len(self.specs) > 1 and any(sp.partitions_def is not first and sp.partitions_def != first
                                       for sp in self.specs[1:]):
            raise DefinitionError(
                f"The assets of {self.node_name!r} have different partitions definitions; "
                f"one function materialises one set of partitions.\n  defined at: {source}"
            )
        self.partitions_def: PartitionsDefinition | None = first

    @property
    def key(self) -> AssetKey:
        """The key of a single-asset definition."""
        if len(self.keys) != 1:
            raise DefinitionError(f"{self.node_name!r} defines {len(self.keys)} assets; use .keys.")
        return self.keys[0]

    @property
    def is_executable(self) -> bool:
        return self.compute_fn is not None

    @property
    def is_external(self) -> bool:
        return self.compute_fn is None

    @property
    def spec(self) -> AssetSpec:
        if len(self.specs) != 1:
            raise DefinitionError(f"{self.node_name!r} defines {len(self.specs)} assets; use .specs.")
        return self.specs[0]

    @property
    def retry_policy(self) -> RetryPolicy | None:
        return self.execution.retry_policy

    @property
    def backfill_policy(self) -> BackfillPolicy | None:
        return self.execution.backfill_policy

    @property
    def io_manager_key(self) -> str:
        return self.execution.io_manager_key

    @property
    def pool(self) -> str | None:
        return self.execution.pool

    @property
    def op_tags(self) -> Mapping[str, str]:
        return self.execution.op_tags

    def get_spec(self, key: AssetKey) -> AssetSpec:
        for s in self.specs:
            if s.key == key:
                return s
        raise KeyError(key)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.compute_fn is None:
            raise DefinitionError(f"{self.node_name!r} is an external asset; it has no function to call.")
        return self.compute_fn(*args, **kwargs)

    def __repr__(self) -> str:
        keys = ", ".join(k.to_user_string() for k in self.keys[:3])
        more = ", ..." if len(self.keys) > 3 else ""
        return f"<AssetsDefinition {self.node_name} [{keys}{more}]>"

    @staticmethod
    def from_spec(spec: AssetSpec) -> AssetsDefinition:
        """An external asset: in lineage, materialised elsewhere."""
        return AssetsDefinition(specs=[spec], source=spec.source)


class ExecutionOptions:
    """How an assets definition executes; grouped so the constructor stays small."""

    __slots__ = ("backfill_policy", "io_manager_key", "op_tags", "pool", "required_resource_keys", "retry_policy")

    def __init__(self, *, retry_policy: RetryPolicy | None = None, backfill_policy: BackfillPolicy | None = None,
                 io_manager_key: str = DEFAULT_IO_MANAGER_KEY, pool: str | None = None,
                 op_tags: Mapping[str, str] | None = None, required_resource_keys: Iterable[str] = ()) -> None:
        self.retry_policy = retry_policy
        self.backfill_policy = backfill_policy
        self.io_manager_key = io_manager_key
        self.pool = pool
        self.op_tags = dict(op_tags or {})
        self.required_resource_keys = frozenset(required_resource_keys)


_DEFAULT_EXECUTION = ExecutionOptions()


def _prefix_tuple(key_prefix: str | Sequence[str] | None) -> tuple[str, ...]:
    if key_prefix is None:
        return ()
    return (key_prefix,) if isinstance(key_prefix, str) else tuple(key_prefix)


def _resolve_inputs(params: FunctionParams, ins: Mapping[str, AssetIn] | None, prefix: tuple[str, ...],
                    what: str, source: SourceLocation | None) -> tuple[dict[str, AssetKey], list[AssetDep]]:
    ins = dict(ins or {})
    for name in ins:
        if name not in params.values:
            raise DefinitionError(
                f"{what} declares ins[{name!r}] but its function has no parameter {name!r}.\n  defined at: {source}"
            )
    input_keys: dict[str, AssetKey] = {}
    deps: list[AssetDep] = []
    for name in params.values:
        asset_in = ins.get(name)
        if asset_in is not None and asset_in.key is not None:
            key = asset_in.key
        elif asset_in is not None and asset_in.key_prefix is not None:
            key = AssetKey([*asset_in.key_prefix, name])
        else:
            key = AssetKey([*prefix, name])
        input_keys[name] = key
        deps.append(AssetDep(key, asset_in.partition_mapping if asset_in else None))
    return input_keys, deps


def _merge_deps(data_deps: list[AssetDep], extra: tuple[AssetDep, ...]) -> tuple[AssetDep, ...]:
    seen = {d.asset_key for d in data_deps}
    out = list(data_deps)
    for d in extra:
        if d.asset_key not in seen:
            seen.add(d.asset_key)
            out.append(d)
    return tuple(out)


@overload
def asset(fn: Callable[..., Any], /) -> AssetsDefinition: ...


@overload
def asset(
    *,
    name: str | None = None,
    key: CoercibleToAssetKey | None = None,
    key_prefix: str | Sequence[str] | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    deps: Iterable[Any] | None = None,
    group_name: str | None = None,
    partitions_def: PartitionsDefinition | None = None,
    metadata: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    owners: Iterable[str] | None = None,
    kinds: Iterable[str] | None = None,
    description: str | None = None,
    code_version: str | None = None,
    io_manager_key: str | None = None,
    retry_policy: RetryPolicy | None = None,
    check_specs: Sequence[AssetCheckSpec] | None = None,
    backfill_policy: BackfillPolicy | None = None,
    pool: str | None = None,
    op_tags: Mapping[str, str] | None = None,
    required_resource_keys: Iterable[str] | None = None,
) -> Callable[[Callable[..., Any]], AssetsDefinition]: ...


def asset(fn: Callable[..., Any] | None = None, /, **kwargs: Any) -> Any:
    """Declare an asset: the function computes its value.

    A parameter named after another asset receives that asset's value (and makes it an
    upstream); ``deps`` adds upstreams that pass no data.

    >>> @asset
    ... def orders() -> list[int]:
    ...     return [1, 2]
    >>> @asset(group_name="marts")
    ... def order_count(orders: list[int]) -> int:
    ...     return len(orders)
    >>> order_count.key.to_user_string(), [d.asset_key.to_user_string() for d in order_count.spec.deps]
    ('order_count', ['orders'])
    """
    if fn is not None:
        return _build_asset(fn, **kwargs)
    return lambda f: _build_asset(f, **kwargs)


def _build_asset(
    fn: Callable[..., Any],
    *,
    name: str | None = None,
    key: CoercibleToAssetKey | None = None,
    key_prefix: str | Sequence[str] | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    deps: Iterable[Any] | None = None,
    group_name: str | None = None,
    partitions_def: PartitionsDefinition | None = None,
    metadata: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    owners: Iterable[str] | None = None,
    kinds: Iterable[str] | None = None,
    description: str | None = None,
    code_version: str | None = None,
    io_manager_key: str | None = None,
    retry_policy: RetryPolicy | None = None,
    check_specs: Sequence[AssetCheckSpec] | None = None,
    backfill_policy: BackfillPolicy | None = None,
    pool: str | None = None,
    op_tags: Mapping[str, str] | None = None,
    required_resource_keys: Iterable[str] | None = None,
) -> AssetsDefinition:
    source = location_of_function(fn)
    if key is not None and (name is not None or key_prefix is not None):
        raise DefinitionError(
            f"@asset on {fn.__name__!r} sets key= together with name= or key_prefix=; key= is the full key, "
            f"so pass only one of them.\n  defined at: {source}"
        )
    prefix = _prefix_tuple(key_prefix)
    asset_key = coerce_asset_key(key) if key is not None else AssetKey([*prefix, name or fn.__name__])
    what = f'Asset "{asset_key.to_user_string()}"'
    params = read_params(fn, what)
    input_keys, data_deps = _resolve_inputs(params, ins, prefix, what, source)
    if asset_key in input_keys.values():
        raise DefinitionError(
            f"{what} has a parameter named after itself; rename the parameter or use ins=.\n  defined at: {source}"
        )
    spec = AssetSpec(
        asset_key,
        deps=_merge_deps(data_deps, coerce_deps(deps)),
        description=description if description is not None else docstring_of(fn),
        group_name=group_name,
        metadata=metadata,
        tags=tags,
        owners=owners,
        kinds=kinds,
        partitions_def=partitions_def,
        code_version=code_version,
        source=source,
    )
    checks = _bind_check_specs(check_specs, asset_key, source)
    return AssetsDefinition(
        specs=[spec],
        compute_fn=fn,
        node_name="__".join(asset_key.path),
        params=params,
        input_keys=input_keys,
        check_specs=checks,
        execution=ExecutionOptions(retry_policy=retry_policy, backfill_policy=backfill_policy,
                                   io_manager_key=io_manager_key or DEFAULT_IO_MANAGER_KEY, pool=pool,
                                   op_tags=op_tags, required_resource_keys=required_resource_keys or ()),
        source=source,
    )


def _bind_check_specs(check_specs: Sequence[AssetCheckSpec] | None, default_key: AssetKey | None,
                      source: SourceLocation | None) -> list[AssetCheckSpec]:
    out = []
    for cs in check_specs or ():
        if cs.asset_key is None:
            if default_key is None:
                raise DefinitionError(f"Check spec {cs.name!r} needs asset= in a multi-asset.\n  defined at: {source}")
            cs = cs.with_asset(default_key)
        out.append(cs)
    return out


def multi_asset(
    *,
    specs: Sequence[AssetSpec],
    name: str | None = None,
    can_subset: bool = False,
    ins: Mapping[str, AssetIn] | None = None,
    deps: Iterable[Any] | None = None,
    group_name: str | None = None,
    partitions_def: PartitionsDefinition | None = None,
    retry_policy: RetryPolicy | None = None,
    check_specs: Sequence[AssetCheckSpec] | None = None,
    backfill_policy: BackfillPolicy | None = None,
    pool: str | None = None,
    io_manager_key: str | None = None,
    op_tags: Mapping[str, str] | None = None,
    required_resource_keys: Iterable[str] | None = None,
) -> Callable[[Callable[..., Any]], AssetsDefinition]:
    """Declare several assets made by one function, which yields or returns one
    `MaterializeResult(asset_key=...)` per asset.

    >>> @multi_asset(specs=[AssetSpec("a"), AssetSpec("b")])
    ... def both():
    ...     yield MaterializeResult(asset_key="a")
    ...     yield MaterializeResult(asset_key="b")
    >>> [k.to_user_string() for k in both.keys]
    ['a', 'b']
    """

    def build(fn: Callable[..., Any]) -> AssetsDefinition:
        source = location_of_function(fn)
        node = name or fn.__name__
        what = f"Multi-asset {node!r}"
        if not specs:
            raise DefinitionError(f"{what} needs at least one AssetSpec in specs=.\n  defined at: {source}")
        params = read_params(fn, what)
        input_keys, data_deps = _resolve_inputs(params, ins, (), what, source)
        shared = _merge_deps(data_deps, coerce_deps(deps))
        own_keys = {s.key for s in specs}
        resolved = []
        for s in specs:
            changes: dict[str, Any] = {"source": source}
            extra = tuple(d for d in shared if d.asset_key not in own_keys)
            if extra:
                changes["deps"] = _merge_deps(list(s.deps), extra)
            if partitions_def is not None and s.partitions_def is None:
                changes["partitions_def"] = partitions_def
            if group_name is not None and s.group_name == "default":
                changes["group_name"] = group_name
            resolved.append(s.replace(**changes))
        return AssetsDefinition(
            specs=resolved,
            compute_fn=fn,
            node_name=node,
            params=params,
            input_keys=input_keys,
            check_specs=_bind_check_specs(check_specs, resolved[0].key if len(resolved) == 1 else None, source),
            can_subset=can_subset,
            is_multi=True,
            execution=ExecutionOptions(retry_policy=retry_policy, backfill_policy=backfill_policy,
                                       io_manager_key=io_manager_key or DEFAULT_IO_MANAGER_KEY, pool=pool,
                                       op_tags=op_tags, required_resource_keys=required_resource_keys or ()),
            source=source,
        )

    return build
