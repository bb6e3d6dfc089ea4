"""The shop's dbt project (`shop_dbt/`), loaded as assets: models, the seed, and dbt tests as checks.

Its sources are the raw tables the Python ingestion assets write (raw/orders, raw/customers), so
lineage runs from the landing files through pandas into dbt and on to the Python reports.
"""

from __future__ import annotations

import os
from typing import Any

from assetgraph import AssetExecutionContext
from assetgraph_dbt import DbtCliResource, DbtProject, DbtTranslator, dbt_assets
from shop.resources import PROJECT_DIR

DBT_DIR = PROJECT_DIR / "shop_dbt"
# dbt's profile reads the warehouse path from SHOP_WAREHOUSE; give it the same default as the
# Python resources, as an absolute path, so both write one file wherever the process runs.
os.environ.setdefault("SHOP_WAREHOUSE", str(PROJECT_DIR / "data" / "warehouse.duckdb"))

project = DbtProject(DBT_DIR, profiles_dir=DBT_DIR).prepare()


class ShopTranslator(DbtTranslator):
    """Groups follow the dbt folders: models/staging → staging, models/marts → marts, seeds → reference."""

    def get_group_name(self, node: dict[str, Any]) -> str:
        if node.get("resource_type") == "seed":
            return "reference"
        fqn = node.get("fqn") or []
        return str(fqn[1]) if len(fqn) > 2 else "dbt"


@dbt_assets(manifest=project.manifest_path, translator=ShopTranslator())
def shop_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource) -> Any:
    """Every model, seed and test of the shop's dbt project; dbt reports each as it finishes."""
    yield from dbt.cli(["build"], context=context).stream()


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=str(DBT_DIR), profiles_dir=str(DBT_DIR))
