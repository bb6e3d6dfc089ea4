"""Serve the generated benchmark code location on a port, for load tests from another process.

    .venv/bin/python bench/server/serve_generated.py --assets 500 --db /tmp/x.db --port 3999
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_graphql import generated_defs, seed_instance

from assetgraph.server.app import serve
from assetgraph.server.workspace import InProcessWorkspace
from assetgraph.storage.instance import Instance


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=500)
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    defs = generated_defs(args.assets)
    instance = Instance.from_url(f"sqlite:///{args.db}")
    seed_instance(instance, defs, args.assets)
    serve(InProcessWorkspace({"bench": defs}), instance, port=args.port)


if __name__ == "__main__":
    main()
