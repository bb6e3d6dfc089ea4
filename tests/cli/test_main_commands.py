"""The core CLI commands against small code locations written to a temporary folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = '''
from assetgraph import AssetIn, AssetSpec, Definitions, asset

raw = AssetSpec("raw/events", group_name="raw")

@asset(deps=[raw], key_prefix="stg", group_name="staging")
def events():
    return [1, 2, 3]

@asset(key_prefix="stg", group_name="staging")
def counts(events):
    return len(events)

@asset(ins={"counts": AssetIn("stg/counts")})
def report(counts):
    if counts > FAIL_ABOVE:
        raise RuntimeError("too many events")
    return counts

@asset
def summary(report):
    return report

FAIL_ABOVE = {fail_above}
defs = Definitions(assets=[raw, events, counts, report, summary])
'''


def _project(tmp_path: Path, fail_above: int = 100, pyproject: bool = True) -> Path:
    (tmp_path / "my_location.py").write_text(PROJECT.replace("{fail_above}", str(fail_above)))
    if pyproject:
        (tmp_path / "pyproject.toml").write_text('[tool.assetgraph]\nmodule = "my_location"\n')
    return tmp_path


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSETGRAPH_HOME": str(tmp_path / ".assetgraph")}
    return subprocess.run([sys.executable, "-m", "assetgraph.cli.main", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def test_validate_reads_the_location_from_pyproject(tmp_path: Path) -> None:
    out = _run(_project(tmp_path), "validate")
    assert out.returncode == 0, out.stderr
    assert "OK: 5 assets" in out.stdout


def test_list_json_has_the_promised_fields(tmp_path: Path) -> None:
    out = _run(_project(tmp_path), "list", "--json", "--select", "group:staging")
    rows = json.loads(out.stdout)
    assert rows == [
        {"key": "stg/events", "group": "staging", "deps": ["raw/events"], "kinds": [], "is_partitioned": False,
         "is_external": False, "checks": []},
        {"key": "stg/counts", "group": "staging", "deps": ["stg/events"], "kinds": [], "is_partitioned": False,
         "is_external": False, "checks": []},
    ]


def test_lineage_lists_upstream_and_downstream(tmp_path: Path) -> None:
    out = _run(_project(tmp_path), "lineage", "stg/counts")
    assert out.stdout.split() == ["upstream:", "raw/events", "stg/events", "*", "stg/counts", "downstream:",
                                  "report", "summary"]


def test_materialize_persists_runs_in_the_home(tmp_path: Path) -> None:
    project = _project(tmp_path)
    out = _run(project, "materialize", "--select", "*")
    assert out.returncode == 0, out.stderr
    runs = _run(project, "runs")
    assert "SUCCESS" in runs.stdout


def test_failed_run_exits_1_shows_user_traceback_and_resume_command(tmp_path: Path) -> None:
    out = _run(_project(tmp_path, fail_above=1), "materialize", "--select", "*")
    assert out.returncode == 1
    assert 'raise RuntimeError("too many events")' in out.stderr
    assert "assetgraph materialize --select 'key:report or key:summary'" in out.stderr


def test_definition_error_exits_2_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text(
        "from assetgraph import asset, Definitions\n\n@asset\ndef b(ordrs):\n    return 1\n\n"
        "@asset\ndef orders():\n    return 1\n\ndefs = Definitions(assets=[b, orders])\n")
    out = _run(tmp_path, "validate", "-f", "broken.py")
    assert out.returncode == 2
    assert 'Asset "b" depends on "ordrs", which no definition provides.' in out.stderr
    assert "broken.py:3" in out.stderr and "did you mean: orders" in out.stderr


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("from assetgraph import asset\n\ndef oops(:\n    pass\n")
    out = _run(tmp_path, "validate", "-f", "bad.py")
    assert out.returncode == 2
    assert "Syntax error in" in out.stderr and "bad.py:3" in out.stderr


def test_missing_code_location_explains_how_to_declare_one(tmp_path: Path) -> None:
    out = _run(tmp_path, "list")
    assert out.returncode == 2
    assert "[tool.assetgraph]" in out.stderr


@pytest.mark.parametrize("selection", ["key:nope", "group:", "key:a and"])
def test_bad_selection_exits_2(tmp_path: Path, selection: str) -> None:
    out = _run(_project(tmp_path), "list", "--select", selection)
    assert out.returncode == 2, out.stdout
