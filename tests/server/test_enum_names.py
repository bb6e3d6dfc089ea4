"""One name per status and event type in storage, GraphQL and the UI: the GraphQL enums list
exactly the members of the Python enums they mirror."""

from __future__ import annotations

import enum

import pytest

from assetgraph.definitions.events import EventType, RunStatus
from assetgraph.execution.backfill import BackfillStatus
from assetgraph.server.schema.backfills import BackfillStatus as GraphQLBackfillStatus
from assetgraph.server.schema.runs import EventTypeEnum, RunStatusEnum


@pytest.mark.parametrize(("python_enum", "graphql_enum"), [
    (EventType, EventTypeEnum), (RunStatus, RunStatusEnum), (BackfillStatus, GraphQLBackfillStatus),
], ids=["EventType", "RunStatus", "BackfillStatus"])
def test_graphql_enum_has_the_python_enums_members(python_enum: type[enum.Enum], graphql_enum: type[enum.Enum]) -> None:
    assert [(m.name, m.value) for m in graphql_enum] == [(m.name, m.value) for m in python_enum]
