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
    """

    @property
    def name(self) -> str:
        return str.__str__(self)

    def get_value(self, default: str | None = None) -> str:
        """The variable's value now; a `ConfigError` naming the variable when it is unset."""
        value = os.environ.get(self.name, default)
        if value is None:
            raise ConfigError(f"Environment variable {self.name} is not set; a resource needs it (EnvVar({self.name!r})).")
        return value

    def __repr__(self) -> str:
        return f"EnvVar({self.name!r})"
