"""`assetgraph backfill`: keys that contain commas, quotes and unicode; exit codes; the re-run hint."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from assetgraph.cli.backfill import parse_partition_list

LOCATION = '''
from assetgraph import Definitions, StaticPartitionsDefinition, asset

parts = StaticPartitionsDefinition(["a,b", "c|d", 'q"x', "ünï", "bad"])

@asset(partitions_def=parts)
def items(context):
    if context.partition_key == "bad":
        raise ValueError("bad partition")
    return context.partition_key

defs = Definitions(assets=[items])
'''


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "loc.py").write_text(LOCATION)
    env = {**os.environ, "ASSETGRAPH_HOME": str(tmp_path / "home")}
    return subprocess.run([sys.executable, "-m", "assetgraph.cli.main", "backfill", "-f", "loc.py", *args],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_partition_list_uses_csv_quoting_so_commas_work() -> None:
    assert parse_partition_list('"a,b",c|d,"q""x",ünï') == ["a,b", "c|d", 'q"x', "ünï"]


def test_backfill_of_odd_keys_succeeds(tmp_path: Path) -> None:
    out = _run(tmp_path, "--select", "items", "--partitions", '"a,b",c|d,"q""x",ünï')
    assert out.returncode == 0, out.stderr
    assert "COMPLETED: 4 succeeded, 0 failed, 4 run(s)" in out.stdout


def test_failed_partition_exits_1_and_prints_the_rerun_command(tmp_path: Path) -> None:
    out = _run(tmp_path, "--select", "items", "--partitions", "bad,c|d")
    assert out.returncode == 1
    assert "--failed-and-missing" in out.stderr and "-f loc.py" in out.stderr


def test_range_and_keys_together_is_a_usage_error(tmp_path: Path) -> None:
    out = _run(tmp_path, "--select", "items", "--partitions", "c|d", "--from", "a", "--to", "b")
    assert out.returncode == 2 and "exactly one of" in out.stderr
