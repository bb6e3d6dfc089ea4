"""Resources and config: EnvVar values are read at run time and never shown."""

from __future__ import annotations

import pytest

from assetgraph import ConfigError, ConfigurableResource, EnvVar, asset, materialize_to_memory


class Warehouse(ConfigurableResource):
    path: str
    schema_name: str = "main"


def test_env_var_field_keeps_the_name_until_the_run_resolves_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAREHOUSE_PATH", "/data/wh.duckdb")
    wh = Warehouse(path=EnvVar("WAREHOUSE_PATH"))
    assert wh.path == EnvVar("WAREHOUSE_PATH") and isinstance(wh.path, EnvVar)
    assert wh.redacted_config() == {"path": "EnvVar('WAREHOUSE_PATH')", "schema_name": "main"}
    assert wh.resolved().path == "/data/wh.duckdb"


def test_asset_receives_the_resolved_resource(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAREHOUSE_PATH", "/secret/path")

    @asset
    def where(warehouse: Warehouse) -> str:
        return warehouse.path

    result = materialize_to_memory([where], resources={"warehouse": Warehouse(path=EnvVar("WAREHOUSE_PATH"))})
    assert result.asset_value("where") == "/secret/path"
    assert "/secret/path" not in repr([e.metadata for e in result.all_events])


def test_unset_env_var_is_a_config_error_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOPE_NOT_SET", raising=False)

    @asset
    def needs(warehouse: Warehouse) -> str:
        return warehouse.path

    with pytest.raises(ConfigError, match="NOPE_NOT_SET"):
        materialize_to_memory([needs], resources={"warehouse": Warehouse(path=EnvVar("NOPE_NOT_SET"))})
