"""An asset that lists itself in ``deps``."""

from assetgraph.definitions.asset import asset


@asset(deps=["narcissus"])
def narcissus() -> None: ...


assets = [narcissus]
