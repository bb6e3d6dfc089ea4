"""Fixtures for the Dask executor tests: real `dask.distributed` clusters (a scheduler in this
process, workers in their own processes) and a throwaway PostgreSQL database per session."""

from __future__ import annotations

import importlib
import multiprocessing
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

PG_HOST = os.environ.get("ASSETGRAPH_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("ASSETGRAPH_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("ASSETGRAPH_TEST_PG_USER", "postgres")
PG_ADMIN_DB = os.environ.get("ASSETGRAPH_TEST_PG_DB", "test")


WARM_MODULES = ("tests.execution.test_dask_executor", "assetgraph.storage.instance", "assetgraph.storage.migrate",
                "sqlalchemy", "alembic", "psycopg")


def _local_cluster(n_workers: int) -> Any:
    import dask
    from distributed import Client, LocalCluster

    from assetgraph.execution.dask_executor import SCHEDULER_CONFIG

    # Workers fork from a server that imported the test code location and storage once: spawning
    # eight fresh interpreters that each import them takes half a minute on a two-core machine.
    multiprocessing.get_context("forkserver").set_forkserver_preload(list(WARM_MODULES))
    with dask.config.set({**SCHEDULER_CONFIG, "distributed.worker.multiprocessing-method": "forkserver"}):
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=":0")
    with Client(cluster, set_as_default=False) as client:  # and if the preload missed one, import it now
        for module in WARM_MODULES:
            client.run(importlib.import_module, module)
    return cluster


@pytest.fixture(scope="session")
def dask_address() -> Iterator[str]:
    """A scheduler and two single-threaded worker processes, shared by the session."""
    cluster = _local_cluster(2)
    try:
        yield str(cluster.scheduler_address)
    finally:
        cluster.close()


@pytest.fixture(scope="session")
def dask_address_8() -> Iterator[str]:
    """Eight worker processes, for the concurrency test."""
    cluster = _local_cluster(8)
    try:
        yield str(cluster.scheduler_address)
    finally:
        cluster.close()


def _admin_connection() -> Any:
    import psycopg

    return psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=PG_ADMIN_DB, autocommit=True,
                           connect_timeout=3)


@pytest.fixture(scope="session")
def dask_postgres_url() -> Iterator[str]:
    """A fresh database ``assetgraph_test_<random>`` for this session, dropped at the end."""
    try:
        admin = _admin_connection()
    except Exception as exc:
        pytest.skip(f"PostgreSQL at {PG_HOST}:{PG_PORT} is not reachable ({exc}); start it with "
                    f"`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`.")
    name = f"assetgraph_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with _admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
