"""Dates and fixed words of a rendered document in Russian and English."""

from __future__ import annotations

from typing import Literal

DocumentLanguage = Literal["ru", "en"]

MONTHS: dict[str, tuple[str, ...]] = {
    "ru": (
        "январь", "февраль", "март", "апрель", "май", "июнь",
        "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip
MONTHS_SHORT: dict[str, tuple[str, ...]] = {
    "ru": (
        "янв.", "февр.", "март", "апр.", "май", "июнь",
        "июль", "авг.", "сент.", "окт.", "нояб.", "дек.",
    ),
    "en": (
        "Jan", "Feb", "Mar", "Apr", "May", "Jun",
        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ),
}  # fmt: skip
PRESENT = {"ru": "по настоящее время", "en": "present"}


def format_date(value: str | None, language: str, *, short: bool = False) -> str:
    """``2021-09`` → "сентябрь 2021" / "September 2021"; ``2021`` stays; anything that is
    not a QH partial date is returned as written (never an error in a document)."""
    if not value:
        return ""
    parts = value.split("-")
    if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit() and 1 <= int(parts[1]) <= 12:
        names = (MONTHS_SHORT if short else MONTHS)[language if language in MONTHS else "en"]
        return f"{names[int(parts[1]) - 1]} {parts[0]}"
    return value


def format_period(
    start: str | None, end: str | None, language: str, *, current: bool = True, short: bool = False
) -> str:
    """``start – end``; no end on a current item is "по настоящее время" / "present"."""
    first = format_date(start, language, short=short)
    last = format_date(end, language, short=short)
    if not last and current and first:
        last = PRESENT[language if language in PRESENT else "en"]
    if first and last:
        return f"{first} – {last}"
    return first or last


__all__ = ["MONTHS", "PRESENT", "DocumentLanguage", "format_date", "format_period"]
