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
import uuid
from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.permission import BasePermission

from assetgraph.definitions.errors import AssetGraphError

log = logging.getLogger("assetgraph.server")

CSRF_HEADER = "x-assetgraph-request"
MAX_DEPTH = 15
MAX_ALIASES = 50
MAX_TOKENS = 5000


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
    return None


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

