"""``assetgraph dev``: code-location processes, the daemon and the web server in one command, with
code locations reloaded when their files change. Ctrl-C or SIGTERM stops everything: running
runs are canceled, location processes stopped.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from typing import Any

import click

from assetgraph.cli.daemon import (
    find_specs,
    open_instance,
    open_workspace,
    report_locations,
    stop_on_signals,
    workspace_options,
)
from assetgraph.definitions.errors import AssetGraphError


def _import_create_app(host: str) -> Any:
    """The web app's factory, or None when the server's dependencies are not installed (said in a
    log line: ``dev`` then runs the code locations and the daemon only). Warns, as ``assetgraph
    server`` does, when ``host`` is not loopback."""
    try:
        from assetgraph.server.app import create_app, warn_if_exposed
    except ImportError as exc:
        click.echo(f"  web server unavailable ({exc}); running code locations and the daemon only.", err=True)
        return None
    warn_if_exposed(host)
    return create_app


@click.command()
@workspace_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface the web server listens on.")
@click.option("--port", default=3000, show_default=True, type=int, help="Port of the web server.")
@click.option("--no-watch", is_flag=True, help="Do not reload code locations when their files change.")
@click.option("--log-level", default="WARNING", show_default=True, help="DEBUG, INFO, WARNING or ERROR.")
def dev(module: str | None, file_: str | None, attribute: str | None, workspace_file: str | None, host: str,
        port: int, no_watch: bool, log_level: str) -> None:
    """Run code locations, the daemon and the web UI together, for local development."""
    from assetgraph.codelocation.watcher import LocationWatcher
    from assetgraph.orchestration.config import DaemonConfig
    from assetgraph.orchestration.daemon import Daemon

    started = time.monotonic()
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    specs = find_specs(module, file_, attribute, workspace_file)
    try:
        config = DaemonConfig.load()
    except AssetGraphError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    stop = stop_on_signals()
    workspace = open_workspace(specs, restart_crashed=True)  # loading while this process starts serving
    instance = open_instance()
    create_app = _import_create_app(host)
    daemon = Daemon(instance, workspace, config)
    watcher = None if no_watch else LocationWatcher(workspace, on_reload=lambda loc: report_locations(workspace))
    server = None
    try:
        if create_app is not None:
            server = _start_server(create_app(workspace, instance, dev=True, bind_host=host), host, port, started)
            if server is None:
                sys.exit(2)
        daemon.start()  # runs of a location still loading wait for it
        if watcher is not None:
            watcher.start()
        if server is None:
            click.echo(f"assetgraph dev: daemon running (instance {instance.display_url}); Ctrl-C to stop.")
        stop.wait()
    finally:
        click.echo("assetgraph dev: stopping...")
        if server is not None:
            server.stop()
        if watcher is not None:
            watcher.stop()
        daemon.stop(cancel_runs=True)
        workspace.shutdown()
        instance.dispose()
    click.echo("assetgraph dev: stopped.")


class _WebServer:
    """uvicorn in a thread, so that this process's signal handlers stay in charge."""

    def __init__(self, server: Any, thread: threading.Thread) -> None:
        self.server = server
        self.thread = thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _start_server(app: Any, host: str, port: int, started: float) -> _WebServer | None:
    """Serve ``app``; print the URL once it listens. None when it cannot listen (said on stderr)."""
    import uvicorn

    from assetgraph.server.app import WS_PROTOCOL

    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off",
                                           ws=WS_PROTOCOL))
    thread = threading.Thread(target=server.run, name="assetgraph-web", daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.01)
    if not thread.is_alive():
        click.echo(f"Error: the web server could not listen on {host}:{port} (in use? pass --port).", err=True)
        return None
    click.echo(f"assetgraph dev: serving http://{host}:{port} (GraphQL at /graphql) "
               f"after {time.monotonic() - started:.2f}s; Ctrl-C to stop.")
    return _WebServer(server, thread)
