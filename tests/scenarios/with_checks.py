"""Assets with checks: one reported by the asset itself, one separate blocking check."""

from assetgraph.definitions.asset import asset
from assetgraph.definitions.checks import AssetCheckSpec, asset_check
from assetgraph.definitions.results import AssetCheckResult


@asset(check_specs=[AssetCheckSpec("has_rows")])
def orders() -> None: ...


@asset(deps=[orders])
def customers() -> None: ...


@asset_check(asset=orders, blocking=True, additional_deps=[customers])
def orders_match_customers() -> AssetCheckResult:
    return AssetCheckResult(passed=True)


assets = [orders, customers]
checks = [orders_match_customers]
