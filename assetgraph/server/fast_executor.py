"""A compiled executor for GraphQL queries: graphql-core's responses at a fraction of its cost.

graphql-core completes every field of every object through the same generic chain: build the
resolve info, look up the resolver, coerce the arguments, test for an awaitable, dispatch on the
return type. The lineage view asks for ~140,000 such completions for 10,000 assets, and the
chain alone costs about 1.5 s. `FastExecutor` plans each selection set once per request (the
resolver of every field, its arguments coerced once, how its value completes) and compiles the
plan into a Python function with one straight block per field; then it runs those functions over
the data:

- plain attributes (strawberry fields without a resolver) are read as attributes;
- strawberry resolvers are called directly, with converted arguments and an ``Info`` built only
  when they ask for one; other resolvers are called as graphql-core calls them;
- built-in scalars that already have their output type are passed through;
- positions are plain tuples ``(parent, key, type name)``, turned into graphql-core's `Path`
  only for an error or a resolve info;
- awaitables are collected and awaited together, breadth first, instead of one coroutine per
  object; their results are completed into placeholders kept in field order.

The response is graphql-core's: the same data, the same errors at the same paths, the same null
propagation (``tests/server/test_fast_executor.py`` runs both on generated queries and compares).
Where awaitables settle in a different order, an error inside a subtree that another error nulled
may be reported by one executor and not the other, as between two runs of graphql-core itself.
Known differences: argument values that are immutable (numbers, strings, enums, null) are coerced
once per request and shared by every call of a field (mutable ones per call, as graphql-core
does); an ``is_type_of`` or ``resolve_type`` that is a plain function returning an awaitable is a
field error here (coroutine functions are fine: such schemas take graphql-core's path).
Mutations, subscriptions, aborts, execution hooks, disabled error propagation and schemas with
``@defer`` take graphql-core's own path.
"""

from __future__ import annotations

import asyncio
import gc
import keyword
import math
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import Enum
from functools import cached_property
from types import CoroutineType, GeneratorType
from typing import Any, NamedTuple

from graphql import (
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLError,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    OperationType,
    Undefined,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    located_error,
)
from graphql.execution.collect_fields import FieldDetails, collect_fields, collect_subfields
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, is_iterable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.arguments import convert_arguments
from strawberry.types.info import Info

STRAWBERRY_DEFINITION = "strawberry-definition"  # where strawberry links a GraphQL field to its StrawberryField
_IMMUTABLE = (str, int, float, bool, type(None), Enum)
_PLAIN = frozenset({str, int, float, bool, list, dict, tuple, set, frozenset, bytes})
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1

Position = tuple[Any, Any, Any] | None  # (parent position, key, parent type name): a Path as a plain tuple
Completer = Callable[[Any, Position, Any], Any]  # (value, position, anchor) -> completed value
PlanFn = Callable[[Any, Position, dict[str, Any], Any], None]  # (source, position, result, anchor)


class _Anchor(NamedTuple):
    """The nearest nullable position above a value: where an error below it writes null."""

    container: Any  # the dict or list holding the position; None for the whole response
    slot: Any
    position: Position


_ROOT = _Anchor(None, None, None)


class _LazyInfo(Info):
    """Strawberry's `Info` that builds graphql-core's resolve info (and its path) only when a
    resolver reads more than its context: most read nothing else, thousands of times a request."""

    def __init__(self, run: _QueryRun, f: _Field, parent: GraphQLObjectType, position: tuple[Any, Any, Any],
                 field: Any, context: Any) -> None:
        self._run, self._f, self._parent, self._position = run, f, parent, position
        self._field = field
        self._context = context

    @cached_property
    def _raw_info(self) -> Any:  # type: ignore[override]
        return self._run._info(self._f, self._parent, self._position)

    @property
    def context(self) -> Any:
        return self._context


