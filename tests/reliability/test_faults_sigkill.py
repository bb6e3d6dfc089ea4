"""Seeded, repeated SIGKILL during a daemon-driven multi-run backfill, with real processes.

Each seed starts ``assetgraph daemon`` and ``assetgraph server`` over a fresh home, requests a
backfill through the server's GraphQL API, and then, at moments the seed picks, SIGKILLs a run
worker, the daemon, the daemon's code-location process or the server, restarting what a service
manager restarts (the daemon and the server; the daemon itself must bring its code-location
process back). Every kind is killed at least once per seed; the full form kills more often, on
more seeds, and on PostgreSQL too. The seed is printed; ``ASSETGRAPH_FAULT_SEED=N`` replays it.
"""

from __future__ import annotations

import os
import random
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assetgraph import AssetKey
from tests.reliability.faults import (
    Committed,
    Deployment,
    check_backfill,
    committed,
    days,
    iter_outcomes,
    seeds,
    wait_for,
)
from tests.reliability.outcomes import FULL, Campaign, scale

KEYS = [AssetKey("day_events"), AssetKey("day_summary")]
KINDS = ("worker", "daemon", "location", "server")
MAX_RETRIES = 4
CHECKED = ("nothing committed lost, no run started twice, one run at a time per partition, none stuck, "
           "backfill COMPLETED with every partition materialised")


def kill_plan(rng: random.Random, extra: int) -> list[tuple[str, float]]:
    """Each kind once in a random order, then ``extra`` more of random kinds; each after a random pause."""
    kinds = list(KINDS)
    rng.shuffle(kinds)
    kinds += [rng.choice(KINDS) for _ in range(extra)]
    return [(kind, rng.uniform(0.0, 1.5)) for kind in kinds]


def finished(dep: Deployment, backfill_id: str) -> bool:
    record = dep.instance.get_backfill(backfill_id)
    return record is not None and record.status in ("COMPLETED", "FAILED", "CANCELED")


def inject(dep: Deployment, kind: str, rng: random.Random, backfill_id: str) -> str:
    """Kill one process of ``kind`` and restart what a service manager would; say what was done."""
    if kind == "worker":
        found = wait_for(lambda: dep.running_worker() or finished(dep, backfill_id), timeout=30,
                         interval=0.02, what="a run worker is running")
        if found is True:
            return "worker: none left to kill"
        run_id, pid = found
        os.kill(pid, signal.SIGKILL)
        return f"worker {pid} of run {run_id[:8]}"
    if kind == "location":
        pid = wait_for(lambda: dep.location_pid("daemon"), timeout=30, what="the daemon's code-location process")
        os.kill(pid, signal.SIGKILL)
        return f"code-location process {pid}"
    pid = dep.kill(kind)
    time.sleep(rng.uniform(0.0, 0.5))  # a service manager restarts after a short delay
    if kind == "daemon":
        dep.start_daemon()
    else:
        dep.start_server()
    return f"{kind} {pid}, restarted"


def one_seed(folder: Path, seed: int, url: str | None, partitions: int, extra_kills: int) -> tuple[list[str], list[str]]:
    """Run one seed; return (what was killed, invariants that did not hold)."""
    rng = random.Random(seed)
    wanted = days(f"2024-{rng.randint(1, 9):02d}-01", partitions)
    dep = Deployment(folder, url=url, env={"FAULTS_STEP_SECONDS": f"{rng.uniform(0.05, 0.3):.2f}"})
    done: list[str] = []
    history: list[Committed] = []
    try:
        dep.start_daemon()
        dep.start_server()
        backfill_id = dep.launch_backfill("key:day_events or key:day_summary", wanted[0], wanted[-1],
                                          tags={"assetgraph/max_retries": str(MAX_RETRIES)})
        for kind, pause in kill_plan(rng, extra_kills):
            time.sleep(pause)  # the moment of the fault is the seed's choice
            history.append(committed(dep.instance, KEYS))
            done.append(inject(dep, kind, rng, backfill_id))
        wait_for(lambda: finished(dep, backfill_id), timeout=120, interval=0.1, what="the backfill finishes")
        problems = check_backfill(dep.instance, backfill_id, KEYS, wanted, history)
        seen = dep.graphql("query($id: String!) { backfill(id: $id) { status } }", {"id": backfill_id})
        if seen["backfill"]["status"] != "COMPLETED":
            problems.append(f"the server reports the backfill {seen['backfill']['status']}")
    except AssertionError as exc:
        problems = [f"{exc}"]
    if problems:
        problems.append(f"kills: {done}\n{dep.log_text(6000)}")
    dep.close()
    return done, problems


@pytest.fixture
def postgres_url() -> Iterator[Any]:
    """A factory of fresh databases on the machine's PostgreSQL, all dropped at the end."""
    from tests.execution.conftest import PG_HOST, PG_PORT, PG_USER, _admin_connection

    try:
        _admin_connection().close()
    except Exception as exc:
        pytest.skip(f"PostgreSQL at {PG_HOST}:{PG_PORT} is not reachable ({exc})")
    made: list[str] = []

    def make() -> str:
        name = f"assetgraph_faults_{uuid.uuid4().hex[:12]}"
        with _admin_connection() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"

    yield make
    with _admin_connection() as admin:
        for name in made:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_campaign(tmp_path: Path, campaign: Campaign, storage: str, count: int, make_url: Any = None) -> None:
    started = time.monotonic()
    results: dict[int, list[str]] = {}
    kills: dict[str, int] = dict.fromkeys(KINDS, 0)
    for seed in seeds(count):
        print(f"seed {seed} ({storage})")
        done, problems = one_seed(tmp_path / str(seed), seed, make_url() if make_url else None,
                                  partitions=scale(5, 6), extra_kills=scale(0, 4))
        results[seed] = problems
        for what in done:
            if "none left" not in what:
                kinds = what.split()[0].replace("code-location", "location")
                kills[kinds] += 1
    survived = sum(1 for p in results.values() if not p)
    campaign.record("fault", f"SIGKILL of worker, daemon, code-location process and server during a backfill "
                             f"({storage})", trials=len(results), survived=survived, checked=CHECKED,
                    details=f"{sum(kills.values())} kills ({', '.join(f'{k} {n}' for k, n in kills.items())}); "
                            f"seeds {sorted(results)}; {time.monotonic() - started:.0f}s")
    failures = list(iter_outcomes(results))
    assert not failures, "\n\n".join(failures)


@pytest.mark.slow
def test_sigkill_of_any_process_during_a_backfill_loses_nothing_sqlite(tmp_path: Path, campaign: Campaign) -> None:
    run_campaign(tmp_path, campaign, "SQLite", scale(2, 24))


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.skipif(not FULL, reason="PostgreSQL seeds run in the full campaign (ASSETGRAPH_CAMPAIGN=full)")
def test_sigkill_of_any_process_during_a_backfill_loses_nothing_postgres(
        tmp_path: Path, campaign: Campaign, postgres_url: Any) -> None:
    run_campaign(tmp_path, campaign, "PostgreSQL", 6, postgres_url)
