"""Layer 2: the asset graph derived from definitions, its validation, and asset selections.

Pure: no I/O. Imports only from `assetgraph.definitions`.
"""

from assetgraph.definitions.definitions import register_graph_factory
from assetgraph.graph.asset_graph import AssetGraph as AssetGraph
from assetgraph.graph.asset_graph import AssetNode as AssetNode
from assetgraph.graph.selection import AssetSelection as AssetSelection
from assetgraph.graph.selection_parser import parse_selection as parse_selection

# `Definitions` lives in the layer above and cannot import this one; it builds graphs through this hook.
register_graph_factory(AssetGraph.from_definitions)
