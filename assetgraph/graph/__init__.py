"""Layer 2: the asset graph derived from definitions, its validation, and asset selections.

Pure: no I/O. Imports only from `assetgraph.definitions`.
"""

from assetgraph.graph.asset_graph import AssetGraph as AssetGraph
from assetgraph.graph.asset_graph import AssetNode as AssetNode
from assetgraph.graph.selection import AssetSelection as AssetSelection
from assetgraph.graph.selection_parser import parse_selection as parse_selection
