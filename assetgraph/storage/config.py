"""Where an instance lives: `$ASSETGRAPH_HOME` and the storage URL from the environment or
`assetgraph.yaml`.

Pure (reads environment and one file). Must not import SQLAlchemy or anything above `storage`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from assetgraph.definitions.errors import StorageError

DEFAULT_HOME = ".assetgraph"
CONFIG_FILE = "assetgraph.yaml"
DB_FILE = "assetgraph.db"
URL_ENV_VAR = "ASSETGRAPH_STORAGE_URL"
HOME_ENV_VAR = "ASSETGRAPH_HOME"


def instance_home() -> Path:
    """``$ASSETGRAPH_HOME``, or ``./.assetgraph``."""
    return Path(os.environ.get(HOME_ENV_VAR) or DEFAULT_HOME)


def storage_url(home: Path | None = None) -> str:
    """The storage URL: ``$ASSETGRAPH_STORAGE_URL``, else ``storage:`` in ``assetgraph.yaml`` (a URL,
    or a mapping with ``url``), else the SQLite file under the home directory."""
    from_env = os.environ.get(URL_ENV_VAR)
    if from_env:
        return from_env
    home = home if home is not None else instance_home()
    config_path = home / CONFIG_FILE
    if config_path.exists():
        configured = _storage_setting(config_path)
        if configured is not None:
            return configured
    return f"sqlite:///{(home / DB_FILE).resolve()}"


def _storage_setting(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise StorageError(f"{path} is not UTF-8 text ({exc}).") from None
    try:
        import yaml
    except ImportError:
        match = re.search(r"^storage:\s*['\"]?([^'\"\s#]+)", text, re.MULTILINE)
        return match.group(1) if match else None
    try:
        data: Any = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise StorageError(f"{path} is not valid YAML:\n{exc}") from None
    value = data.get("storage") if isinstance(data, dict) else None
    if value is None:
        return None
    if isinstance(value, dict) and isinstance(value.get("url"), str):
        return str(value["url"])
    if isinstance(value, str):
        return value
    raise StorageError(
        f"{path}: `storage:` must be a URL such as postgresql://user@host/db, or a mapping with `url:`; "
        f"got {value!r}."
    )
