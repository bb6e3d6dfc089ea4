"""The `assetgraph` command line.

Commands load the code location in this process for now (the code-location server arrives with
the daemon). Exit codes: 0 success, 1 a run or check failed, 2 usage or definition errors.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import time
from collections.abc import Callable
from typing import Any, NoReturn

import click

from assetgraph.cli.check import check as check_command
from assetgraph.cli.daemon import daemon as daemon_command
from assetgraph.cli.dev import dev as dev_command
from assetgraph.definitions.errors import AssetGraphError
from assetgraph.definitions.keys import AssetKey


def _fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def location_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """-m/-f/-a on every command that loads a code location."""
    fn = click.option("-a", "--attribute", default=None, help="Name of the Definitions object in the module.")(fn)
    fn = click.option("-f", "--file", "file_", default=None, help="Python file that defines a Definitions.")(fn)
    fn = click.option("-m", "--module", default=None, help="Python module that defines a Definitions.")(fn)
    return fn


class Location:
    """The loaded code location and where it lives."""

    def __init__(self, module: str | None, file_: str | None, attribute: str | None) -> None:
        from assetgraph.codelocation.loader import find_target, load_definitions

        self.target = find_target(module, file_, attribute)
        self.defs = load_definitions(self.target)
        self.graph = self.defs.get_asset_graph()
        if "ASSETGRAPH_HOME" not in os.environ and self.target.working_directory:
            os.environ["ASSETGRAPH_HOME"] = os.path.join(self.target.working_directory, ".assetgraph")

    def instance(self) -> Any:
        from assetgraph.storage.instance import Instance

        return Instance.get()

    def select(self, selection: str | None) -> set[AssetKey]:
        return set(self.graph.select(selection or "*"))


def load_location(module: str | None, file_: str | None, attribute: str | None) -> Location:
    try:
        return Location(module, file_, attribute)
    except AssetGraphError as exc:
        _fail(str(exc))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="assetgraph")
def cli() -> None:
    """assetgraph: software-defined assets, lineage, partitions and checks."""


cli.add_command(check_command)
cli.add_command(dev_command)
cli.add_command(daemon_command)


@cli.command()
@location_options
def validate(module: str | None, file_: str | None, attribute: str | None) -> None:
    """Load the code location and its asset graph; exit 2 with clear messages on any definition error."""
    loc = load_location(module, file_, attribute)
    n_checks = len(loc.graph.all_check_keys)
    click.echo(f"OK: {len(loc.graph.keys)} assets, {n_checks} checks, {len(loc.defs.jobs)} jobs, "
               f"{len(loc.defs.schedules)} schedules, {len(loc.defs.sensors)} sensors in {loc.target.describe()}")


@cli.command(name="list")
@click.option("--select", "selection", default=None, help="Selection string, e.g. 'group:marts' or '+key:orders'.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@location_options
def list_assets(selection: str | None, as_json: bool, module: str | None, file_: str | None,
                attribute: str | None) -> None:
    """List the assets of the code location."""
    loc = load_location(module, file_, attribute)
    try:
        keys = loc.select(selection)
    except AssetGraphError as exc:
        _fail(str(exc))
    rows = []
    for key in loc.graph.toposort():
        if key not in keys:
            continue
        node = loc.graph.get(key)
        rows.append({
            "key": key.to_user_string(),
            "group": node.group_name,
            "deps": sorted(p.to_user_string() for p in node.parents),
            "kinds": list(node.spec.kinds),
            "is_partitioned": node.partitions_def is not None,
            "is_external": node.is_external,
            "checks": sorted(c.name for c in node.check_keys),
        })
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        flags = " [partitioned]" * row["is_partitioned"] + " [external]" * row["is_external"]
        deps = f"  <- {', '.join(row['deps'])}" if row["deps"] else ""
        click.echo(f"{row['key']}  ({row['group']}){flags}{deps}")


@cli.command()
@click.argument("key")
@click.option("--depth", type=int, default=None, help="Levels to show in each direction (default: all).")
@location_options
def lineage(key: str, depth: int | None, module: str | None, file_: str | None, attribute: str | None) -> None:
    """Show an asset's upstream and downstream assets."""
    loc = load_location(module, file_, attribute)
    asset_key = AssetKey.from_user_string(key)
    if asset_key not in loc.graph.keys:
        from assetgraph.definitions.errors import close_matches

        hints = close_matches(key, [k.to_user_string() for k in loc.graph.keys])
        _fail(f'No asset "{key}".' + (f" Did you mean: {', '.join(hints)}?" if hints else ""))
    levels = loc.graph.toposort()
    up = loc.graph.upstream(asset_key, depth) if depth is not None else loc.graph.upstream(asset_key)
    down = loc.graph.downstream(asset_key, depth) if depth is not None else loc.graph.downstream(asset_key)
    click.echo("upstream:")
    for k in levels:
        if k in up:
            click.echo(f"  {k.to_user_string()}")
    click.echo(f"* {key}")
    click.echo("downstream:")
    for k in levels:
        if k in down:
            click.echo(f"  {k.to_user_string()}")


