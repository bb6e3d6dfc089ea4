"""The code location: everything the shop's data platform defines."""

from __future__ import annotations

from assetgraph import Definitions, DuckDBPandasIOManager, FilesystemIOManager
from shop import automation, checks
from shop.assets import inbox, marts, raw, reports
from shop.dbt import dbt_resource, shop_dbt_models
from shop.resources import PROJECT_DIR, default_files, default_warehouse

defs = Definitions(
    assets=[raw.orders, raw.customers, inbox.inbox_files, marts.orders_enriched, marts.daily_revenue,
            marts.revenue_report, marts.revenue_forecast, shop_dbt_models, reports.top_customers],
    asset_checks=[checks.orders_have_positive_amounts, checks.orders_ids_unique, checks.every_country_sold,
                  *checks.orders_freshness, *checks.orders_row_count],
    jobs=[automation.daily_job],
    schedules=[automation.daily_schedule],
    sensors=[automation.inbox_sensor],
    resources={
        "io_manager": DuckDBPandasIOManager(default_warehouse().resolved().path),
        "fs_io_manager": FilesystemIOManager(PROJECT_DIR / ".assetgraph" / "storage"),
        "shop_files": default_files(),
        "warehouse": default_warehouse(),
        "dbt": dbt_resource(),
    },
)
