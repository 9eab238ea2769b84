"""Salaries: ``от 150 000 до 200 000 ₽ на руки``, ``$120k–150k``, ``€60,000 per year``."""

from __future__ import annotations

import re
from typing import Literal

import msgspec

from qh.nlp.extract import as_int_if_whole
from qh.nlp.text import match_view, original_span

Period = Literal["month", "year", "hour", "day"]

# Order matters: the first alternative that matches names the currency (бел. руб before руб).
_CURRENCIES: list[tuple[str, str]] = [
    ("BYN", r"byn|бел\.?\s?руб\w*\.?"),
    ("RUB", r"₽|руб(?:лей|ля|ль)?\.?|р\.|rub|rur"),
    ("USD", r"\$|usd|долл(?:аров|ара|ар)?\.?|доллар\w*|dollars?"),
    ("EUR", r"€|eur|евро|euros?"),
    ("KZT", r"₸|kzt|тенге|тг\.?"),
    ("GBP", r"£|gbp|фунт\w*|pounds?"),
    ("UAH", r"₴|uah|грн\.?|гривен\w*|гривн\w*"),
    ("UZS", r"uzs|сум(?:ов)?"),
    ("KGS", r"kgs|сом(?:ов)?"),
    ("GEL", r"₾|gel|лари"),
    ("AMD", r"֏|amd|драм\w*"),
    ("AZN", r"₼|azn|манат\w*"),
    ("CNY", r"cny|rmb|юан\w*"),
    ("AED", r"aed|дирхам\w*"),
    ("CHF", r"chf"),
    ("PLN", r"pln|злот\w*"),
    ("INR", r"₹|inr|рупи\w*"),
    ("TRY", r"₺"),
]
_CURRENCY_RES = [(code, re.compile(rf"(?:{p})")) for code, p in _CURRENCIES]


def _bounded(pattern: str) -> str:
    """Word alternatives must end a word ("руб" but not "рубль" → no); symbols need not ($120k)."""
    return "|".join(p if not p[0].isalpha() else f"{p}(?![\\w])" for p in pattern.split("|"))


_CUR = "(?:" + "|".join(_bounded(p) for _, p in _CURRENCIES) + ")"
_NUM = r"\d{1,3}(?:[ ,.]\d{3})+(?:[.,]\d{1,2})?(?!\d)|\d+(?:[.,]\d+)?"
_MULT = r"\s?(?:k|к|тыс\.?|тысяч\w*|thousand|млн\.?|миллион\w*|mln|million|m)(?![\w])"
_SALARY = re.compile(
    rf"(?<![\w.,])(?:(?P<pre>от|from|до|up to|to)\s+)?"
    rf"(?:(?P<c1>{_CUR})\s?)?(?P<n1>{_NUM})(?P<m1>{_MULT})?"
    rf"(?:\s*(?:-|до|to)\s*(?:(?P<c2>{_CUR})\s?)?(?P<n2>{_NUM})(?P<m2>{_MULT})?)?"
    rf"(?:\s?(?P<c3>{_CUR}))?"
)
_B = r"(?<![\w.])"
_GROSS = rf"{_B}(?:до вычета (?:налогов|ндфл)|до налогов|gross|before taxe?s?|брутто|включая ндфл)(?![\w])"
_NET = rf"{_B}(?:на руки|после вычета (?:налогов|ндфл)|после налогов|net|after taxe?s?|нетто|чистыми)(?![\w])"
_PERIODS: list[tuple[Period, str]] = [
    ("hour", r"в час|за час|/\s?час|/\s?ч\.?|per hour|an hour|/\s?hour|/\s?hr|hourly"),
    # A shift ("за смену") is paid as a day: shifts are at most a day long and rates per shift
    # compare with daily rates, not with monthly pay.
    (
        "day",
        r"в день|за день|/\s?день|/\s?дн\.?|в сутки|за сутки|за смену|в смену|/\s?смену|/\s?смена"
        r"|per day|a day|/\s?day|daily|per diem|per shift|a shift|/\s?shift",
    ),
    (
        "year",
        r"в год|за год|/\s?год|per year|a year|/\s?year|/\s?yr|annually|per annum|p\.\s?a\.?|yearly|годово\w*|годовых|annual",
    ),
    (
        "month",
        r"в месяц|в мес\.?|/\s?мес\.?|/\s?месяц|ежемесячно|per month|a month|/\s?month|/\s?mo\.?|monthly|месячн\w*",
    ),
]
_GROSS_RE = re.compile(_GROSS)
_NET_RE = re.compile(_NET)
_PERIOD_RES = [(p, re.compile(rf"(?:{rx})(?![\w])")) for p, rx in _PERIODS]
_TAIL = re.compile(
    r"\s*[,(/]?\s*(?:" + "|".join([_GROSS, _NET, *(rx for _, rx in _PERIODS)]) + r")(?![\w])\)?"
)
_CUE = re.compile(r"зарплат|зп|з/п|оклад|доход|вознагражден|salary|compensation|pay|rate|ставк")


