"""Generated layered graphs for scale tests: ``layers`` layers of ``width`` external assets,
each depending on ``fan_in`` assets of the layer before.

``layered_specs(layers=100, width=100, fan_in=2)`` gives 10,000 assets and 19,800 edges.
"""

from assetgraph.definitions.source import SourceLocation
from assetgraph.definitions.spec import AssetSpec

_SOURCE = SourceLocation(__file__, 1)


def layered_key(layer: int, index: int) -> str:
    return f"layer_{layer:03d}/asset_{index:04d}"


def layered_specs(layers: int, width: int, fan_in: int = 2) -> list[AssetSpec]:
    """Asset ``i`` of layer ``n`` depends on assets ``i, i+1, ... i+fan_in-1`` (mod width) of layer ``n-1``."""
    specs = []
    for layer in range(layers):
        for index in range(width):
            deps = [] if layer == 0 else [layered_key(layer - 1, (index + j) % width) for j in range(fan_in)]
            specs.append(AssetSpec(layered_key(layer, index), deps=deps, group_name=f"layer_{layer % 10}",
                                   source=_SOURCE))
    return specs
