"""Quiet hours: when an interrupting message (SMS, push) may go out."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def quiet_until(now: datetime, time_zone: str, start: str, end: str) -> datetime | None:
    """The end of the quiet period ``now`` falls in (UTC), or None outside one. A period
    may pass midnight (22:00–08:00)."""
    zone = ZoneInfo(time_zone)
    local = now.astimezone(zone)
    begin, finish = _clock(start), _clock(end)
    current = local.time().replace(second=0, microsecond=0)
    if begin < finish:
        inside = begin <= current < finish
        end_day = local.date()
    else:
        inside = current >= begin or current < finish
        end_day = local.date() + timedelta(days=1) if current >= begin else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, finish, tzinfo=zone).astimezone(UTC)
