"""On PostgreSQL, event ids come from a sequence when a row is inserted, not when it commits. A
reader that follows one run's events by id cursor (`runEvents(after:)`, the server's event stream)
must still never skip one: a run's events commit in the order of their ids.

The test holds one writer process's transaction open after its insert (a test trigger waits for a
release row), lets a second writer process of the same run try to commit meanwhile, and reads the
run by cursor the whole time, as the stream does.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import pytest

from assetgraph.definitions.events import Event, EventType, Run, RunStatus
from assetgraph.storage.instance import Instance

pytestmark = pytest.mark.postgres

HELD_STEP = "held-by-test-trigger"
WRITER = """
import sys, time
from assetgraph.definitions.events import Event, EventType
from assetgraph.storage.instance import Instance
url, run_id, step = sys.argv[1:4]
with Instance.from_url(url) as instance:
    instance.store_events([Event(event_type=EventType.LOG_MESSAGE, run_id=run_id, timestamp=time.time(),
                                 step_key=step, message=step)])
"""
HOLD_TRIGGER = f"""
CREATE TABLE test_release (released boolean);
CREATE FUNCTION test_hold_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Each check takes a new snapshot (READ COMMITTED), so the test's release row ends the wait.
    WHILE NOT EXISTS (SELECT 1 FROM test_release) LOOP
        PERFORM pg_sleep(0.01);
    END LOOP;
    RETURN NEW;
END $$;
CREATE TRIGGER test_hold_event AFTER INSERT ON event_log FOR EACH ROW
    WHEN (NEW.step_key = '{HELD_STEP}') EXECUTE FUNCTION test_hold_event();
"""
DROP_TRIGGER = """
DROP TRIGGER IF EXISTS test_hold_event ON event_log;
DROP FUNCTION IF EXISTS test_hold_event();
DROP TABLE IF EXISTS test_release;
"""


@pytest.fixture
def instance(clean_postgres_url: str) -> Iterator[Instance]:
    with Instance.from_url(clean_postgres_url) as inst:
        with inst._engine.begin() as conn:
            conn.exec_driver_sql(HOLD_TRIGGER)
        try:
            yield inst
        finally:
            with inst._engine.begin() as conn:
                conn.exec_driver_sql(DROP_TRIGGER)


def writer(url: str, run_id: str, step: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", WRITER, url, run_id, step], stderr=subprocess.PIPE)


def backends_waiting(instance: Instance, wait_event_type: str) -> int:
    """Connections of this database that wait on ``wait_event_type`` (``Timeout`` for pg_sleep, ``Lock``)."""
    with instance._engine.connect() as conn:
        return int(conn.exec_driver_sql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = %s",
            (wait_event_type,)).scalar_one())


def wait_until(condition: object, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class CursorReader:
    """Reads a run's events after its cursor, the way `runEvents(after:)` and the SSE stream do."""

    def __init__(self, instance: Instance, run_id: str) -> None:
        self.instance, self.run_id = instance, run_id
        self.after: int | None = None
        self.seen: list[int] = []

    def poll(self) -> None:
        for record in self.instance.get_event_records(run_id=self.run_id, after_id=self.after):
            self.seen.append(record.id)
            self.after = record.id


def test_a_run_read_by_cursor_never_skips_an_event_committed_late(instance: Instance) -> None:
    run_id = str(uuid.uuid4())
    instance.create_run(Run(run_id=run_id, status=RunStatus.STARTED))
    instance.store_events([Event(event_type=EventType.RUN_START, run_id=run_id, timestamp=time.time())])
    reader = CursorReader(instance, run_id)
    reader.poll()

    held = writer(instance.url, run_id, HELD_STEP)  # inserts, then waits inside its transaction
    wait_until(lambda: backends_waiting(instance, "Timeout") == 1, "the held writer to insert its event")
    quick = writer(instance.url, run_id, "quick")
    # The quick writer either commits (ids would then commit out of order) or waits for the held one.
    wait_until(lambda: quick.poll() is not None or backends_waiting(instance, "Lock") == 1,
               "the second writer to commit or to wait")
    reader.poll()

    with instance._engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO test_release VALUES (true)")
    for process in (held, quick):
        _, stderr = process.communicate(timeout=30)
        assert process.returncode == 0, stderr.decode()
    reader.poll()

    stored = [r.id for r in instance.get_event_records(run_id=run_id)]
    assert len(stored) == 3
    assert reader.seen == stored, "the reader skipped an event that committed after a higher id"