def _close(awaitable: Any) -> None:
    """Dispose of an awaitable this executor will not await."""
    close = getattr(awaitable, "close", None)
    if callable(close):
        close()


def _consume(task: asyncio.Future[Any]) -> None:
    """Retrieve a settled task's outcome, so an abandoned failure is not reported as unretrieved."""
    if not task.cancelled():
        task.exception()


def to_path(position: Position) -> Path | None:
    """graphql-core's `Path` of a position."""
    if position is None or isinstance(position, Path):
        return position
    return Path(to_path(position[0]), position[1], position[2])


def _path_list(position: Position) -> list[str | int]:
    path = to_path(position)
    return path.as_list() if path is not None else []


class FastExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, with queries run by `_QueryRun` (see the module docstring)."""

    def execute_operation(self, serially: bool | None = None) -> Any:
        if (self.operation.operation is not OperationType.QUERY or serially or self.abort_signal is not None
                or self.hooks is not None or not self.error_propagation or self.schema.query_type is None
                or self.schema.get_directive("defer") is not None or _resolves_types_asynchronously(self.schema)):
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
                 "non_null", "null_message", "object_type", "parent_name", "plan", "typename")

    key: str
    parent_name: str
    attr: str | None  # read this attribute of the source (a strawberry field without resolver)
    typename: str | None  # the answer of __typename
    call: Callable[[Any, Position], Any] | None  # resolver call: (source, parent position) -> value
    complete: Completer  # completes a value that is not null
    object_type: GraphQLObjectType | None  # set when the value is an object completed by `plan` inline
    plan: PlanFn | None  # that object's sub-selection, compiled on first use
    details: list[FieldDetails]
    non_null: bool
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
        self.plans: dict[tuple[GraphQLObjectType, int], tuple[Any, PlanFn]] = {}
        self.special_classes: dict[type, bool] = {}  # class -> its values are awaitable
        self.list_special_classes: dict[type, bool] = {}  # class -> awaitable or asynchronous iterable
        self.paths: dict[Position, Path] = {}
        self.tasks: dict[asyncio.Future[Any], Callable[[Any], None]] = {}  # awaited, with their resumes
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
        plan = self._compile(root_type, self._plan_fields(root_type, grouped))
        data: dict[str, Any] = {}
        with _collector_paused(self):
            try:
                plan(ex.root_value, None, data, _ROOT)
            except GraphQLError as error:
                self._null(_ROOT, error)
        if self.pending:
            return self._finish_later(data)
        return ex.finish(ex.build_response(None if self.root_nulled else data))

    async def _finish_later(self, data: dict[str, Any]) -> Any:
        """Await what the synchronous stretches left pending, completing each value as soon as it
        arrives (what it completes into may leave more pending), until nothing is left or the
        whole response is null."""
        tasks = self.tasks
        try:
            while True:
                for awaitable, resume in self.pending:
                    tasks[asyncio.ensure_future(awaitable)] = resume
                self.pending = []
                if not tasks or self.root_nulled:
                    break
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                with _collector_paused(self):
                    for task in done:
                        resume = tasks.pop(task)
                        if task.cancelled():
                            raise asyncio.CancelledError
                        error = task.exception()
                        if error is not None and not isinstance(error, Exception):
                            raise error  # not a field error
                        resume(error if error is not None else task.result())
        except BaseException:
            for task in tasks:
                task.cancel()
            raise
        for task in tasks:  # the response is null: what is still running settles on its own
            task.add_done_callback(_consume)
        return self.ex.build_response(None if self.root_nulled else data)

    def _field_error(self, f: _Field, raw: Exception, position: Position, result: dict[str, Any]) -> None:
        """A field failed: raise for a non-null field (its parent is nulled), else record and null it."""
        field_position = (position, f.key, f.parent_name)
        error = located_error(raw, f.nodes, _path_list(field_position))
        if f.non_null:
            raise error from None
        self.errors.add(error, to_path(field_position))
        result[f.key] = None

    def _defer_field(self, f: _Field, value: Any, position: Position, result: dict[str, Any],
                     anchor: _Anchor) -> None:
        result[f.key] = None  # keeps the response's key order until the value arrives
        self.pending.append((self._later(value), self._resume_field(f, position, result, anchor)))

    def _resume_field(self, f: _Field, position: Position, result: dict[str, Any], anchor: _Anchor
                      ) -> Callable[[Any], None]:
        def resume(value: Any) -> None:
            if self._nulled(position):
                return  # another error nulled a position above: graphql-core drops this too
            field_position = (position, f.key, f.parent_name)
            try:
                if isinstance(value, Exception):
                    raise value
                if value is None or value is Undefined:
                    if f.non_null:
                        raise TypeError(f.null_message)
                    result[f.key] = None
                    return
                child = anchor if f.non_null else _Anchor(result, f.key, field_position)
                result[f.key] = f.complete(value, field_position, child)
            except Exception as raw:
                error = located_error(raw, f.nodes, _path_list(field_position))
                if f.non_null:
                    self._null(anchor, error)
                else:
                    self.errors.add(error, to_path(field_position))
                    result[f.key] = None

        return resume

    def _abandon(self, awaitables: Iterator[Any]) -> None:
        """Settle awaitables this response no longer needs (the rest of a list an error cut short)
        in the background, as graphql-core does, so none is left never awaited."""
        for awaitable in awaitables:
            try:
                asyncio.ensure_future(awaitable).add_done_callback(_consume)
            except RuntimeError:  # no event loop runs: nothing could ever await it
                _close(awaitable)

    def _nulled(self, position: Position) -> bool:
        """Whether ``position`` or a position above it was nulled by an error."""
        return self.root_nulled or (position is not None and self.errors.has_nulled_position(to_path(position)))

    def _null(self, anchor: _Anchor, error: GraphQLError) -> None:
        """Null the nearest nullable position above an error that may not stop where it happened."""
        self.errors.add(error, to_path(anchor.position))
        if anchor.container is None:
            self.root_nulled = True
        else:
            anchor.container[anchor.slot] = None

    def _special(self, value: Any) -> bool:
        """Whether a value must be waited for: an awaitable."""
        cls = value.__class__
        known = self.special_classes.get(cls)
        if known is None:
            if cls is GeneratorType:  # generator-based coroutines are flagged per object
                return bool(self.is_awaitable(value))
            known = self.special_classes[cls] = bool(cls is CoroutineType or self.is_awaitable(value))
        return known

    def _special_list(self, value: Any) -> bool:
        """Whether a value in a list position must be waited for: an awaitable or an asynchronous
        iterable (whose items make the list)."""
        cls = value.__class__
        known = self.list_special_classes.get(cls)
        if known is None:
            if cls is GeneratorType:
                return bool(self.is_awaitable(value))
            known = self.list_special_classes[cls] = self._special(value) or bool(self.ex.is_async_iterable(value))
        return known

    def _later(self, value: Any) -> Awaitable[Any]:
        """An awaitable of the value: itself, or the items of an asynchronous iterable as a list."""
        if self.is_awaitable(value):
            return value

        async def items() -> list[Any]:
            return [item async for item in value]

        return items()

    # planning

    def _plan(self, object_type: GraphQLObjectType, details: list[FieldDetails]) -> PlanFn:
        key = (object_type, id(details))
        cached = self.plans.get(key)
        if cached is None:
            ex = self.ex
            grouped = collect_subfields(ex.schema, ex.fragments, ex.variable_values, ex.operation, object_type,
                                        details, ex.hide_suggestions).grouped_field_set
            plan = self._compile(object_type, self._plan_fields(object_type, grouped))
            cached = self.plans[key] = (details, plan)  # keeps `details` alive: the key holds its id
        return cached[1]

    def _plan_of(self, f: _Field) -> PlanFn:
        assert f.object_type is not None
        f.plan = self._plan(f.object_type, f.details)
        return f.plan

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
        f.attr = f.typename = None
        f.call = None
        f.args, f.args_error = None, None
        f.details, f.plan, f.object_type = details, None, None
        f.complete = self._completer(named, details, parent, name, f)
        if isinstance(named, GraphQLObjectType) and named.is_type_of is None:
            f.object_type = named
        if name == "__typename" and self.middleware is None:  # middleware sees every field resolved
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

    def _info(self, f: _Field, parent: GraphQLObjectType, position: tuple[Any, Any, Any]) -> Any:
        """graphql-core's resolve info for ``f`` at ``position`` (strawberry's variant, via its executor)."""
        path = Path(self._parent_path(position[0]), position[1], position[2])
        return self.ex.build_resolve_info(f.field_def, f.nodes, parent, path)

    def _parent_path(self, position: Position) -> Path | None:
        """`to_path`, remembered: the siblings of one object share their parent's path."""
        if position is None:
            return None
        path = self.paths.get(position)
        if path is None:
            path = self.paths[position] = Path(self._parent_path(position[0]), position[1], position[2])
        return path

    def _generic_call(self, f: _Field, parent: GraphQLObjectType, details: list[FieldDetails]
                      ) -> Callable[[Any, Position], Any]:
        """Call the field's resolver (or the default one) as graphql-core does."""
        resolve = f.field_def.resolve or self.ex.field_resolver
        if self.middleware is not None:
            resolve = self.middleware.get_field_resolver(resolve)

        def call(source: Any, position: Position) -> Any:
            if f.args_error is not None:
                raise f.args_error
            args = f.args if f.args is not None else self._argument_values(f, details)
            return resolve(source, self._info(f, parent, (position, f.key, parent.name)), **args)

        return call

    def _strawberry_call(self, f: _Field, parent: GraphQLObjectType, details: list[FieldDetails], field: Any
                         ) -> Callable[[Any, Position], Any]:
        """Call a strawberry resolver directly: what strawberry's wrapper does, without its per-call work."""
        schema = self.strawberry
        assert schema is not None
        resolver = field.base_resolver
        func = resolver.wrapped_func if callable(resolver.wrapped_func) else resolver
        info_class = schema.config.info_class
        info_name = resolver.info_parameter.name if resolver.info_parameter else None
        passes_self = resolver.self_parameter is not None
        source_names = [p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p is not None]
        static = self._static_arguments(f, field)  # the same converted arguments for every call

        if static is not None and info_name is None and not source_names:
            if passes_self:
                return lambda source, position: func(source, **static)
            return lambda source, position: func(**static)
        if static is not None and info_name is not None and not source_names and info_class is Info:
            context = self.ex.context_value

            def call_with_info(source: Any, position: Position) -> Any:
                info = _LazyInfo(self, f, parent, (position, f.key, parent.name), field, context)
                return func(source, **static, **{info_name: info}) if passes_self else func(
                    **static, **{info_name: info})

            return call_with_info

        def call(source: Any, position: Position) -> Any:
            info = None
            if info_name is not None or static is None:
                info = info_class(_raw_info=self._info(f, parent, (position, f.key, parent.name)), _field=field)
            if static is not None:
                kwargs = dict(static)
            else:
                if f.args_error is not None:
                    raise f.args_error
                raw = f.args if f.args is not None else self._argument_values(f, details)
                kwargs = convert_arguments(raw, field.arguments, config=schema.config, info=info,
                                           scalar_registry=schema.schema_converter.scalar_registry)
            for name in source_names:
                kwargs[name] = source
            if info_name is not None:
                kwargs[info_name] = info
            return func(source, **kwargs) if passes_self else func(**kwargs)

        return call

    def _static_arguments(self, f: _Field, field: Any) -> dict[str, Any] | None:
        """A field's converted arguments when they are the same immutable values for every call:
        coerced once (no variables left to read per call), no input objects (those are built
        per call, possibly from the resolve info), every value immutable."""
        if not field.arguments:
            return {}
        if f.args is None or f.args_error is not None or any(
                isinstance(get_named_type(arg.type), GraphQLInputObjectType) for arg in f.field_def.args.values()):
            return None
        schema = self.strawberry
        assert schema is not None
        try:
            converted = convert_arguments(f.args, field.arguments, config=schema.config, info=None,
                                          scalar_registry=schema.schema_converter.scalar_registry)
        except Exception:  # reported per call, at the field's position, like any resolver error
            return None
        return converted if all(isinstance(v, _IMMUTABLE) for v in converted.values()) else None

    # compiling

    def _compile(self, parent: GraphQLObjectType, fields: list[_Field]) -> PlanFn:
        """A function resolving and completing ``fields`` of a source into a result dict.

        Each field is one straight block: resolve (attribute, resolver call or constant), check
        for null and for a value to wait for, complete (a pass-through scalar, an object's compiled
        plan, or the field's completer). Errors go to `_field_error`, which raises for non-null
        fields, so null propagation is Python's own exception unwinding.
        """
        namespace: dict[str, Any] = {
            "UNDEFINED": Undefined, "PLAIN": _PLAIN, "SPECIAL_CLASSES": self.special_classes,
            "SPECIAL": self._special, "LIST_SPECIAL_CLASSES": self.list_special_classes,
            "LIST_SPECIAL": self._special_list, "DEFER": self._defer_field, "FIELD_ERROR": self._field_error,
            "ANCHOR": _Anchor, "ISFINITE": math.isfinite, "INT_MIN": _INT_MIN, "INT_MAX": _INT_MAX,
            "PLAN_OF": self._plan_of,
        }
        lines = ["def plan(source, position, result, anchor):"]
        for i, f in enumerate(fields):
            namespace[f"F{i}"] = f
            lines += [f"    {line}" for line in self._field_block(f, i, parent, namespace)]
        if not fields:
            lines.append("    return None")
        exec(compile("\n".join(lines), f"<assetgraph plan of {parent.name}>", "exec"), namespace)
        plan: PlanFn = namespace["plan"]
        return plan

    def _field_block(self, f: _Field, i: int, parent: GraphQLObjectType, namespace: dict[str, Any]) -> list[str]:
        key = repr(f.key)
        if f.typename is not None:
            return [f"result[{key}] = {f.typename!r}"]
        if f.attr is not None and f.attr.isidentifier() and not keyword.iskeyword(f.attr):
            resolve = f"value = source.{f.attr}"
        elif f.attr is not None:
            resolve = f"value = getattr(source, F{i}.attr)"
        else:
            namespace[f"C{i}"] = f.call
            resolve = f"value = C{i}(source, position)"
        on_null = f"raise TypeError(F{i}.null_message)" if f.non_null else f"result[{key}] = None"
        return_type = f.field_def.type
        named = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
        prefix = "LIST_" if isinstance(named, GraphQLList) else ""  # only list positions take async iterables
        body = [
            "try:",
            f"    {resolve}",
            "    if value is None or value is UNDEFINED:",
            f"        {on_null}",
            "    else:",
            "        cls = value.__class__",
            "        if cls in PLAIN:",
            "            special = False",
            "        else:",
            f"            special = {prefix}SPECIAL_CLASSES.get(cls)",
            "            if special is None:",
            f"                special = {prefix}SPECIAL(value)",
            "        if special:",
            f"            DEFER(F{i}, value, position, result, anchor)",
            "        else:",
        ]
        body += [f"            {line}" for line in self._completion(f, i, key, parent)]
        body += ["except Exception as raw:", f"    FIELD_ERROR(F{i}, raw, position, result)"]
        return body

    def _completion(self, f: _Field, i: int, key: str, parent: GraphQLObjectType) -> list[str]:
        return_type = f.field_def.type
        named = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
        fast = _PASS_THROUGH_TEST.get(named)
        if fast is not None:
            return [f"result[{key}] = value if {fast} else F{i}.complete(value, None, None)"]
        if is_leaf_type(named):
            return [f"result[{key}] = F{i}.complete(value, None, None)"]
        item_type = named.of_type if isinstance(named, GraphQLList) else None
        item_named = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        passes = _PASS_THROUGH.get(item_named)
        if passes is not None:  # a list of strings or booleans: copied when every item already is one
            return [
                "if cls is list:",
                "    for item in value:",
                f"        if item.__class__ is not {passes.__name__}:",
                "            break",
                "    else:",
                f"        result[{key}] = value[:]",
                "        cls = None",
                "if cls is not None:",
                f"    here = (position, {key}, {parent.name!r})",
                f"    result[{key}] = F{i}.complete(value, here, {'anchor' if f.non_null else f'ANCHOR(result, {key}, here)'})",
            ]
        child = "anchor" if f.non_null else f"ANCHOR(result, {key}, here)"
        here = f"here = (position, {key}, {parent.name!r})"
        if f.object_type is not None:
            return [
                here,
                "if isinstance(value, Exception):",
                "    raise value",
                "sub = {}",
                f"result[{key}] = sub",
                f"(F{i}.plan or PLAN_OF(F{i}))(value, here, sub, {child})",
            ]
        return [here, f"result[{key}] = F{i}.complete(value, here, {child})"]

    # completing what the compiled block leaves to a completer

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
        plan: PlanFn | None = None

        def complete(value: Any, position: Position, anchor: _Anchor) -> dict[str, Any]:
            nonlocal plan
            if isinstance(value, Exception):
                raise value
            if t.is_type_of is not None and not self._is_type_of(t, value, f, parent, position):
                raise GraphQLError(f"Expected value of type '{t.name}' but got: {_inspect(value)}.", f.nodes)
            if plan is None:
                plan = self._plan(t, details)
            result: dict[str, Any] = {}
            plan(value, position, result, anchor)
            return result

        return complete

    def _is_type_of(self, t: GraphQLObjectType, value: Any, f: _Field, parent: GraphQLObjectType,
                    position: Position) -> bool:
        assert t.is_type_of is not None
        verdict = t.is_type_of(value, self._info(f, parent, _field_position(position)))
        if self.is_awaitable(verdict):
            _close(verdict)
            raise GraphQLError(f"`is_type_of` of {t.name} returned an awaitable from a plain function, which this "
                               "executor does not support.", f.nodes)
        return bool(verdict)

    def _abstract_completer(self, t: GraphQLAbstractType, details: list[FieldDetails], parent: GraphQLObjectType,
                            f: _Field) -> Completer:
        ex = self.ex
        resolve_type = t.resolve_type or ex.type_resolver
        by_type: dict[str, Completer] = {}

        def complete(value: Any, position: Position, anchor: _Anchor) -> dict[str, Any]:
            if isinstance(value, Exception):
                raise value
            info = self._info(f, parent, _field_position(position))
            runtime = resolve_type(value, info, t)
            if self.is_awaitable(runtime):
                _close(runtime)
                raise GraphQLError(f"`resolve_type` of {t.name} returned an awaitable from a plain function, which "
                                   "this executor does not support.", f.nodes)
            object_type = ex.ensure_valid_runtime_type(runtime, t, details, info, value)
            completer = by_type.get(object_type.name)
            if completer is None:
                completer = by_type[object_type.name] = self._object_completer(object_type, details, parent, f)
            return completer(value, position, anchor)

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
        plan: PlanFn | None = None
        null_message = f.null_message
        nodes = f.nodes
        errors = self.errors
        nested = isinstance(named, GraphQLList)  # items that are lists may be asynchronous iterables
        special_classes = self.list_special_classes if nested else self.special_classes
        special_of = self._special_list if nested else self._special
        not_iterable = f"Expected Iterable, but did not find one for field '{parent.name}.{name}'."

        def complete(value: Any, position: Position, anchor: _Anchor) -> list[Any]:
            nonlocal plan
            cls = value.__class__
            if cls is not list and cls is not tuple:
                if isinstance(value, Exception):
                    raise value
                if not is_iterable(value):
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
            items = iter(value)
            for index, item in enumerate(items):
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
                            special = special_of(item)
                        if special:
                            item_anchor = anchor if item_non_null else _Anchor(out, index, (position, index, None))
                            append(None)
                            self.pending.append((self._later(item), self._resume_item(
                                inner, out, index, position, item_anchor, item_non_null, null_message, nodes)))
                            continue
                    if leaf:
                        append(inner(item, position, anchor))
                        continue
                    here = (position, index, None)
                    item_anchor = anchor if item_non_null else _Anchor(out, index, here)
                    if plan is not None:
                        if isinstance(item, Exception):
                            raise item
                        sub: dict[str, Any] = {}
                        append(sub)
                        plan(item, here, sub, item_anchor)
                    else:
                        append(inner(item, here, item_anchor))
                except Exception as raw:
                    here = (position, index, None)
                    error = located_error(raw, nodes, _path_list(here))
                    if item_non_null:
                        self._abandon(item for item in items if item.__class__ not in _PLAIN and self._special(item))
                        raise error from None
                    errors.add(error, to_path(here))
                    if len(out) > index:
                        out[index] = None
                    else:
                        append(None)
            return out

        return complete

    def _resume_item(self, inner: Completer, out: list[Any], index: int, position: Position, anchor: _Anchor,
                     non_null: bool, null_message: str, nodes: list[Any]) -> Callable[[Any], None]:
        def resume(value: Any) -> None:
            if self._nulled(position):
                return
            here = (position, index, None)
            try:
                if isinstance(value, Exception):
                    raise value
                if value is None or value is Undefined:
                    if non_null:
                        raise TypeError(null_message)
                    out[index] = None
                    return
                out[index] = inner(value, here, anchor if non_null else _Anchor(out, index, here))
            except Exception as raw:
                error = located_error(raw, nodes, _path_list(here))
                if non_null:
                    self._null(anchor, error)
                else:
                    self.errors.add(error, to_path(here))
                    out[index] = None

        return resume


