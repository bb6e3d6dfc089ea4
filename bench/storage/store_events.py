"""Cost of writing one step's events (STEP_START, ASSET_MATERIALIZATION, STEP_SUCCESS, ...) in one
transaction, on SQLite (file and memory) and PostgreSQL when reachable. Prints medians and p95.

With ``--writers N`` it also measures N processes writing at once, all into one run (the step
processes of one run; on PostgreSQL a run's event writes take the run's lock, so they queue) and
each into a run of its own, and prints the batches per second of each.

``--run-lock-ab`` measures what the per-run lock costs on PostgreSQL on a shared, noisy machine:
batches alternate between an instance that takes the lock and one whose lock is switched off (one
process; then rounds of N concurrent writers into one run, alternating), so load drifts hit both.

    .venv/bin/python bench/storage/store_events.py [--batches 500] [--postgres postgresql://...] [--writers 4]
    .venv/bin/python bench/storage/store_events.py --postgres postgresql://... --run-lock-ab [--writers 4]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from assetgraph import AssetKey, Instance
from assetgraph.definitions.events import Event, EventType

KEYS = [AssetKey(f"a{i}") for i in range(50)]


def step_batch(run_id: str, step: str, key: AssetKey) -> list[Event]:
    now = time.time()
    return [
        Event(event_type=EventType.STEP_START, run_id=run_id, timestamp=now, step_key=step),
        Event(event_type=EventType.LOG_MESSAGE, run_id=run_id, timestamp=now, step_key=step, message="hello"),
        Event(event_type=EventType.ASSET_MATERIALIZATION, run_id=run_id, timestamp=now, step_key=step,
              asset_key=key),
        Event(event_type=EventType.STEP_SUCCESS, run_id=run_id, timestamp=now, step_key=step),
    ]


def measure(url: str, batches: int) -> tuple[float, float]:
    inst = Instance.from_url(url)
    inst.register_assets(dict.fromkeys(KEYS))
    timings = []
    for i in range(batches):
        batch = step_batch("bench", f"s{i}", KEYS[i % len(KEYS)])
        start = time.perf_counter()
        inst.store_events(batch)
        timings.append(time.perf_counter() - start)
    inst.dispose()
    timings.sort()
    return statistics.median(timings) * 1000, timings[int(len(timings) * 0.95)] * 1000


def _without_run_lock(inst: Instance) -> Instance:
    """The instance as it wrote before the per-run lock: for A/B measurements only."""
    inst._events._lock_runs = lambda conn, run_ids: None  # type: ignore[method-assign]
    return inst


def measure_run_lock_ab(url: str, batches: int) -> tuple[float, float]:
    """Median milliseconds of one step's batch with and without the run lock, batches alternating."""
    with_lock, without = Instance.from_url(url), _without_run_lock(Instance.from_url(url))
    with_lock.register_assets(dict.fromkeys(KEYS))
    timings: tuple[list[float], list[float]] = ([], [])
    for i in range(2 * batches):
        inst = with_lock if i % 2 == 0 else without
        batch = step_batch(f"ab-{i % 2}", f"s{i}", KEYS[i % len(KEYS)])
        start = time.perf_counter()
        inst.store_events(batch)
        timings[i % 2].append(time.perf_counter() - start)
    with_lock.dispose()
    without.dispose()
    return statistics.median(timings[0]) * 1000, statistics.median(timings[1]) * 1000


def _write(url: str, run_id: str, writer: int, batches: int, start: float, run_lock: bool = True) -> None:
    inst = Instance.from_url(url)
    if not run_lock:
        _without_run_lock(inst)
    while time.time() < start:  # every writer begins at once
        time.sleep(0.001)
    for i in range(batches):
        # Each writer its own assets: the runs' locks are what is measured, not asset row locks.
        inst.store_events(step_batch(run_id, f"w{writer}s{i}", KEYS[(writer * 7 + i % 7) % len(KEYS)]))
    inst.dispose()


def measure_concurrent(url: str, writers: int, batches: int, one_run: bool, run_lock: bool = True) -> float:
    """Batches per second of ``writers`` processes writing ``batches`` each."""
    Instance.from_url(url).register_assets(dict.fromkeys(KEYS))
    ctx = multiprocessing.get_context("spawn")
    start = time.time() + 3.0
    tag = f"{time.time_ns()}"
    procs = [ctx.Process(target=_write, args=(url, f"bench-{tag}" if one_run else f"bench-{tag}-{w}", w, batches,
                                              start, run_lock))
             for w in range(writers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"a writer failed with exit code {p.exitcode}")
    return writers * batches / (time.time() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=500)
    parser.add_argument("--postgres", default=None, help="a postgresql:// URL of a scratch database")
    parser.add_argument("--writers", type=int, default=0, help="also measure this many concurrent writer processes")
    parser.add_argument("--run-lock-ab", action="store_true", help="PostgreSQL: with and without the run lock, alternating")
    parser.add_argument("--rounds", type=int, default=6, help="concurrent rounds per side with --run-lock-ab")
    args = parser.parse_args()
    if args.run_lock_ab:
        if not args.postgres:
            raise SystemExit("--run-lock-ab needs --postgres")
        run_lock_ab(args.postgres, args.batches, args.writers, args.rounds)
        return
    targets = {"sqlite file": f"sqlite:///{tempfile.mkdtemp()}/bench.db", "sqlite memory": "sqlite://"}
    if args.postgres:
        targets["postgresql"] = args.postgres
    for name, url in targets.items():
        median, p95 = measure(url, args.batches)
        print(f"{name:<14} one step's 4 events: median {median:.3f} ms, p95 {p95:.3f} ms")
    if args.writers:
        for name, url in targets.items():
            if url == "sqlite://":
                continue
            same = measure_concurrent(url, args.writers, args.batches, one_run=True)
            apart = measure_concurrent(url, args.writers, args.batches, one_run=False)
            print(f"{name:<14} {args.writers} writers: one run {same:.0f} batches/s, a run each {apart:.0f} batches/s")


def run_lock_ab(url: str, batches: int, writers: int, rounds: int) -> None:
    locked, unlocked = measure_run_lock_ab(url, batches)
    print(f"one writer, one step's 4 events: median {locked:.3f} ms with the run lock, {unlocked:.3f} ms without "
          f"({locked - unlocked:+.3f} ms)")
    if not writers:
        return
    rates: tuple[list[float], list[float]] = ([], [])
    for i in range(2 * rounds):
        rates[i % 2].append(measure_concurrent(url, writers, batches, one_run=True, run_lock=i % 2 == 0))
    with_lock, without = statistics.median(rates[0]), statistics.median(rates[1])
    print(f"{writers} writers into one run: median {with_lock:.0f} batches/s with the run lock, {without:.0f} without "
          f"({with_lock / without - 1:+.0%}; rounds with: {', '.join(f'{r:.0f}' for r in rates[0])}; "
          f"without: {', '.join(f'{r:.0f}' for r in rates[1])})")


if __name__ == "__main__":
    main()
