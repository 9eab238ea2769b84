"""Dates and periods as resumes write them, in Russian and English, read to ISO dates.

``find_periods(text)`` finds "Январь 2020 — по настоящее время", "03/2019 – 05/2021",
"2018–2020", "Jan 2020 - Present", "сентябрь 2015 — май 2018 (2 года 9 месяцев)",
"09.2015 - н.в.", "2019-03 — 2021-05" and gives each as ``YYYY`` or ``YYYY-MM`` strings
(the precision written), ``end_date`` None for a period that goes on, with offsets into the
text as given. ``read_date`` reads one point ("март 2019", "Mar 2019", "03.2019", "2019").
Pure functions, no model; ``documents.find_date_ranges`` counts months, this keeps what
was written.
"""

from __future__ import annotations

import re

import msgspec

from qh.nlp.text import fold

__all__ = ["Period", "find_periods", "read_date"]

_MONTH_STEMS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "oct": 10, "nov": 11, "dec": 12,
    "янв": 1, "фев": 2, "мар": 3, "апр": 4, "май": 5, "мая": 5, "мае": 5, "июн": 6,
    "июл": 7, "авг": 8, "сен": 9, "окт": 10, "ноя": 11, "дек": 12,
}  # fmt: skip
_MONTH_WORD = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
    r"|(?:янв|фев|мар|апр|ма[йяе]|июн|июл|авг|сен|окт|ноя|дек)[а-яё]*\.?"
)
_YEAR = r"(?:19|20)\d{2}"


def _point(p: str) -> str:
    return (
        rf"(?:(?P<{p}w>{_MONTH_WORD})\s*,?\s*(?P<{p}y1>{_YEAR})"
        rf"|(?P<{p}m>0?[1-9]|1[0-2])\s*[./]\s*(?P<{p}y2>{_YEAR})"
        rf"|(?P<{p}y3>{_YEAR})-(?P<{p}m3>0[1-9]|1[0-2])(?![\d])"
        rf"|(?P<{p}y4>{_YEAR}))"
    )


_NOW = (
    r"(?P<now>по\s+настоящее\s+время|настоящее\s+время|наст\.\s*время|по\s+н\.\s*в\.?|н\.\s*в\.?"
    r"|по\s+сей\s+день|по\s+сегодняшний\s+день|сейчас|текущее\s+время|till\s+now|to\s+date"
    r"|until\s+now|present|current|now|ongoing|today)"
)
_DASH = r"\s*(?:-|–|—|−|‒|―|\bto\b|\bпо\b|\bдо\b|\buntil\b|\btill\b)\s*"
_PERIOD_RE = re.compile(
    rf"(?<![\w./-])(?:(?:from|с|since)\s+)?{_point('a')}{_DASH}(?:{_NOW}|{_point('b')})"
    rf"(?![\w/-])(?:\s*\((?P<took>[^()\n]{{1,40}})\))?",
    re.IGNORECASE,
)
_POINT_RE = re.compile(rf"^\s*{_point('a')}\s*$", re.IGNORECASE)


class Period(msgspec.Struct, frozen=True):
    """A period written in a text; dates as ``YYYY`` or ``YYYY-MM``."""

    start_date: str
    end_date: str | None  # None: goes on ("по настоящее время", "Present")
    current: bool
    start: int
    end: int
    text: str


def _read(match: re.Match[str], p: str) -> str | None:
    word = match.group(f"{p}w")
    if word:
        month = _MONTH_STEMS.get(fold(word)[:3])
        year = match.group(f"{p}y1")
        return f"{year}-{month:02d}" if month else year
    if match.group(f"{p}y2"):
        return f"{match.group(f'{p}y2')}-{int(match.group(f'{p}m')):02d}"
    if match.group(f"{p}y3"):
        return f"{match.group(f'{p}y3')}-{match.group(f'{p}m3')}"
    return match.group(f"{p}y4")


def read_date(text: str) -> str | None:
    """One date on its own: ``март 2019`` → ``2019-03``, ``2019`` → ``2019``; else None."""
    match = _POINT_RE.match(text)
    return _read(match, "a") if match else None


def find_periods(text: str) -> list[Period]:
    """Every period in ``text``, in order; a period's span includes a duration written
    after it in brackets ("(2 года 9 месяцев)")."""
    periods: list[Period] = []
    for match in _PERIOD_RE.finditer(text):
        start = _read(match, "a")
        current = bool(match.group("now"))
        end = None if current else _read(match, "b")
        if start is None or (end is not None and end[:4] < start[:4]):
            continue
        periods.append(
            Period(
                start, end, current, match.start(), match.end(), text[match.start() : match.end()]
            )
        )
    return periods
