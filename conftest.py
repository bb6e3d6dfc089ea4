"""Doctest set-up: docstring examples run with the public names of `assetgraph` in scope."""

from __future__ import annotations

from typing import Any

import pytest

# pytester runs pytest in temporary projects (the pytest plugin's tests); it must be declared here,
# in the top-level conftest.
pytest_plugins = ["pytester"]

# Alembic's env.py and migration scripts only run inside Alembic.
collect_ignore_glob = ["assetgraph/storage/migrations/*"]


@pytest.fixture(autouse=True)
def _assetgraph_doctest_namespace(doctest_namespace: dict[str, Any], tmp_path: Any,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import assetgraph

    for name in dir(assetgraph):
        if not name.startswith("_"):
            try:
                doctest_namespace[name] = getattr(assetgraph, name)
            except ImportError:
                continue
    monkeypatch.setenv("ASSETGRAPH_HOME", str(tmp_path / "home"))
