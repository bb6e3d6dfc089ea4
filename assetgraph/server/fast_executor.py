"""A planned executor for GraphQL queries: graphql-core's results at a fraction of its cost.

graphql-core completes every field of every object through the same generic chain: build the
resolve info, look up the resolver, coerce the arguments, test for an awaitable, dispatch on the
return type. The lineage view asks for ~140,000 such completions for 10,000 assets, and the
chain alone costs about 1.5 s. `FastExecutor` plans each selection set once per request (the
resolver of every field, its arguments coerced once, a completer specialised to its return
type) and then runs the plan over the data:

- plain attributes (strawberry fields without a resolver) are read with ``getattr``;
- strawberry resolvers are called directly, with converted arguments and an ``Info`` built only
  when they ask for one; other resolvers are called as graphql-core calls them;
- built-in scalars that already have their output type are passed through;
- awaitables are collected and awaited together, breadth first, instead of one coroutine per
  object; their results are completed into placeholders kept in field order.

The response is graphql-core's: the same data, the same errors at the same paths, the same null
propagation (``tests/server/test_fast_executor.py`` runs both on generated queries and compares).
One difference: argument values that are immutable (numbers, strings, enums, null) are coerced
once per request and shared by every call of a field; mutable ones are coerced per call, as
graphql-core does. Mutations, subscriptions, aborts, execution hooks and disabled error
propagation take graphql-core's own path.
"""

from __future__ import annotations

import asyncio
import gc
import math
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from enum import Enum
from types import CoroutineType, GeneratorType
from typing import Any, NamedTuple

from graphql import (
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLError,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    OperationType,
    Undefined,
    is_abstract_type,
    is_leaf_type,
    located_error,
)
from graphql.execution.collect_fields import FieldDetails, collect_fields, collect_subfields
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.arguments import convert_arguments

STRAWBERRY_DEFINITION = "strawberry-definition"  # where strawberry links a GraphQL field to its StrawberryField
_IMMUTABLE = (str, int, float, bool, type(None), Enum)
_PLAIN = frozenset({str, int, float, bool, list, dict, tuple, set, frozenset, bytes})
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1

Completer = Callable[[Any, Path, Any], Any]


class _Anchor(NamedTuple):
    """The nearest nullable position above a value: where an error below it writes null."""

    container: Any  # the dict or list holding the position; None for the whole response
    slot: Any
    path: Path | None


_ROOT = _Anchor(None, None, None)
_LEAF, _OBJECT, _OTHER = 0, 1, 2
# Built-in scalars whose output is the value itself when it already has this class.
_PASS_THROUGH: dict[Any, type] = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}


class FastExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, with queries run by `_QueryRun` (see the module docstring)."""

    def execute_operation(self, serially: bool | None = None) -> Any:
        if (self.operation.operation is not OperationType.QUERY or serially or self.abort_signal is not None
                or self.hooks is not None or not self.error_propagation or self.schema.query_type is None
                or _resolves_types_asynchronously(self.schema)):
            return super().execute_operation(serially)
        return _QueryRun(self).run()


def _resolves_types_asynchronously(schema: Any) -> bool:
    """Whether a type of the schema decides its runtime type with a coroutine (graphql-core handles that)."""
    cached = getattr(schema, "_assetgraph_async_types", None)
    if cached is None:
        import inspect

        cached = any(inspect.iscoroutinefunction(getattr(t, "is_type_of", None))
                     or inspect.iscoroutinefunction(getattr(t, "resolve_type", None))
                     for t in schema.type_map.values())
        schema._assetgraph_async_types = cached
    return bool(cached)


class _Field:
    """One response key of a selection set, planned: how to resolve it and complete its value."""

    __slots__ = ("args", "args_error", "attr", "call", "complete", "details", "field_def", "key", "nodes",
                 "non_null", "null_message", "nullable_child", "object_type", "parent_name", "plan", "shape",
                 "typename")

    key: str
    parent_name: str
    attr: str | None  # read this attribute of the source (a strawberry field without resolver)
    typename: str | None  # the answer of __typename
    call: Callable[[Any, Path | None], Any] | None  # resolver call: (source, parent path) -> value
    complete: Completer  # (value, field path, anchor) -> completed value; the value is not None
    shape: int  # _LEAF (complete needs no path), _OBJECT (run `plan` inline) or _OTHER
    object_type: GraphQLObjectType | None  # the object type of an _OBJECT field
    plan: list[_Field] | None  # its sub-selection, planned on first use
    details: list[FieldDetails]
    non_null: bool
    nullable_child: bool  # the field's own position is nullable: errors below it stop here
    null_message: str
    nodes: list[Any]
    field_def: GraphQLField
    args: dict[str, Any] | None
    args_error: Exception | None


class _QueryRun:
    """One execution of one query operation."""

    def __init__(self, executor: FastExecutor) -> None:
        self.ex = executor
        self.errors = executor.collected_errors
        self.is_awaitable = executor.is_awaitable
        self.pending: list[tuple[Awaitable[Any], Callable[[Any], None]]] = []
        self.plans: dict[tuple[GraphQLObjectType, int], tuple[Any, list[_Field]]] = {}
        self.special_classes: dict[type, bool] = {}
        self.root_nulled = False
        manager = executor.middleware_manager
        self.middleware = manager if manager is not None and getattr(manager, "middlewares", None) else None
        strawberry_schema = getattr(executor.schema, "_strawberry_schema", None)
        self.strawberry = strawberry_schema if strawberry_schema is not None and not getattr(
            strawberry_schema, "exception_handlers", ()) else None

    # running

    def run(self) -> Any:
        ex = self.ex
        root_type = ex.schema.query_type
        assert root_type is not None
        try:
            grouped = collect_fields(ex.schema, ex.fragments, ex.variable_values, root_type, ex.operation,
                                     ex.hide_suggestions).grouped_field_set
        except (RecursionError, GraphQLError):
            return StrawberryGraphQLCoreExecutionContext.execute_operation(ex)
        fields = self._plan_fields(root_type, grouped)
        data: dict[str, Any] = {}
        with _collector_paused():
            try:
                self._execute_fields(fields, ex.root_value, None, data, _ROOT)
            except GraphQLError as error:
                self._null(_ROOT, error)
        if self.pending:
            return self._finish_later(data)
        return ex.finish(ex.build_response(None if self.root_nulled else data))

    async def _finish_later(self, data: dict[str, Any]) -> Any:
        while self.pending:
            batch, self.pending = self.pending, []
            values = await asyncio.gather(*(awaitable for awaitable, _ in batch), return_exceptions=True)
            with _collector_paused():
                for (_, resume), value in zip(batch, values, strict=True):
                    if isinstance(value, BaseException) and not isinstance(value, Exception):
                        raise value  # cancellation and the like are not field errors
                    resume(value)
        return self.ex.build_response(None if self.root_nulled else data)

    def _execute_fields(self, fields: list[_Field], source: Any, path: Path | None, result: dict[str, Any],
                        anchor: _Anchor) -> None:
        """Resolve and complete ``fields`` of ``source`` into ``result`` (the hot loop: keep it flat)."""
        special_classes = self.special_classes
        for f in fields:
            key = f.key
            try:
                if f.attr is not None:
                    value = getattr(source, f.attr)
                elif f.call is not None:
                    value = f.call(source, path)
                else:
                    result[key] = f.typename
                    continue
                if value is None or value is Undefined:
                    if f.non_null:
                        raise TypeError(f.null_message)
                    result[key] = None
                    continue
                cls = value.__class__
                if cls not in _PLAIN:
                    special = special_classes.get(cls)
                    if special is None:
                        special = self._special(value)
                    if special:
                        result[key] = None  # keeps the response's key order until the value arrives
                        self.pending.append((self._later(value), self._resume_field(f, path, result, anchor)))
                        continue
                shape = f.shape
                if shape == _LEAF:
                    result[key] = f.complete(value, None, None)  # type: ignore[arg-type]
                    continue
                field_path = Path(path, key, f.parent_name)
                child = _Anchor(result, key, field_path) if f.nullable_child else anchor
                if shape == _OBJECT:
                    if isinstance(value, Exception):
                        raise value
                    sub: dict[str, Any] = {}
                    result[key] = sub
                    self._execute_fields(f.plan or self._plan_of(f), value, field_path, sub, child)
                else:
                    result[key] = f.complete(value, field_path, child)
            except Exception as raw:
                field_path = Path(path, key, f.parent_name)
                error = located_error(raw, f.nodes, field_path.as_list())
                if f.non_null:
                    raise error from None
                self.errors.add(error, field_path)
                result[key] = None

    def _plan_of(self, f: _Field) -> list[_Field]:
        assert f.object_type is not None
        f.plan = self._plan(f.object_type, f.details)
        return f.plan

    def _resume_field(self, f: _Field, path: Path | None, result: dict[str, Any], anchor: _Anchor
                      ) -> Callable[[Any], None]:
        def resume(value: Any) -> None:
            field_path = Path(path, f.key, f.parent_name)
            try:
                if isinstance(value, Exception):
                    raise value
                if value is None or value is Undefined:
                    if f.non_null:
                        raise TypeError(f.null_message)
                    result[f.key] = None
                    return
                child = _Anchor(result, f.key, field_path) if f.nullable_child else anchor
                result[f.key] = f.complete(value, field_path, child)
            except Exception as raw:
                error = located_error(raw, f.nodes, field_path.as_list())
                if f.non_null:
                    self._null(anchor, error)
                else:
                    self.errors.add(error, field_path)
                    result[f.key] = None

        return resume

    def _null(self, anchor: _Anchor, error: GraphQLError) -> None:
        """Null the nearest nullable position above an error that may not stop where it happened."""
        self.errors.add(error, anchor.path)
        if anchor.container is None:
            self.root_nulled = True
        else:
            anchor.container[anchor.slot] = None

    def _special(self, value: Any) -> bool:
        """Whether a value must be waited for: an awaitable or an asynchronous iterable."""
        cls = value.__class__
        known = self.special_classes.get(cls)
        if known is None:
            if cls is GeneratorType:  # generator-based coroutines are flagged per object
                return bool(self.is_awaitable(value))
            known = self.special_classes[cls] = bool(cls is CoroutineType or self.is_awaitable(value)
                                                     or self.ex.is_async_iterable(value))
        return known

    def _later(self, value: Any) -> Awaitable[Any]:
        """An awaitable of the value: itself, or the items of an asynchronous iterable as a list."""
        if self.is_awaitable(value):
            return value

        async def items() -> list[Any]:
            return [item async for item in value]

        return items()

    # planning

    def _plan(self, object_type: GraphQLObjectType, details: list[FieldDetails]) -> list[_Field]:
        key = (object_type, id(details))
        cached = self.plans.get(key)
        if cached is None:
            ex = self.ex
            grouped = collect_subfields(ex.schema, ex.fragments, ex.variable_values, ex.operation, object_type,
                                        details, ex.hide_suggestions).grouped_field_set
            cached = self.plans[key] = (details, self._plan_fields(object_type, grouped))  # keeps `details` alive
        return cached[1]

    def _plan_fields(self, parent: GraphQLObjectType, grouped: dict[str, list[FieldDetails]]) -> list[_Field]:
        planned = []
        for key, details in grouped.items():
            field_def = self.ex.schema.get_field(parent, details[0].node.name.value)
            if field_def is not None:
                planned.append(self._plan_field(parent, key, details, field_def))
        return planned

    def _plan_field(self, parent: GraphQLObjectType, key: str, details: list[FieldDetails],
                    field_def: GraphQLField) -> _Field:
        f = _Field()
        f.key, f.parent_name, f.field_def = key, parent.name, field_def
        f.nodes = [d.node for d in details]
        name = f.nodes[0].name.value
        f.null_message = f"Cannot return null for non-nullable field {parent.name}.{name}."
        return_type = field_def.type
        f.non_null = isinstance(return_type, GraphQLNonNull)
        named = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
        f.nullable_child = not f.non_null
        f.attr = f.typename = None
        f.call = None
        f.args, f.args_error = None, None
        f.details, f.plan, f.object_type = details, None, None
        f.complete = self._completer(named, details, parent, name, f)
        if is_leaf_type(named):
            f.shape = _LEAF
        elif isinstance(named, GraphQLObjectType) and named.is_type_of is None:
            f.shape, f.object_type = _OBJECT, named
        else:
            f.shape = _OTHER
        if name == "__typename":
            f.typename = parent.name
            return f
        strawberry_field = field_def.extensions.get(STRAWBERRY_DEFINITION) if field_def.extensions else None
        if (strawberry_field is not None and self.middleware is None
                and getattr(field_def.resolve, "_is_default", False)
                and strawberry_field.default_resolver is getattr and strawberry_field.is_basic_field):
            f.attr = strawberry_field.python_name
            return f
        self._coerce_arguments(f, details)
        if (strawberry_field is not None and self.middleware is None and self.strawberry is not None
                and strawberry_field.base_resolver is not None and not strawberry_field.extensions):
            f.call = self._strawberry_call(f, parent, details, strawberry_field)
        else:
            f.call = self._generic_call(f, parent, details)
        return f

    def _coerce_arguments(self, f: _Field, details: list[FieldDetails]) -> None:
        if not (f.field_def.args or f.nodes[0].arguments):
            f.args = {}
            return
        try:
            args = self._argument_values(f, details)
        except Exception as error:  # every call of the field reports it, as graphql-core does
            f.args_error = error
            return
        if all(isinstance(v, _IMMUTABLE) for v in args.values()):
            f.args = args

    def _argument_values(self, f: _Field, details: list[FieldDetails]) -> dict[str, Any]:
        ex = self.ex
        return get_argument_values(f.field_def, details[0].node, ex.variable_values,
                                   details[0].fragment_variable_values, ex.hide_suggestions)

    def _info(self, f: _Field, parent: GraphQLObjectType, path: Path) -> Any:
        """graphql-core's resolve info for ``f`` at ``path`` (strawberry's variant, via its executor)."""
        return self.ex.build_resolve_info(f.field_def, f.nodes, parent, path)

    def _generic_call(self, f: _Field, parent: GraphQLObjectType, details: list[FieldDetails]
                      ) -> Callable[[Any, Path | None], Any]:
        """Call the field's resolver (or the default one) as graphql-core does."""
        resolve = f.field_def.resolve or self.ex.field_resolver
        if self.middleware is not None:
            resolve = self.middleware.get_field_resolver(resolve)

        def call(source: Any, path: Path | None) -> Any:
            if f.args_error is not None:
                raise f.args_error
            args = f.args if f.args is not None else self._argument_values(f, details)
            return resolve(source, self._info(f, parent, Path(path, f.key, parent.name)), **args)

        return call

    def _strawberry_call(self, f: _Field, parent: GraphQLObjectType, details: list[FieldDetails], field: Any
                         ) -> Callable[[Any, Path | None], Any]:
        """Call a strawberry resolver directly: what strawberry's wrapper does, without its per-call work."""
        schema = self.strawberry
        assert schema is not None
        resolver = field.base_resolver
        info_class = schema.config.info_class
        info_name = resolver.info_parameter.name if resolver.info_parameter else None
        passes_self = resolver.self_parameter is not None
        source_names = [p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p is not None]
        has_arguments = bool(field.arguments)
        converted: dict[str, Any] | None = {} if not has_arguments else None

        def call(source: Any, path: Path | None) -> Any:
            nonlocal converted
            info = None
            if info_name is not None or converted is None:
                info = info_class(_raw_info=self._info(f, parent, Path(path, f.key, parent.name)), _field=field)
            if converted is not None:
                kwargs = dict(converted)
            else:
                if f.args_error is not None:
                    raise f.args_error
                raw = f.args if f.args is not None else self._argument_values(f, details)
                kwargs = convert_arguments(raw, field.arguments, config=schema.config, info=info,
                                           scalar_registry=schema.schema_converter.scalar_registry)
                if f.args is not None and all(isinstance(v, _IMMUTABLE) for v in kwargs.values()):
                    converted = dict(kwargs)
            for name in source_names:
                kwargs[name] = source
            if info_name is not None:
                kwargs[info_name] = info
            return resolver(source, **kwargs) if passes_self else resolver(**kwargs)

        return call

    # completing

    def _completer(self, t: GraphQLOutputType, details: list[FieldDetails], parent: GraphQLObjectType, name: str,
                   f: _Field) -> Completer:
        """How to complete a non-null value of type ``t`` (non-null wrappers are checked by the caller)."""
        if is_leaf_type(t):
            return _leaf_completer(t)
        if isinstance(t, GraphQLList):
            return self._list_completer(t, details, parent, name, f)
        if is_abstract_type(t):
            return self._abstract_completer(t, details, parent, f)
        assert isinstance(t, GraphQLObjectType)
        return self._object_completer(t, details, parent, f)

    def _object_completer(self, t: GraphQLObjectType, details: list[FieldDetails], parent: GraphQLObjectType,
                          f: _Field) -> Completer:
        plan: list[_Field] | None = None
        execute_fields = self._execute_fields

        def complete(value: Any, path: Path, anchor: _Anchor) -> dict[str, Any]:
            nonlocal plan
            if isinstance(value, Exception):
                raise value
            if t.is_type_of is not None and not self._is_type_of(t, value, f, parent, path):
                raise GraphQLError(f"Expected value of type '{t.name}' but got: {_inspect(value)}.", f.nodes)
            if plan is None:
                plan = self._plan(t, details)
            result: dict[str, Any] = {}
            execute_fields(plan, value, path, result, anchor)
            return result

        return complete

    def _is_type_of(self, t: GraphQLObjectType, value: Any, f: _Field, parent: GraphQLObjectType, path: Path) -> bool:
        assert t.is_type_of is not None
        verdict = t.is_type_of(value, self._info(f, parent, _field_path(path)))
        if self.is_awaitable(verdict):  # graphql-core's own path knows how to wait for it
            raise GraphQLError(f"`is_type_of` of {t.name} is asynchronous, which this executor does not support.",
                               f.nodes)
        return bool(verdict)

    def _abstract_completer(self, t: GraphQLAbstractType, details: list[FieldDetails], parent: GraphQLObjectType,
                            f: _Field) -> Completer:
        ex = self.ex
        resolve_type = t.resolve_type or ex.type_resolver
        by_type: dict[str, Completer] = {}

        def complete(value: Any, path: Path, anchor: _Anchor) -> dict[str, Any]:
            if isinstance(value, Exception):
                raise value
            info = self._info(f, parent, _field_path(path))
            runtime = resolve_type(value, info, t)
            if self.is_awaitable(runtime):
                raise GraphQLError(f"`resolve_type` of {t.name} is asynchronous, which this executor does not "
                                   "support.", f.nodes)
            object_type = ex.ensure_valid_runtime_type(runtime, t, details, info, value)
            completer = by_type.get(object_type.name)
            if completer is None:
                completer = by_type[object_type.name] = self._object_completer(object_type, details, parent, f)
            return completer(value, path, anchor)

        return complete

    def _list_completer(self, t: GraphQLList[Any], details: list[FieldDetails], parent: GraphQLObjectType,
                        name: str, f: _Field) -> Completer:
        item_type = t.of_type
        item_non_null = isinstance(item_type, GraphQLNonNull)
        named = item_type.of_type if item_non_null else item_type
        inner = self._completer(named, details, parent, name, f)
        leaf = is_leaf_type(named)
        passes = _PASS_THROUGH.get(named) if leaf else None  # items of this class are complete already
        object_type = named if isinstance(named, GraphQLObjectType) and named.is_type_of is None else None
        plan: list[_Field] | None = None
        null_message = f.null_message
        nodes = f.nodes
        errors = self.errors
        special_classes = self.special_classes
        execute_fields = self._execute_fields
        not_iterable = f"Expected Iterable, but did not find one for field '{parent.name}.{name}'."

        def complete(value: Any, path: Path, anchor: _Anchor) -> list[Any]:
            nonlocal plan
            cls = value.__class__
            if cls is not list and cls is not tuple:
                if isinstance(value, Exception):
                    raise value
                if isinstance(value, str | bytes | dict) or not isinstance(value, Iterable):
                    raise GraphQLError(not_iterable)
            elif passes is not None:
                for item in value:
                    if item.__class__ is not passes:
                        break
                else:
                    return list(value)
            if object_type is not None and plan is None:
                plan = self._plan(object_type, details)
            out: list[Any] = []
            append = out.append
            for index, item in enumerate(value):
                try:
                    if item is None or item is Undefined:
                        if item_non_null:
                            raise TypeError(null_message)
                        append(None)
                        continue
                    item_class = item.__class__
                    if item_class not in _PLAIN:
                        special = special_classes.get(item_class)
                        if special is None:
                            special = self._special(item)
                        if special:
                            item_anchor = anchor if item_non_null else _Anchor(out, index, Path(path, index, None))
                            append(None)
                            self.pending.append((self._later(item), self._resume_item(
                                inner, out, index, path, item_anchor, item_non_null, null_message, nodes)))
                            continue
                    if leaf:
                        append(inner(item, path, anchor))
                        continue
                    item_path = Path(path, index, None)
                    item_anchor = anchor if item_non_null else _Anchor(out, index, item_path)
                    if plan is not None:
                        if isinstance(item, Exception):
                            raise item
                        sub: dict[str, Any] = {}
                        append(sub)
                        execute_fields(plan, item, item_path, sub, item_anchor)
                    else:
                        append(inner(item, item_path, item_anchor))
                except Exception as raw:
                    item_path = Path(path, index, None)
                    error = located_error(raw, nodes, item_path.as_list())
                    if item_non_null:
                        raise error from None
                    errors.add(error, item_path)
                    if len(out) > index:
                        out[index] = None
                    else:
                        append(None)
            return out

        return complete

    def _resume_item(self, inner: Completer, out: list[Any], index: int, path: Path, anchor: _Anchor,
                     non_null: bool, null_message: str, nodes: list[Any]) -> Callable[[Any], None]:
        def resume(value: Any) -> None:
            item_path = Path(path, index, None)
            try:
                if isinstance(value, Exception):
                    raise value
                if value is None or value is Undefined:
                    if non_null:
                        raise TypeError(null_message)
                    out[index] = None
                    return
                out[index] = inner(value, item_path, anchor if non_null else _Anchor(out, index, item_path))
            except Exception as raw:
                error = located_error(raw, nodes, item_path.as_list())
                if non_null:
                    self._null(anchor, error)
                else:
                    self.errors.add(error, item_path)
                    out[index] = None

        return resume


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a response is built.

    A response is hundreds of thousands of new dicts and lists and no cycles (reference counting
    frees them); with the collector running, its full collections walk the growing response again
    and again and cost more than the execution itself (~2x on the lineage of 10,000 assets).
    Only synchronous stretches are covered: no other request runs on this thread meanwhile.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _field_path(path: Path) -> Path:
    """The path of the field that holds a position (list items sit below their field)."""
    while isinstance(path.key, int) and path.prev is not None:
        path = path.prev
    return path


