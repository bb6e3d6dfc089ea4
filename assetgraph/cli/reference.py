"""Generates docs/cli.md from the click commands themselves, so the reference cannot drift.

Run ``python -m assetgraph.cli.reference > docs/cli.md``; a test compares the file with the output.
"""

from __future__ import annotations

import click


def _command_doc(name: str, command: click.Command, parent: click.Context) -> list[str]:
    ctx = click.Context(command, info_name=name, parent=parent, terminal_width=100, max_content_width=100)
    lines = [f"## `assetgraph {name}`", "", (command.help or "").strip(), "", "```text",
             command.get_help(ctx).strip(), "```", ""]
    return lines


def render() -> str:
    """The whole reference as Markdown."""
    from assetgraph.cli.main import cli

    root = click.Context(cli, info_name="assetgraph", terminal_width=100, max_content_width=100)
    out = ["# Command-line reference", "",
           "Generated from the commands themselves by `python -m assetgraph.cli.reference`; do not edit by hand.", "",
           "```text", cli.get_help(root).strip(), "```", ""]
    for name in sorted(cli.commands):
        out.extend(_command_doc(name, cli.commands[name], root))
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    click.echo(render(), nl=False)
