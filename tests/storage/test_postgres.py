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




def test_forked_child_uses_its_own_connections(clean_postgres_url: str) -> None:
    """The multi-process executor forks: a child that writes through the parent's instance gets
    a connection of its own, and the parent's pooled connection keeps working."""
    import os

    from assetgraph.definitions.events import EventType
    from assetgraph.storage import Instance

    from .contract import ORDERS, ev

    def backend_pid(instance: Instance) -> int:
        with instance._engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())

    with Instance.from_url(clean_postgres_url) as instance:
        parent_backend = backend_pid(instance)
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                instance.store_events([ev(EventType.ASSET_MATERIALIZATION, ORDERS, run_id="child")])
                os.write(write_end, str(backend_pid(instance)).encode())
                instance.dispose()
            except BaseException:
                code = 1
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert int(os.read(read_end, 64)) != parent_backend
        os.close(read_end)
        os.close(write_end)
        assert backend_pid(instance) == parent_backend
        instance.store_events([ev(EventType.ASSET_MATERIALIZATION, ORDERS)])
        assert [r.run_id for r in instance.get_event_records(asset_key=ORDERS)] == ["child", "r1"]
