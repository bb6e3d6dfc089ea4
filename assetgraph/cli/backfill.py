"""`assetgraph backfill`: create a backfill and advance it in the foreground with progress, or
leave it to the daemon (``--detach``); resume, cancel and list backfills."""

from __future__ import annotations

import csv
import io
import signal
import sys
import time
from typing import Any

import click

from assetgraph.definitions.errors import AssetGraphError


def parse_partition_list(text: str) -> list[str]:
    """``K1,K2`` with CSV quoting, so keys that contain commas work: ``'"a,b",c'`` → ``["a,b", "c"]``."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), skipinitialspace=True))
    except csv.Error as exc:
        raise click.BadParameter(f"{text[:80]!r} is not a comma-separated list of partition keys ({exc}); "
                                 'quote keys that hold commas, quotes or line breaks: \'"a,b",c\'.') from None
    keys = [k for row in rows for k in row]
    if not keys or any(k == "" for k in keys):
        raise click.BadParameter(f"{text!r} is not a comma-separated list of partition keys.")
    return keys


@click.command()
@click.option("--select", "selection", default=None, help="Selection string of the assets to backfill.")
@click.option("--from", "from_key", default=None, help="First partition key of the range.")
@click.option("--to", "to_key", default=None, help="Last partition key of the range (inclusive).")
@click.option("--partitions", default=None,
              help='Comma-separated partition keys; quote keys that contain commas: \'"a,b",c\'.')
@click.option("--partition", "partition_list", multiple=True, help="One partition key (repeatable).")
@click.option("--failed-and-missing", is_flag=True, help="Only partitions not yet materialised or that failed.")
@click.option("--detach", is_flag=True, help="Store the backfill and return; the daemon advances it.")
@click.option("--resume", "resume_id", default=None, help="Continue an interrupted backfill by id.")
@click.option("--cancel", "cancel_id", default=None, help="Cancel a backfill by id.")
@click.option("-m", "--module", default=None, help="Python module that defines a Definitions.")
@click.option("-f", "--file", "file_", default=None, help="Python file that defines a Definitions.")
@click.option("-a", "--attribute", default=None, help="Name of the Definitions object in the module.")
def backfill(selection: str | None, from_key: str | None, to_key: str | None, partitions: str | None,
             partition_list: tuple[str, ...], failed_and_missing: bool, detach: bool, resume_id: str | None,
             cancel_id: str | None, module: str | None, file_: str | None, attribute: str | None) -> None:
    """Materialise a selection over many partitions, one chunk (run) at a time."""
    from assetgraph.cli.main import _fail, load_location
    from assetgraph.execution.backfill import cancel_backfill, create_backfill

    loc = load_location(module, file_, attribute)
    instance = loc.instance()
    if cancel_id:
        try:
            cancel_backfill(instance, cancel_id)
        except AssetGraphError as exc:
            _fail(str(exc))
        click.echo(f"Backfill {cancel_id} is canceling; the run in flight finishes first.")
        return
    backfill_id = resume_id
    if backfill_id is None:
        request = _request(selection, from_key, to_key, partitions, partition_list)
        try:
            keys = sorted(k for k in loc.select(selection) if loc.graph.get(k).is_executable)
            backfill_id = create_backfill(instance, loc.graph, keys, request, location=loc.target.name,
                                          failed_and_missing_only=failed_and_missing)
        except AssetGraphError as exc:
            _fail(str(exc))
    if detach:
        click.echo(f"Backfill {backfill_id} requested; `assetgraph daemon` (or `assetgraph dev`) advances it.")
        return
    where = f" -m {module}" if module else (f" -f {file_}" if file_ else "")
    _run_foreground(instance, loc.defs, backfill_id, where)


def _request(selection: str | None, from_key: str | None, to_key: str | None, partitions: str | None,
             partition_list: tuple[str, ...]) -> Any:
    from assetgraph.cli.main import _fail
    from assetgraph.definitions.partitions.base import PartitionKeyRange
    from assetgraph.execution.plan import PartitionRequest

    if not selection:
        _fail("--select is required (or --resume ID / --cancel ID).")
    given = sum(x is not None and x != () for x in ((from_key or to_key), partitions, partition_list or None))
    if given != 1:
        _fail("Pass exactly one of --from/--to, --partitions or --partition.")
    if from_key or to_key:
        if not (from_key and to_key):
            _fail("--from and --to go together.")
        return PartitionRequest(range=PartitionKeyRange(from_key, to_key))
    keys = parse_partition_list(partitions) if partitions else list(partition_list)
    return PartitionRequest(keys=tuple(dict.fromkeys(keys)))


def _run_foreground(instance: Any, defs: Any, backfill_id: str, where: str = "") -> None:
    from assetgraph.cli.progress import ProgressLine
    from assetgraph.execution.backfill import BackfillProgress, BackfillStatus, run_backfill_in_process

    start = BackfillProgress(instance, backfill_id)
    total = start.body["num_partitions"]
    bar = ProgressLine(total, label="partitions")
    bar.done = start.body["done_partitions"] + start.body["failed_partitions"]
    click.echo(f"Backfill {backfill_id}: {total} partition(s) of {', '.join(start.body['selection'])}", err=True)
    stop = {"now": False}

    def on_signal(signum: int, frame: Any) -> None:
        stop["now"] = True
        click.echo("\nStopping after the run in flight; resume with "
                   f"`assetgraph backfill --resume {backfill_id}{where}`.", err=True)

    previous = signal.signal(signal.SIGINT, on_signal)
    started = time.perf_counter()

    def on_chunk(chunk: Any, status: Any, progress: BackfillProgress) -> None:
        n = progress.body["done_partitions"] + progress.body["failed_partitions"]
        for _ in range(n - bar.done - 1):
            bar.update(chunk.describe(), "SUCCESS")
        bar.update(chunk.describe(), "SUCCESS" if status.value == "SUCCESS" else "FAILURE",
                   "" if status.value == "SUCCESS" else
                   f"run {progress.run_for_chunk(chunk)} failed (assetgraph logs {progress.run_for_chunk(chunk)})")

    try:
        progress = run_backfill_in_process(instance, defs, backfill_id, on_chunk=on_chunk,
                                           should_stop=lambda: stop["now"])
    except AssetGraphError as exc:
        from assetgraph.cli.main import _fail

        _fail(str(exc))
    finally:
        signal.signal(signal.SIGINT, previous)
    elapsed = time.perf_counter() - started
    bar.finish()
    body = progress.body
    click.echo(f"Backfill {backfill_id} {progress.status.value}: {body['done_partitions']} succeeded, "
               f"{body['failed_partitions']} failed, {len(body['runs'])} run(s) in {elapsed:.1f}s")
    if progress.status == BackfillStatus.FAILED:
        click.echo(f"Re-run only what failed or is missing:\n  assetgraph backfill --select "
                   f"{_selection_of(body)} {_describe(body)} --failed-and-missing{where}", err=True)
        sys.exit(1)
    if progress.status == BackfillStatus.CANCELED:
        sys.exit(1)


def _selection_of(body: dict[str, Any]) -> str:
    """The backfill's assets as a shell-quoted selection that any key text survives."""
    import shlex

    from assetgraph.definitions.keys import AssetKey
    from assetgraph.graph.selection import AssetSelection

    return shlex.quote(str(AssetSelection.assets(*(AssetKey.from_user_string(k) for k in body["selection"]))))


def _describe(body: dict[str, Any]) -> str:
    import shlex

    part = body["partitions"]
    if "range" in part:
        return f"--from {shlex.quote(part['range'][0])} --to {shlex.quote(part['range'][1])}"
    out = io.StringIO()
    # Every key quoted: `parse_partition_list` skips spaces before a key, and keys may start with one.
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="").writerow(part["keys"])
    return f"--partitions {shlex.quote(out.getvalue())}"


@click.command(name="backfills")
@click.option("--limit", default=20, show_default=True)
def list_backfills(limit: int) -> None:
    """List recent backfills and their progress."""
    from assetgraph.storage.instance import Instance

    for rec in Instance.get().get_backfills(limit=limit):
        b = rec.body
        click.echo(f"{rec.backfill_id}  {rec.status:<11} {b.get('done_partitions', 0)}/{b.get('num_partitions', '?')} "
                   f"done, {b.get('failed_partitions', 0)} failed  {', '.join(b.get('selection', [])[:3])}")
