"""Definition errors found while building an `AssetGraph`: their messages and the search
for a cycle to print. Everything here runs only on the error path or once per edge.

Must not import anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from assetgraph.definitions.errors import (
    DefinitionError,
    DependencyCycleError,
    DuplicateKeyError,
    PartitionError,
    UnknownDependencyError,
    close_matches,
)
from assetgraph.definitions.keys import AssetCheckKey, AssetKey
from assetgraph.definitions.source import SourceLocation

SourceOf = Callable[[AssetKey], "SourceLocation | None"]


def _where(source: SourceLocation | None) -> str:
    return str(source) if source is not None else "<unknown location>"


def duplicate_key_error(key: AssetKey, first: SourceLocation | None, second: SourceLocation | None,
                        same_definition: bool = False) -> DuplicateKeyError:
    """Two definitions produce the same key, or one definition is listed twice."""
    if same_definition:
        return DuplicateKeyError(
            f'Asset "{key.to_user_string()}" is listed twice: the same definition appears two times.\n'
            f"  defined at: {_where(first)}\n"
            "List it once in Definitions(assets=[...]); check Definitions.merge and modules imported twice."
        )
    return DuplicateKeyError(
        f'Asset "{key.to_user_string()}" is defined twice.\n'
        f"  first defined at: {_where(first)}\n"
        f"  again defined at: {_where(second)}\n"
        "Rename one of them (`name=`, `key=` or `key_prefix=`), or remove the duplicate from Definitions."
    )


def duplicate_check_error(key: AssetCheckKey, first: SourceLocation | None,
                          second: SourceLocation | None) -> DuplicateKeyError:
    """Two definitions produce the same check."""
    return DuplicateKeyError(
        f'Check "{key.to_user_string()}" is defined twice.\n'
        f"  first defined at: {_where(first)}\n"
        f"  again defined at: {_where(second)}\n"
        "Give one of the checks another `name=`, or remove the duplicate from Definitions."
    )


def unknown_dependency_error(missing: Sequence[tuple[AssetKey, AssetKey]], source_of: SourceOf,
                             known: Iterable[AssetKey]) -> UnknownDependencyError:
    """``missing`` holds (downstream, unknown upstream) pairs, in a stable order."""
    known_strings = [k.to_user_string() for k in known]
    blocks = [_unknown_dependency_block(down, up, source_of(down), known_strings) for down, up in missing]
    return UnknownDependencyError("\n\n".join(blocks))


def _unknown_dependency_block(down: AssetKey, up: AssetKey, source: SourceLocation | None,
                              known_strings: list[str]) -> str:
    lines = [
        f'Asset "{down.to_user_string()}" depends on "{up.to_user_string()}", which no definition provides.',
        f"  defined at: {_where(source)}",
    ]
    suggestions = close_matches(up.to_user_string(), known_strings)
    if suggestions:
        lines.append(f"  did you mean: {', '.join(suggestions)}")
    lines.append(
        "Fix the key in `deps=` or `ins=`, add the missing asset to Definitions, or declare data made "
        f'elsewhere as an external asset: AssetSpec("{up.to_user_string()}").'
    )
    return "\n".join(lines)


def unknown_check_asset_error(check_key: AssetCheckKey, asset_key: AssetKey,
                              known: Iterable[AssetKey]) -> UnknownDependencyError:
    """A check targets, or additionally depends on, an asset no definition provides."""
    lines = [
        f'Check "{check_key.to_user_string()}" needs asset "{asset_key.to_user_string()}", '
        "which no definition provides."
    ]
    suggestions = close_matches(asset_key.to_user_string(), [k.to_user_string() for k in known])
    if suggestions:
        lines.append(f"  did you mean: {', '.join(suggestions)}")
    lines.append("Fix the key in `asset=` or `additional_deps=`, or add the asset to Definitions.")
    return UnknownDependencyError("\n".join(lines))


def find_cycle(remaining: set[AssetKey], parents: Mapping[AssetKey, Iterable[AssetKey]]) -> list[AssetKey]:
    """One cycle among ``remaining`` (nodes Kahn's algorithm could not order), upstream first,
    starting at its smallest key. Every remaining node has a remaining parent, so walking
    parents must come back to a node already seen."""
    node = min(remaining)
    seen: dict[AssetKey, int] = {}
    path: list[AssetKey] = []
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = min(p for p in parents[node] if p in remaining)
    cycle = path[seen[node]:]
    cycle.reverse()  # walked child → parent; print in data-flow order
    start = cycle.index(min(cycle))
    return cycle[start:] + cycle[:start]


def dependency_cycle_error(cycle: list[AssetKey], source_of: SourceOf) -> DependencyCycleError:
    """Print the cycle as ``a → b → c → a`` and where each asset is defined."""
    arrow = " → ".join(k.to_user_string() for k in [*cycle, cycle[0]])
    lines = [f"Assets depend on each other in a cycle: {arrow}"]
    lines.extend(f"  {k.to_user_string()} defined at: {_where(source_of(k))}" for k in cycle)
    lines.append("Remove one of these dependencies (in `deps=`, `ins=` or a parameter named after an asset).")
    return DependencyCycleError("\n".join(lines))


def validate_partition_mapping(mapping: Any, up: AssetKey, down: AssetKey, upstream_def: Any,
                               downstream_def: Any, source: SourceLocation | None) -> None:
    """Ask the mapping whether it fits the two partitions definitions; name the edge if not."""
    validate = getattr(mapping, "validate", None)
    if validate is None:
        return
    try:
        validate(upstream_def, downstream_def)
    except (DefinitionError, PartitionError) as err:
        reason = err.args[0] if err.args else type(err).__name__
        raise DefinitionError(
            f'Asset "{down.to_user_string()}" maps partitions of "{up.to_user_string()}" with '
            f"{type(mapping).__name__}, which does not fit.\n  defined at: {_where(source)}\n{reason}"
        ) from err


def validate_default_partition_mapping(up: AssetKey, down: AssetKey, upstream_def: Any, downstream_def: Any,
                                       source: SourceLocation | None) -> None:
    """Two partitioned assets with different definitions and no mapping: is there a default?"""
    from assetgraph.definitions.partitions.mapping import default_partition_mapping

    try:
        default_partition_mapping(upstream_def, downstream_def)
    except (DefinitionError, PartitionError) as err:
        reason = err.args[0] if err.args else type(err).__name__
        raise DefinitionError(
            f'Asset "{down.to_user_string()}" depends on "{up.to_user_string()}", whose partitions differ, '
            f"and names no partition mapping.\n  defined at: {_where(source)}\n{reason}"
        ) from err
