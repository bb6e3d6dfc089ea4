"""Write the GraphQL schema's SDL: ``python -m assetgraph.server.export_schema [PATH]``.

Default path: ``ui/src/graphql/schema.graphql`` under the current directory; ``-`` prints it.
The UI generates its types from that file and a test fails when it is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

DEFAULT_PATH = Path("ui/src/graphql/schema.graphql")


def main(argv: list[str] | None = None) -> int:
    from assetgraph.server.schema import print_schema

    args = sys.argv[1:] if argv is None else argv
    sdl = print_schema()
    target = args[0] if args else str(DEFAULT_PATH)
    if target == "-":
        sys.stdout.write(sdl)
        return 0
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sdl, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