MAX_PAUSE_SECONDS = 2.0  # overlapping requests never keep the collector off longer without one collection


class CollectorPause:
    """A counted pause of the cyclic garbage collector, which is one per process.

    A response is hundreds of thousands of new dicts and lists and no cycles (reference counting
    frees them). With the collector running, its collections walk the growing response again and
    again and cost more than the execution itself (~2x on the lineage of 10,000 assets); once it
    runs again while the response is still alive, it walks it once more. So the executor pauses it
    while it builds a response, and a `response_hold` keeps it paused until that response has been
    encoded and freed. Pauses of overlapping requests nest; when they have kept the collector off
    for more than `MAX_PAUSE_SECONDS`, the next pause to begin runs one full collection first, so
    cycles made meanwhile by other code are found (one long request alone keeps it off for as long
    as it lasts). (Moving the young objects to the oldest generation unexamined is no substitute:
    cycles made by other code then wait for a full collection that may never come, and the
    server's memory grew by 1 MiB a second under the soak test.)
    """

    def __init__(self) -> None:
        import threading

        self._lock = threading.Lock()
        self._depth = 0
        self._ours = False  # whether this pause turned the collector off (and so turns it back on)
        self._since = 0.0

    def acquire(self) -> None:
        import time

        with self._lock:
            if self._depth == 0:
                self._ours = gc.isenabled()
                if self._ours:
                    gc.disable()
                self._since = time.monotonic()
            elif self._ours and time.monotonic() - self._since > MAX_PAUSE_SECONDS:
                gc.collect()
                self._since = time.monotonic()
            self._depth += 1

    def release(self) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._ours:
                self._ours = False
                gc.enable()

    def process_wants_collection(self) -> bool:
        """Whether the collector is on, or off only because of these pauses (not turned off by the
        process itself)."""
        with self._lock:
            return gc.isenabled() or self._ours


