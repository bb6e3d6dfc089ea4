"""``assetgraph daemon``: the daemon alone, for production (the web server runs separately).

Also holds what ``dev`` shares with it: finding the workspace, opening the instance, and waiting
for Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from assetgraph.definitions.errors import AssetGraphError


def workspace_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """-m/-f/-a/-w: the code location(s) to serve."""
    fn = click.option("-w", "--workspace", "workspace_file", default=None,
                      help="A workspace.yaml listing several code locations.")(fn)
    fn = click.option("-a", "--attribute", default=None, help="Name of the Definitions object in the module.")(fn)
    fn = click.option("-f", "--file", "file_", default=None, help="Python file that defines a Definitions.")(fn)
    fn = click.option("-m", "--module", default=None, help="Python module that defines a Definitions.")(fn)
    return fn


def find_specs(module: str | None, file_: str | None, attribute: str | None, workspace_file: str | None) -> list[Any]:
    """The workspace's location specs; exits 2 with the message when none can be found. Sets
    ``$ASSETGRAPH_HOME`` next to the project when it is not set, as the other commands do."""
    from assetgraph.codelocation.workspace import find_workspace

    try:
        specs = find_workspace(module, file_, attribute, workspace_file)
    except AssetGraphError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    home_dir = specs[0].target.working_directory if specs else None
    if "ASSETGRAPH_HOME" not in os.environ and home_dir:
        os.environ["ASSETGRAPH_HOME"] = str(Path(home_dir) / ".assetgraph")
    return specs


def open_instance() -> Any:
    from assetgraph.storage.instance import Instance

    return Instance.get()


def report_locations(workspace: Any) -> None:
    for loc in workspace.locations:
        report_location(loc)


def report_location(loc: Any) -> None:
    """One line on a location's status: LOADED with its size, or ERROR with the first line of the error."""
    if loc.status == "LOADED":
        n = len(loc.snapshot.assets_by_key) if loc.snapshot is not None else 0
        click.echo(f"  code location {loc.name}: LOADED ({n} assets)")
    else:
        first = (loc.error or "").strip().splitlines()
        click.echo(f"  code location {loc.name}: {loc.status} {first[0] if first else ''}", err=True)


def open_workspace(specs: list[Any], *, restart_crashed: bool = False) -> Any:
    """The workspace of ``specs`` with the ``code_locations:`` settings, its processes started and loading
    in the background (a location that hangs delays no other, nor the caller); exits 2 on bad settings."""
    from assetgraph.codelocation.workspace import LocationSettings, Workspace

    try:
        settings = LocationSettings.load()
    except AssetGraphError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    workspace = Workspace(specs, start=False, load_timeout=settings.load_timeout,
                          request_timeout=settings.request_timeout, restart_crashed=restart_crashed)
    workspace.start()
    workspace.load_in_background(on_loaded=report_location)
    return workspace


def stop_on_signals() -> threading.Event:
    """An event set by SIGINT or SIGTERM."""
    stop = threading.Event()

    def handler(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    return stop


@click.command()
@workspace_options
@click.option("--log-level", default="INFO", show_default=True, help="DEBUG, INFO, WARNING or ERROR.")
def daemon(module: str | None, file_: str | None, attribute: str | None, workspace_file: str | None,
           log_level: str) -> None:
    """Run the daemon: run queue, run monitoring, retries, schedules, sensors and backfills."""
    from assetgraph.orchestration.config import DaemonConfig
    from assetgraph.orchestration.daemon import Daemon

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    specs = find_specs(module, file_, attribute, workspace_file)
    instance = open_instance()
    try:
        config = DaemonConfig.load()
    except AssetGraphError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    stop = stop_on_signals()
    workspace = open_workspace(specs, restart_crashed=True)
    try:
        click.echo(f"assetgraph daemon: instance {instance.display_url}; Ctrl-C to stop.")
        Daemon(instance, workspace, config).run_until(stop)
    finally:
        workspace.shutdown()
        instance.dispose()
    click.echo("assetgraph daemon: stopped.")
