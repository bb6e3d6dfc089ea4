"""Raw data, loaded as it lands: daily order files and the customer list."""

from __future__ import annotations

import pandas as pd

from assetgraph import AssetExecutionContext, Output, asset
from shop import landing
from shop.partitions import daily
from shop.resources import ShopFiles


@asset(
    key_prefix="raw",
    group_name="raw",
    partitions_def=daily,
    kinds=["pandas", "duckdb"],
    owners=["data-eng@shop.example"],
    metadata={"partition_expr": "order_date"},
    code_version="1",
)
def orders(context: AssetExecutionContext, shop_files: ShopFiles) -> Output:
    """Orders of one day, as they landed in the day's CSV file."""
    day = context.partition_time_window.start.date()
    frame = pd.read_csv(landing.orders_file(shop_files.path, day), dtype={"order_date": str})
    context.log.info("loaded %d orders for %s", len(frame), day)
    return Output(frame, metadata={"revenue": float(frame["amount"].sum())})


@asset(key_prefix="raw", group_name="raw", kinds=["pandas", "duckdb"], owners=["data-eng@shop.example"])
def customers() -> pd.DataFrame:
    """Every customer with their segment."""
    return pd.DataFrame(landing.customers())

