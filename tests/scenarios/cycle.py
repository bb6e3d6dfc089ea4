"""Three assets that depend on each other in a cycle: a → b → c → a."""

from assetgraph.definitions.asset import asset


@asset(deps=["c"])
def a() -> None: ...


@asset(deps=["a"])
def b() -> None: ...


@asset(deps=["b"])
def c() -> None: ...


@asset(deps=["a"])
def outside_the_cycle() -> None: ...


assets = [a, b, c, outside_the_cycle]
