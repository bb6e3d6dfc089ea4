"""Run configuration: `Config` (pydantic) and `RunConfig`.

Imports pydantic, so `assetgraph/__init__` exposes these names lazily. Must not import
anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from assetgraph.definitions.errors import ConfigError


class Config(BaseModel):
    """Per-run configuration of an asset: subclass it with typed fields.

    >>> class Limit(Config):
    ...     limit: int = 10
    >>> Limit(limit=5).limit
    5
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


class RunConfig:
    """Configuration of one run: ``ops`` maps an asset's name to its `Config` (or a dict),
    ``resources`` maps a resource key to a dict of field overrides.

    >>> RunConfig(ops={"orders": {"limit": 5}}).to_dict()
    {'ops': {'orders': {'config': {'limit': 5}}}, 'resources': {}}
    """

    def __init__(self, ops: Mapping[str, Any] | None = None, resources: Mapping[str, Any] | None = None) -> None:
        self.ops = dict(ops or {})
        self.resources = dict(resources or {})

    def to_dict(self) -> dict[str, Any]:
        ops = {name: {"config": _config_values(value, f"ops[{name!r}]")} for name, value in self.ops.items()}
        res = {name: {"config": _config_values(value, f"resources[{name!r}]")} for name, value in self.resources.items()}
        return {"ops": ops, "resources": res}


def _config_values(value: Any, where: str) -> dict[str, Any]:
    """A `Config` object or a mapping of field values, as a dict; `ConfigError` for anything else."""
    if isinstance(value, BaseModel):
        return value.model_dump()
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"Run config {where} must be a Config object or a mapping of field values, got {value!r}.")
    return dict(value)


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"Run config {where} must be a mapping, got {value!r}.")
    return value


def normalize_run_config(run_config: RunConfig | Mapping[str, Any] | None) -> dict[str, Any]:
    """One dict form for both ways users write run config."""
    if run_config is None:
        return {"ops": {}, "resources": {}}
    if isinstance(run_config, RunConfig):
        return run_config.to_dict()
    if not isinstance(run_config, Mapping):
        raise ConfigError(f"Run config must be a RunConfig or a dict with 'ops' and 'resources', got {run_config!r}.")
    unknown = set(run_config) - {"ops", "resources", "execution", "loggers"}
    if unknown:
        raise ConfigError(f"Run config has unknown top-level keys {sorted(unknown, key=repr)}; "
                          "expected 'ops' and 'resources'.")
    ops = {}
    for name, value in _mapping(run_config.get("ops"), "'ops'").items():
        if isinstance(value, BaseModel):
            ops[name] = {"config": value.model_dump()}
        elif isinstance(value, Mapping) and "config" in value:
            ops[name] = {"config": _config_values(value["config"], f"ops[{name!r}]['config']")}
        else:
            raise ConfigError(f"Run config for {name!r} must be {{'config': {{...}}}} or a Config object, got {value!r}.")
    return {"ops": ops, "resources": dict(_mapping(run_config.get("resources"), "'resources'"))}


def build_config(cls: type[Config], values: Mapping[str, Any], where: str) -> Config:
    """Validate ``values`` into ``cls``, with an error that names the asset."""
    if not isinstance(values, Mapping):
        raise ConfigError(f"Config for {where} must be a mapping of field values, got {values!r}.")
    try:
        return cls.model_validate(dict(values))
    except ValidationError as exc:
        raise ConfigError(f"Config for {where} is invalid:\n{exc}") from None