COLLECTOR = CollectorPause()


class _ResponseHold:
    """A request's claim on the collector's pause, from its response's last stretch of building
    to the end of the request."""

    def __init__(self) -> None:
        self.held = False
        self.closed = False  # the request ended: tasks it started (copying its context) hold nothing

    def hold(self) -> None:
        if not self.held and not self.closed:
            COLLECTOR.acquire()
            self.held = True

    def release(self) -> None:
        self.closed = True
        if self.held:
            self.held = False
            COLLECTOR.release()


_RESPONSE_HOLD: ContextVar[_ResponseHold | None] = ContextVar("assetgraph_response_hold", default=None)


@contextmanager
def response_hold() -> Iterator[None]:
    """Around one HTTP request: the collector stays paused from the moment the executor finishes
    building the response until the request is done (its body encoded, the response freed)."""
    hold = _ResponseHold()
    token = _RESPONSE_HOLD.set(hold)
    try:
        yield
    finally:
        _RESPONSE_HOLD.reset(token)
        hold.release()


@contextmanager
def _collector_paused(run: _QueryRun) -> Iterator[None]:
    """Pause the collector for one synchronous stretch of building a response; after the last
    stretch, the request's `response_hold` (if any) keeps it paused."""
    COLLECTOR.acquire()
    try:
        yield
    finally:
        if not run.pending and not run.tasks:
            hold = _RESPONSE_HOLD.get()
            if hold is not None:
                hold.hold()
        COLLECTOR.release()


