"""What a campaign scenario tried and survived, as JSON lines for the summary table.

A scenario calls ``campaign.record(...)`` once per kind of fault or input it exercised; the
record reaches ``$ASSETGRAPH_CAMPAIGN_REPORT`` (when set) after the test passed or failed, so a
failing scenario shows in the table as failing rather than vanishing from it.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from typing import Literal

Category = Literal["fault", "input", "load", "security"]
FULL = os.environ.get("ASSETGRAPH_CAMPAIGN") == "full"
REPORT_ENV = "ASSETGRAPH_CAMPAIGN_REPORT"


def scale(quick: int, full: int) -> int:
    """``full`` in the full campaign, ``quick`` in the normal test suite."""
    return full if FULL else quick


@dataclass
class Outcome:
    """One row of the summary table.

    Attributes:
        category: fault, input, load or security.
        scenario: what was done, in a few words ("SIGKILL of the daemon during a backfill").
        trials: how many times (seeds, kills, inputs, requests, ticks).
        survived: how many of those ended with every invariant holding.
        checked: the invariants checked, in a few words ("no event lost, no duplicate run").
        details: figures worth keeping (seeds, memory, latencies), free text.
        test: the pytest node id that produced it.
    """

    category: Category
    scenario: str
    trials: int
    survived: int
    checked: str
    details: str = ""
    test: str = ""


@dataclass
class Campaign:
    """Collects a test's outcomes; `flush` appends them to the report file."""

    test: str
    outcomes: list[Outcome] = field(default_factory=list)

    def record(self, category: Category, scenario: str, *, trials: int, survived: int, checked: str,
               details: str = "") -> None:
        self.outcomes.append(Outcome(category, scenario, trials, survived, checked, details, self.test))

    def flush(self) -> None:
        path = os.environ.get(REPORT_ENV)
        if not path or not self.outcomes:
            return
        with open(path, "a", encoding="utf-8") as out:
            for outcome in self.outcomes:
                out.write(json.dumps(asdict(outcome)) + "\n")
