"""Render the campaign's JSON lines as the summary table of ``docs/guarantees.md``.

    python -m tests.reliability.report REPORT.jsonl [--doc docs/guarantees.md]

Replaces what lies between the ``campaign:begin`` and ``campaign:end`` markers of the document.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import time
from pathlib import Path

BEGIN = "<!-- campaign:begin -->"
END = "<!-- campaign:end -->"
ORDER = ["fault", "input", "load", "security"]


def render(rows: list[dict[str, object]], header: str) -> str:
    rows = sorted(rows, key=lambda r: (ORDER.index(str(r["category"])), str(r["scenario"])))
    lines = [header, "",
             "| kind | scenario | trials | survived | checked | details | test |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        ok = "**yes**" if r["survived"] == r["trials"] else f"**NO: {r['survived']}**"
        lines.append(f"| {r['category']} | {r['scenario']} | {r['trials']} | {ok} | {r['checked']} | {r['details']} "
                     f"| `{str(r['test']).split('::')[-1]}` |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--doc", type=Path, default=Path("docs/guarantees.md"))
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.report.read_text(encoding="utf-8").splitlines() if line.strip()]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    header = (f"Produced by `scripts/reliability` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
              f"commit {commit or 'unknown'}, Python {platform.python_version()}, {len(rows)} scenarios.")
    table = render(rows, header)
    text = args.doc.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{args.doc} has no {BEGIN} ... {END} markers")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    args.doc.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}", encoding="utf-8")
    failed = [r for r in rows if r["survived"] != r["trials"]]
    print(table)
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
