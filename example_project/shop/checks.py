"""Data checks of the shop. The blocking one stops bad raw data from reaching the marts."""

from __future__ import annotations

import pandas as pd

from assetgraph import AssetCheckResult, AssetCheckSeverity, AssetKey, asset_check


@asset_check(asset=AssetKey(["raw", "orders"]), blocking=True)
def orders_have_positive_amounts(orders: pd.DataFrame) -> AssetCheckResult:
    """Every order line has a positive amount; otherwise the marts would be wrong."""
    bad = int((orders["amount"] <= 0).sum())
    return AssetCheckResult(passed=bad == 0, metadata={"non_positive_rows": bad, "rows": len(orders)})


@asset_check(asset=AssetKey(["raw", "orders"]))
def orders_ids_unique(orders: pd.DataFrame) -> AssetCheckResult:
    """Order ids are unique within a day."""
    dupes = int(orders["order_id"].duplicated().sum())
    return AssetCheckResult(passed=dupes == 0, metadata={"duplicates": dupes})


@asset_check(asset=AssetKey(["marts", "daily_revenue"]))
def every_country_sold(daily_revenue: pd.DataFrame) -> AssetCheckResult:
    """A day where fewer than three countries bought anything deserves a look (a warning)."""
    countries = int(daily_revenue["country"].nunique())
    return AssetCheckResult(passed=countries >= 3, severity=AssetCheckSeverity.WARN,
                            metadata={"countries": countries})
