"""One backoff rule for everything the kit retries (the outbox relay, local delivery)."""

from __future__ import annotations


def backoff(attempt: int, base: float, cap: float) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1-based): ``base · 2^(attempt-1)``,
    never more than ``cap``."""
    if attempt < 1 or base <= 0:
        return 0.0
    return float(min(base * 2 ** min(attempt - 1, 62), cap))
