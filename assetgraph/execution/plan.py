"""The planner: (graph, selection, partitions, now) → an ordered list of steps. Pure.

A step runs one node (an assets definition or a checks definition) for one partition scope.
Must not import storage, codelocation, orchestration, server or cli; it is handed everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from assetgraph.definitions.check_factories import ALL_PARTITIONS_METADATA_KEY
from assetgraph.definitions.errors import DefinitionError, PartitionError, SelectionError
from assetgraph.definitions.keys import AssetCheckKey, AssetKey

if TYPE_CHECKING:
    from assetgraph.definitions.asset import AssetsDefinition
    from assetgraph.definitions.checks import AssetChecksDefinition
    from assetgraph.definitions.partitions.base import PartitionKeyRange, PartitionsDefinition
    from assetgraph.graph.asset_graph import AssetGraph


@dataclass(frozen=True)
class PartitionRequest:
    """The partitions a run materialises: one key, a list of keys, or an inclusive range."""

    keys: tuple[str, ...] = ()
    range: PartitionKeyRange | None = None

    @staticmethod
    def single(key: str) -> PartitionRequest:
        return PartitionRequest(keys=(key,))

    def describe(self) -> str:
        if self.range is not None:
            return f"{self.range.start}...{self.range.end}"
        return ", ".join(self.keys)


@dataclass(frozen=True)
class Step:
    """One unit of execution. ``kind`` is ``"asset"`` or ``"check"``."""

    key: str
    kind: str
    node_name: str
    asset_keys: tuple[AssetKey, ...]
    check_keys: tuple[AssetCheckKey, ...]
    upstream: tuple[str, ...]
    partitions_def: PartitionsDefinition | None = None
    partition_keys: tuple[str, ...] = ()
    partition_range: PartitionKeyRange | None = None
    reason: str = "requested"

    @property
    def is_partitioned(self) -> bool:
        return self.partitions_def is not None

    def describe_partitions(self) -> str:
        if self.partition_range is not None:
            return f"{self.partition_range.start}...{self.partition_range.end}"
        return ",".join(self.partition_keys) if self.partition_keys else "-"


@dataclass(frozen=True)
class Plan:
    """Steps in an order where each comes after its upstream steps."""

    steps: tuple[Step, ...]
    partitions: PartitionRequest | None = None
    _by_key: Mapping[str, Step] = field(default_factory=dict, compare=False, repr=False)

    def step(self, key: str) -> Step:
        return self._by_key[key]

    @property
    def asset_keys(self) -> list[AssetKey]:
        return [k for s in self.steps for k in s.asset_keys]

    @property
    def check_keys(self) -> list[AssetCheckKey]:
        return [k for s in self.steps for k in s.check_keys]

    def downstream_of(self, step_key: str) -> set[str]:
        """Every step that waits, directly or not, on ``step_key``."""
        children: dict[str, list[str]] = {}
        for s in self.steps:
            for u in s.upstream:
                children.setdefault(u, []).append(s.key)
        out: set[str] = set()
        todo = [step_key]
        while todo:
            for c in children.get(todo.pop(), ()):
                if c not in out:
                    out.add(c)
                    todo.append(c)
        return out

    def explain(self) -> str:
        """A table of the steps: what each materialises or checks, which partitions, and why."""
        lines = [f"{len(self.steps)} step(s)"]
        for i, s in enumerate(self.steps, 1):
            what = ", ".join(k.to_user_string() for k in s.asset_keys) or ", ".join(
                k.to_user_string() for k in s.check_keys)
            checks = f" + checks {', '.join(c.name for c in s.check_keys)}" if s.kind == "asset" and s.check_keys else ""
            after = f" after {', '.join(s.upstream)}" if s.upstream else ""
            lines.append(f"{i:>4}. [{s.kind}] {what}{checks}  partitions: {s.describe_partitions()}  "
                         f"reason: {s.reason}{after}")
        return "\n".join(lines)


def build_plan(
    graph: AssetGraph,
    asset_keys: Iterable[AssetKey],
    *,
    check_keys: Iterable[AssetCheckKey] | None = None,
    partitions: PartitionRequest | None = None,
    now: datetime | None = None,
    dynamic_partitions_store: Any = None,
    reasons: Mapping[AssetKey, str] | None = None,
) -> Plan:
    """Plan a run of ``asset_keys`` (executable assets) and checks.

    ``check_keys=None`` runs every check of the selected assets; an explicit set runs exactly
    those (an empty asset selection with checks runs the checks alone, against stored values).
    """
    selected = set(asset_keys)
    nodes = _asset_nodes(graph, selected)
    checks = _selected_checks(graph, selected, check_keys)
    if check_keys is None:
        # A multi-asset may report checks on external assets it reads (dbt source tests).
        for adef, keys in nodes.values():
            feeding = {p for k in keys for p in graph.get(k).parents}
            checks |= {c.key for c in adef.check_specs
                       if c.asset_key in feeding and not graph.get(c.asset_key).is_executable}
    scope = _PartitionScoper(partitions, now, dynamic_partitions_store, graph)
    topo = {k: i for i, k in enumerate(graph.toposort())} if partitions is not None else {}
    if topo:
        nodes = dict(sorted(nodes.items(), key=lambda item: min(topo[k] for k in item[1][1])))

    producer: dict[AssetKey, str] = {}
    steps: dict[str, Step] = {}
    for node_name, (adef, keys) in nodes.items():
        own_checks = tuple(c.key for c in adef.check_specs if c.key in checks)
        pdef, pkeys, prange = scope.for_node(adef.partitions_def, keys)
        steps[node_name] = Step(node_name, "asset", node_name, keys, own_checks, (), pdef, pkeys, prange,
                                _reason(keys, reasons))
        for k in keys:
            producer[k] = node_name
    check_steps = _check_steps(graph, checks, {c for s in steps.values() for c in s.check_keys}, scope)
    blocking: dict[AssetKey, list[str]] = {}
    for cs, cdef in check_steps:
        steps[cs.key] = cs
        if any(s.blocking for s in cdef.check_specs):
            for k in {s.key.asset_key for s in cdef.check_specs if s.blocking}:
                blocking.setdefault(k, []).append(cs.key)
    if partitions is not None and not any(s.is_partitioned for s in steps.values()):
        names = ", ".join(sorted(k.to_user_string() for k in selected)) or "the selected checks"
        raise PartitionError(f"A partition ({partitions.describe()}) was given, but none of {names} is partitioned.")
    wired = {key: _wire(step, graph, producer, blocking) for key, step in steps.items()}
    ordered = _toposort(wired, graph)
    return Plan(tuple(ordered), partitions, {s.key: s for s in ordered})


def _reason(keys: Sequence[AssetKey], reasons: Mapping[AssetKey, str] | None) -> str:
    if not reasons:
        return "requested"
    return next((reasons[k] for k in keys if k in reasons), "requested")


def _asset_nodes(graph: AssetGraph, selected: set[AssetKey]) -> dict[str, tuple[AssetsDefinition, tuple[AssetKey, ...]]]:
    nodes: dict[str, tuple[AssetsDefinition, list[AssetKey]]] = {}
    for key in selected:
        if key not in graph.keys:
            raise SelectionError(f'Asset "{key.to_user_string()}" is not defined in this code location.')
        adef = graph.assets_def_for(key)
        if not adef.is_executable:
            raise SelectionError(
                f'Asset "{key.to_user_string()}" is external (declared with AssetSpec); it is materialised '
                f"elsewhere and cannot be selected for a run."
            )
        nodes.setdefault(adef.node_name, (adef, []))[1].append(key)
    out = {}
    for name, (adef, keys) in nodes.items():
        chosen = set(keys)
        if not adef.can_subset and chosen != set(adef.keys):
            missing = ", ".join(k.to_user_string() for k in adef.keys if k not in chosen)
            raise SelectionError(
                f"{name!r} is a multi-asset that cannot be subset (can_subset=False): select all of its assets "
                f"or none. Missing from the selection: {missing}."
            )
        out[name] = (adef, tuple(k for k in adef.keys if k in chosen))
    return out


def _selected_checks(graph: AssetGraph, selected: set[AssetKey],
                     check_keys: Iterable[AssetCheckKey] | None) -> set[AssetCheckKey]:
    if check_keys is not None:
        chosen = set(check_keys)
        known = graph.all_check_keys
        for ck in chosen:
            if ck not in known:
                raise SelectionError(f'Check "{ck.to_user_string()}" is not defined in this code location.')
        return chosen
    return {ck for key in selected for ck in graph.get(key).check_keys}


def checks_def_for(graph: AssetGraph, check_key: AssetCheckKey) -> AssetChecksDefinition | None:
    """The checks definition that runs ``check_key``, or None when its asset function reports it."""
    from assetgraph.definitions.checks import AssetChecksDefinition

    node = graph.check_def_for(check_key)
    return node if isinstance(node, AssetChecksDefinition) else None


def check_spec_for(graph: AssetGraph, check_key: AssetCheckKey) -> Any:
    return next((s for s in graph.check_specs_for(check_key.asset_key) if s.name == check_key.name), None)


def _check_steps(graph: AssetGraph, checks: set[AssetCheckKey], done_in_asset_steps: set[AssetCheckKey],
                 scope: _PartitionScoper) -> list[tuple[Step, AssetChecksDefinition]]:
    by_node: dict[str, tuple[AssetChecksDefinition, list[AssetCheckKey]]] = {}
    for ck in checks - done_in_asset_steps:
        cdef = checks_def_for(graph, ck)
        if cdef is None:
            raise SelectionError(
                f'Check "{ck.to_user_string()}" is reported by its asset function; it runs only when the asset '
                f"materialises. Select the asset instead."
            )
        by_node.setdefault(cdef.node_name, (cdef, []))[1].append(ck)
    out = []
    for name, (cdef, cks) in sorted(by_node.items()):
        assets = tuple(dict.fromkeys(ck.asset_key for ck in cks))
        pdef = None if _spans_all_partitions(cdef) else graph.get(assets[0]).partitions_def
        pd, pkeys, prange = scope.for_node(pdef, assets)
        ordered = tuple(sorted(cks))
        out.append((Step(name, "check", name, (), ordered, (), pd, pkeys, prange), cdef))
    return out


def _spans_all_partitions(cdef: AssetChecksDefinition) -> bool:
    # Freshness-style checks look at the whole asset, so their step is unpartitioned even when the asset is not.
    return all(spec.metadata.get(ALL_PARTITIONS_METADATA_KEY) for spec in cdef.check_specs)


def _wire(step: Step, graph: AssetGraph, producer: Mapping[AssetKey, str],
          blocking: Mapping[AssetKey, list[str]]) -> Step:
    ups: dict[str, None] = {}
    if step.kind == "asset":
        for key in step.asset_keys:
            for parent in graph.get(key).parents:
                node = producer.get(parent)
                if node is not None and node != step.key:
                    ups[node] = None
                for check_step in blocking.get(parent, ()):
                    ups[check_step] = None
    else:
        cdef = checks_def_for(graph, step.check_keys[0])
        deps = {ck.asset_key for ck in step.check_keys}
        if cdef is not None:
            deps |= {d.asset_key for s in cdef.check_specs for d in s.additional_deps}
        for key in deps:
            node = producer.get(key)
            if node is not None:
                ups[node] = None
    return Step(step.key, step.kind, step.node_name, step.asset_keys, step.check_keys, tuple(ups),
                step.partitions_def, step.partition_keys, step.partition_range, step.reason)


def _toposort(steps: Mapping[str, Step], graph: AssetGraph) -> list[Step]:
    order = {k: i for i, k in enumerate(graph.toposort())}

    def rank(s: Step) -> tuple[int, int, str]:
        keys = s.asset_keys or tuple(ck.asset_key for ck in s.check_keys)
        return (min(order.get(k, 0) for k in keys), 0 if s.kind == "asset" else 1, s.key)

    waiting = {k: len(s.upstream) for k, s in steps.items()}
    children: dict[str, list[str]] = {}
    for s in steps.values():
        for u in s.upstream:
            children.setdefault(u, []).append(s.key)
    import heapq

    ready = [(rank(s), s.key) for s in steps.values() if not s.upstream]
    heapq.heapify(ready)
    out: list[Step] = []
    while ready:
        _, key = heapq.heappop(ready)
        out.append(steps[key])
        for c in children.get(key, ()):
            waiting[c] -= 1
            if waiting[c] == 0:
                heapq.heappush(ready, (rank(steps[c]), c))
    if len(out) != len(steps):
        stuck = sorted(set(steps) - {s.key for s in out})
        raise DefinitionError(f"The plan has a cycle between steps {stuck}; check blocking checks and deps.")
    return out


class _PartitionScoper:
    """Resolves the run's requested partitions for each node, in topological order.

    A node whose partitions definition contains the requested keys takes them as they are.
    Otherwise its partitions are mapped from its parents' partitions in the same run through
    the dependency's partition mapping (daily upstream, weekly downstream, ...).
    """

    def __init__(self, request: PartitionRequest | None, now: datetime | None, store: Any,
                 graph: AssetGraph | None = None) -> None:
        self.request = request
        self.now = now
        self.store = store
        self.graph = graph
        self._direct: dict[int, bool] = {}
        self.resolved: dict[AssetKey, tuple[PartitionsDefinition, tuple[str, ...], PartitionKeyRange | None]] = {}

    def for_node(self, pdef: PartitionsDefinition | None, keys: Sequence[AssetKey]
                 ) -> tuple[PartitionsDefinition | None, tuple[str, ...], PartitionKeyRange | None]:
        names = ", ".join(f'"{k.to_user_string()}"' for k in keys)
        if pdef is None:
            return None, (), None
        if self.request is None:
            raise PartitionError(
                f"Asset {names} is partitioned; pass a partition key (materialize(partition_key=...), "
                f"--partition KEY) or a range."
            )
        if self._accepts(pdef):
            out: tuple[PartitionsDefinition | None, tuple[str, ...], PartitionKeyRange | None] = (
                (pdef, (), self.request.range) if self.request.range is not None else (pdef, self.request.keys, None))
        else:
            out = self._mapped(pdef, keys, names)
        for k in keys:
            self.resolved[k] = out  # type: ignore[assignment]
        return out

    def _accepts(self, pdef: PartitionsDefinition) -> bool:
        if id(pdef) not in self._direct:
            self._direct[id(pdef)] = self._check_direct(pdef)
        return self._direct[id(pdef)]

    def _check_direct(self, pdef: PartitionsDefinition) -> bool:
        request = self.request
        if request is None:
            return False
        kw = {"current_time": self.now, "dynamic_partitions_store": self.store}
        wanted = list(request.keys) if request.range is None else [request.range.start, request.range.end]
        if all(pdef.has_partition_key(k, **kw) for k in wanted):
            if request.range is not None:
                pdef.subset_with_key_range(request.range)  # raises when start comes after end
            return True
        return False

    def _mapped(self, pdef: PartitionsDefinition, keys: Sequence[AssetKey], names: str
                ) -> tuple[PartitionsDefinition, tuple[str, ...], PartitionKeyRange | None]:
        from assetgraph.definitions.partitions.mapping import default_partition_mapping

        mapped = None
        for key in keys:
            spec = self.graph.get(key).spec if self.graph is not None else None
            for dep in spec.deps if spec is not None else ():
                parent = self.resolved.get(dep.asset_key)
                if parent is None:
                    continue
                up_def, up_keys, up_range = parent
                up_subset = up_def.subset_with_key_range(up_range) if up_range is not None else \
                    up_def.subset_with_keys(up_keys)
                mapping = dep.partition_mapping or default_partition_mapping(up_def, pdef)
                down = mapping.get_downstream_partitions(up_subset, up_def, pdef, current_time=self.now,
                                                         dynamic_partitions_store=self.store)
                mapped = down if mapped is None else mapped | down
        if mapped is None or mapped.is_empty:
            self._raise_unknown(pdef, names)
        ranges = mapped.ranges  # type: ignore[union-attr]
        if len(ranges) == 1 and ranges[0].start != ranges[0].end:
            return pdef, (), ranges[0]
        return pdef, tuple(mapped.get_partition_keys()), None  # type: ignore[union-attr]

    def _raise_unknown(self, pdef: PartitionsDefinition, names: str) -> None:
        request = self.request
        wanted = list(request.keys) if request is not None and request.range is None else \
            ([request.range.start, request.range.end] if request is not None and request.range is not None else [])
        kw = {"current_time": self.now, "dynamic_partitions_store": self.store}
        plain = names.replace('"', "")
        hint = (f"\nIf the selection mixes assets with other partitions, leave this one out "
                f"(add `and not key:{plain}` to the selection) or run it with one of its own keys.")
        for key in wanted:
            if not pdef.has_partition_key(key, **kw):
                try:
                    pdef.validate_partition_key(key, **kw)
                except PartitionError as exc:
                    raise type(exc)(f"Asset {names}: {exc.args[0]}{hint}") from None
                raise PartitionError(f'Partition "{key}" is not a partition of asset {names}.{hint}')
        raise PartitionError(f"No partitions of asset {names} follow from the requested partitions.")
