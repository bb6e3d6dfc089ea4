"""Python assets downstream of the dbt marts."""

from __future__ import annotations

from assetgraph import AssetKey, MaterializeResult, asset
from shop.resources import Warehouse


@asset(key_prefix="reports", group_name="reports", deps=[AssetKey(["marts", "customer_revenue"])],
       kinds=["duckdb"], owners=["analytics@shop.example"], io_manager_key="fs_io_manager")
def top_customers(warehouse: Warehouse) -> MaterializeResult:
    """The ten customers with the most revenue, from the dbt mart."""
    frame = warehouse.query("SELECT customer_name, segment, revenue FROM marts.customer_revenue "
                            "ORDER BY revenue DESC LIMIT 10")
    return MaterializeResult(value=frame, metadata={
        "row_count": len(frame),
        "best_customer": str(frame.iloc[0]["customer_name"]) if len(frame) else "",
        "best_revenue": float(frame.iloc[0]["revenue"]) if len(frame) else 0.0,
    })
