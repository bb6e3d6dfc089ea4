"""assetgraph: asset-centric data orchestration for Python.

Exactly the public names of API.md. Importing this package stays light: names whose modules
pull in pydantic, SQLAlchemy, pandas or the executors are loaded on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from assetgraph.definitions.asset import AssetsDefinition as AssetsDefinition
from assetgraph.definitions.asset import asset as asset
from assetgraph.definitions.asset import multi_asset as multi_asset
from assetgraph.definitions.check_factories import (
    build_last_update_freshness_checks as build_last_update_freshness_checks,
)
from assetgraph.definitions.check_factories import (
    build_metadata_bounds_checks as build_metadata_bounds_checks,
)
from assetgraph.definitions.checks import AssetChecksDefinition as AssetChecksDefinition
from assetgraph.definitions.checks import AssetCheckSpec as AssetCheckSpec
from assetgraph.definitions.checks import asset_check as asset_check
from assetgraph.definitions.checks import multi_asset_check as multi_asset_check
from assetgraph.definitions.definitions import Definitions as Definitions
from assetgraph.definitions.env import EnvVar as EnvVar
from assetgraph.definitions.errors import AssetGraphError as AssetGraphError
from assetgraph.definitions.errors import ConfigError as ConfigError
from assetgraph.definitions.errors import DefinitionError as DefinitionError
from assetgraph.definitions.errors import DependencyCycleError as DependencyCycleError
from assetgraph.definitions.errors import DuplicateKeyError as DuplicateKeyError
from assetgraph.definitions.errors import PartitionError as PartitionError
from assetgraph.definitions.errors import RunFailedError as RunFailedError
from assetgraph.definitions.errors import SelectionError as SelectionError
from assetgraph.definitions.errors import StorageError as StorageError
from assetgraph.definitions.errors import UnknownDependencyError as UnknownDependencyError
from assetgraph.definitions.errors import UnknownPartitionKeyError as UnknownPartitionKeyError
from assetgraph.definitions.errors import UserCodeError as UserCodeError
from assetgraph.definitions.events import AssetCheckEvaluation as AssetCheckEvaluation
from assetgraph.definitions.events import AssetCheckSeverity as AssetCheckSeverity
from assetgraph.definitions.events import AssetMaterialization as AssetMaterialization
from assetgraph.definitions.events import EventRecord as EventRecord
from assetgraph.definitions.events import EventType as EventType
from assetgraph.definitions.events import Run as Run
from assetgraph.definitions.events import RunStatus as RunStatus
from assetgraph.definitions.executors import DaskExecutor as DaskExecutor
from assetgraph.definitions.executors import InProcessExecutor as InProcessExecutor
from assetgraph.definitions.executors import MultiprocessExecutor as MultiprocessExecutor
from assetgraph.definitions.io_manager import InputContext as InputContext
from assetgraph.definitions.io_manager import IOManager as IOManager
from assetgraph.definitions.io_manager import OutputContext as OutputContext
from assetgraph.definitions.jobs import define_asset_job as define_asset_job
from assetgraph.definitions.keys import AssetCheckKey as AssetCheckKey
from assetgraph.definitions.keys import AssetKey as AssetKey
from assetgraph.definitions.metadata import MetadataValue as MetadataValue
from assetgraph.definitions.partitions import AllPartitionMapping as AllPartitionMapping
from assetgraph.definitions.partitions import DailyPartitionsDefinition as DailyPartitionsDefinition
from assetgraph.definitions.partitions import DynamicPartitionsDefinition as DynamicPartitionsDefinition
from assetgraph.definitions.partitions import HourlyPartitionsDefinition as HourlyPartitionsDefinition
from assetgraph.definitions.partitions import IdentityPartitionMapping as IdentityPartitionMapping
from assetgraph.definitions.partitions import LastPartitionMapping as LastPartitionMapping
from assetgraph.definitions.partitions import MonthlyPartitionsDefinition as MonthlyPartitionsDefinition
from assetgraph.definitions.partitions import MultiPartitionKey as MultiPartitionKey
from assetgraph.definitions.partitions import MultiPartitionsDefinition as MultiPartitionsDefinition
from assetgraph.definitions.partitions import (
    MultiToSingleDimensionPartitionMapping as MultiToSingleDimensionPartitionMapping,
)
from assetgraph.definitions.partitions import PartitionKeyRange as PartitionKeyRange
from assetgraph.definitions.partitions import PartitionMapping as PartitionMapping
from assetgraph.definitions.partitions import PartitionsDefinition as PartitionsDefinition
from assetgraph.definitions.partitions import PartitionsSubset as PartitionsSubset
from assetgraph.definitions.partitions import StaticPartitionMapping as StaticPartitionMapping
from assetgraph.definitions.partitions import StaticPartitionsDefinition as StaticPartitionsDefinition
from assetgraph.definitions.partitions import TimeWindow as TimeWindow
from assetgraph.definitions.partitions import TimeWindowPartitionMapping as TimeWindowPartitionMapping
from assetgraph.definitions.partitions import TimeWindowPartitionsDefinition as TimeWindowPartitionsDefinition
from assetgraph.definitions.partitions import WeeklyPartitionsDefinition as WeeklyPartitionsDefinition
from assetgraph.definitions.policies import BackfillPolicy as BackfillPolicy
from assetgraph.definitions.results import AssetCheckResult as AssetCheckResult
from assetgraph.definitions.results import MaterializeResult as MaterializeResult
from assetgraph.definitions.results import Output as Output
from assetgraph.definitions.retry import Backoff as Backoff
from assetgraph.definitions.retry import Jitter as Jitter
from assetgraph.definitions.retry import RetryPolicy as RetryPolicy
from assetgraph.definitions.schedules import DefaultScheduleStatus as DefaultScheduleStatus
from assetgraph.definitions.schedules import RunRequest as RunRequest
from assetgraph.definitions.schedules import ScheduleDefinition as ScheduleDefinition
from assetgraph.definitions.schedules import ScheduleEvaluationContext as ScheduleEvaluationContext
from assetgraph.definitions.schedules import SkipReason as SkipReason
from assetgraph.definitions.schedules import build_schedule_context as build_schedule_context
from assetgraph.definitions.schedules import (
    build_schedule_from_partitioned_job as build_schedule_from_partitioned_job,
)
from assetgraph.definitions.schedules import schedule as schedule
from assetgraph.definitions.sensors import AddDynamicPartitionsRequest as AddDynamicPartitionsRequest
from assetgraph.definitions.sensors import DefaultSensorStatus as DefaultSensorStatus
from assetgraph.definitions.sensors import DeleteDynamicPartitionsRequest as DeleteDynamicPartitionsRequest
from assetgraph.definitions.sensors import SensorDefinition as SensorDefinition
from assetgraph.definitions.sensors import SensorEvaluationContext as SensorEvaluationContext
from assetgraph.definitions.sensors import SensorResult as SensorResult
from assetgraph.definitions.sensors import build_sensor_context as build_sensor_context
from assetgraph.definitions.sensors import sensor as sensor
from assetgraph.definitions.spec import AssetDep as AssetDep
from assetgraph.definitions.spec import AssetIn as AssetIn
from assetgraph.definitions.spec import AssetSpec as AssetSpec
from assetgraph.graph.asset_graph import AssetGraph as AssetGraph
from assetgraph.graph.asset_graph import AssetNode as AssetNode
from assetgraph.graph.selection import AssetSelection as AssetSelection

# Names loaded on first use: their modules import pydantic, SQLAlchemy or pandas, or are large.
_LAZY: dict[str, str] = {
    "Config": "assetgraph.definitions.config",
    "RunConfig": "assetgraph.definitions.config",
    "ConfigurableResource": "assetgraph.definitions.resources",
    "ConfigurableIOManager": "assetgraph.definitions.resources",
    "AssetExecutionContext": "assetgraph.execution.context",
    "AssetCheckExecutionContext": "assetgraph.execution.context",
    "build_asset_context": "assetgraph.execution.context",
    "FilesystemIOManager": "assetgraph.execution.io_managers",
    "InMemoryIOManager": "assetgraph.execution.io_managers",
    "PandasParquetIOManager": "assetgraph.execution.pandas_io",
    "DuckDBPandasIOManager": "assetgraph.execution.pandas_io",
    "materialize": "assetgraph.execution.materialize",
    "materialize_to_memory": "assetgraph.execution.materialize",
    "ExecuteResult": "assetgraph.execution.materialize",
    "interprocess_lock": "assetgraph.execution.locks",
    "Instance": "assetgraph.storage.instance",
    "PartitionStatus": "assetgraph.storage.status",
}

if TYPE_CHECKING:
    from assetgraph.definitions.config import Config as Config
    from assetgraph.definitions.config import RunConfig as RunConfig
    from assetgraph.definitions.resources import ConfigurableIOManager as ConfigurableIOManager
    from assetgraph.definitions.resources import ConfigurableResource as ConfigurableResource
    from assetgraph.execution.context import AssetCheckExecutionContext as AssetCheckExecutionContext
    from assetgraph.execution.context import AssetExecutionContext as AssetExecutionContext
    from assetgraph.execution.context import build_asset_context as build_asset_context
    from assetgraph.execution.io_managers import FilesystemIOManager as FilesystemIOManager
    from assetgraph.execution.io_managers import InMemoryIOManager as InMemoryIOManager
    from assetgraph.execution.locks import interprocess_lock as interprocess_lock
    from assetgraph.execution.materialize import ExecuteResult as ExecuteResult
    from assetgraph.execution.materialize import materialize as materialize
    from assetgraph.execution.materialize import materialize_to_memory as materialize_to_memory
    from assetgraph.execution.pandas_io import DuckDBPandasIOManager as DuckDBPandasIOManager
    from assetgraph.execution.pandas_io import PandasParquetIOManager as PandasParquetIOManager
    from assetgraph.storage.instance import Instance as Instance
    from assetgraph.storage.status import PartitionStatus as PartitionStatus


__all__ = sorted(
    [n for n in dir() if not n.startswith("_") and n not in {"annotations", "importlib", "TYPE_CHECKING", "Any"}]
    + list(_LAZY)
)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'assetgraph' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__version__ = "0.1.0"
