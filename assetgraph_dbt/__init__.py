"""dbt models as assetgraph assets. Depends on assetgraph's public API only.

The dbt integration lands with its own issue; this package is importable so that the
`dbt` extra and the layout exist from the start.
"""

__all__: list[str] = []