class Salary(msgspec.Struct, frozen=True):
    """An offered salary; ``min == max`` for a single figure; ``gross`` None when not said."""

    min: float | None
    max: float | None
    currency: str | None
    gross: bool | None
    period: Period | None
    start: int
    end: int


def _currency(raw: str | None) -> str | None:
    if not raw:
        return None
    return next((code for code, rx in _CURRENCY_RES if rx.match(raw)), None)


_GROUPED = re.compile(r"(\d{1,3}(?:[,.]\d{3})+)(?:[.,](\d{1,2}))?")
_WORD_MULTIPLIERS = {
    "тыс": 1e3,
    "thousand": 1e3,
    "млн": 1e6,
    "миллион": 1e6,
    "mln": 1e6,
    "million": 1e6,
}
_LETTER_MULTIPLIERS = {"k": 1e3, "к": 1e3, "m": 1e6}


def _amount(num: str, mult: str | None) -> float:
    num = num.replace(" ", "")
    grouped = _GROUPED.fullmatch(num)
    if grouped:
        value = float(re.sub(r"[,.]", "", grouped[1]) + (f".{grouped[2]}" if grouped[2] else ""))
    else:
        value = float(num.replace(",", "."))
    if mult:
        word = mult.strip().rstrip(".")
        factor = _LETTER_MULTIPLIERS.get(word) or next(
            (f for k, f in _WORD_MULTIPLIERS.items() if word.startswith(k)), 1.0
        )
        value *= factor
    return value


def find_salary(text: str) -> list[Salary]:
    """Salaries in ``text``. A figure counts with a currency, or with a salary word (зарплата,
    оклад, salary) shortly before it and a value of at least 1000."""
    view, offsets = match_view(text)
    found = []
    for m in _SALARY.finditer(view):
        currency = _currency(m["c1"]) or _currency(m["c2"]) or _currency(m["c3"])
        m1, m2 = m["m1"], m["m2"]
        if m["n2"] and m2 and not m1:
            m1 = m2
        first = _amount(m["n1"], m1)
        second = _amount(m["n2"], m2) if m["n2"] else None
        line_start = view.rfind("\n", 0, m.start()) + 1
        before = view[max(line_start, m.start() - 40) : m.start()]
        if currency is None and not (_CUE.search(before) and first >= 1000):
            continue
        if second is not None:
            lo, hi = first, second
        elif m["pre"] in ("до", "up to", "to"):
            lo, hi = None, first
        elif m["pre"] in ("от", "from"):
            lo, hi = first, None
        else:
            lo = hi = first
        end = m.end()
        while tail := _TAIL.match(view, end):
            if tail.end() == end:
                break
            end = tail.end()
        line_end = view.find("\n", end)
        after = view[end : min(end + 40, line_end if line_end >= 0 else len(view))]
        around = before + " " + view[m.end() : end] + " " + after
        gross: bool | None = None
        gross_at, net_at = _GROSS_RE.search(around), _NET_RE.search(around)
        if gross_at or net_at:
            gross = bool(gross_at) and (not net_at or gross_at.start() < net_at.start())  # type: ignore[union-attr]
        period = next(
            (p for p, rx in _PERIOD_RES if rx.search(view[m.end() : end] + " " + after)),
            next((p for p, rx in _PERIOD_RES if rx.search(before)), None),
        )
        s, e = original_span(offsets, m.start(), end)
        found.append(
            Salary(
                as_int_if_whole(lo) if lo is not None else None,
                as_int_if_whole(hi) if hi is not None else None,
                currency,
                gross,
                period,
                s,
                e,
            )
        )
    return found
