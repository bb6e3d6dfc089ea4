"""The code location: everything the shop's data platform defines."""

from __future__ import annotations

from assetgraph import Definitions, DuckDBPandasIOManager, FilesystemIOManager
from shop import checks
from shop.assets import marts, raw
from shop.resources import PROJECT_DIR, default_files, default_warehouse

defs = Definitions(
    assets=[raw.orders, raw.customers, marts.orders_enriched, marts.daily_revenue, marts.revenue_report,
            marts.revenue_forecast],
    asset_checks=[checks.orders_have_positive_amounts, checks.orders_ids_unique, checks.every_country_sold],
    resources={
        "io_manager": DuckDBPandasIOManager(default_warehouse().resolved().path),
        "fs_io_manager": FilesystemIOManager(PROJECT_DIR / ".assetgraph" / "storage"),
        "shop_files": default_files(),
        "warehouse": default_warehouse(),
    },
)