def _field_position(position: Position) -> tuple[Any, Any, Any]:
    """The position of the field that holds a position (list items sit below their field)."""
    assert position is not None
    while isinstance(position[1], int) and position[0] is not None:
        position = position[0]
    return position


# Built-in scalars whose output is the value itself when it already has this class...
_PASS_THROUGH: dict[Any, type] = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}
# ... and the test, in compiled code, that a value needs no coercion.
_PASS_THROUGH_TEST: dict[Any, str] = {
    GraphQLString: "cls is str", GraphQLID: "cls is str", GraphQLBoolean: "cls is bool",
    GraphQLInt: "cls is int and INT_MIN <= value <= INT_MAX", GraphQLFloat: "cls is float and ISFINITE(value)",
}


def _leaf_completer(t: Any) -> Completer:
    """Built-in scalars pass values already of their output type straight through."""
    coerce = t.coerce_output_value
    if t is GraphQLString or t is GraphQLID:
        def complete_str(value: Any, position: Position, anchor: _Anchor) -> Any:
            return value if value.__class__ is str else _coerce_leaf(t, coerce, value)

        return complete_str
    if t is GraphQLInt:
        def complete_int(value: Any, position: Position, anchor: _Anchor) -> Any:
            if value.__class__ is int and _INT_MIN <= value <= _INT_MAX:
                return value
            return _coerce_leaf(t, coerce, value)

        return complete_int
    if t is GraphQLFloat:
        def complete_float(value: Any, position: Position, anchor: _Anchor) -> Any:
            if value.__class__ is float and math.isfinite(value):
                return value
            return _coerce_leaf(t, coerce, value)

        return complete_float
    if t is GraphQLBoolean:
        def complete_bool(value: Any, position: Position, anchor: _Anchor) -> Any:
            return value if value.__class__ is bool else _coerce_leaf(t, coerce, value)

        return complete_bool

    def complete_leaf(value: Any, position: Position, anchor: _Anchor) -> Any:
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
