"""A code location that starts hanging on load in the middle of its backfill, beside a healthy one.

``tests/codelocation/test_workspace.py`` proves that a location hanging at import becomes that
location's error after its load timeout and that the others load. This adds the service around
it, as real processes: ``assetgraph daemon`` and ``assetgraph server`` over two locations, each
with a backfill in progress, when ``flaky`` starts hanging on import. Asked to reload it, the server
stays up and reports the load timeout as the location's error; the daemon is restarted meanwhile
and comes up at once; the healthy location's backfill completes while ``flaky`` is broken; the run
whose worker hung on import is failed after the startup timeout, and that worker, waking up once the
location is fixed, does not start it; and once ``flaky`` is reloaded (one request to the server
reaches the daemon too), its backfill completes, the failed chunk retried.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from assetgraph import AssetKey, EventType, RunStatus
from assetgraph.orchestration.daemon import DAEMON_HEARTBEAT_KEY
from tests.reliability.faults import (
    LOCATION_FILE,
    Deployment,
    check_backfill,
    days,
    monitoring_yaml,
    wait_for,
)
from tests.reliability.outcomes import Campaign, scale

LOAD_TIMEOUT = 5.0
FLAKY = '''
import os
import time

from assetgraph import DailyPartitionsDefinition, Definitions, asset

hang = os.environ.get("FLAKY_HANG_FILE")
while hang and os.path.exists(hang):  # an import that waits on something that never comes
    time.sleep(0.05)

days = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2025-01-01")


@asset(partitions_def=days)
def flaky_events(context) -> str:
    time.sleep(0.1)
    return context.partition_key


@asset(partitions_def=days)
def flaky_summary(flaky_events: str) -> str:
    return flaky_events


defs = Definitions(assets=[flaky_events, flaky_summary])
'''
STEADY_KEYS = [AssetKey("day_events"), AssetKey("day_summary")]
FLAKY_KEYS = [AssetKey("flaky_events"), AssetKey("flaky_summary")]


def status_of(dep: Deployment, backfill_id: str) -> str:
    record = dep.instance.get_backfill(backfill_id)
    return str(record.status) if record is not None else "missing"


def location(dep: Deployment, name: str) -> dict[str, Any]:
    data = dep.graphql("{ codeLocations { name status error } }")
    return next(loc for loc in data["codeLocations"] if loc["name"] == name)


def reload(dep: Deployment, name: str) -> dict[str, Any]:
    answer: dict[str, Any] = dep.graphql(
        "mutation($n: String!) { reloadCodeLocation(name: $n) { status error } }", {"n": name})["reloadCodeLocation"]
    return answer


def one_trial(tmp_path: Path) -> list[str]:
    """Break ``flaky`` during its backfill, fix it; return the invariants that did not hold."""
    tmp_path.mkdir(parents=True)
    flaky_file = tmp_path / "flaky.py"
    flaky_file.write_text(FLAKY)
    hang = tmp_path / "hang"
    dep = Deployment(tmp_path / "deployment", env={"FLAKY_HANG_FILE": str(hang), "FAULTS_STEP_SECONDS": "0.1"},
                     config=monitoring_yaml(load_timeout=LOAD_TIMEOUT, startup_timeout=LOAD_TIMEOUT + 1),
                     workspace=f"load_from:\n  - python_file: {{relative_path: {LOCATION_FILE}, location_name: steady}}\n"
                               f"  - python_file: {{relative_path: {flaky_file}, location_name: flaky}}\n")
    problems: list[str] = []
    try:
        dep.start_daemon()
        dep.start_server()
        steady_days, flaky_days = days("2024-05-01", scale(6, 12)), days("2024-05-01", scale(4, 8))
        flaky_bf = dep.launch_backfill("key:flaky_events or key:flaky_summary", flaky_days[0], flaky_days[-1],
                                       tags={"assetgraph/max_retries": "3"})
        wait_for(lambda: dep.instance.get_backfill(flaky_bf).body["done_partitions"] >= 1, timeout=60,
                 what="flaky's backfill gets going")

        hang.write_text("hold")  # from now on, importing flaky hangs: its next run's worker hangs too
        hang_at = time.time()

        def hanging_run() -> str | None:
            """A run of flaky launched after the import started hanging (so its worker hangs in it)."""
            for run in dep.instance.get_runs(backfill_id=flaky_bf, status=RunStatus.STARTING):
                launched = dep.instance.get_event_records(event_type=EventType.RUN_STARTING, run_id=run.run_id)
                if launched and launched[0].timestamp > hang_at:
                    return str(run.run_id)
            return None

        hung = wait_for(hanging_run, timeout=60, what="a worker of flaky hangs on import")
        answers: list[dict[str, Any]] = []
        reloading = threading.Thread(target=lambda: answers.append(reload(dep, "flaky")))
        reloading.start()
        steady_bf = dep.launch_backfill("key:day_events or key:day_summary", steady_days[0], steady_days[-1])
        if dep.health() is None:
            problems.append("the server did not answer while a location reloaded")
        dep.stop("daemon")  # a deploy restarts the daemon now: it must not wait for flaky
        dep.start_daemon()
        log = dep.logs[-1]

        def gave_up() -> str | None:
            text = log.read_text()
            return text if "code location flaky: ERROR" in text else None

        text = wait_for(gave_up, timeout=60, what="the restarted daemon gives up loading flaky")
        if text.index("daemon started") > text.index("code location flaky: ERROR"):
            problems.append("the restarted daemon started its loops only after the hanging location timed out")
        reloading.join(timeout=60)
        flaky = answers[0] if answers else {"status": "no answer", "error": ""}
        if flaky["status"] != "ERROR" or f"did not finish loading within {LOAD_TIMEOUT:g}s" not in (flaky["error"] or ""):
            problems.append(f"the server's reload did not report the load timeout: {flaky}")
        wait_for(lambda: status_of(dep, steady_bf) in ("COMPLETED", "FAILED"), timeout=120, interval=0.2,
                 what="the healthy location's backfill finishes while flaky hangs")
        wait_for(lambda: dep.instance.get_run(hung).status.is_finished, timeout=60,
                 what="the run whose worker hangs is given up on")  # by a daemon that cannot kill that worker
        if status_of(dep, flaky_bf) != "IN_PROGRESS":
            problems.append(f"flaky's backfill is {status_of(dep, flaky_bf)} while its location hangs")
        if location(dep, "flaky")["status"] != "ERROR":
            problems.append(f"the server shows flaky as {location(dep, 'flaky')} while it hangs")
        beat = json.loads(dep.instance.get_kvs([DAEMON_HEARTBEAT_KEY])[DAEMON_HEARTBEAT_KEY])
        if time.time() - beat["time"] > 5:
            problems.append("the daemon stopped heart-beating while a location hung")
        problems += check_backfill(dep.instance, steady_bf, STEADY_KEYS, steady_days, others_may_run=True)

        hang.unlink()  # fixed
        fixed = reload(dep, "flaky")
        if fixed["status"] != "LOADED":
            problems.append(f"flaky did not load after the fix: {fixed}")
        wait_for(lambda: status_of(dep, flaky_bf) in ("COMPLETED", "FAILED"), timeout=120, interval=0.2,
                 what="flaky's backfill finishes once the location is reloaded")
        problems += check_backfill(dep.instance, flaky_bf, FLAKY_KEYS, flaky_days)
        problems += check_backfill(dep.instance, steady_bf, STEADY_KEYS, steady_days)
        woke = [r.event_type.value for r in dep.instance.get_event_records(run_id=hung)
                if r.event_type in (EventType.RUN_START, EventType.STEP_START)]
        if woke:
            problems.append(f"the worker that hung started its run after it was given up on: {woke}")
    except AssertionError as exc:
        problems.append(str(exc))
    finally:
        hang.unlink(missing_ok=True)
    if problems:
        problems.append(dep.log_text(10000))
    dep.close()
    return problems


def test_a_location_hanging_on_load_holds_only_its_own_backfill(tmp_path: Path, campaign: Campaign) -> None:
    started = time.monotonic()
    results = [one_trial(tmp_path / str(i)) for i in range(scale(1, 3))]
    campaign.record("fault", "A code location hangs on load during its backfill (daemon, server, two locations)",
                    trials=len(results), survived=sum(1 for p in results if not p),
                    checked="server and daemon stay up and start at once, load timeout shown, the other "
                            "location's backfill completes, the hung worker never starts its run, none stuck, "
                            "backfill COMPLETED after the fix",
                    details=f"load timeout {LOAD_TIMEOUT:g}s; {time.monotonic() - started:.0f}s")
    failures = [f"trial {i}:\n" + "\n".join(p) for i, p in enumerate(results) if p]
    assert not failures, "\n\n".join(failures)
