"""The server over the real multi-process workspace of `assetgraph.codelocation`: the location runs
in its own process and the server reads only its snapshot."""

from __future__ import annotations

from pathlib import Path

import httpx

from assetgraph.codelocation.loader import CodeLocationTarget
from assetgraph.codelocation.workspace import LocationSpec, Workspace
from assetgraph.server.workspace import Workspace as WorkspaceProtocol
from assetgraph.storage.instance import Instance
from tests.server.conftest import MUTATION_HEADERS, running_server

ROOT = Path(__file__).parents[2]


def test_server_serves_a_process_workspace(tmp_path: Path) -> None:
    target = CodeLocationTarget(module="tests.server.project", attribute="defs", working_directory=str(ROOT))
    instance = Instance.from_url(f"sqlite:///{tmp_path / 'assetgraph.db'}")
    with Workspace([LocationSpec("project", target)]) as workspace:
        assert isinstance(workspace, WorkspaceProtocol)
        with running_server(workspace, instance) as url:
            locations = httpx.post(url + "/graphql", json={"query": "{ codeLocations { name status error } }"}).json()
            assert locations == {"data": {"codeLocations": [{"name": "project", "status": "LOADED", "error": None}]}}
            launched = httpx.post(url + "/graphql", headers=MUTATION_HEADERS, json={
                "query": 'mutation { launchRun(selection: "key:orders+") { id status codeLocation } }'}).json()
    run = launched["data"]["launchRun"]
    assert (run["status"], run["codeLocation"]) == ("QUEUED", "project")
    stored = instance.get_run(run["id"])
    assert stored is not None and stored.code_location == "project"
    instance.dispose()
