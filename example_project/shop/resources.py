"""Resources of the example: where the warehouse and the landing zone live."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assetgraph import ConfigurableResource, EnvVar, interprocess_lock

PROJECT_DIR = Path(__file__).resolve().parent.parent


class ShopFiles(ConfigurableResource):
    """The folder with the landing zone and the warehouse."""

    data_dir: str

    @property
    def path(self) -> Path:
        path = Path(self.data_dir)
        return path if path.is_absolute() else PROJECT_DIR / path


def default_files() -> ShopFiles:
    return ShopFiles(data_dir=EnvVar("SHOP_DATA_DIR", default="data"))


class Warehouse(ConfigurableResource):
    """The DuckDB warehouse. Each query opens and closes its own connection: DuckDB allows one
    writer per file across processes, so nothing may hold the file open between steps."""

    database: str

    @property
    def path(self) -> Path:
        path = Path(self.database)
        return path if path.is_absolute() else PROJECT_DIR / path

    def query(self, sql: str) -> Any:
        import duckdb

        with interprocess_lock(self.path):  # the IO manager writes under the same lock
            con = duckdb.connect(str(self.path), read_only=True)
            try:
                return con.execute(sql).df()
            finally:
                con.close()


def default_warehouse() -> Warehouse:
    return Warehouse(database=EnvVar("SHOP_WAREHOUSE", default="data/warehouse.duckdb"))
