"""dbt's node selection syntax (``--select``/``--exclude``) evaluated over a manifest, without dbt.

Importing dbt's own selector costs seconds and 1,600 modules, so the subset of the syntax that
`dbt_assets(select=..., exclude=...)` accepts is evaluated here: space-separated unions,
comma intersections, the graph operators ``+``, ``N+``, ``+N`` and ``@``, and the methods
``fqn`` (the default), ``tag``, ``path``, ``file``, ``resource_type``, ``package``, ``source``
and ``config.KEY``. Anything else is refused by name. Must not import dbt.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import PurePosixPath

from assetgraph import DefinitionError
from assetgraph_dbt.manifest import DbtManifest, ManifestNode

_ATOM = re.compile(r"^(?P<at>@)?(?:(?P<up>\d*)\+)?(?P<body>[^+]+?)(?:\+(?P<down>\d*))?$")
SUPPORTED_METHODS = ("fqn", "tag", "path", "file", "resource_type", "package", "source", "config.KEY")


class NodeGraph:
    """Parents and children of every node and source, from ``depends_on.nodes``."""

    def __init__(self, manifest: DbtManifest) -> None:
        self.parents: dict[str, list[str]] = {}
        self.children: dict[str, list[str]] = {uid: [] for uid in manifest.sources}
        for uid, node in manifest.nodes.items():
            ups = node.get("depends_on", {}).get("nodes", [])
            self.parents[uid] = ups
            self.children.setdefault(uid, [])
            for up in ups:
                self.children.setdefault(up, []).append(uid)

    def walk(self, start: Iterable[str], edges: Mapping[str, list[str]], depth: int | None) -> set[str]:
        out: set[str] = set()
        frontier = list(start)
        level = 0
        while frontier and (depth is None or level < depth):
            nxt = []
            for uid in frontier:
                for other in edges.get(uid, ()):
                    if other not in out:
                        out.add(other)
                        nxt.append(other)
            frontier = nxt
            level += 1
        return out


def select_nodes(manifest: DbtManifest, graph: NodeGraph, select: str, exclude: str | None) -> set[str]:
    """Unique ids (nodes and sources) that ``select`` minus ``exclude`` picks."""
    chosen = _evaluate(manifest, graph, select, "select")
    if exclude:
        chosen -= _evaluate(manifest, graph, exclude, "exclude")
    return chosen


def _evaluate(manifest: DbtManifest, graph: NodeGraph, text: str, what: str) -> set[str]:
    out: set[str] = set()
    for union_part in text.split():
        inter: set[str] | None = None
        for atom in union_part.split(","):
            found = _atom(manifest, graph, atom, what, text)
            inter = found if inter is None else inter & found
        out |= inter or set()
    return out


def _atom(manifest: DbtManifest, graph: NodeGraph, atom: str, what: str, text: str) -> set[str]:
    m = _ATOM.match(atom)
    if m is None:
        raise DefinitionError(f"dbt_assets({what}={text!r}): cannot read {atom!r} as a dbt selector.")
    body = m.group("body")
    if body in ("fqn:*", "*"):  # the default selection: every node but sources, without matching each fqn
        base = set(manifest.nodes)
    else:
        match = _matcher(body, what, text)
        base = {uid for uid, node in _all(manifest) if match(node)}
    out = set(base)
    if m.group("at"):
        down = graph.walk(base, graph.children, None)
        out |= down | graph.walk(base | down, graph.parents, None)
        return out
    if m.group("up") is not None:
        out |= graph.walk(base, graph.parents, int(m.group("up")) if m.group("up") else None)
    if m.group("down") is not None:
        out |= graph.walk(base, graph.children, int(m.group("down")) if m.group("down") else None)
    return out


def _all(manifest: DbtManifest) -> Iterable[tuple[str, ManifestNode]]:
    yield from manifest.nodes.items()
    yield from manifest.sources.items()


def _matcher(body: str, what: str, text: str) -> Callable[[ManifestNode], bool]:
    method, sep, value = body.partition(":")
    if not sep:
        method, value = ("path" if "/" in body or body.endswith(".sql") else "fqn"), body
    if method == "fqn":
        return lambda n: n.get("resource_type") != "source" and _fqn_matches(n.get("fqn", []), value)
    if method == "tag":
        return lambda n: any(fnmatch.fnmatchcase(t, value) for t in n.get("tags", ()))
    if method in ("path", "file"):
        return lambda n: _path_matches(n.get("original_file_path", ""), value, method == "file")
    if method == "resource_type":
        return lambda n: n.get("resource_type") == value
    if method == "package":
        return lambda n: fnmatch.fnmatchcase(n.get("package_name", ""), value)
    if method == "source":
        return lambda n: n.get("resource_type") == "source" and _source_matches(n, value)
    if method.startswith("config."):
        key = method[len("config."):]
        return lambda n: _config_matches(n.get("config", {}).get(key), value)
    raise DefinitionError(
        f"dbt_assets({what}={text!r}) uses the selector method {method!r}, which assetgraph_dbt does not evaluate "
        f"when loading definitions. Supported: {', '.join(SUPPORTED_METHODS)}; graph operators +, N+, +N and @."
    )


def _fqn_matches(fqn: list[str], selector: str) -> bool:
    """dbt's qualified-name rule: the leaf name, or a dotted prefix of the fqn (with or without
    the package), with shell wildcards from the first wildcard part on."""
    return _fqn_part_matches(fqn, selector) or _fqn_part_matches(fqn[1:], selector)


def _fqn_part_matches(fqn: list[str], selector: str) -> bool:
    if fqn and fqn[-1] == selector:
        return True
    flat = [p for seg in fqn for p in seg.split(".")]
    parts = selector.split(".")
    if len(flat) < len(parts):
        return False
    for i, part in enumerate(parts):
        if any(c in part for c in "*?[]"):
            return fnmatch.fnmatchcase(".".join(flat[i:]), ".".join(parts[i:]))
        if flat[i] != part:
            return False
    return True


def _path_matches(path: str, value: str, file_only: bool) -> bool:
    p = PurePosixPath(path)
    if file_only:
        return fnmatch.fnmatchcase(p.name, value) or fnmatch.fnmatchcase(p.stem, value)
    value = value.rstrip("/")
    return path == value or path.startswith(value + "/") or fnmatch.fnmatchcase(path, value)


def _source_matches(node: ManifestNode, value: str) -> bool:
    parts = value.split(".")
    names = [node.get("source_name", ""), node.get("name", "")]
    if len(parts) == 3:  # package.source.table
        names = [node.get("package_name", ""), *names]
    return all(fnmatch.fnmatchcase(n, p) for n, p in zip(names, parts, strict=False))


def _config_matches(found: object, value: str) -> bool:
    if isinstance(found, list):
        return any(fnmatch.fnmatchcase(str(v), value) for v in found)
    if isinstance(found, bool):
        return str(found).lower() == value.lower()
    return found is not None and fnmatch.fnmatchcase(str(found), value)
