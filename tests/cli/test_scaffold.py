"""`assetgraph init` makes a project that validates, materialises and passes its own tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSETGRAPH_HOME": str(cwd / ".assetgraph")}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180)


def test_new_project_validates_materialises_and_tests(tmp_path: Path) -> None:
    made = _run(tmp_path, "-m", "assetgraph.cli.main", "init", "my-weather")
    assert made.returncode == 0, made.stderr
    project = tmp_path / "my-weather"
    assert (project / "my_weather" / "definitions.py").exists()
    assert _run(project, "-m", "assetgraph.cli.main", "validate").returncode == 0
    mat = _run(project, "-m", "assetgraph.cli.main", "materialize", "--select", "*", "--partition", "2024-01-02")
    assert mat.returncode == 0, mat.stderr
    tests = _run(project, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error")
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "2 passed" in tests.stdout


def test_init_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "file.txt").write_text("x")
    out = _run(tmp_path, "-m", "assetgraph.cli.main", "init", "taken")
    assert out.returncode == 1 and "not empty" in out.stderr
