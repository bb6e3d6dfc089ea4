"""Layer 7: the web server. A Starlette app (`assetgraph.server.app.create_app`) serving GraphQL at
``/graphql``, the UI's static files at ``/`` and ``/health``.

Importing this package imports nothing heavy: Starlette, strawberry and uvicorn load in the
modules that use them. May import every layer before it; nothing imports it but the CLI.
"""
