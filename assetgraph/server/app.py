"""The Starlette app: GraphQL at ``/graphql`` (subscriptions over WebSocket there too), run event
streams, captured step output downloads, ``/health`` and the UI's static files at ``/``
(``index.html`` for the UI's client-side routes).

`create_app` builds everything from what it is given; there is no module-level app and no
global state. `serve` runs it with uvicorn, on 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
from pathlib import Path
from typing import Any

from cross_web import HTTPException as StrawberryHTTPException  # what strawberry turns into a 4xx
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import Scope
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET

from assetgraph.server.captured_logs import logs_endpoint
from assetgraph.server.context import Loaders, RequestContext
from assetgraph.server.fast_executor import COLLECTOR, response_hold
from assetgraph.server.index import IndexCache, WorkspaceIndex
from assetgraph.server.schema import build_schema
from assetgraph.server.schema.assets import warm
from assetgraph.server.security import HostCheck, allowed_hosts_for, is_loopback, mutation_refusal
from assetgraph.server.stream import stream_endpoint
from assetgraph.server.workspace import Workspace
from assetgraph.storage.instance import Instance

log = logging.getLogger("assetgraph.server")

STATIC_DIR = Path(__file__).parent / "static"
TOKEN_ENV = "ASSETGRAPH_API_TOKEN"
# uvicorn's WebSocket implementation for subscriptions (the `websockets` package, its current API).
WS_PROTOCOL = "websockets-sansio"


class _GraphQLApp(GraphQL[RequestContext, None]):
    """Strawberry's ASGI app with our per-request context."""

    def __init__(self, instance: Instance, indexes: IndexCache, token: str | None, dev: bool) -> None:
        # Subscriptions over graphql-transport-ws only. WebSocket handshakes are not subject to CORS:
        # strawberry refuses those whose Origin is not this server's (no `allowed_origins`), so a page
        # elsewhere cannot read runs through the user's browser; mutations sent over a socket are
        # refused by `mutation_refusal` (not a POST).
        super().__init__(build_schema(dev=dev), graphql_ide="graphiql" if dev else None, allow_queries_via_get=dev,
                         subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,), allowed_origins=())
        self._instance = instance
        self._indexes = indexes
        self._long_lived = _LongLivedState(indexes)
        self._token = token
        self._dev = dev

    def parse_json(self, data: str | bytes) -> Any:
        # Strawberry answers 500 to a JSON body that is not an object (`null`) or not UTF-8, and the
        # json module raises RecursionError on arrays nested a hundred thousand deep.
        try:
            value = json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise StrawberryHTTPException(400, "The request body is not valid JSON.") from exc
        if not isinstance(value, dict):
            raise StrawberryHTTPException(400, "The request body must be a JSON object with a `query`.")
        return value

    async def run(self, request: Request | WebSocket, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        if not isinstance(request, Request):  # a WebSocket lives as long as its connection
            return await super().run(request, context, root_value)
        try:
            with response_hold():  # the collector stays off until the response is encoded (fast_executor)
                return await super().run(request, context, root_value)
        finally:
            self._long_lived.settle_soon()

    def encode_json(self, data: object) -> str:
        # Also WebSocket messages: those must be text frames (a browser hands binary ones over as a Blob).
        body = encode_json(data)
        return body.decode() if isinstance(body, bytes) else body

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        # strawberry's response, with the body encoded once, as bytes
        response = Response(encode_json(response_data), status_code=200, media_type="application/json")
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        if sub_response.status_code:
            response.status_code = sub_response.status_code
        return response

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> RequestContext:
        index = self._indexes.current()
        headers = {k.lower(): v for k, v in request.headers.items()}
        method = request.method if isinstance(request, Request) else "WEBSOCKET"
        refusal = mutation_refusal(headers, method, request.url.scheme, headers.get("host"), self._token)
        return RequestContext(instance=self._instance, index=index, loaders=Loaders(self._instance, index),
                              mutation_refusal=refusal, dev=self._dev)


class _LongLivedState:
    """Keeps the cyclic collector's full collections off the snapshots' objects.

    The indexes of a snapshot (its graph, a node object per asset, lookups) live until the next
    snapshot and hold most of the server's objects: hundreds of thousands for 10,000 assets. Every
    full collection would walk them (~0.3 s there, every few requests of the lineage view). So
    once per snapshot, shortly after a request, they are built ahead, one full collection runs,
    and everything alive is frozen (`gc.freeze`: left out of later collections). The next
    snapshot unfreezes first, so the objects of the old one are collected.
    """

    def __init__(self, indexes: IndexCache) -> None:
        self._indexes = indexes
        self._settled: WorkspaceIndex | None = None
        self._scheduled: WorkspaceIndex | None = None

    def settle_soon(self) -> None:
        index = self._indexes.current()
        if index is self._settled or index is self._scheduled or not COLLECTOR.process_wants_collection():
            return
        self._scheduled = index
        asyncio.get_running_loop().call_later(0.1, self._settle, index)

    def _settle(self, index: WorkspaceIndex) -> None:
        self._scheduled = None
        if index is not self._indexes.current():
            return  # superseded: a later request settles the newer one
        warm(index)
        gc.unfreeze()
        gc.collect()  # runs whether or not a request pauses the collector at the moment
        gc.freeze()
        self._settled = index


def encode_json(data: object) -> str | bytes:
    """A response body: orjson when it can (10x faster on the lineage of thousands of assets), the
    standard library for what orjson refuses (integers beyond 64 bits)."""
    try:
        import orjson
    except ImportError:  # the server extra brings it; a bare install still answers
        return json.dumps(data, separators=(",", ":"))
    try:
        return orjson.dumps(data)
    except TypeError:
        return json.dumps(data, separators=(",", ":"))


class _UIFiles(StaticFiles):
    """Static files, with ``index.html`` for paths that name no file (the UI's own routes)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            return await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404 or Path(path).suffix:
                raise
            return FileResponse(Path(str(self.directory)) / "index.html", media_type="text/html")


def create_app(workspace: Workspace, instance: Instance, *, dev: bool = False, token: str | None = None,
               static_dir: Path | None = None, bind_host: str = "127.0.0.1") -> Starlette:
    """The web app serving ``workspace`` and ``instance``.

    Args:
        workspace: the code locations (`Workspace` protocol; `InProcessWorkspace` for one process).
        instance: the storage every read and write goes through.
        dev: serve GraphiQL on ``GET /graphql`` and show unexpected errors unmasked.
        token: require ``Authorization: Bearer <token>`` on every mutation (default:
            ``$ASSETGRAPH_API_TOKEN``; empty means no token).
        static_dir: the UI build (default: ``assetgraph/server/static``).
        bind_host: the address the server listens on: requests must name it, or a loopback name
            when it is loopback (`allowed_hosts_for`; ``$ASSETGRAPH_ALLOWED_HOSTS`` overrides).

    >>> from assetgraph import Definitions
    >>> from assetgraph.server.workspace import InProcessWorkspace
    >>> app = create_app(InProcessWorkspace({"empty": Definitions()}), Instance.ephemeral())
    >>> sorted(r.path for r in app.routes)
    ['', '/graphql', '/graphql', '/health', '/runs/{run_id}/events/stream', '/runs/{run_id}/logs']
    """
    token = token if token is not None else os.environ.get(TOKEN_ENV) or None
    indexes = IndexCache(workspace)
    graphql_app = _GraphQLApp(instance, indexes, token, dev)

    async def health(request: Request) -> Response:
        locations = [{"name": loc.name, "status": loc.status} for loc in workspace.locations]
        return JSONResponse({"status": "ok", "locations": locations})

    routes = [
        Route("/health", health, methods=["GET"]),
        Route("/graphql", graphql_app, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql_app),
        Route("/runs/{run_id}/events/stream", stream_endpoint(instance), methods=["GET"]),
        Route("/runs/{run_id}/logs", logs_endpoint(instance), methods=["GET"]),
        Mount("/", app=_UIFiles(directory=str(static_dir or STATIC_DIR), html=True, check_dir=False)),
    ]
    app = Starlette(debug=dev, routes=routes, exception_handlers={Exception: _internal_error},
                    middleware=[Middleware(HostCheck, allowed=allowed_hosts_for(bind_host))])
    app.state.workspace = workspace
    app.state.instance = instance
    app.state.indexes = indexes
    return app


async def _internal_error(request: Request, exc: Exception) -> Response:
    log.error("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return PlainTextResponse("Internal server error; the server log has the details.", status_code=500)


def warn_if_exposed(host: str, token: str | None = None) -> None:
    """Log a warning when ``host`` is not loopback: who can reach it can read everything, and launch
    runs unless an API token is set (``token``, else ``$ASSETGRAPH_API_TOKEN``)."""
    if is_loopback(host):
        return
    effective = token if token is not None else os.environ.get(TOKEN_ENV)
    log.warning("Serving on %s: anyone who can reach this address can read runs and assets%s.", host,
                "" if effective else ", and launch runs (set ASSETGRAPH_API_TOKEN to protect mutations)")


def serve(workspace: Workspace, instance: Instance, *, host: str = "127.0.0.1", port: int = 3000,
          dev: bool = False, token: str | None = None) -> None:
    """Run the app with uvicorn until interrupted. Binding beyond loopback prints a warning."""
    import uvicorn

    warn_if_exposed(host, token)
    uvicorn.run(create_app(workspace, instance, dev=dev, token=token, bind_host=host), host=host, port=port,
                log_level="info", ws=WS_PROTOCOL)
