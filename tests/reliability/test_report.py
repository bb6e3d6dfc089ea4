"""The summary table renderer: rows sorted by kind, failures shown, the document's markers kept."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.outcomes import Campaign
from tests.reliability.report import BEGIN, END


def test_report_replaces_the_table_between_markers_and_fails_on_a_lost_trial(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = tmp_path / "report.jsonl"
    monkeypatch.setenv("ASSETGRAPH_CAMPAIGN_REPORT", str(report))
    ok = Campaign(test="tests/reliability/test_x.py::test_ok")
    ok.record("load", "soak", trials=10, survived=10, checked="memory flat")
    ok.flush()
    bad = Campaign(test="tests/reliability/test_x.py::test_bad")
    bad.record("fault", "SIGKILL of the daemon", trials=5, survived=4, checked="no run stuck")
    bad.flush()
    assert [json.loads(line)["scenario"] for line in report.read_text().splitlines()] == ["soak",
                                                                                           "SIGKILL of the daemon"]
    doc = tmp_path / "doc.md"
    doc.write_text(f"intro\n{BEGIN}\nold table\n{END}\noutro\n")
    done = subprocess.run([sys.executable, "-m", "tests.reliability.report", str(report), "--doc", str(doc)],
                          capture_output=True, text=True, cwd=Path(__file__).parents[2])
    assert done.returncode == 1, done.stderr
    text = doc.read_text()
    assert text.startswith("intro\n") and text.endswith(f"{END}\noutro\n") and "old table" not in text
    fault, load = text.index("SIGKILL of the daemon"), text.index("| soak |")
    assert fault < load  # faults first
    assert "**NO: 4**" in text and "**yes**" in text
