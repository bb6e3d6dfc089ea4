"""Data checks of the shop. The blocking one stops bad raw data from reaching the marts."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from assetgraph import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    asset_check,
    build_last_update_freshness_checks,
    build_metadata_bounds_checks,
)


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


# The latest daily partition of raw/orders should exist within a day of its window ending.
orders_freshness = build_last_update_freshness_checks(assets=[AssetKey(["raw", "orders"])],
                                                      lower_bound_delta=timedelta(days=1))

# A normal day has between 10 and 100 order lines; outside that range, warn.
orders_row_count = build_metadata_bounds_checks(assets=[AssetKey(["marts", "daily_revenue"])],
                                                metadata_key="row_count", min_value=1, max_value=100)
