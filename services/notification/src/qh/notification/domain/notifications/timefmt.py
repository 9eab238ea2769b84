"""Moments written for a person: in their time zone and language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

MONTHS = {
    "ru": (
        "января", "февраля", "марта", "апреля", "мая", "июня",
        "июля", "августа", "сентября", "октября", "ноября", "декабря",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip


def format_moment(moment: datetime, locale: str, time_zone: str) -> str:
    """``29 ноября 2026, 12:00 (Europe/Moscow)`` / ``29 November 2026, 12:00 (UTC)``."""
    local = moment.astimezone(ZoneInfo(time_zone))
    month = MONTHS.get(locale, MONTHS["en"])[local.month - 1]
    return f"{local.day} {month} {local.year}, {local:%H:%M} ({time_zone})"
