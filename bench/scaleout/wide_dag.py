"""The wide DAG of the scale-out benchmark: 64 independent assets that each sleep 0.5 s.

Workers import this module by name (``bench.scaleout.wide_dag``), as a run worker would.
"""

from __future__ import annotations

import time

from assetgraph import Definitions, asset

WIDTH = 64
SLEEP_SECONDS = 0.5


def _make(i: int) -> object:
    @asset(name=f"w{i:02d}")
    def sleeper() -> int:
        time.sleep(SLEEP_SECONDS)
        return i

    return sleeper


defs = Definitions(assets=[_make(i) for i in range(WIDTH)])
