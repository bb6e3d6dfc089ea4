"""Storage (layer 3): the only place that writes SQL. Returns plain values, never rows.

Importing this package must not import SQLAlchemy; creating an `Instance` does. Must not import
anything above `storage` (execution, codelocation, orchestration, server, cli).
"""

from __future__ import annotations

from assetgraph.storage.instance import Instance as Instance
from assetgraph.storage.protocols import EventSink as EventSink
from assetgraph.storage.protocols import StatusReader as StatusReader
from assetgraph.storage.status import UNPARTITIONED as UNPARTITIONED
from assetgraph.storage.status import PartitionStatus as PartitionStatus
