"""Cleaned orders, revenue per day and country, and reports over all days."""

from __future__ import annotations

import pandas as pd

from assetgraph import AssetExecutionContext, AssetIn, MaterializeResult, asset
from shop.partitions import daily
from shop.resources import Warehouse


@asset(
    key_prefix="staging",
    group_name="staging",
    partitions_def=daily,
    ins={"orders": AssetIn(key="raw/orders"), "customers": AssetIn(key="raw/customers")},
    kinds=["pandas", "duckdb"],
    metadata={"partition_expr": "order_date"},
)
def orders_enriched(orders: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """Orders with their customer's segment; cancelled (non-positive) lines removed."""
    kept = orders[orders["quantity"] > 0]
    return kept.merge(customers[["customer_id", "segment"]], on="customer_id", how="left")


@asset(
    key_prefix="marts",
    group_name="marts",
    partitions_def=daily,
    ins={"orders_enriched": AssetIn(key="staging/orders_enriched")},
    kinds=["pandas", "duckdb"],
    owners=["analytics@shop.example"],
    metadata={"partition_expr": "order_date"},
)
def daily_revenue(context: AssetExecutionContext, orders_enriched: pd.DataFrame) -> MaterializeResult:
    """Revenue per country for one day."""
    frame = (orders_enriched.groupby(["order_date", "country"], as_index=False)
             .agg(revenue=("amount", "sum"), orders=("order_id", "count")))
    total = float(frame["revenue"].sum())
    context.log.info("revenue %.2f on %s", total, context.partition_key)
    return MaterializeResult(value=frame, metadata={"revenue": total, "row_count": len(frame)})


@asset(key_prefix="marts", group_name="reports", deps=[daily_revenue], kinds=["duckdb"],
       owners=["analytics@shop.example"])
def revenue_report(warehouse: Warehouse) -> MaterializeResult:
    """Revenue per country over every materialised day, read from the warehouse."""
    frame = warehouse.query("SELECT country, sum(revenue) AS revenue, count(DISTINCT order_date) AS days "
                            "FROM marts.daily_revenue GROUP BY country ORDER BY revenue DESC")
    return MaterializeResult(value=frame, metadata={
        "days": int(frame["days"].max()) if len(frame) else 0,
        "top_country": str(frame.iloc[0]["country"]) if len(frame) else "",
        "total_revenue": float(frame["revenue"].sum()),
        "row_count": len(frame),
    })


@asset(key_prefix="marts", group_name="reports", deps=[daily_revenue], kinds=["numpy"],
       io_manager_key="fs_io_manager")
def revenue_forecast(warehouse: Warehouse) -> MaterializeResult:
    """A tiny model: a linear trend over daily revenue, projected 7 days ahead."""
    import numpy as np

    days = warehouse.query("SELECT order_date, sum(revenue) AS revenue FROM marts.daily_revenue "
                           "GROUP BY order_date ORDER BY order_date")
    if len(days) < 2:
        return MaterializeResult(metadata={"trained_on_days": len(days), "note": "needs 2+ days"})
    x = np.arange(len(days), dtype=float)
    slope, intercept = np.polyfit(x, days["revenue"].to_numpy(dtype=float), 1)
    ahead = [float(intercept + slope * (len(days) + i)) for i in range(7)]
    return MaterializeResult(value=ahead, metadata={"trained_on_days": len(days), "slope_per_day": float(slope),
                                                    "next_day_revenue": ahead[0]})
