"""`assetgraph init`: a new project skeleton that validates, materialises and tests out of the box."""

from __future__ import annotations

import keyword
import re
from pathlib import Path

import click

PYPROJECT = '''[project]
name = "{name}"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["assetgraph"]

[tool.assetgraph]
module = "{package}.definitions"

[tool.pytest.ini_options]
testpaths = ["tests"]
'''

ASSETS = '''"""{package}'s assets. A parameter named after an asset makes it an upstream."""

from __future__ import annotations

from assetgraph import AssetExecutionContext, DailyPartitionsDefinition, MaterializeResult, asset

daily = DailyPartitionsDefinition(start_date="2024-01-01")


@asset(group_name="raw", partitions_def=daily)
def events(context: AssetExecutionContext) -> list[dict[str, object]]:
    """One day of events. Replace this with a read from your source system."""
    day = context.partition_key
    return [{{"day": day, "user": i % 7, "value": i}} for i in range(10)]


@asset(group_name="marts", partitions_def=daily)
def daily_summary(events: list[dict[str, object]]) -> MaterializeResult:
    """Per-day totals, with metadata the UI charts over time."""
    total = sum(int(e["value"]) for e in events)  # type: ignore[call-overload]
    return MaterializeResult(value={{"total": total, "events": len(events)}},
                             metadata={{"total": total, "row_count": len(events)}})
'''

CHECKS = '''"""Data checks: they run after their asset in the same run."""

from __future__ import annotations

from assetgraph import AssetCheckResult, asset_check

from {package}.assets import events


@asset_check(asset=events, blocking=True)
def events_not_empty(events: list[dict[str, object]]) -> AssetCheckResult:
    """A day without events stops the marts from being built on nothing."""
    return AssetCheckResult(passed=len(events) > 0, metadata={{"rows": len(events)}})
'''

DEFINITIONS = '''"""The code location: everything this project defines."""

from assetgraph import Definitions

from {package}.assets import daily_summary, events
from {package}.checks import events_not_empty

defs = Definitions(assets=[events, daily_summary], asset_checks=[events_not_empty])
'''

TEST = '''"""Unit tests of the assets: plain function calls, and one in-process materialisation."""

from assetgraph import Instance, build_asset_context, materialize

from {package}.assets import daily_summary, events
from {package}.checks import events_not_empty


def test_events_for_a_day() -> None:
    rows = events(build_asset_context(partition_key="2024-01-02"))
    assert len(rows) == 10 and rows[0]["day"] == "2024-01-02"


def test_materialise_a_day_with_its_check() -> None:
    instance = Instance.ephemeral()
    result = materialize([events, daily_summary, events_not_empty], partition_key="2024-01-02", instance=instance)
    assert result.success
    assert result.asset_value("daily_summary") == {{"total": 45, "events": 10}}
    assert [e.passed for e in result.get_asset_check_evaluations()] == [True]
'''

README = '''# {name}

An [assetgraph](https://pypi.org/project/assetgraph/) project.

```bash
assetgraph validate                                            # load the definitions, report errors
assetgraph materialize --select '*' --partition 2024-01-02     # materialise one day
assetgraph backfill --select '*' --from 2024-01-01 --to 2024-01-31
assetgraph dev                                                 # web UI, daemon and this code location
pytest                                                         # unit tests of the assets
```
'''


def _package_name(name: str) -> str:
    package = re.sub(r"[^0-9a-zA-Z_]", "_", name).lower().strip("_") or "project"
    if package[0].isdigit() or keyword.iskeyword(package):
        package = f"p_{package}"
    return package


@click.command()
@click.argument("name")
@click.option("--directory", type=click.Path(file_okay=False), default=None,
              help="Where to create the project (default: ./NAME).")
def init(name: str, directory: str | None) -> None:
    """Create a new project: a code location with a partitioned asset, a check and tests."""
    target = Path(directory or name)
    if target.exists() and any(target.iterdir()):
        raise click.ClickException(f"{target} exists and is not empty; pick another name or --directory.")
    package = _package_name(name)
    files = {
        "pyproject.toml": PYPROJECT.format(name=name, package=package),
        "README.md": README.format(name=name),
        f"{package}/__init__.py": "",
        f"{package}/assets.py": ASSETS.format(package=package),
        f"{package}/checks.py": CHECKS.format(package=package),
        f"{package}/definitions.py": DEFINITIONS.format(package=package),
        "tests/__init__.py": "",
        "tests/test_assets.py": TEST.format(package=package),
        ".gitignore": ".assetgraph/\n__pycache__/\n",
    }
    for rel, text in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    click.echo(f"Created {target}/ (code location: {package}.definitions). Next:\n"
               f"  cd {target}\n  assetgraph validate\n  assetgraph materialize --select '*' --partition 2024-01-02")
