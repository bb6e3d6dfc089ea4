"""Resources: `ConfigurableResource` and `ConfigurableIOManager` (pydantic models).

Imports pydantic, so `assetgraph/__init__` exposes these names lazily. Must not import
anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from assetgraph.definitions.env import EnvVar
from assetgraph.definitions.io_manager import IOManager


class ConfigurableResource(BaseModel):
    """A typed, configurable resource. Fields given as `EnvVar` are read when a run starts.

    >>> class Warehouse(ConfigurableResource):
    ...     path: str
    >>> Warehouse(path=EnvVar("WAREHOUSE")).path
    EnvVar('WAREHOUSE')
    """

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    def __init__(self, **data: Any) -> None:
        env_vars = {k: v for k, v in data.items() if isinstance(v, EnvVar)}
        super().__init__(**data)
        # Validation turns an EnvVar into a plain str; put the EnvVar back so it resolves at run time.
        for name, value in env_vars.items():
            self.__dict__[name] = value

    def resolved(self) -> ConfigurableResource:
        """A copy with every `EnvVar` field replaced by the variable's value now."""
        changes: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, EnvVar):
                changes[name] = value.get_value()
            elif isinstance(value, ConfigurableResource):
                changes[name] = value.resolved()
        return self.model_copy(update=changes) if changes else self

    def setup_for_execution(self, context: Any) -> None:
        """Called once per run (or step process) before the resource is used."""

    def teardown_after_execution(self, context: Any) -> None:
        """Called once after the run (or step process) used the resource."""

    def redacted_config(self) -> dict[str, Any]:
        """The resource's configuration for display: `EnvVar` fields show the variable's name."""
        out: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            out[name] = repr(value) if isinstance(value, EnvVar) else value
        return out


class ConfigurableIOManager(ConfigurableResource, IOManager):
    """An IO manager configured like a resource: implement `handle_output` and `load_input`."""

    def handle_output(self, context: Any, obj: Any) -> None:
        raise NotImplementedError

    def load_input(self, context: Any) -> Any:
        raise NotImplementedError
