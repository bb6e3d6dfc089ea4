"""PostgreSQL restarted (fast and immediate shutdown) while a daemon-driven backfill writes.

The machine's shared cluster is never touched: each test runs a private cluster (initdb into a
temporary folder owned by the ``postgres`` user, ``pg_ctl start`` on a free port), restarts it at
moments the seed picks, and removes it at the end. The daemon, the server and the run workers are
real processes on that cluster. Afterwards nothing committed before a restart is missing, no run is
stuck, every run that failed says why, and the backfill completed (failed chunks are retried).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assetgraph import AssetKey, RunStatus
from tests.reliability.faults import (
    Committed,
    Deployment,
    check_backfill,
    committed,
    days,
    free_port,
    iter_outcomes,
    seeds,
    wait_for,
)
from tests.reliability.outcomes import Campaign, scale

KEYS = [AssetKey("day_events"), AssetKey("day_summary")]
PG_BIN = Path(os.environ.get("ASSETGRAPH_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


class PrivatePostgres:
    """A PostgreSQL cluster of this test alone, run as the ``postgres`` user when this process is root."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="assetgraph-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.folder, "postgres", "postgres")
        self.pg(["initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync"])
        self.started = False

    def new_database(self, name: str) -> str:
        """Create database ``name``; return its URL."""
        self.pg(["createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name])
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def pg(self, args: list[str], timeout: float = 120) -> str:
        command = [str(PG_BIN / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=self.folder)
        if done.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def _ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self.pg(["pg_ctl", action, "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w", "-t", "60",
                 "-o", options, *extra])

    def start(self) -> None:
        self._ctl("start")
        self.started = True

    def restart(self, mode: str) -> None:
        """``pg_ctl restart -m fast`` (backends told to stop, a checkpoint) or ``-m immediate`` (a crash)."""
        self._ctl("restart", "-m", mode)

    def close(self) -> None:
        try:
            if self.started:
                self.pg(["pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w"])
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL server binaries not found in {PG_BIN} (set ASSETGRAPH_TEST_PG_BIN)")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root, and runuser (to run PostgreSQL as the postgres user) is missing")
    cluster = PrivatePostgres()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.close()


def one_seed(cluster: PrivatePostgres, folder: Path, seed: int, restarts: dict[str, int],
             reasons: list[str]) -> list[str]:
    """Restart the cluster during one backfill; return the invariants that did not hold."""
    rng = random.Random(seed)
    wanted = days(f"2024-{rng.randint(1, 9):02d}-{rng.randint(1, 9):02d}", scale(4, 6))
    dep = Deployment(folder, url=cluster.new_database(f"seed_{seed}"),
                     env={"FAULTS_STEP_SECONDS": f"{rng.uniform(0.1, 0.4):.2f}"})
    history: list[Committed] = []
    problems: list[str] = []
    try:
        dep.start_daemon()
        dep.start_server()
        backfill_id = dep.launch_backfill("key:day_events or key:day_summary", wanted[0], wanted[-1],
                                          tags={"assetgraph/max_retries": "4"})
        modes = ["fast", "immediate"] + [rng.choice(["fast", "immediate"]) for _ in range(scale(0, 2))]
        rng.shuffle(modes)
        for mode in modes:
            wait_for(dep.running_worker, timeout=60, what="a run is writing")
            time.sleep(rng.uniform(0.0, 1.0))  # the moment of the restart is the seed's choice
            history.append(committed(dep.instance, KEYS))
            dep.instance.dispose()  # this process's pooled connections would be dead anyway
            cluster.restart(mode)
            restarts[mode] += 1

        def finished() -> bool:
            record = dep.instance.get_backfill(backfill_id)
            return record is not None and record.status in ("COMPLETED", "FAILED", "CANCELED")

        wait_for(finished, timeout=180, interval=0.2, what="the backfill finishes")
        problems = check_backfill(dep.instance, backfill_id, KEYS, wanted, history)
        for run in dep.instance.get_runs(backfill_id=backfill_id, status=RunStatus.FAILURE):
            failure = [r.message for r in dep.instance.get_event_records(run_id=run.run_id)
                       if r.event_type.value == "RUN_FAILURE"]
            if not failure or not failure[-1].strip():
                problems.append(f"run {run.run_id} failed without saying why")
            else:
                reasons.append(failure[-1].splitlines()[0][:120])
        for name, process in (("daemon", dep.daemon), ("server", dep.server)):
            if process is None or process.poll() is not None:
                problems.append(f"the {name} did not stay up through the restarts")
        seen = dep.graphql("query($id: String!) { backfill(id: $id) { status } }", {"id": backfill_id})
        if seen["backfill"]["status"] != "COMPLETED":
            problems.append(f"the server reports the backfill {seen['backfill']['status']}")
    except AssertionError as exc:
        problems.append(str(exc))
    if problems:
        problems.append(dep.log_text(8000))
    dep.close()
    return problems


def test_postgres_restarted_during_a_backfill_loses_nothing(private_postgres: PrivatePostgres, tmp_path: Path,
                                                             campaign: Campaign) -> None:
    started = time.monotonic()
    restarts = {"fast": 0, "immediate": 0}
    reasons: list[str] = []  # why runs failed (each then retried)
    results: dict[int, list[str]] = {}
    for seed in seeds(scale(1, 4)):
        print(f"seed {seed}")
        results[seed] = one_seed(private_postgres, tmp_path / str(seed), seed, restarts, reasons)
    survived = sum(1 for p in results.values() if not p)
    campaign.record("fault", "PostgreSQL restarted (fast and immediate) during a backfill", trials=len(results),
                    survived=survived, checked="nothing committed lost, failed runs say why and are retried, daemon "
                                               "and server stay up, none stuck, backfill COMPLETED",
                    details=f"restarts: fast {restarts['fast']}, immediate {restarts['immediate']}; "
                            f"{len(reasons)} runs failed and were retried; seeds {sorted(results)}; "
                            f"{time.monotonic() - started:.0f}s")
    print("runs failed:", *reasons, sep="\n  ")
    failures = list(iter_outcomes(results))
    assert not failures, "\n\n".join(failures)
