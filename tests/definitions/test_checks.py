"""`@asset_check` and `AssetCheckSpec`."""

from assetgraph.definitions.checks import asset_check
from assetgraph.definitions.results import AssetCheckResult


def test_check_description_is_the_dedented_docstring_like_an_assets() -> None:
    @asset_check(asset="orders")
    def has_rows() -> AssetCheckResult:
        """Orders has rows.

        Empty loads happen when the upstream export fails.
        """
        return AssetCheckResult(passed=True)

    assert has_rows.check_specs[0].description == (
        "Orders has rows.\n\nEmpty loads happen when the upstream export fails."
    )
