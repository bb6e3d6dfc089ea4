"""`EnvVar`: a value read from the environment at run time, never stored.

Must not import anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

import os

from assetgraph.definitions.errors import ConfigError


class EnvVar(str):
    """Names an environment variable whose value a resource receives at run time.

    Its string form is the variable's *name*, so snapshots, logs and the event log show
    ``EnvVar("WAREHOUSE_PATH")`` and never the secret.

    >>> EnvVar("HOME").name
    'HOME'
    >>> EnvVar("SURELY_UNSET_VARIABLE", default="x").get_value()
    'x'
    """

    default: str | None

    def __new__(cls, name: str, default: str | None = None) -> EnvVar:
        value = super().__new__(cls, name)
        value.default = default
        return value

    def __reduce__(self) -> tuple[object, ...]:
        return (EnvVar, (self.name, self.default))

    @property
    def name(self) -> str:
        return str.__str__(self)

    def get_value(self, default: str | None = None) -> str:
        """The variable's value now; a `ConfigError` naming the variable when it is unset."""
        value = os.environ.get(self.name, default if default is not None else self.default)
        if value is None:
            raise ConfigError(f"Environment variable {self.name} is not set; a resource needs it (EnvVar({self.name!r})).")
        return value

    def __repr__(self) -> str:
        if self.default is not None:
            return f"EnvVar({self.name!r}, default={self.default!r})"
        return f"EnvVar({self.name!r})"
