"""Reads an asset or check function's parameters: which one gets the context, which get
upstream values, resources or config.

Annotations are read from the code object, not `inspect`, to keep decoration cheap for
modules with thousands of assets. Must not import anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assetgraph.definitions.errors import DefinitionError
from assetgraph.definitions.source import location_of_function

CONTEXT_NAMES = frozenset({"AssetExecutionContext", "AssetCheckExecutionContext", "OpExecutionContext"})


@dataclass(frozen=True)
class FunctionParams:
    """What each parameter of a user function receives."""

    context: str | None
    values: tuple[str, ...]  # parameters that receive upstream values, in order
    resources: tuple[tuple[str, str], ...]  # (parameter, resource key)
    config: tuple[str, type] | None  # (parameter, Config subclass)
    optional: frozenset[str]  # value parameters that have a default


def _annotation_class(fn: Callable[..., Any], annotation: Any) -> Any:
    if not isinstance(annotation, str):
        return annotation
    module = sys.modules.get(getattr(fn, "__module__", "") or "")
    namespace = vars(module) if module is not None else {}
    name = annotation.strip("'\"")
    return namespace.get(name, fn.__globals__.get(name, name) if hasattr(fn, "__globals__") else name)


def _loaded_base(module: str, name: str) -> type | None:
    # Config and ConfigurableResource live in modules that import pydantic; a user who annotates
    # with them has already imported those modules, so we never import them here.
    mod = sys.modules.get(module)
    base = getattr(mod, name, None) if mod is not None else None
    return base if isinstance(base, type) else None


def _subclass_named(base: type, name: str, fn: Callable[..., Any]) -> type | None:
    """A subclass of ``base`` called ``name``: string annotations of classes defined inside a
    function cannot be looked up in the module, so we look among the loaded subclasses."""
    found: list[type] = []
    todo: list[type] = list(base.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__name__ == name:
            found.append(cls)
    same_module = [c for c in found if c.__module__ == getattr(fn, "__module__", None)]
    candidates = same_module or found
    return candidates[-1] if candidates else None


def _match(cls: Any, ann: Any, fn: Callable[..., Any], module: str, name: str) -> type | None:
    base = _loaded_base(module, name)
    if base is None:
        return None
    if isinstance(cls, type):
        return cls if issubclass(cls, base) else None
    if isinstance(ann, str):
        return _subclass_named(base, ann.strip("'\"").split(".")[-1], fn)
    return None


def read_params(fn: Callable[..., Any], what: str) -> FunctionParams:
    """Classify ``fn``'s parameters. ``what`` names the definition in error messages."""
    code = getattr(fn, "__code__", None)
    if code is None:
        raise DefinitionError(f"{what}: expected a function, got {fn!r}.")
    if code.co_flags & 0x04 or code.co_flags & 0x08:
        raise DefinitionError(
            f"{what} takes *args or **kwargs; name each upstream asset as its own parameter.\n"
            f"  defined at: {location_of_function(fn)}"
        )
    n = code.co_argcount + code.co_kwonlyargcount
    names = code.co_varnames[:n]
    annotations = getattr(fn, "__annotations__", {})
    n_defaults = len(fn.__defaults__ or ()) if hasattr(fn, "__defaults__") else 0
    optional = set(names[code.co_argcount - n_defaults: code.co_argcount]) if n_defaults else set()
    optional |= set((getattr(fn, "__kwdefaults__", None) or {}).keys())
    context: str | None = None
    values: list[str] = []
    resources: list[tuple[str, str]] = []
    config: tuple[str, type] | None = None
    for name in names:
        ann = annotations.get(name)
        ann_name = ann if isinstance(ann, str) else getattr(ann, "__name__", None)
        if name == "context" or (ann_name and ann_name.split(".")[-1] in CONTEXT_NAMES):
            context = name
            continue
        cls = _annotation_class(fn, ann) if ann is not None else None
        config_cls = _match(cls, ann, fn, "assetgraph.definitions.config", "Config") if ann is not None else None
        if ann is not None and _match(cls, ann, fn, "assetgraph.definitions.resources", "ConfigurableResource"):
            resources.append((name, name))
        elif config_cls is not None:
            config = (name, config_cls)
        else:
            values.append(name)
    return FunctionParams(context, tuple(values), tuple(resources), config,
                          frozenset(optional & set(values)))
