"""Built-in IO managers: `FilesystemIOManager` (the default) and `InMemoryIOManager`.

Values are stored one object per (asset, partition). Must not import codelocation,
orchestration, server or cli.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from assetgraph.definitions.errors import AssetGraphError
from assetgraph.definitions.io_manager import InputContext, IOManager, OutputContext
from assetgraph.definitions.keys import AssetKey

UNPARTITIONED_NAME = "__unpartitioned__"


class MissingValueError(AssetGraphError, LookupError):
    """A downstream asked for a value that was never stored."""

    doc_page = "missing-value"


def load_by_partition(context: InputContext, read: Callable[[AssetKey, str | None], Any]) -> Any:
    """The loading rule every IO manager follows: an unpartitioned value as is, the one partition a
    step reads as its value, several partitions (or a range) as a dict partition key → value."""
    if context.partitions_def is None:
        return read(context.asset_key, None)
    keys = list(context.partition_keys)
    if len(keys) == 1 and context.partition_key is not None and not context.metadata.get("as_dict"):
        return read(context.asset_key, keys[0])
    return {k: read(context.asset_key, k) for k in keys}


def _file_part(text: str) -> str:
    # Keys are data: slashes, dots, quotes and unicode must not escape the directory.
    safe = quote(text, safe="-_=@+,:")
    return safe if safe not in (".", "..") else quote(safe.replace(".", "%2E"), safe="%")


class FilesystemIOManager(IOManager):
    """Pickles each value to ``base_dir/<asset key path>/<partition>``; writes are atomic.

    The default ``base_dir`` is ``$ASSETGRAPH_HOME/storage``.
    """

    def __init__(self, base_dir: str | os.PathLike[str] | None = None) -> None:
        if base_dir is None:
            home = os.environ.get("ASSETGRAPH_HOME", ".assetgraph")
            base_dir = os.path.join(home, "storage")
        self.base_dir = Path(base_dir)
        self._made_dirs: set[str] = set()

    def path_for(self, key: AssetKey, partition: str | None) -> Path:
        parts = [_file_part(p) for p in key.path]
        return self.base_dir.joinpath(*parts, _file_part(partition) if partition is not None else UNPARTITIONED_NAME)

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        keys = list(context.partition_keys) or [None]  # type: ignore[list-item]
        if len(keys) > 1 and isinstance(obj, dict) and set(obj) == set(keys):
            items = list(obj.items())
        else:
            items = [(k, obj) for k in keys]
        for partition, value in items:
            self._write(self.path_for(context.asset_key, partition), value)
        context.add_output_metadata({"path": str(self.path_for(context.asset_key, keys[0]))})

    def _write(self, path: Path, value: Any) -> None:
        folder = str(path.parent)
        if folder not in self._made_dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._made_dirs.add(folder)
        # Write next to the target and rename: readers never see half a file. The name is unique
        # per process and thread, so concurrent writers of one partition do not collide.
        tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            with open(tmp, "wb") as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def load_input(self, context: InputContext) -> Any:
        return load_by_partition(context, self._read)

    def _read(self, key: AssetKey, partition: str | None) -> Any:
        path = self.path_for(key, partition)
        try:
            with open(path, "rb") as f:
                return pickle.load(f)
        except FileNotFoundError:
            where = f' partition "{partition}"' if partition is not None else ""
            raise MissingValueError(
                f'No stored value for asset "{key.to_user_string()}"{where} (looked in {path}). '
                f"Materialise it first, or check that it returns a value and uses this IO manager."
            ) from None


class InMemoryIOManager(IOManager):
    """Keeps values in a dict: for tests and `materialize_to_memory`."""

    def __init__(self) -> None:
        self.values: dict[tuple[AssetKey, str | None], Any] = {}

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        keys = list(context.partition_keys) or [None]  # type: ignore[list-item]
        if len(keys) > 1 and isinstance(obj, dict) and set(obj) == set(keys):
            for k, v in obj.items():
                self.values[(context.asset_key, k)] = v
        else:
            for k in keys:
                self.values[(context.asset_key, k)] = obj

    def load_input(self, context: InputContext) -> Any:
        return load_by_partition(context, self._get)

    def _get(self, key: AssetKey, partition: str | None) -> Any:
        try:
            return self.values[(key, partition)]
        except KeyError:
            where = f' partition "{partition}"' if partition is not None else ""
            raise MissingValueError(
                f'No value in memory for asset "{key.to_user_string()}"{where}; materialise it in the same call '
                f"or use a persistent IO manager."
            ) from None
