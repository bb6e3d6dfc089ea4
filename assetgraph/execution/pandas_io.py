"""IO managers for pandas DataFrames: Parquet files and DuckDB tables.

pandas, pyarrow and duckdb are imported when a value is stored or loaded, never at import time.
A DuckDB file takes one writer at a time across processes, so every operation opens its own
connection and closes it at once (never held by the server or the daemon).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assetgraph.definitions.errors import DefinitionError
from assetgraph.definitions.io_manager import InputContext, IOManager, OutputContext
from assetgraph.definitions.keys import AssetKey
from assetgraph.execution.io_managers import (
    UNPARTITIONED_NAME,
    MissingValueError,
    _file_part,
    load_by_partition,
)
from assetgraph.execution.locks import interprocess_lock


def _require_frame(obj: Any, key: AssetKey) -> Any:
    import pandas as pd

    if not isinstance(obj, pd.DataFrame):
        raise DefinitionError(
            f'Asset "{key.to_user_string()}" returned {type(obj).__name__}; this IO manager stores pandas DataFrames.'
        )
    return obj


def _row_metadata(context: OutputContext, frame: Any) -> None:
    context.add_output_metadata({"row_count": len(frame), "columns": [str(c) for c in frame.columns]})


class PandasParquetIOManager(IOManager):
    """Stores each DataFrame as ``base_dir/<asset key path>/<partition>.parquet``.

    Several upstream partitions load as a dict partition key → DataFrame.
    """

    def __init__(self, base_dir: str | os.PathLike[str] | None = None) -> None:
        if base_dir is None:
            base_dir = os.path.join(os.environ.get("ASSETGRAPH_HOME", ".assetgraph"), "parquet")
        self.base_dir = Path(base_dir)

    def path_for(self, key: AssetKey, partition: str | None) -> Path:
        name = _file_part(partition) if partition is not None else UNPARTITIONED_NAME
        return self.base_dir.joinpath(*[_file_part(p) for p in key.path], f"{name}.parquet")

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        frame = _require_frame(obj, context.asset_key)
        keys: list[str | None] = list(context.partition_keys) or [None]
        for partition in keys:
            path = self.path_for(context.asset_key, partition)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".parquet.tmp")
            frame.to_parquet(tmp, index=False)
            os.replace(tmp, path)
        _row_metadata(context, frame)
        context.add_output_metadata({"path": str(self.path_for(context.asset_key, keys[0]))})

    def load_input(self, context: InputContext) -> Any:
        return load_by_partition(context, self._read)

    def _read(self, key: AssetKey, partition: str | None) -> Any:
        import pandas as pd

        path = self.path_for(key, partition)
        if not path.exists():
            where = f' partition "{partition}"' if partition is not None else ""
            raise MissingValueError(f'No Parquet file for asset "{key.to_user_string()}"{where} at {path}.')
        return pd.read_parquet(path)


_IDENT = re.compile(r"[^A-Za-z0-9_]")


def _ident(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class DuckDBPandasIOManager(IOManager):
    """Stores DataFrames as DuckDB tables: asset ``["raw", "orders"]`` becomes table ``raw.orders``
    (a single-component key goes to ``schema``). Partitioned assets need the column holding the
    partition key, given as asset metadata ``{"partition_expr": "day"}``: storing a partition
    replaces that partition's rows, loading filters on it.
    """

    def __init__(self, database: str | os.PathLike[str], schema: str = "main") -> None:
        self.database = str(database)
        self.schema = schema

    def _table(self, key: AssetKey) -> tuple[str, str]:
        if len(key.path) == 1:
            return self.schema, key.path[0]
        return "_".join(key.path[:-1]), key.path[-1]

    @contextlib.contextmanager
    def _connect(self) -> Iterator[Any]:
        """A connection held under the file's cross-process lock: DuckDB admits one process per file,
        and a second one fails at once, so steps running in parallel queue here instead."""
        import duckdb

        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        with interprocess_lock(self.database):
            con = duckdb.connect(self.database)
            try:
                yield con
            finally:
                con.close()

    def _partition_column(self, metadata: Any, key: AssetKey) -> str:
        value = metadata.get("partition_expr")
        column = getattr(value, "value", value)
        if not column:
            raise DefinitionError(
                f'Asset "{key.to_user_string()}" is partitioned; give it metadata={{"partition_expr": "<column>"}} '
                f"naming the column that holds the partition key, so DuckDBPandasIOManager can replace partitions."
            )
        return str(column)

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        frame = _require_frame(obj, context.asset_key)
        schema, table = self._table(context.asset_key)
        qualified = f"{_ident(schema)}.{_ident(table)}"
        with self._connect() as con:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {_ident(schema)}")
            con.register("__assetgraph_frame", frame)
            if not context.partition_keys:
                con.execute(f"CREATE OR REPLACE TABLE {qualified} AS SELECT * FROM __assetgraph_frame")
            else:
                column = self._partition_column(context.definition_metadata, context.asset_key)
                con.execute(f"CREATE TABLE IF NOT EXISTS {qualified} AS SELECT * FROM __assetgraph_frame WHERE false")
                placeholders = ", ".join("?" for _ in context.partition_keys)
                con.execute(f"DELETE FROM {qualified} WHERE CAST({_ident(column)} AS VARCHAR) IN ({placeholders})",
                            list(context.partition_keys))
                con.execute(f"INSERT INTO {qualified} SELECT * FROM __assetgraph_frame")
            con.unregister("__assetgraph_frame")
        _row_metadata(context, frame)
        context.add_output_metadata({"table": f"{schema}.{table}"})

    def load_input(self, context: InputContext) -> Any:
        schema, table = self._table(context.asset_key)
        qualified = f"{_ident(schema)}.{_ident(table)}"
        with self._connect() as con:
            if context.partitions_def is None:
                return self._query(con, f"SELECT * FROM {qualified}", [], context.asset_key)
            column = self._partition_column(context.definition_metadata, context.asset_key)
            frames = {k: self._query(con, f"SELECT * FROM {qualified} WHERE CAST({_ident(column)} AS VARCHAR) = ?",
                                     [k], context.asset_key) for k in context.partition_keys}
        if len(frames) == 1 and context.partition_key is not None and not context.metadata.get("as_dict"):
            return next(iter(frames.values()))
        return frames

    def _query(self, con: Any, sql: str, params: list[Any], key: AssetKey) -> Any:
        import duckdb

        try:
            return con.execute(sql, params).df()
        except duckdb.CatalogException:
            raise MissingValueError(f'No DuckDB table for asset "{key.to_user_string()}" in {self.database}.') from None
