"""``assetgraph server``: the web server alone (GraphQL, UI, health), for production, with the
daemon running separately (``assetgraph daemon``). Code locations run in processes of their own."""

from __future__ import annotations

import logging
import os

import click

from assetgraph.cli.daemon import (
    find_specs,
    open_instance,
    open_workspace,
    stop_on_signals,
    workspace_options,
)


@click.command()
@workspace_options
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; anything but loopback needs ASSETGRAPH_API_TOKEN to protect mutations.")
@click.option("--port", default=3000, show_default=True, type=int)
@click.option("--log-level", default="INFO", show_default=True, help="DEBUG, INFO, WARNING or ERROR.")
def server(module: str | None, file_: str | None, attribute: str | None, workspace_file: str | None, host: str,
           port: int, log_level: str) -> None:
    """Run the web server: GraphQL at /graphql, the UI at /, health at /health. It serves while its
    code locations load (``/health`` shows each one's status)."""
    from assetgraph.server.app import serve

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    specs = find_specs(module, file_, attribute, workspace_file)
    instance = open_instance()
    workspace = open_workspace(specs)
    # uvicorn re-raises SIGTERM and SIGINT once it has shut down; with the default handlers that kills
    # this process before the clean-up below (code-location processes and their temporary folders).
    stop_on_signals()
    try:
        click.echo(f"assetgraph server: http://{host}:{port} (GraphQL at /graphql); instance {instance.display_url}; "
                   f"Ctrl-C to stop.")
        serve(workspace, instance, host=host, port=port, dev=False, token=os.environ.get("ASSETGRAPH_API_TOKEN"))
    finally:
        workspace.shutdown()
        instance.dispose()
