"""`serve` binds loopback by default and warns when asked to bind elsewhere; the client and the
server package import nothing heavy."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from assetgraph.server import app as app_module
from assetgraph.storage.instance import Instance
from tests.server.conftest import project_workspace


def _capture_run(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(kwargs))
    return seen


def test_serve_binds_loopback_by_default(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    seen = _capture_run(monkeypatch)
    instance = Instance.ephemeral()
    app_module.serve(project_workspace(), instance)
    instance.dispose()
    assert seen["host"] == "127.0.0.1"
    assert not [r for r in caplog.records if r.levelname == "WARNING"]


def test_serve_warns_when_binding_beyond_loopback(monkeypatch: pytest.MonkeyPatch,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv("ASSETGRAPH_API_TOKEN", raising=False)
    seen = _capture_run(monkeypatch)
    instance = Instance.ephemeral()
    with caplog.at_level("WARNING", logger="assetgraph.server"):
        app_module.serve(project_workspace(), instance, host="0.0.0.0")
    instance.dispose()
    assert seen["host"] == "0.0.0.0"
    assert "set ASSETGRAPH_API_TOKEN" in caplog.text


def test_client_and_server_package_import_no_web_library() -> None:
    code = ("import sys, assetgraph.client, assetgraph.server, assetgraph.server.workspace; "
            "heavy = [m for m in ('strawberry', 'starlette', 'uvicorn', 'graphql', 'httpx') if m in sys.modules]; "
            "print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
