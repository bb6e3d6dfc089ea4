"""Code locations: status and load errors, reload, and a broken location beside a working one."""

from __future__ import annotations

import httpx

from assetgraph.definitions.definitions import Definitions
from assetgraph.server.workspace import InProcessWorkspace
from assetgraph.storage.instance import Instance
from tests.server import project
from tests.server.conftest import MUTATION_HEADERS, running_server


class _Flaky:
    """A location factory that fails until it is fixed."""

    def __init__(self) -> None:
        self.fixed = False

    def __call__(self) -> Definitions:
        if not self.fixed:
            raise SyntaxError("invalid syntax (defs.py, line 3)")
        return Definitions(assets=[project.steady])


def test_broken_location_shows_its_error_and_reload_picks_up_the_fix() -> None:
    flaky = _Flaky()
    workspace = InProcessWorkspace({"project": project.defs, "broken": flaky})
    instance = Instance.ephemeral()
    with running_server(workspace, instance) as url, httpx.Client() as http:
        def gql(query: str) -> dict[str, object]:
            body: dict[str, object] = http.post(url + "/graphql", json={"query": query},
                                                headers=MUTATION_HEADERS).json()
            return body

        locations = gql("{ codeLocations { name status error } }")["data"]["codeLocations"]  # type: ignore[index]
        assert [(loc["name"], loc["status"]) for loc in locations] == [("project", "LOADED"), ("broken", "ERROR")]
        assert "invalid syntax" in locations[1]["error"]
        assert gql('{ assetNode(key: ["orders"]) { location } }')["data"] == {"assetNode": {"location": "project"}}
        launched = gql('mutation { launchRun(selection: "key:new_in_broken") { runId } }')
        assert "Not loaded at the moment: broken (error)." in launched["errors"][0]["message"]  # type: ignore[index]
        flaky.fixed = True
        reloaded = gql('mutation { reloadCodeLocation(name: "broken") { name status error assetCount } }')
        assert reloaded["data"] == {"reloadCodeLocation": {"name": "broken", "status": "LOADED", "error": None,
                                                           "assetCount": 1}}
        assert "code_location/reload/broken" in instance.get_kvs(["code_location/reload/broken"])  # for the daemon
        unknown = gql('mutation { reloadCodeLocation(name: "nope") { name } }')
        assert "No code location named 'nope'" in unknown["errors"][0]["message"]  # type: ignore[index]
    instance.dispose()
