"""A full disk under the SQLite file, during a daemon-driven backfill.

``$ASSETGRAPH_HOME`` (the database, its WAL, stored values and run logs) lives on a small tmpfs
mounted for the test. While a run holds a step, a filler file takes every free byte (or all but a
few kilobytes, as the seed says); then the step goes on and the disk stays full for a few seconds.
Nothing can be recorded meanwhile (the run's failure included); the daemon and the server must stay
up. Once the filler is gone, the run must end FAILURE with an error that names the full disk, the
database must pass ``PRAGMA integrity_check`` with everything committed before still there, and
resuming the backfill must complete it.
"""

from __future__ import annotations

import errno
import os
import random
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from assetgraph import AssetKey, EventType, RunStatus
from tests.reliability.faults import (
    Committed,
    Deployment,
    check_backfill,
    committed,
    days,
    iter_outcomes,
    monitoring_yaml,
    seeds,
    wait_for,
)
from tests.reliability.outcomes import Campaign, scale

KEYS = [AssetKey("day_events"), AssetKey("day_summary")]
DISK_MB = 32
FULL_WORDS = ("No space left on device", "disk is full")


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A tmpfs of `DISK_MB` megabytes, unmounted at the end whatever happened."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    folder = Path(tempfile.mkdtemp(prefix="assetgraph-full-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m,mode=0755", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        folder.rmdir()
        pytest.skip(f"mount -t tmpfs is not permitted here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        for _ in range(50):  # processes of the test may still be closing files on it
            if subprocess.run(["umount", str(folder)], capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        else:
            subprocess.run(["umount", "-l", str(folder)], check=True)
        folder.rmdir()


def fill(folder: Path, leave: int) -> Path:
    """Take every free byte of the file system under ``folder`` but ``leave``; return the filler file."""
    filler = folder / "filler"
    chunk = b"\0" * (1 << 20)
    with open(filler, "wb", buffering=0) as out:
        while True:
            free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
            if free <= leave:
                break
            try:
                out.write(chunk[:max(1, min(len(chunk), free - leave))])
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                break
    return filler


def failure_text(dep: Deployment, run_id: str) -> str:
    """Everything the run's failure says: its RUN_FAILURE and STEP_FAILURE messages and errors."""
    parts = []
    for r in dep.instance.get_event_records(run_id=run_id):
        if r.event_type in (EventType.RUN_FAILURE, EventType.STEP_FAILURE):
            parts.append(r.message)
            if r.error is not None:
                parts.append(f"{r.error.cls_name}: {r.error.message}")
    return "\n".join(parts)


def one_seed(disk: Path, folder: Path, seed: int) -> list[str]:
    rng = random.Random(seed)
    wanted = days(f"2024-{rng.randint(1, 9):02d}-{rng.randint(10, 19)}", 3)
    home = disk / f"home-{seed}"
    folder.mkdir(parents=True)
    block = folder / "block"
    block.write_text("hold")
    dep = Deployment(folder, home=home, env={"FAULTS_STEP_SECONDS": "0.05", "FAULTS_BLOCK_FILE": str(block)},
                     config=monitoring_yaml(heartbeat_timeout=30.0))  # the outage is shorter than this
    problems: list[str] = []
    filler: Path | None = None
    try:
        dep.start_daemon()
        dep.start_server()
        first = dep.launch_backfill("key:day_events or key:day_summary", wanted[0], wanted[-1])
        run_id, _ = wait_for(dep.running_worker, timeout=60, what="the first run holds its step")
        before: Committed = committed(dep.instance, KEYS)
        filler = fill(disk, leave=rng.choice([0, 4096, 64 * 1024]))
        block.unlink()
        time.sleep(rng.uniform(1.0, 4.0))  # how long the disk stays full is the seed's choice
        for name, process in (("daemon", dep.daemon), ("server", dep.server)):
            if process is None or process.poll() is not None:
                problems.append(f"the {name} did not stay up on the full disk")
        if dep.health() is None:
            problems.append("the server stopped answering on the full disk")
        filler.unlink()
        filler = None

        def run_finished() -> bool:
            run = dep.instance.get_run(run_id)
            return run is not None and run.status.is_finished

        wait_for(run_finished, timeout=60, interval=0.2, what="the run ends once space is free")
        said = failure_text(dep, run_id)
        if dep.instance.get_run(run_id).status != RunStatus.FAILURE or not any(w in said for w in FULL_WORDS):
            problems.append(f"the run did not fail with an error naming the full disk:\n{said}")

        def first_finished() -> bool:
            record = dep.instance.get_backfill(first)
            return record is not None and record.status in ("COMPLETED", "FAILED")

        wait_for(first_finished, timeout=60, interval=0.2, what="the first backfill finishes")
        with closing(sqlite3.connect(f"file:{home / 'assetgraph.db'}?mode=ro", uri=True)) as db:
            check = db.execute("PRAGMA integrity_check").fetchall()
        if check != [("ok",)]:
            problems.append(f"integrity_check: {check}")
        resumed = dep.graphql("mutation($id: String!) { resumeBackfill(backfillId: $id) { id } }",
                              {"id": first})["resumeBackfill"]["id"]

        def resumed_finished() -> bool:
            record = dep.instance.get_backfill(resumed)
            return record is not None and record.status in ("COMPLETED", "FAILED")

        wait_for(resumed_finished, timeout=60, interval=0.2, what="the resumed backfill finishes")
        problems += check_backfill(dep.instance, resumed, KEYS, [], [before])
        for key in KEYS:
            done = set(dep.instance.get_partition_status(key).materialized.get_partition_keys())
            if set(wanted) - done:
                problems.append(f"{key.to_user_string()}: not materialised after the resume: {sorted(set(wanted) - done)}")
    except AssertionError as exc:
        problems.append(str(exc))
    finally:
        if filler is not None:
            filler.unlink()
        block.unlink(missing_ok=True)
    if problems:
        problems.append(dep.log_text(8000))
    dep.close()
    return problems


def test_a_full_disk_under_sqlite_is_a_clear_error_and_a_resume_completes(
        small_disk: Path, tmp_path: Path, campaign: Campaign) -> None:
    started = time.monotonic()
    results: dict[int, list[str]] = {}
    for seed in seeds(scale(1, 3)):
        print(f"seed {seed}")
        results[seed] = one_seed(small_disk, tmp_path / str(seed), seed)
    campaign.record("fault", "Disk full under the SQLite file during a run (tmpfs)", trials=len(results),
                    survived=sum(1 for p in results.values() if not p),
                    checked="the run's error names the full disk, integrity_check ok, nothing committed lost, "
                            "resume completes",
                    details=f"{DISK_MB} MB tmpfs; seeds {sorted(results)}; {time.monotonic() - started:.0f}s")
    failures = list(iter_outcomes(results))
    assert not failures, "\n\n".join(failures)
