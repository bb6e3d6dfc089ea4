"""Generates docs/cli.md from the click commands themselves, so the reference cannot drift.

Run ``python -m assetgraph.cli.reference > docs/cli.md``; a test compares the file with the output.
The help texts are rendered exactly as ``assetgraph COMMAND --help`` prints them.
"""

from __future__ import annotations

import click


def _help(*args: str) -> str:
    from click.testing import CliRunner

    from assetgraph.cli.main import cli

    result = CliRunner().invoke(cli, [*args, "--help"], prog_name="assetgraph", terminal_width=100)
    return result.output.strip()


def render() -> str:
    """The whole reference as Markdown."""
    from assetgraph.cli.main import cli

    out = ["# Command-line reference", "",
           "Generated from the commands themselves by `python -m assetgraph.cli.reference`; do not edit by hand.", "",
           "```text", _help(), "```", ""]
    for name in sorted(cli.commands):
        command = cli.commands[name]
        out.extend([f"## `assetgraph {name}`", "", (command.help or "").strip().split("\n\n")[0], "", "```text",
                    _help(name), "```", ""])
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    click.echo(render(), nl=False)
