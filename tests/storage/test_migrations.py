"""The migration chain: one head, and the migrated schema equals `storage.schema` on every backend."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from assetgraph.storage import Instance
from assetgraph.storage.migrate import script_head
from assetgraph.storage.schema import HEAD_REVISION, metadata


def test_head_revision_constant_matches_scripts() -> None:
    assert script_head() == HEAD_REVISION


def _schema_diff(url: str) -> list[object]:
    with Instance.from_url(url) as instance, instance._engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), metadata))


def test_migrated_sqlite_schema_equals_metadata(tmp_path: object) -> None:
    assert _schema_diff(f"sqlite:///{tmp_path}/fresh.db") == []


@pytest.mark.postgres
def test_migrated_postgres_schema_equals_metadata(postgres_url: str) -> None:
    assert _schema_diff(postgres_url) == []
