"""Small SQL building blocks shared by the storage modules: dialect-aware upserts and chunking.

Imports SQLAlchemy; must not import anything above `storage`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

T = TypeVar("T")

# Well under SQLite's and PostgreSQL's bound-parameter limits.
CHUNK_SIZE = 500


def insert_for(dialect: str, table: sa.Table) -> Any:
    """An INSERT supporting ``on_conflict_do_update`` / ``on_conflict_do_nothing`` on ``dialect``."""
    return (sqlite.insert if dialect == "sqlite" else postgresql.insert)(table)


def upsert(dialect: str, table: sa.Table, index_elements: Sequence[str], update: Sequence[str]) -> Any:
    """INSERT ... ON CONFLICT (index_elements) DO UPDATE SET the ``update`` columns from the new row."""
    stmt = insert_for(dialect, table)
    return stmt.on_conflict_do_update(
        index_elements=list(index_elements), set_={c: stmt.excluded[c] for c in update}
    )


def insert_ignore(dialect: str, table: sa.Table, index_elements: Sequence[str]) -> Any:
    return insert_for(dialect, table).on_conflict_do_nothing(index_elements=list(index_elements))


def chunks(items: Sequence[T], size: int = CHUNK_SIZE) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
