"""Layer 8: the `assetgraph` command."""
