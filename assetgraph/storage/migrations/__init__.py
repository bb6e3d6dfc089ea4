"""Alembic migration scripts for the storage schema, run programmatically by `storage.migrate`.

Each script under `versions/` is a frozen snapshot: it must not import `storage.schema`.
"""
