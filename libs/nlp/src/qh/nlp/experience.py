"""Years of experience asked for: ``от 3 лет``, ``3+ years``, ``2-4 years``, ``без опыта``."""

from __future__ import annotations

import re
from typing import Literal

import msgspec

from qh.nlp.extract import NUMBER_WORD_RE, as_int_if_whole, resolve, to_number
from qh.nlp.text import match_view, original_span

_N = rf"(\d+(?:[.,]\d+)?(?:-?(?:х|ти|и|ух|ех|ми))?|{NUMBER_WORD_RE})"
_UNIT = r"(?:лет|года?|years?|yrs?)(?![\w])"
_B = r"(?<![\w])"
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_CUE = re.compile(r"опыт|стаж|experience|exp\.", re.IGNORECASE)

Kind = Literal["range", "min", "max", "plain", "none"]
_PATTERNS: list[tuple[re.Pattern[str], Kind]] = [
    (re.compile(rf"{_B}(?:от|from)\s+{_N}\s*(?:{_UNIT}\s*)?(?:до|to)\s+{_N}\s*{_UNIT}"), "range"),
    (re.compile(rf"{_B}between\s+{_N}\s+and\s+{_N}\s*{_UNIT}"), "range"),
    (re.compile(rf"{_B}{_N}\s*(?:-|to|до)\s*{_N}\s*\+?\s*(?:full\s+)?{_UNIT}"), "range"),
    (
        re.compile(
            rf"{_B}(?:от|не менее|не меньше|минимум|как минимум|более|больше|свыше|at least|"
            rf"minimum(?: of)?|min\.?|more than|over|from)\s+{_N}\s*\+?\s*{_UNIT}"
        ),
        "min",
    ),
    (re.compile(rf"{_B}{_N}\s*\+\s*{_UNIT}"), "min"),
    (re.compile(rf"{_B}(?:до|up to|не более|не больше|less than|under)\s+{_N}\s*{_UNIT}"), "max"),
    (re.compile(rf"{_B}{_N}\s*{_UNIT}"), "plain"),
    (
        re.compile(
            r"(?<![\w])(?:без опыта(?: работы)?|опыт(?: работы)? не (?:требуется|обязателен|нужен)|"
            r"no (?:prior |previous )?experience(?: (?:required|needed|necessary))?)"
        ),
        "none",
    ),
]


class YearsRange(msgspec.Struct, frozen=True):
    """Years of experience; ``min``/``max`` None when open; ``0, 0`` for "no experience"."""

    min: float | None
    max: float | None
    start: int
    end: int


def _value(raw: str) -> float:
    """``3``, ``1,5``, ``3-х``, ``пяти`` → a number."""
    digits = _NUMBER.match(raw)
    return to_number(digits.group() if digits else raw)


def find_experience_years(text: str) -> list[YearsRange]:
    """Experience requirements in ``text`` in order of appearance.

    A bare "N years" counts only with an experience word (опыт, стаж, experience) within 40
    characters before or 30 after; the other forms stand on their own.
    """
    view, offsets = match_view(text)
    hits = [(m, kind) for pattern, kind in _PATTERNS for m in pattern.finditer(view)]
    found = []
    for m, kind in resolve(hits):
        if kind == "plain" and not _CUE.search(view, max(0, m.start() - 40), m.end() + 30):
            continue
        groups = [_value(g) for g in m.groups() if g]
        lo: float | None
        hi: float | None
        if kind == "none":
            lo, hi = 0, 0
        elif kind == "range":
            lo, hi = groups[0], groups[1]
        elif kind == "max":
            lo, hi = None, groups[0]
        else:
            lo, hi = groups[0], None
        s, e = original_span(offsets, m.start(), m.end())
        found.append(
            YearsRange(
                as_int_if_whole(lo) if lo is not None else None,
                as_int_if_whole(hi) if hi is not None else None,
                s,
                e,
            )
        )
    return found
