"""AssetSpec, AssetDep and how `deps=` values are read."""

from assetgraph.definitions.asset import asset, multi_asset
from assetgraph.definitions.keys import AssetKey
from assetgraph.definitions.spec import AssetSpec, coerce_deps


@multi_asset(specs=[AssetSpec("a"), AssetSpec("b")])
def both() -> None:
    return None


def test_deps_on_a_multi_asset_depend_on_each_of_its_assets() -> None:
    assert [d.asset_key for d in coerce_deps([both])] == [AssetKey("a"), AssetKey("b")]

    @asset(deps=[both])
    def downstream() -> None:
        return None

    assert downstream.spec.dep_keys == (AssetKey("a"), AssetKey("b"))
    assert AssetSpec("external", deps=[both]).dep_keys == (AssetKey("a"), AssetKey("b"))
