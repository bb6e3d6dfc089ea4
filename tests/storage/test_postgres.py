"""The storage contract on a real PostgreSQL server (a fresh database per test session)."""

from __future__ import annotations

import pytest

from .contract import StorageContract

pytestmark = pytest.mark.postgres


class TestPostgresStorage(StorageContract):
    supports_processes = True
    writer_processes = 8

    @pytest.fixture
    def url(self, clean_postgres_url: str) -> str:
        return clean_postgres_url
