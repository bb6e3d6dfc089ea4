"""The app's routes: health, static UI with client-side routes, GraphQL over GET only in dev."""

from __future__ import annotations

import json
from typing import Any

import httpx

from assetgraph.storage.instance import Instance
from tests.server.conftest import LiveServer, project_workspace, running_server


def test_health_reports_locations(live: LiveServer) -> None:
    body = live.http.get(live.url + "/health").json()
    assert body == {"status": "ok", "locations": [{"name": "project", "status": "LOADED"}]}


def test_root_serves_the_ui_index(live: LiveServer) -> None:
    response = live.http.get(live.url + "/")
    assert response.status_code == 200
    assert "<title>assetgraph</title>" in response.text


def test_client_side_route_serves_index_html(live: LiveServer) -> None:
    response = live.http.get(live.url + "/assets/raw/orders")
    assert response.status_code == 200
    assert "<title>assetgraph</title>" in response.text


def test_missing_static_file_is_404(live: LiveServer) -> None:
    assert live.http.get(live.url + "/missing-bundle.js").status_code == 404


def test_get_graphql_outside_dev_serves_no_ide_and_runs_no_query(live: LiveServer) -> None:
    response = live.http.get(live.url + "/graphql", params={"query": "{ codeLocations { name } }"})
    assert 400 <= response.status_code < 500
    assert "graphiql" not in response.text.lower()


def test_dev_mode_serves_graphiql_on_get() -> None:
    instance = Instance.ephemeral()
    with running_server(project_workspace(), instance, dev=True) as url:
        response = httpx.get(url + "/graphql", headers={"Accept": "text/html"})
    instance.dispose()
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_response_bodies_are_json_even_beyond_what_orjson_encodes() -> None:
    from assetgraph.server.app import encode_json

    assert json.loads(encode_json({"data": {"n": 1, "s": "ü"}})) == {"data": {"n": 1, "s": "ü"}}
    huge = 2**70  # orjson refuses integers beyond 64 bits: the standard library encodes them
    assert json.loads(encode_json({"data": {"n": huge}})) == {"data": {"n": huge}}


def test_the_garbage_collector_runs_again_after_requests_of_every_kind(live: LiveServer) -> None:
    import gc

    live.data("{ assetNodes { key { path } latestMaterialization { timestamp } } }")
    live.gql("{ assetNode(key: []) { id } }")  # an error
    live.gql("{ nope }")  # a validation error
    live.http.get(live.url + "/health")
    assert gc.isenabled()


def test_a_snapshots_objects_are_frozen_out_of_full_collections() -> None:
    """Shortly after the first request on a snapshot, its node objects are left out of collections."""
    import asyncio
    import gc

    from assetgraph.server.app import create_app
    from assetgraph.server.schema.assets import node_of

    async def request_then_wait() -> Any:
        app = create_app(project_workspace(), Instance.ephemeral())
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            response = await client.post("/graphql", json={"query": "{ assetNodes { key { path } } }"})
            assert response.status_code == 200
            await asyncio.sleep(0.5)  # the settling runs 0.1 s after the request
        return app

    gc.unfreeze()
    app = asyncio.run(request_then_wait())
    loc = app.state.indexes.current().locations[0]
    node = node_of(loc, loc.order[0])
    assert gc.get_freeze_count() > 0 and gc.isenabled()
    assert not any(obj is node for obj in gc.get_objects())  # in the permanent generation
