"""A dependency on a misspelt key: ``raw/order`` where ``raw/orders`` exists."""

from assetgraph.definitions.asset import asset
from assetgraph.definitions.spec import AssetSpec

raw_orders = AssetSpec("raw/orders")


@asset(key_prefix="marts", deps=["raw/order"])
def orders_daily() -> None: ...


assets = [raw_orders, orders_daily]
