"""Shared helpers for the regex extractors: number words and overlap resolution."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")

NUMBER_WORDS: dict[str, float] = {
    "полугода": 0.5,
    "полгода": 0.5,
    "один": 1,
    "одного": 1,
    "одному": 1,
    "два": 2,
    "двух": 2,
    "две": 2,
    "три": 3,
    "трех": 3,
    "четыре": 4,
    "четырех": 4,
    "пять": 5,
    "пяти": 5,
    "шесть": 6,
    "шести": 6,
    "семь": 7,
    "семи": 7,
    "восемь": 8,
    "восьми": 8,
    "девять": 9,
    "девяти": 9,
    "десять": 10,
    "десяти": 10,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
NUMBER_WORD_RE = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))


def to_number(raw: str) -> float:
    raw = raw.strip()
    if raw in NUMBER_WORDS:
        return NUMBER_WORDS[raw]
    return float(raw.replace(",", "."))


def as_int_if_whole(value: float) -> float:
    return int(value) if value == int(value) else value


def resolve(matches: Iterable[tuple[re.Match[str], T]]) -> list[tuple[re.Match[str], T]]:
    """Keep the earliest, then longest, of overlapping matches."""
    ordered = sorted(matches, key=lambda mt: (mt[0].start(), -mt[0].end()))
    kept: list[tuple[re.Match[str], T]] = []
    last_end = -1
    for m, tag in ordered:
        if m.start() >= last_end:
            kept.append((m, tag))
            last_end = m.end()
    return kept
