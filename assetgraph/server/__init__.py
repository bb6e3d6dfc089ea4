"""Layer 7: the Starlette app serving GraphQL, the UI and health."""
