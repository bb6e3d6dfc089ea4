"""A diamond: one root feeding two assets that meet again.

    raw/orders → orders_cleaned ─┐
               → orders_enriched ─┴→ orders_report
"""

from assetgraph.definitions.asset import asset
from assetgraph.definitions.spec import AssetSpec

raw_orders = AssetSpec("raw/orders", group_name="raw", owners=["data@example.com"], kinds=["s3"])


@asset(deps=[raw_orders], group_name="staging", tags={"team": "core"}, kinds=["pandas"])
def orders_cleaned() -> None:
    """Drops malformed rows."""


@asset(deps=[raw_orders], group_name="staging", tags={"team": "growth"})
def orders_enriched() -> None:
    """Adds customer attributes."""


@asset(deps=[orders_cleaned, orders_enriched], group_name="marts", owners=["team:analytics"], kinds=["dbt"])
def orders_report() -> None:
    """Joins both views."""


assets = [raw_orders, orders_cleaned, orders_enriched, orders_report]
