"""Who may mutate, and what a query may cost.

A request may run mutations when it carries the API token (if one is configured) and cannot be
a cross-site browser request: strawberry accepts POST bodies only as ``application/json`` (a
content type no HTML form can send without a CORS preflight, which this server never grants),
and we also require the ``X-Assetgraph-Request`` header or an ``Origin`` equal to the server's
own. Queries are bounded in depth, aliases and tokens. Errors that are not ours to explain
(bugs) reach clients as a bare message with an id; the traceback stays in the server's log.
"""

from __future__ import annotations

import hmac
import logging
import os
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.permission import BasePermission

from assetgraph.definitions.errors import AssetGraphError

if TYPE_CHECKING:
    import ipaddress

log = logging.getLogger("assetgraph.server")

CSRF_HEADER = "x-assetgraph-request"
ALLOWED_HOSTS_ENV = "ASSETGRAPH_ALLOWED_HOSTS"
LOOPBACK_NAMES = ("localhost",)
MAX_DEPTH = 15
MAX_ALIASES = 50
MAX_TOKENS = 5000


def allowed_hosts_for(bind_host: str) -> tuple[str, ...] | None:
    """The host names a request's ``Host`` header may give for a server bound to ``bind_host``;
    None for any.

    DNS rebinding is a web page on a name its author controls that is made to resolve to this
    server's address: the browser then treats the server as the page's own origin, so the page
    could read and mutate. Naming the host by address cannot be that (the page's origin would be
    the server itself), so addresses are always answered (`host_allowed`) and only names are
    checked: loopback's ``localhost``; for a server bound to every interface, also the machine's
    own names; for one bound to a name, that name. ``$ASSETGRAPH_ALLOWED_HOSTS`` (comma-separated;
    ``*.example.com`` for subdomains, ``*`` for any) replaces these when set.
    """
    configured = os.environ.get(ALLOWED_HOSTS_ENV, "").strip()
    if configured:
        names = tuple(_normalise(n) for n in configured.split(",") if n.strip())
        return None if "*" in names else names
    address = _address(bind_host)
    if not bind_host or (address is not None and address.is_unspecified):
        import socket

        return tuple(dict.fromkeys(("localhost", _normalise(socket.gethostname()), _normalise(socket.getfqdn()))))
    if address is not None:
        return LOOPBACK_NAMES
    return tuple(dict.fromkeys((_normalise(bind_host), "localhost")))


def host_allowed(header: str | None, allowed: tuple[str, ...] | None) -> bool:
    """Whether a ``Host`` header (``name``, ``name:port``, ``address``, ``[v6]:port``) names a host
    this server answers: any address, or an allowed name."""
    if allowed is None:
        return True
    if not header:
        return False
    if header.startswith("["):
        close = header.find("]")
        rest = header[close + 1:] if close > 0 else "!"
        if rest and not (rest.startswith(":") and rest[1:].isdigit()):
            return False
        return _address(header[1:close]) is not None
    name, _, port = header.rpartition(":") if header.count(":") == 1 else (header, "", "")
    if port and not port.isdigit():
        return False
    name = _normalise(name)
    if _address(name) is not None:
        return True
    return name in allowed or any(a.startswith("*.") and name.endswith(a[1:]) for a in allowed)


def _normalise(name: str) -> str:
    """A host name as compared: lower case, without brackets, a port or a trailing dot."""
    name = name.strip().lower()
    if name.startswith("["):
        return name[1:name.find("]")] if "]" in name else name
    if name.count(":") == 1:
        name = name.split(":", 1)[0]
    return name.rstrip(".")


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``host`` (``[v6]`` too) as an IP address; None for a name."""
    import ipaddress

    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address, ``[v6]`` or a name) is this machine's loopback."""
    address = _address(host)
    return address.is_loopback if address is not None else host.lower() == "localhost"


class HostCheck:
    """ASGI middleware refusing requests whose ``Host`` is not allowed (see `allowed_hosts_for`):
    400 for HTTP, a refused handshake (403) for WebSockets."""

    def __init__(self, app: Any, allowed: tuple[str, ...] | None) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket") and self.allowed is not None:
            header = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"host"), None)
            if not host_allowed(header, self.allowed):
                log.warning("Refused a request for host %r (allowed: %s; set %s to change).", header,
                            ", ".join(self.allowed), ALLOWED_HOSTS_ENV)
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return
                body = (f"Invalid Host header. This server answers {', '.join(self.allowed)}; set "
                        f"{ALLOWED_HOSTS_ENV} to add names.").encode()
                await send({"type": "http.response.start", "status": 400,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                        (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def mutation_refusal(headers: Mapping[str, str], method: str, scheme: str, host: str | None,
                     token: str | None) -> str | None:
    """Why a request may not run mutations, or None when it may. ``headers`` keys are lower-case."""
    if token:
        given = headers.get("authorization", "")
        scheme_word, _, value = given.partition(" ")
        if scheme_word.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.encode()):
            return ("Mutations need the API token: send `Authorization: Bearer <token>` "
                    "(the server's ASSETGRAPH_API_TOKEN).")
    if method != "POST":
        return "Mutations must be sent with POST."
    if CSRF_HEADER in headers:  # browsers send custom headers cross-site only after a preflight we never grant
        return None
    origin = headers.get("origin")
    if origin is not None and host is not None and origin.rstrip("/") == f"{scheme}://{host}":
        return None
    if origin is not None:
        return f"Mutations from another origin ({origin}) are refused."
    return ("Mutations need the header `X-Assetgraph-Request: 1` (it protects against cross-site requests; "
            "the UI and AssetGraphClient send it).")


class MutationAllowed(BasePermission):
    """Refuses a mutation field when the request may not mutate (see `mutation_refusal`)."""

    message = "Mutation refused."

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        refusal = info.context.mutation_refusal
        if refusal is not None:
            self.message = refusal
            return False
        return True


def is_client_error(error: GraphQLError) -> bool:
    """Errors the client caused and can fix: validation, bad arguments, our own error types."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return True
    from assetgraph.server.services import RequestError

    return isinstance(original, (AssetGraphError, RequestError, PermissionError))


class _LogUnexpected(SchemaExtension):
    """Logs the traceback of unexpected errors, tagged with an id the masked message repeats."""

    def on_operation(self) -> Any:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None) or []
        for i, error in enumerate(errors):
            if not is_client_error(error):
                error_id = uuid.uuid4().hex[:8]
                log.error("GraphQL error %s at %s", error_id, error.path, exc_info=error.original_error)
                errors[i] = GraphQLError(f"Internal server error (id {error_id}); the server log has the details.",
                                         nodes=error.nodes, source=error.source, positions=error.positions,
                                         path=error.path)


def schema_extensions(dev: bool) -> list[Any]:
    """Limits for every schema; outside dev, unexpected errors are masked."""
    extensions: list[Any] = [  # factories: strawberry builds fresh extensions per request
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
    ]
    if not dev:
        extensions.append(_LogUnexpected)
    return extensions

