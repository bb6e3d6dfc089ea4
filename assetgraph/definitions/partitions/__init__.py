"""Partitions: definitions (time windows, static, dynamic, multi-dimensional), subsets and
partition mappings. Pure values; see docs/internals/contracts.md, "Partitions"."""

from assetgraph.definitions.partitions.base import (
    DynamicPartitionsStore as DynamicPartitionsStore,
)
from assetgraph.definitions.partitions.base import (
    PartitionKeyRange as PartitionKeyRange,
)
from assetgraph.definitions.partitions.base import (
    PartitionsDefinition as PartitionsDefinition,
)
from assetgraph.definitions.partitions.base import (
    partitions_def_from_dict as partitions_def_from_dict,
)
from assetgraph.definitions.partitions.dynamic import (
    DynamicPartitionsDefinition as DynamicPartitionsDefinition,
)
from assetgraph.definitions.partitions.mapping import (
    AllPartitionMapping as AllPartitionMapping,
)
from assetgraph.definitions.partitions.mapping import (
    IdentityPartitionMapping as IdentityPartitionMapping,
)
from assetgraph.definitions.partitions.mapping import (
    LastPartitionMapping as LastPartitionMapping,
)
from assetgraph.definitions.partitions.mapping import (
    MultiToSingleDimensionPartitionMapping as MultiToSingleDimensionPartitionMapping,
)
from assetgraph.definitions.partitions.mapping import (
    PartitionMapping as PartitionMapping,
)
from assetgraph.definitions.partitions.mapping import (
    StaticPartitionMapping as StaticPartitionMapping,
)
from assetgraph.definitions.partitions.mapping import (
    TimeWindowPartitionMapping as TimeWindowPartitionMapping,
)
from assetgraph.definitions.partitions.mapping import (
    default_partition_mapping as default_partition_mapping,
)
from assetgraph.definitions.partitions.mapping import (
    partition_mapping_from_dict as partition_mapping_from_dict,
)
from assetgraph.definitions.partitions.multi import (
    MultiPartitionKey as MultiPartitionKey,
)
from assetgraph.definitions.partitions.multi import (
    MultiPartitionsDefinition as MultiPartitionsDefinition,
)
from assetgraph.definitions.partitions.static import (
    StaticPartitionsDefinition as StaticPartitionsDefinition,
)
from assetgraph.definitions.partitions.subset import (
    KeySetPartitionsSubset as KeySetPartitionsSubset,
)
from assetgraph.definitions.partitions.subset import (
    PartitionsSubset as PartitionsSubset,
)
from assetgraph.definitions.partitions.subset import (
    StaticPartitionsSubset as StaticPartitionsSubset,
)
from assetgraph.definitions.partitions.subset import (
    TimeWindowPartitionsSubset as TimeWindowPartitionsSubset,
)
from assetgraph.definitions.partitions.subset import (
    partitions_subset_from_dict as partitions_subset_from_dict,
)
from assetgraph.definitions.partitions.time_window import (
    DailyPartitionsDefinition as DailyPartitionsDefinition,
)
from assetgraph.definitions.partitions.time_window import (
    HourlyPartitionsDefinition as HourlyPartitionsDefinition,
)
from assetgraph.definitions.partitions.time_window import (
    MonthlyPartitionsDefinition as MonthlyPartitionsDefinition,
)
from assetgraph.definitions.partitions.time_window import (
    TimeWindow as TimeWindow,
)
from assetgraph.definitions.partitions.time_window import (
    TimeWindowPartitionsDefinition as TimeWindowPartitionsDefinition,
)
from assetgraph.definitions.partitions.time_window import (
    WeeklyPartitionsDefinition as WeeklyPartitionsDefinition,
)
