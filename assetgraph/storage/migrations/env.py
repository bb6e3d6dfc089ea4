"""Alembic environment: runs migrations on the connection that `storage.migrate` hands in.

Must not import anything from assetgraph: migrations are frozen history.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
