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
        ops = {}
        for name, value in self.ops.items():
            ops[name] = {"config": value.model_dump() if isinstance(value, BaseModel) else dict(value)}
        res = {}
        for name, value in self.resources.items():
            res[name] = {"config": value.model_dump() if isinstance(value, BaseModel) else dict(value)}
        return {"ops": ops, "resources": res}


def normalize_run_config(run_config: RunConfig | Mapping[str, Any] | None) -> dict[str, Any]:
    """One dict form for both ways users write run config."""
    if run_config is None:
        return {"ops": {}, "resources": {}}
    if isinstance(run_config, RunConfig):
        return run_config.to_dict()
    unknown = set(run_config) - {"ops", "resources", "execution", "loggers"}
    if unknown:
        raise ConfigError(f"Run config has unknown top-level keys {sorted(unknown)}; expected 'ops' and 'resources'.")
    ops = {}
    for name, value in (run_config.get("ops") or {}).items():
        if isinstance(value, BaseModel):
            ops[name] = {"config": value.model_dump()}
        elif isinstance(value, Mapping) and "config" in value:
            ops[name] = {"config": dict(value["config"] or {})}
        else:
            raise ConfigError(f"Run config for {name!r} must be {{'config': {{...}}}} or a Config object, got {value!r}.")
    return {"ops": ops, "resources": dict(run_config.get("resources") or {})}


def build_config(cls: type[Config], values: Mapping[str, Any], where: str) -> Config:
    """Validate ``values`` into ``cls``, with an error that names the asset."""
    try:
        return cls(**values)
    except ValidationError as exc:
        raise ConfigError(f"Config for {where} is invalid:\n{exc}") from None
