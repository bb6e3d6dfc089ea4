"""A multi-asset that cannot be subset (``users`` and ``sessions`` always come together),
a subsettable one, and a downstream asset that reads one of them."""

from assetgraph.definitions.asset import asset, multi_asset
from assetgraph.definitions.results import MaterializeResult
from assetgraph.definitions.spec import AssetSpec


@multi_asset(specs=[AssetSpec("users"), AssetSpec("sessions")])
def users_and_sessions():  # type: ignore[no-untyped-def]
    yield MaterializeResult(asset_key="users")
    yield MaterializeResult(asset_key="sessions")


@multi_asset(specs=[AssetSpec("clicks"), AssetSpec("views")], can_subset=True)
def clicks_and_views():  # type: ignore[no-untyped-def]
    yield MaterializeResult(asset_key="clicks")
    yield MaterializeResult(asset_key="views")


@asset(deps=["users"])
def active_users() -> None: ...


assets = [users_and_sessions, clicks_and_views, active_users]
