"""`RetryPolicy`: how a failed step is retried.

Must not import anything from assetgraph beyond `definitions`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import random


class Backoff(enum.StrEnum):
    LINEAR = "LINEAR"
    EXPONENTIAL = "EXPONENTIAL"


class Jitter(enum.StrEnum):
    FULL = "FULL"
    PLUS_MINUS = "PLUS_MINUS"


@dataclass(frozen=True)
class RetryPolicy:
    """Retry a failed step up to ``max_retries`` times, waiting ``delay`` seconds (grown by
    ``backoff``, spread by ``jitter``) between attempts.

    >>> RetryPolicy(max_retries=3, delay=1.0, backoff=Backoff.EXPONENTIAL).delay_for_attempt(3)
    4.0
    """

    max_retries: int = 1
    delay: float | None = None
    backoff: Backoff | None = None
    jitter: Jitter | None = None

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError(f"RetryPolicy.max_retries must be >= 0, got {self.max_retries}")
        if self.delay is not None and self.delay < 0:
            raise ValueError(f"RetryPolicy.delay must be >= 0, got {self.delay}")

    def delay_for_attempt(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        base = self.delay or 0.0
        if self.backoff == Backoff.EXPONENTIAL:
            base = base * (2 ** (attempt - 1))
        elif self.backoff == Backoff.LINEAR:
            base = base * attempt
        if self.jitter is None or base == 0:
            return base
        if rng is None:
            import random

            rng = random.Random()
        r = rng.random()
        if self.jitter == Jitter.FULL:
            return base * r
        return max(0.0, base + base * (2 * r - 1))
