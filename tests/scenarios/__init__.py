"""Tiny asset modules named for the shape they exercise; graph, planning and execution tests reuse them.

Each module exposes ``assets`` (a list to hand to `Definitions` or `AssetGraph.from_assets`) and,
where it has checks, ``checks``. Modules whose shape is invalid (cycles, typos) expose only lists,
never a `Definitions`, so importing them does not raise.
"""
