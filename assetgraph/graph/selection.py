"""`AssetSelection`: immutable, comparable descriptions of a set of assets (and of asset checks),
resolved against an `AssetGraph`. ``str(selection)`` prints the string syntax that
`AssetSelection.from_string` parses back (the parser lives in `selection_parser`).

A selection picks assets with `resolve` and checks with `resolve_checks`. An asset selection
picks the checks of its assets; ``AssetSelection.checks(...)`` and
``AssetSelection.checks_for_assets(...)`` pick checks and no asset, so a run of them evaluates
checks against stored values without materialising anything.

Pure. Must not import anything from assetgraph beyond `definitions` and `graph`.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any, ClassVar

from assetgraph.definitions.errors import SelectionError, close_matches
from assetgraph.definitions.keys import AssetCheckKey, AssetKey, coerce_asset_key
from assetgraph.definitions.spec import AssetSpec

if TYPE_CHECKING:
    from assetgraph.graph.asset_graph import AssetGraph

# Precedence of what a selection prints as: a child printed below its parent's level gets parentheses.
OR, AND, NOT, PRIMARY = 1, 2, 3, 4
KEYWORDS = frozenset({"and", "or", "not", "AND", "OR", "NOT"})
_SAFE_VALUE = re.compile(r"[A-Za-z0-9_\-./@]+")


class AssetSelection(ABC):
    """A set of assets described by keys, groups, tags, lineage and set operations.

    >>> from assetgraph.definitions.spec import AssetSpec
    >>> from assetgraph.graph.asset_graph import AssetGraph
    >>> graph = AssetGraph.from_assets([AssetSpec("a"), AssetSpec("b", deps=["a"], group_name="marts")])
    >>> sel = AssetSelection.groups("marts").upstream()
    >>> str(sel)
    '+group:marts'
    >>> sorted(k.to_user_string() for k in sel.resolve(graph))
    ['a', 'b']
    """

    @abstractmethod
    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        """The keys of ``graph`` this selection picks. Raises `SelectionError` for an exact key
        the graph does not have."""

    def resolve_checks(self, graph: AssetGraph) -> set[AssetCheckKey]:
        """The checks of ``graph`` this selection picks: by default, every check of the assets it
        resolves to. Raises `SelectionError` for an exact check the graph does not have."""
        return checks_of(graph, self.resolve(graph))

    @property
    def precedence(self) -> int:
        return PRIMARY

    @staticmethod
    def all() -> AssetSelection:
        """Every asset, external ones included. String form: ``*``."""
        return AllSelection()

    @staticmethod
    def assets(*keys: Any) -> AssetSelection:
        """Assets by key: `AssetKey`, ``"raw/orders"``, ``["raw", "orders"]``, or assets definitions
        (all their keys). ``AssetSelection.assets("raw/orders")`` prints ``key:raw/orders``."""
        return KeysSelection(_sorted_keys(_keys_of(k) for k in keys))

    @staticmethod
    def groups(*names: str) -> AssetSelection:
        """Assets in any of the groups: ``group:marts``."""
        return GroupsSelection(_sorted_strings(names))

    @staticmethod
    def tag(key: str, value: str | None = None) -> AssetSelection:
        """Assets with tag ``key`` set to ``value`` (any value when None): ``tag:team=core``."""
        return TagSelection(key, value)

    @staticmethod
    def owners(*owners: str) -> AssetSelection:
        """Assets owned by any of ``owners``: ``owner:"a@b.c"``."""
        return OwnersSelection(_sorted_strings(owners))

    @staticmethod
    def kinds(*kinds: str) -> AssetSelection:
        """Assets of any of the kinds: ``kind:dbt``."""
        return KindsSelection(_sorted_strings(kinds))

    @staticmethod
    def key_prefixes(*prefixes: str | Iterable[str]) -> AssetSelection:
        """Assets whose key starts with a prefix (``"raw"`` or ``["raw", "eu"]``):
        ``key_prefix:raw``."""
        paths = {coerce_asset_key(p if isinstance(p, str) else list(p)).path for p in prefixes}
        return KeyPrefixesSelection(tuple(sorted(paths)))

    @staticmethod
    def checks(*checks: Any) -> AssetSelection:
        """Checks by key, and no asset: `AssetCheckKey`, ``"raw/orders:not_empty"``, or check
        definitions (all their checks). Prints ``check:raw/orders:not_empty``.

        >>> str(AssetSelection.checks("raw/orders:not_empty"))
        'check:raw/orders:not_empty'
        """
        return ChecksSelection(tuple(sorted({k for c in checks for k in _check_keys_of(c)})))

    @staticmethod
    def checks_for_assets(*assets: Any) -> AssetSelection:
        """Every check of the given assets (keys, assets definitions, or one selection), and no
        asset: ``checks_for(key:orders)``.

        >>> str(AssetSelection.checks_for_assets("orders", "customers"))
        'checks_for(key:customers or key:orders)'
        """
        if len(assets) == 1 and isinstance(assets[0], AssetSelection):
            return ChecksForAssetsSelection(assets[0])
        return ChecksForAssetsSelection(AssetSelection.assets(*assets))

    @staticmethod
    def from_string(text: str) -> AssetSelection:
        """Parse the string syntax (``+key:raw/orders or group:marts``); raises `SelectionError`."""
        from assetgraph.graph.selection_parser import parse_selection

        return parse_selection(text)

    def upstream(self, depth: int | None = None, include_self: bool = True) -> AssetSelection:
        """This selection and its ancestors, ``depth`` levels up (all when None): ``2+key:a``.
        With ``include_self=False`` the selection itself is left out."""
        traversal = UpstreamSelection(self, _check_depth(depth))
        return traversal if include_self else traversal - self

    def downstream(self, depth: int | None = None, include_self: bool = True) -> AssetSelection:
        """This selection and its descendants, ``depth`` levels down (all when None): ``key:a+2``.
        With ``include_self=False`` the selection itself is left out."""
        traversal = DownstreamSelection(self, _check_depth(depth))
        return traversal if include_self else traversal - self

    def roots(self) -> AssetSelection:
        """Selected assets with no selected parent: ``roots(...)``."""
        return RootsSelection(self)

    def sinks(self) -> AssetSelection:
        """Selected assets with no selected child: ``sinks(...)``."""
        return SinksSelection(self)

    def without_checks(self) -> AssetSelection:
        """The same assets, and none of their checks."""
        return SubtractSelection(self, ChecksForAssetsSelection(self))

    def required_multi_asset_neighbors(self) -> AssetSelection:
        """Adds every asset of a non-subsettable multi-asset of which one asset is selected."""
        return MultiAssetNeighborsSelection(self)

    def __or__(self, other: AssetSelection) -> AssetSelection:
        return _combine(OrSelection, self, other)

    def __and__(self, other: AssetSelection) -> AssetSelection:
        return _combine(AndSelection, self, other)

    def __sub__(self, other: AssetSelection) -> AssetSelection:
        return SubtractSelection(self, other)

    def __invert__(self) -> AssetSelection:
        return NotSelection(self)

    def text_at(self, min_precedence: int) -> str:
        """``str(self)``, parenthesised when it binds less tightly than ``min_precedence``."""
        text = str(self)
        return f"({text})" if self.precedence < min_precedence else text


def _check_depth(depth: int | None) -> int | None:
    if depth is not None and (not isinstance(depth, int) or depth < 0):
        raise SelectionError(f"A traversal depth must be a non-negative integer or None, got {depth!r}.")
    return depth


def _keys_of(value: Any) -> list[AssetKey]:
    keys = getattr(value, "keys", None)
    if keys is not None and not isinstance(value, (str, list, tuple, AssetKey)) and not callable(keys):
        return [coerce_asset_key(k) for k in keys]
    return [coerce_asset_key(value)]


def _check_keys_of(value: Any) -> list[AssetCheckKey]:
    if isinstance(value, AssetCheckKey):
        return [value]
    if isinstance(value, str):
        return [parse_check_key(value)]
    keys = getattr(value, "check_keys", None)
    if keys is not None:
        return list(keys)
    raise SelectionError(f"AssetSelection.checks() takes check keys, 'asset:check' strings or check definitions, "
                         f"got {value!r}.")


def parse_check_key(text: str) -> AssetCheckKey:
    """``"raw/orders:not_empty"`` → ``AssetCheckKey(AssetKey(["raw", "orders"]), "not_empty")``."""
    asset, sep, name = text.rpartition(":")
    if not sep or not asset or not name or "" in asset.split("/"):
        raise _unknown_check_error(f"{text!r} is not a check key; write the asset key, a colon and the check "
                                   f"name, as in 'raw/orders:not_empty'.")
    return AssetCheckKey(AssetKey.from_user_string(asset), name)


def _close_checks(wanted: AssetCheckKey, known: set[AssetCheckKey]) -> list[str]:
    """Close names among the checks of the same asset when it has any, else among all checks."""
    siblings = {k.name: k for k in known if k.asset_key == wanted.asset_key}
    if siblings:
        return [siblings[n].to_user_string() for n in close_matches(wanted.name, siblings)]
    return close_matches(wanted.to_user_string(), [k.to_user_string() for k in known])


def _unknown_check_error(message: str) -> SelectionError:
    error = SelectionError(message)
    error.doc_page = "unknown-check"
    return error


def checks_of(graph: AssetGraph, keys: Iterable[AssetKey]) -> set[AssetCheckKey]:
    """Every check that targets one of ``keys``."""
    return graph.check_keys_of(keys)


def _sorted_keys(groups: Iterable[list[AssetKey]]) -> tuple[AssetKey, ...]:
    return tuple(sorted({k for group in groups for k in group}, key=attrgetter("path")))


def _sorted_strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(values)))


def format_value(text: str) -> str:
    """A value as the parser reads it back literally: bare when safe, else double-quoted."""
    if _SAFE_VALUE.fullmatch(text) and text not in KEYWORDS:
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("*", "\\*")
    return f'"{escaped}"'


def format_key(key: AssetKey) -> str:
    r"""An asset key as the parser reads it back: ``raw/orders``, or quoted with ``\/`` for a slash
    inside a component.

    >>> print(format_key(AssetKey(["raw", "orders"])), format_key(AssetKey(["in/out", "x"])))
    raw/orders "in\/out/x"
    """
    if not any("/" in part for part in key.path):
        return format_value(key.to_user_string())
    parts = [p.replace("\\", "\\\\").replace('"', '\\"').replace("*", "\\*").replace("/", "\\/") for p in key.path]
    return '"' + "/".join(parts) + '"'


def format_pattern(segments: tuple[str, ...]) -> str:
    """A key pattern: literal segments joined by the ``*`` wildcard."""
    if all(_SAFE_VALUE.fullmatch(s) or s == "" for s in segments) and "*".join(segments) not in KEYWORDS:
        return "*".join(segments)
    escaped = [s.replace("\\", "\\\\").replace('"', '\\"').replace("*", "\\*") for s in segments]
    return '"' + "*".join(escaped) + '"'


def _join_or(parts: list[str]) -> str:
    return " or ".join(parts) if parts else "not *"


def _list_precedence(count: int) -> int:
    return PRIMARY if count == 1 else (NOT if count == 0 else OR)


class _Printable:
    def __repr__(self) -> str:
        return f"AssetSelection.from_string({str(self)!r})"


@dataclass(frozen=True, repr=False)
class _ValuesSelection(_Printable, AssetSelection):
    """Assets matching any of several attribute values; prints one ``attr:value`` per value."""

    values: tuple[str, ...]
    attribute: ClassVar[str] = ""

    @property
    def precedence(self) -> int:
        return _list_precedence(len(self.values))

    def __str__(self) -> str:
        return _join_or([f"{self.attribute}:{format_value(v)}" for v in self.values])

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        wanted = set(self.values)
        return {key for key, spec in graph.spec_items() if self._matches(spec, wanted)}

    @abstractmethod
    def _matches(self, spec: AssetSpec, wanted: set[str]) -> bool: ...


@dataclass(frozen=True, repr=False)
class AllSelection(_Printable, AssetSelection):
    def __str__(self) -> str:
        return "*"

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        return graph.keys


@dataclass(frozen=True, repr=False)
class KeysSelection(_Printable, AssetSelection):
    """Exact keys; a key the graph lacks is a `SelectionError`."""

    keys: tuple[AssetKey, ...]

    @property
    def precedence(self) -> int:
        return _list_precedence(len(self.keys))

    def __str__(self) -> str:
        return _join_or([f"key:{format_key(k)}" for k in self.keys])

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        missing = [k for k in self.keys if k not in graph]
        if missing:
            raise _unknown_keys_error(missing, graph)
        return set(self.keys)


def _unknown_keys_error(missing: list[AssetKey], graph: AssetGraph) -> SelectionError:
    names = ", ".join(f'"{k.to_user_string()}"' for k in missing)
    lines = [f"The selection names {names}, which no definition provides."]
    suggestions = close_matches(missing[0].to_user_string(), graph.user_strings.values())
    if suggestions:
        lines.append(f"  did you mean: {', '.join(suggestions)}")
    lines.append('Fix the key, or use a pattern such as key:"raw/*" to select whatever matches.')
    return SelectionError("\n".join(lines))


@dataclass(frozen=True, repr=False)
class KeyPatternSelection(_Printable, AssetSelection):
    """Keys whose ``raw/orders`` form matches literal ``segments`` joined by ``*`` wildcards."""

    segments: tuple[str, ...]

    def __str__(self) -> str:
        return f"key:{format_pattern(self.segments)}"

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        pattern = re.compile(".*".join(re.escape(s) for s in self.segments), re.DOTALL)
        return {key for key, text in graph.user_strings.items() if pattern.fullmatch(text)}


@dataclass(frozen=True, repr=False)
class KeyPrefixesSelection(_Printable, AssetSelection):
    """Keys whose path starts with one of ``prefixes``: ``key_prefix:raw/eu``."""

    prefixes: tuple[tuple[str, ...], ...]

    @property
    def precedence(self) -> int:
        return _list_precedence(len(self.prefixes))

    def __str__(self) -> str:
        return _join_or([f"key_prefix:{format_value('/'.join(p))}" for p in self.prefixes])

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        return {key for key in graph.keys if any(key.path[: len(p)] == p for p in self.prefixes)}


@dataclass(frozen=True, repr=False)
class GroupsSelection(_ValuesSelection):
    attribute: ClassVar[str] = "group"

    def _matches(self, spec: AssetSpec, wanted: set[str]) -> bool:
        return spec.group_name in wanted


@dataclass(frozen=True, repr=False)
class OwnersSelection(_ValuesSelection):
    attribute: ClassVar[str] = "owner"

    def _matches(self, spec: AssetSpec, wanted: set[str]) -> bool:
        return not wanted.isdisjoint(spec.owners)


@dataclass(frozen=True, repr=False)
class KindsSelection(_ValuesSelection):
    attribute: ClassVar[str] = "kind"

    def _matches(self, spec: AssetSpec, wanted: set[str]) -> bool:
        return not wanted.isdisjoint(spec.kinds)


@dataclass(frozen=True, repr=False)
class TagSelection(_Printable, AssetSelection):
    """Tag ``key`` equal to ``value``, or present at all when ``value`` is None."""

    key: str
    value: str | None = None

    def __str__(self) -> str:
        text = f"tag:{format_value(self.key)}"
        return text if self.value is None else f"{text}={format_value(self.value)}"

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        tag, value = self.key, self.value
        if value is None:
            return {key for key, spec in graph.spec_items() if tag in spec.tags}
        return {key for key, spec in graph.spec_items() if spec.tags.get(tag) == value}


@dataclass(frozen=True, repr=False)
class UpstreamSelection(_Printable, AssetSelection):
    child: AssetSelection
    depth: int | None = None

    def __str__(self) -> str:
        depth = "" if self.depth is None else str(self.depth)
        return f"{depth}+{_traversal_operand(self.child)}"

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        return graph.with_upstream(self.child.resolve(graph), self.depth)


@dataclass(frozen=True, repr=False)
class DownstreamSelection(_Printable, AssetSelection):
    child: AssetSelection
    depth: int | None = None

    def __str__(self) -> str:
        depth = "" if self.depth is None else str(self.depth)
        return f"{_traversal_operand(self.child)}+{depth}"

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        return graph.with_downstream(self.child.resolve(graph), self.depth)


def _traversal_operand(child: AssetSelection) -> str:
    """``+`` applies to an attribute, a function call or a parenthesised expression."""
    text = str(child)
    if child.precedence == PRIMARY and not isinstance(child, (UpstreamSelection, DownstreamSelection)):
        return text
    return f"({text})"


@dataclass(frozen=True, repr=False)
class _FunctionSelection(_Printable, AssetSelection):
    child: AssetSelection
    function: ClassVar[str] = ""

    def __str__(self) -> str:
        return f"{self.function}({self.child})"


@dataclass(frozen=True, repr=False)
class RootsSelection(_FunctionSelection):
    function: ClassVar[str] = "roots"

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        selected = self.child.resolve(graph)
        return {k for k in selected if graph.parents(k).isdisjoint(selected)}


@dataclass(frozen=True, repr=False)
class SinksSelection(_FunctionSelection):
    function: ClassVar[str] = "sinks"

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        selected = self.child.resolve(graph)
        return {k for k in selected if graph.children(k).isdisjoint(selected)}


@dataclass(frozen=True, repr=False)
class MultiAssetNeighborsSelection(_FunctionSelection):
    function: ClassVar[str] = "required_multi_asset_neighbors"

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        selected = self.child.resolve(graph)
        result = set(selected)
        for key in selected:
            if not graph.assets_def_for(key).can_subset:
                result.update(graph.sibling_keys(key))
        return result


@dataclass(frozen=True, repr=False)
class ChecksSelection(_Printable, AssetSelection):
    """Exact checks and no asset; a check the graph lacks is a `SelectionError`."""

    check_keys: tuple[AssetCheckKey, ...]

    @property
    def precedence(self) -> int:
        return _list_precedence(len(self.check_keys))

    def __str__(self) -> str:
        return _join_or([f"check:{format_value(k.asset_key.to_user_string())}:{format_value(k.name)}"
                         for k in self.check_keys])

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        return set()

    def resolve_checks(self, graph: AssetGraph) -> set[AssetCheckKey]:
        known = graph.all_check_keys
        missing = [k for k in self.check_keys if k not in known]
        if missing:
            names = ", ".join(f'"{k.to_user_string()}"' for k in missing)
            lines = [f"The selection names check {names}, which no definition provides."]
            suggestions = _close_checks(missing[0], known)
            if suggestions:
                lines.append(f"  did you mean: {', '.join(suggestions)}")
            lines.append("Fix the check key (asset key, a colon, the check name), or list the checks with "
                         "`assetgraph list`.")
            raise _unknown_check_error("\n".join(lines))
        return set(self.check_keys)


@dataclass(frozen=True, repr=False)
class ChecksForAssetsSelection(_FunctionSelection):
    """The checks of the assets ``child`` picks, and no asset: ``checks_for(group:marts)``."""

    function: ClassVar[str] = "checks_for"

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        return set()

    def resolve_checks(self, graph: AssetGraph) -> set[AssetCheckKey]:
        return checks_of(graph, self.child.resolve(graph))


@dataclass(frozen=True, repr=False)
class OrSelection(_Printable, AssetSelection):
    operands: frozenset[AssetSelection]

    @property
    def precedence(self) -> int:
        return OR

    def __str__(self) -> str:
        return " or ".join(sorted(op.text_at(AND) for op in self.operands))

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        return set().union(*(op.resolve(graph) for op in self.operands))

    def resolve_checks(self, graph: AssetGraph) -> set[AssetCheckKey]:
        return set().union(*(op.resolve_checks(graph) for op in self.operands))


@dataclass(frozen=True, repr=False)
class AndSelection(_Printable, AssetSelection):
    operands: frozenset[AssetSelection]

    @property
    def precedence(self) -> int:
        return AND

    def __str__(self) -> str:
        return " and ".join(sorted(op.text_at(NOT) for op in self.operands))

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        results = [op.resolve(graph) for op in self.operands]
        return set.intersection(*results)

    def resolve_checks(self, graph: AssetGraph) -> set[AssetCheckKey]:
        return set.intersection(*(op.resolve_checks(graph) for op in self.operands))


def _combine(kind: type[OrSelection] | type[AndSelection], *selections: AssetSelection) -> AssetSelection:
    """Flatten nested operations of the same kind, so ``a | b == b | a`` and ``(a | b) | c == a | (b | c)``."""
    operands: set[AssetSelection] = set()
    for sel in selections:
        operands.update(sel.operands if isinstance(sel, kind) else (sel,))
    if len(operands) == 1:
        return next(iter(operands))
    return kind(frozenset(operands))


@dataclass(frozen=True, repr=False)
class SubtractSelection(_Printable, AssetSelection):
    left: AssetSelection
    right: AssetSelection

    @property
    def precedence(self) -> int:
        return AND

    def __str__(self) -> str:
        return f"{self.left.text_at(AND)} and not {self.right.text_at(NOT)}"

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        return self.left.resolve(graph) - self.right.resolve(graph)

    def resolve_checks(self, graph: AssetGraph) -> set[AssetCheckKey]:
        return self.left.resolve_checks(graph) - self.right.resolve_checks(graph)


@dataclass(frozen=True, repr=False)
class NotSelection(_Printable, AssetSelection):
    child: AssetSelection

    @property
    def precedence(self) -> int:
        return NOT

    def __str__(self) -> str:
        return f"not {self.child.text_at(NOT)}"

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        return graph.keys - self.child.resolve(graph)

    def resolve_checks(self, graph: AssetGraph) -> set[AssetCheckKey]:
        return graph.all_check_keys - self.child.resolve_checks(graph)
