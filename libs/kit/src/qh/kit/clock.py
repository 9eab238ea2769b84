"""The platform's one notion of now: timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """A datetime read back from a database that dropped the zone (SQLite) is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


__all__ = ["as_utc", "utc_now"]