def _leaf_completer(t: Any) -> Completer:
    """Built-in scalars pass values already of their output type straight through."""
    coerce = t.coerce_output_value
    if t is GraphQLString or t is GraphQLID:
        def complete_str(value: Any, path: Path, anchor: _Anchor) -> Any:
            return value if value.__class__ is str else _coerce_leaf(t, coerce, value)

        return complete_str
    if t is GraphQLInt:
        def complete_int(value: Any, path: Path, anchor: _Anchor) -> Any:
            if value.__class__ is int and _INT_MIN <= value <= _INT_MAX:
                return value
            return _coerce_leaf(t, coerce, value)

        return complete_int
    if t is GraphQLFloat:
        def complete_float(value: Any, path: Path, anchor: _Anchor) -> Any:
            if value.__class__ is float and math.isfinite(value):
                return value
            return _coerce_leaf(t, coerce, value)

        return complete_float
    if t is GraphQLBoolean:
        def complete_bool(value: Any, path: Path, anchor: _Anchor) -> Any:
            return value if value.__class__ is bool else _coerce_leaf(t, coerce, value)

        return complete_bool

    def complete_leaf(value: Any, path: Path, anchor: _Anchor) -> Any:
        return _coerce_leaf(t, coerce, value)

    return complete_leaf


def _coerce_leaf(t: Any, coerce: Callable[[Any], Any], value: Any) -> Any:
    if isinstance(value, Exception):
        raise value
    coerced = coerce(value)
    if coerced is Undefined or coerced is None:
        raise TypeError(f"Expected `{_inspect(t)}.coerce_output_value({_inspect(value)})` to return non-nullable "
                        f"value, returned: {_inspect(coerced)}")
    return coerced


def _inspect(value: Any) -> str:
    from graphql.pyutils import inspect

    return inspect(value)
