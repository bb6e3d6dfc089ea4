"""The shop's partitioning: one partition per day since the shop opened."""

from assetgraph import DailyPartitionsDefinition

daily = DailyPartitionsDefinition(start_date="2024-01-01")