def resume_command(keys: list[AssetKey], partition: str | None, extra: str = "") -> str:
    """The command that materialises ``keys`` again; any key text survives the selection syntax and the shell."""
    from assetgraph.graph.selection import AssetSelection

    cmd = f"assetgraph materialize --select {shlex.quote(str(AssetSelection.assets(*keys)))}"
    if partition:
        cmd += f" --partition {shlex.quote(partition)}"
    return cmd + extra


@cli.command()
@click.option("--select", "selection", required=True, help="Selection string, e.g. '*', 'group:marts', 'key:a+'.")
@click.option("--partition", default=None, help="Partition key to materialise.")
@click.option("--from", "from_key", default=None, help="First partition key of a range (single run).")
@click.option("--to", "to_key", default=None, help="Last partition key of a range (inclusive).")
@click.option("--tag", "tags", multiple=True, help="Run tag KEY=VALUE (repeatable).")
@location_options
def materialize(selection: str, partition: str | None, from_key: str | None, to_key: str | None,
                tags: tuple[str, ...], module: str | None, file_: str | None, attribute: str | None) -> None:
    """Materialise the selected assets now, in this process, with progress."""
    from assetgraph.cli.progress import ProgressLine
    from assetgraph.execution.materialize import execute_definitions

    loc = load_location(module, file_, attribute)
    if (from_key is None) != (to_key is None):
        _fail("--from and --to go together.")
    if partition and from_key:
        _fail("Pass --partition or --from/--to, not both.")
    run_tags = dict(t.split("=", 1) for t in tags if "=" in t)
    try:
        keys = {k for k in loc.select(selection) if loc.graph.get(k).is_executable}
    except AssetGraphError as exc:
        _fail(str(exc))
    if not keys:
        _fail(f"The selection {selection!r} contains no asset that can be materialised.")
    instance = loc.instance()
    bar: ProgressLine | None = None
    started = time.perf_counter()

    def on_step(step: Any, outcome: Any, i: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = ProgressLine(total, started=started)
        detail = str(outcome.error).splitlines()[0] if outcome.error is not None else ""
        bar.update(step.key, outcome.status.value, detail)

    try:
        result = execute_definitions(loc.defs, selection=sorted(keys), instance=instance, partition_key=partition,
                                     partition_range=(from_key, to_key) if from_key else None, tags=run_tags,
                                     raise_on_error=False, progress=on_step)
    except AssetGraphError as exc:
        _fail(str(exc))
    n_mat = len(result.get_asset_materialization_events())
    if bar is not None:
        bar.finish(f"Run {result.run_id}: {'SUCCESS' if result.success else 'FAILURE'}, {n_mat} materialization(s)")
    if result.success:
        return
    for rec in result.get_step_failure_events():
        click.echo(f"\n{rec.step_key} failed: {rec.message}", err=True)
        if rec.error is not None:
            click.echo((rec.error.cause or rec.error).traceback.rstrip(), err=True)
    redo = sorted({k for s in result.plan.steps if s.key in _unfinished_steps(result) for k in s.asset_keys})
    if redo:
        where = f" -m {module}" if module else (f" -f {shlex.quote(file_)}" if file_ else "")
        click.echo("\nTo resume from what already succeeded, run:\n  " + resume_command(redo, partition, where),
                   err=True)
    sys.exit(1)


def _unfinished_steps(result: Any) -> set[str]:
    done = {r.step_key for r in result.all_events if r.event_type.value == "STEP_SUCCESS"}
    return {s.key for s in result.plan.steps if s.key not in done}


@cli.command()
@click.option("--limit", default=20, show_default=True)
def runs(limit: int) -> None:
    """List recent runs of the instance in $ASSETGRAPH_HOME."""
    from assetgraph.storage.instance import Instance

    for run in Instance.get().get_runs(limit=limit):
        keys = ", ".join(k.to_user_string() for k in run.asset_selection[:3])
        more = f" +{len(run.asset_selection) - 3}" if len(run.asset_selection) > 3 else ""
        click.echo(f"{run.run_id}  {run.status.value:<9} {keys}{more}")


@cli.command()
@click.argument("run_id")
def logs(run_id: str) -> None:
    """Print the event log of a run."""
    import datetime as dt

    from assetgraph.storage.instance import Instance

    inst = Instance.get()
    if inst.get_run(run_id) is None:
        _fail(f"No run {run_id!r} in {inst.display_url}.")
    for r in inst.get_event_records(run_id=run_id):
        when = dt.datetime.fromtimestamp(r.timestamp).strftime("%H:%M:%S.%f")[:-3]
        what = r.asset_key.to_user_string() if r.asset_key else (r.step_key or "")
        msg = f" {r.message}" if r.message else ""
        click.echo(f"{when} {r.event_type.value:<30} {what}{msg}")
        if r.error is not None:
            click.echo(r.error.traceback)


@cli.command()
def migrate() -> None:
    """Bring the instance's storage schema up to date."""
    from assetgraph.storage.instance import Instance

    inst = Instance.get()
    click.echo(f"Storage at {inst.display_url} is up to date.")


def _register_commands() -> None:
    from assetgraph.cli.backfill import backfill, list_backfills
    from assetgraph.cli.scaffold import init
    from assetgraph.cli.server import server

    cli.add_command(backfill)
    cli.add_command(list_backfills)
    cli.add_command(init)
    cli.add_command(server)


_register_commands()


def main() -> None:
    cli(prog_name="assetgraph")


if __name__ == "__main__":
    main()
