"""Files dropped into data/inbox/ by hand or by another system: one dynamic partition per file."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from assetgraph import AssetExecutionContext, DynamicPartitionsDefinition, Output, asset
from shop.resources import PROJECT_DIR

INBOX_PARTITIONS = DynamicPartitionsDefinition(name="inbox_files")


def inbox_dir() -> Path:
    data = Path(os.environ.get("SHOP_DATA_DIR", "data"))
    return (data if data.is_absolute() else PROJECT_DIR / data) / "inbox"


@asset(key_prefix="raw", group_name="inbox", partitions_def=INBOX_PARTITIONS, kinds=["pandas"],
       io_manager_key="fs_io_manager")
def inbox_files(context: AssetExecutionContext) -> Output:
    """One file from the inbox, as a DataFrame."""
    frame = pd.read_csv(inbox_dir() / context.partition_key)
    return Output(frame, metadata={"row_count": len(frame), "file": context.partition_key})
