"""Built-in IO managers: one object per partition, dicts for several, atomic files, DataFrames."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from assetgraph import (
    DailyPartitionsDefinition,
    DuckDBPandasIOManager,
    FilesystemIOManager,
    Instance,
    PandasParquetIOManager,
    StaticPartitionsDefinition,
    asset,
    materialize,
)

regions = StaticPartitionsDefinition(["eu", "us", "a/b c,d"])


@asset(partitions_def=regions, metadata={"partition_expr": "region"})
def sales(context) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return pd.DataFrame({"region": [context.partition_key] * 2, "amount": [1, 2]})


@asset
def all_sales(sales: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(sales.values())


@pytest.mark.parametrize("make", [
    lambda d: PandasParquetIOManager(d / "pq"),
    lambda d: DuckDBPandasIOManager(d / "wh.duckdb"),
], ids=["parquet", "duckdb"])
def test_partitioned_frames_round_trip_and_fan_in_as_a_dict(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    inst = Instance.from_url(f"sqlite:///{tmp_path}/ag.db")
    io = make(tmp_path)
    for region in ["eu", "us", "a/b c,d"]:
        r = materialize([sales], partition_key=region, instance=inst, resources={"io_manager": io})
        mat = r.get_asset_materialization_events()[0]
        assert mat.metadata["row_count"].value == 2
    again = materialize([sales], partition_key="eu", instance=inst, resources={"io_manager": io})
    assert again.success
    result = materialize([sales, all_sales], selection=[all_sales], instance=inst, resources={"io_manager": io})
    frame = result.asset_value("all_sales")
    assert sorted(frame["region"].tolist()) == ["a/b c,d", "a/b c,d", "eu", "eu", "us", "us"]


def test_filesystem_io_manager_keeps_keys_inside_its_folder(tmp_path: Path) -> None:
    io = FilesystemIOManager(tmp_path / "store")
    from assetgraph import AssetKey

    path = io.path_for(AssetKey(["..", "x"]), "../../etc")
    assert path.resolve().is_relative_to((tmp_path / "store").resolve())


def test_duckdb_partitioned_asset_without_partition_expr_is_a_clear_error(tmp_path: Path) -> None:
    daily = DailyPartitionsDefinition(start_date="2024-01-01")

    @asset(partitions_def=daily)
    def events() -> pd.DataFrame:
        return pd.DataFrame({"x": [1]})

    r = materialize([events], partition_key="2024-01-01", instance=Instance.ephemeral(),
                    resources={"io_manager": DuckDBPandasIOManager(tmp_path / "w.duckdb")}, raise_on_error=False)
    assert "partition_expr" in r.get_step_failure_events()[0].message or \
        "partition_expr" in str(r.get_step_failure_events()[0].error)
