"""Property-based fuzzing of configuration (issue 11, hostile input): run config (dict and `RunConfig`
forms) down to the `Config` an asset receives, the daemon's ``assetgraph.yaml`` and the storage
setting. Any value is accepted or refused with `ConfigError` (`StorageError` for the storage setting)
whose message names the setting; never a raw ``TypeError``, ``AttributeError`` or YAML traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assetgraph import Config, RunConfig, asset, materialize
from assetgraph.definitions.config import build_config, normalize_run_config
from assetgraph.definitions.errors import ConfigError, StorageError
from assetgraph.orchestration.config import DaemonConfig
from assetgraph.storage.config import storage_url
from tests.reliability.outcomes import Campaign, scale

SETTING_NAMES = ["ops", "resources", "config", "execution", "limit", "name", "run_queue", "max_concurrent_runs",
                 "tag_concurrency_limits", "key", "value", "run_monitoring", "heartbeat_timeout_seconds",
                 "startup_timeout_seconds", "interval_seconds", "schedules", "max_catchup_ticks", "run_retries",
                 "retry_strategy", "max_retries", "retention", "ticks_days", "non_asset_events_days", "storage", "url",
                 "orders"]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6)
    | st.sampled_from(["FROM_FAILURE", "10", "1e400", "-1", "nan", "postgresql://u@h/db"]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(SETTING_NAMES) | st.text(max_size=4) | st.integers(), inner, max_size=4),
    max_leaves=16)


class Limit(Config):
    limit: int = 10
    name: str = "x"


@asset
def orders(config: Limit) -> int:
    return config.limit


def _settings(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _fuzz(campaign: Campaign, scenario: str, examples: int, strategy: st.SearchStrategy[Any],
          parse: Callable[[Any], object], allowed: type[Exception] = ConfigError) -> None:
    tally = {"trials": 0, "raw": 0}

    @_settings(examples)
    @given(value=strategy)
    def fuzz(value: Any) -> None:
        tally["trials"] += 1
        try:
            parse(value)
        except allowed as err:
            assert str(err).strip()
        except Exception:
            tally["raw"] += 1
            raise

    try:
        fuzz()
    finally:
        campaign.record("input", scenario, trials=tally["trials"], survived=tally["trials"] - tally["raw"],
                        checked=f"accepted, or a {allowed.__name__} with a message; no raw exception",
                        details=f"{examples} examples")


@pytest.mark.parametrize("run_config", [[], 0.0, "ops", {"ops": []}, {"ops": {"orders": {"config": [1]}}},
                                        {"resources": 3}, {1: {}, "x": {}}, RunConfig(ops={"orders": 5})])
def test_run_config_of_the_wrong_shape_is_a_config_error(run_config: Any) -> None:
    # Regression: lists, numbers and misplaced values raised AttributeError or TypeError.
    with pytest.raises(ConfigError, match="Run config"):
        normalize_run_config(run_config)


def test_config_values_that_are_not_a_mapping_are_a_config_error() -> None:
    with pytest.raises(ConfigError, match='Config for "orders" must be a mapping'):
        build_config(Limit, None, '"orders"')  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="is invalid"):
        build_config(Limit, {1: 2}, '"orders"')


def test_any_run_config_reaches_the_asset_or_is_a_config_error(campaign: Campaign) -> None:
    def run(value: Any) -> object:
        normalized = normalize_run_config(value)
        for entry in normalized["ops"].values():
            build_config(Limit, entry["config"], '"orders"')
        return normalized

    _fuzz(campaign, "arbitrary run config (dict form) parsed into Config", scale(400, 10_000),
          JSON | st.dictionaries(st.just("ops"), st.dictionaries(st.just("orders"), st.dictionaries(
              st.just("config"), JSON))), run)


def test_run_config_through_materialize_is_the_value_or_a_config_error(campaign: Campaign) -> None:
    def run(value: Any) -> object:
        result = materialize([orders], run_config={"ops": {"orders": {"config": value}}})
        assert result.asset_value("orders") == Limit.model_validate({} if value is None else value).limit
        return result

    _fuzz(campaign, "arbitrary config values for an asset, materialised", scale(40, 500),
          JSON | st.fixed_dictionaries({"limit": JSON}), run)


def test_daemon_settings_of_any_shape_are_read_or_a_config_error(campaign: Campaign) -> None:
    _fuzz(campaign, "arbitrary daemon settings (assetgraph.yaml as parsed)", scale(400, 10_000),
          JSON | st.dictionaries(st.sampled_from(["run_queue", "run_monitoring", "schedules", "run_retries",
                                                  "retention"]), JSON), DaemonConfig.from_dict)


@pytest.mark.parametrize("text", ["run_queue: {max_concurrent_runs: ten}", "retention: {ticks_days: [1]}",
                                  "run_queue: [", "\t: :", "- a\n- b"])
def test_a_bad_assetgraph_yaml_is_a_config_error_naming_the_file(tmp_path: Path, text: str) -> None:
    # Regression: int("ten") raised ValueError and YAML syntax errors raised yaml's own exceptions.
    (tmp_path / "assetgraph.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"assetgraph\.yaml"):
        DaemonConfig.load(tmp_path)


def test_any_assetgraph_yaml_text_is_read_or_refused_with_the_file_named(tmp_path_factory: pytest.TempPathFactory,
                                                                          campaign: Campaign) -> None:
    home = tmp_path_factory.mktemp("yaml")
    path = home / "assetgraph.yaml"
    yaml_text = st.text(alphabet=st.sampled_from(list(":-[]{}\"'#&*!|>%@`, \n\tabc01")), max_size=40) | st.text(
        max_size=40)

    def read(text: str) -> object:
        path.write_text(text, encoding="utf-8")
        try:
            DaemonConfig.load(home)
        except ConfigError as err:
            assert str(path) in str(err)
        return storage_url(home)

    _fuzz(campaign, "arbitrary assetgraph.yaml text (daemon settings and storage)", scale(300, 5_000), yaml_text,
          read, allowed=StorageError)


def test_a_bad_storage_setting_is_a_storage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSETGRAPH_STORAGE_URL", raising=False)
    (tmp_path / "assetgraph.yaml").write_text("storage: [", encoding="utf-8")
    with pytest.raises(StorageError, match="not valid YAML"):
        storage_url(tmp_path)
    (tmp_path / "assetgraph.yaml").write_bytes(b"storage: \xff\xfe")
    with pytest.raises(StorageError, match="not UTF-8"):
        storage_url(tmp_path)
