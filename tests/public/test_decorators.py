"""What API.md promises about `@asset` and friends, through the public names only."""

from __future__ import annotations

import pytest

from assetgraph import (
    AssetIn,
    AssetKey,
    AssetSpec,
    DefinitionError,
    Definitions,
    MaterializeResult,
    asset,
    build_asset_context,
    multi_asset,
)


def test_parameter_named_after_an_asset_is_its_upstream_with_the_same_prefix() -> None:
    @asset(key_prefix=["raw"])
    def orders() -> int:
        return 1

    @asset(key_prefix=["raw"])
    def order_count(orders: int) -> int:
        return orders

    assert order_count.key == AssetKey(["raw", "order_count"])
    assert [d.asset_key for d in order_count.spec.deps] == [AssetKey(["raw", "orders"])]


def test_ins_and_deps_both_become_upstreams() -> None:
    @asset(ins={"src": AssetIn(key="raw/orders")}, deps=["raw/customers"])
    def joined(src: int) -> int:
        return src

    assert [d.asset_key.to_user_string() for d in joined.spec.deps] == ["raw/orders", "raw/customers"]


def test_defaults_group_description_and_io_manager() -> None:
    @asset
    def documented() -> None:
        """Orders, cleaned.

        More detail here.
        """

    assert documented.spec.group_name == "default"
    assert documented.spec.description == "Orders, cleaned.\n\nMore detail here."
    assert documented.io_manager_key == "io_manager"


def test_key_with_name_is_a_definition_error_naming_the_function() -> None:
    with pytest.raises(DefinitionError, match="key= together with name="):
        @asset(key="a", name="b")
        def clash() -> None: ...


def test_context_parameter_is_not_an_upstream() -> None:
    @asset
    def uses_context(context) -> int:  # type: ignore[no-untyped-def]
        return 1

    assert uses_context.spec.deps == ()


def test_direct_invocation_calls_the_function() -> None:
    @asset
    def adds(context, x: int) -> int:  # type: ignore[no-untyped-def]
        return x + (1 if context.partition_key == "p" else 0)

    assert adds(build_asset_context(partition_key="p"), 2) == 3


def test_multi_asset_keys_and_specs() -> None:
    @multi_asset(specs=[AssetSpec("a", group_name="g"), AssetSpec("b", deps=["a"])], can_subset=True)
    def both():  # type: ignore[no-untyped-def]
        yield MaterializeResult(asset_key="a")
        yield MaterializeResult(asset_key="b")

    assert both.keys == (AssetKey("a"), AssetKey("b"))
    assert both.can_subset
    with pytest.raises(DefinitionError, match="defines 2 assets"):
        _ = both.key


def test_definitions_rejects_things_that_are_not_assets() -> None:
    with pytest.raises(DefinitionError, match="pass functions decorated with @asset"):
        Definitions(assets=[lambda: 1])  # type: ignore[list-item]


def test_star_args_are_rejected_with_the_location() -> None:
    with pytest.raises(DefinitionError, match=r"\*args or \*\*kwargs"):
        @asset
        def bad(*args: int) -> None: ...


def test_time_window_definition_takes_api_md_positional_order() -> None:
    from assetgraph import TimeWindowPartitionsDefinition

    pdef = TimeWindowPartitionsDefinition("0 0 * * *", "2024-01-01", "%Y-%m-%d", "UTC", 1)
    assert pdef.end_offset == 1 and pdef.timezone == "UTC"
