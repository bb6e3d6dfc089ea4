"""pytest plugin that scripts/test loads when no PostgreSQL server answers.

Tests marked ``postgres`` are skipped with the reason from ``ASSETGRAPH_NO_POSTGRES_REASON``
instead of failing in their fixtures.
"""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = os.environ.get("ASSETGRAPH_NO_POSTGRES_REASON", "no PostgreSQL server is reachable")
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if item.get_closest_marker("postgres") is not None:
            item.add_marker(skip)
