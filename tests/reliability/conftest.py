"""The reliability campaign (issue 11): fault injection, hostile input, load and security.

Every scenario runs in the normal suite in its quick form (a few seeds, a short soak). With
``ASSETGRAPH_CAMPAIGN=full`` (what ``scripts/reliability`` sets) scenarios run their full form,
and with ``ASSETGRAPH_CAMPAIGN_REPORT=<file>`` each records its outcome there as one JSON line;
``tests/reliability/report.py`` turns those lines into the summary table of
``docs/guarantees.md``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.reliability.outcomes import Campaign


@pytest.fixture
def campaign(request: pytest.FixtureRequest) -> Iterator[Campaign]:
    """Records what a scenario tried and survived (see `Campaign.record`)."""
    recorder = Campaign(test=request.node.nodeid)
    yield recorder
    recorder.flush()
