"""The docs cannot drift: every Python sample in README.md and docs/ runs, and the CLI reference
matches the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
SKIP = "# doc: no-run"


def _samples() -> list[tuple[str, int, str]]:
    out = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        for i, match in enumerate(FENCE.finditer(text)):
            code = match.group(1)
            if SKIP not in code:
                out.append((str(path.relative_to(ROOT)), i, code))
    return out


@pytest.mark.parametrize(("path", "index", "code"), _samples(), ids=lambda v: str(v)[:40] if isinstance(v, str) else str(v))
def test_doc_sample_runs(path: str, index: int, code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ASSETGRAPH_HOME", str(tmp_path / ".assetgraph"))
    namespace: dict[str, object] = {"__name__": f"doc_sample_{index}"}
    exec(compile(code, f"{path}[sample {index}]", "exec"), namespace)


def test_cli_reference_is_current() -> None:
    from assetgraph.cli.reference import render

    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == render(), \
        "docs/cli.md is stale: run `python -m assetgraph.cli.reference > docs/cli.md`"
