"""The GraphQL schema: one module per domain noun, merged here into `Query`, `Mutation` and
`Subscription`.

`build_schema(dev=...)` returns a strawberry schema; `print_schema()` its SDL (the contract the
UI builds on, checked in as ``ui/src/graphql/schema.graphql``).
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from assetgraph.server.fast_executor import FastExecutor
from assetgraph.server.schema.assets import AssetMutations, AssetQueries
from assetgraph.server.schema.automation import AutomationMutations, AutomationQueries
from assetgraph.server.schema.backfills import BackfillMutations, BackfillQueries
from assetgraph.server.schema.lineage import ARRAY_SCALARS, LineageQueries
from assetgraph.server.schema.locations import LocationMutations, LocationQueries
from assetgraph.server.schema.logs import LogQueries
from assetgraph.server.schema.partitions import PartitionMutations, PartitionQueries
from assetgraph.server.schema.runs import RunMutations, RunQueries, RunSubscriptions
from assetgraph.server.security import is_client_error, log, schema_extensions

Query = merge_types("Query", (AssetQueries, LineageQueries, PartitionQueries, RunQueries, LogQueries, BackfillQueries,
                              AutomationQueries, LocationQueries))
Mutation = merge_types("Mutation", (RunMutations, BackfillMutations, AssetMutations, PartitionMutations,
                                    AutomationMutations, LocationMutations))
Subscription = merge_types("Subscription", (RunSubscriptions,))


class _Schema(strawberry.Schema):
    """Client errors are answered, not logged with tracebacks; unexpected ones are logged (outside
    dev, by the masking extension, with the id it shows the client)."""

    def __init__(self, *, dev: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._dev = dev

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        for error in errors:
            if is_client_error(error):
                log.debug("GraphQL client error: %s", error.message)
            elif self._dev:
                log.error("GraphQL error at %s", error.path, exc_info=error.original_error)


def build_schema(*, dev: bool = False) -> strawberry.Schema:
    """The schema with query limits; outside ``dev``, unexpected errors are masked."""
    extensions: list[Any] = schema_extensions(dev)
    return _Schema(dev=dev, query=Query, mutation=Mutation, subscription=Subscription, extensions=extensions,
                   config=StrawberryConfig(scalar_map=ARRAY_SCALARS), execution_context_class=FastExecutor)


def print_schema() -> str:
    """The schema's SDL, as checked in for the UI."""
    return build_schema().as_str() + "\n"
