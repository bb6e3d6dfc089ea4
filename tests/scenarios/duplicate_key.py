"""Two definitions of the same key, ``orders``, at different lines."""

from assetgraph.definitions.asset import asset


@asset
def orders() -> None: ...


@asset(name="orders")
def orders_again() -> None: ...


assets = [orders, orders_again]
