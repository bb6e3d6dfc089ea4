"""Several processes materialising into the same SQLite home; a crash in the middle of a run."""

from __future__ import annotations

import multiprocessing as mp
import subprocess
import sys
from pathlib import Path

from assetgraph import EventType, Instance, RunStatus

ROOT = Path(__file__).resolve().parents[2]


def _worker(url: str, storage: str, keys: list[str], errors: mp.Queue) -> None:  # type: ignore[type-arg]
    try:
        sys.path.insert(0, str(ROOT))
        from assetgraph import FilesystemIOManager, materialize
        from tests.execution import concurrent_location as loc

        inst = Instance.from_url(url)
        for key in keys:
            materialize([loc.first, loc.second], partition_key=key, instance=inst,
                        resources={"io_manager": FilesystemIOManager(storage)})
    except BaseException as exc:
        errors.put(f"{type(exc).__name__}: {exc}")


def test_four_processes_materialise_into_one_sqlite_home(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/ag.db"
    Instance.from_url(url).dispose()  # create the schema once, as `assetgraph migrate` would
    ctx = mp.get_context("spawn")
    errors: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
    per_worker = [[f"p{w * 25 + i:03d}" for i in range(25)] for w in range(4)]
    procs = [ctx.Process(target=_worker, args=(url, str(tmp_path / "store"), keys, errors)) for keys in per_worker]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=180)
    found = []
    while not errors.empty():
        found.append(errors.get())
    assert found == []
    assert all(p.exitcode == 0 for p in procs)
    inst = Instance.from_url(url)
    from assetgraph import AssetKey

    mats = inst.get_event_records(event_type=EventType.ASSET_MATERIALIZATION)
    assert len(mats) == 200
    assert len({(r.asset_key, r.partition) for r in mats}) == 200
    assert len(inst.get_materialized_partitions(AssetKey("second"))) == 100
    runs = inst.get_runs()
    assert len(runs) == 100 and {r.status for r in runs} == {RunStatus.SUCCESS}


def test_a_crash_between_steps_loses_nothing_committed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/ag.db"
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from assetgraph import Instance, materialize\n"
        "from tests.execution import concurrent_location as loc\n"
        f"materialize([loc.survives, loc.dies], instance=Instance.from_url({url!r}))\n"
    )
    env_home = {"ASSETGRAPH_HOME": str(tmp_path / "home")}
    import os

    proc = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env_home}, timeout=120)
    assert proc.returncode == 9
    inst = Instance.from_url(url)
    from assetgraph import AssetKey

    assert inst.get_latest_materialization_event(AssetKey("survives")) is not None
    assert inst.get_latest_materialization_event(AssetKey("dies")) is None
    run = inst.get_runs()[0]
    # The run stays STARTED until run monitoring (the daemon) marks it FAILURE.
    assert run.status == RunStatus.STARTED
    types = [r.event_type for r in inst.get_event_records(run_id=run.run_id)]
    # In-process runs write STEP_START with the step's other events: the dying step left nothing half-written.
    assert types.count(EventType.STEP_SUCCESS) == 1 and types[-1] == EventType.STEP_SUCCESS
