"""Unit tests of the pure value rules and the JSON Resume mapping (no app, no database)."""

from __future__ import annotations

from datetime import date

import pytest

from qh.user_data.domain.exchange import jsonresume
from qh.user_data.domain.exchange.mapped import item_field
from qh.user_data.domain.profiles.rules import (
    Checker,
    DateRange,
    normalise_phone,
    parse_date,
    url_problem,
)


def test_partial_dates() -> None:
    assert parse_date("2020") is not None
    assert parse_date("2020-02").month == 2  # type: ignore[union-attr]
    assert parse_date("2024-02-29").day == 29  # type: ignore[union-attr]
    for bad in ("2023-02-29", "2020-00", "2020-13", "1899", "20201", "2020-1-1", ""):
        assert parse_date(bad) is None, bad


@pytest.mark.parametrize(
    ("start", "end", "ok"),
    [
        ("2020", "2020-01", True),
        ("2020-05", "2020", True),
        ("2020-05-02", "2020-05-01", False),
        ("2021", "2020-12-31", False),
        (None, "2020", True),
        ("2020", None, True),
    ],
)
def test_date_order(start, end, ok) -> None:
    checker = Checker(date(2026, 11, 27))
    checker.date_range({"start_date": start, "end_date": end}, DateRange("start_date", "end_date"))
    assert (checker.errors == []) is ok


def test_future_is_judged_by_the_earliest_day() -> None:
    checker = Checker(date(2026, 11, 27))
    checker.date_range(
        {"start_date": None, "end_date": "2026"}, DateRange("start_date", "end_date")
    )
    checker.date_range(
        {"start_date": None, "end_date": "2026-11"}, DateRange("start_date", "end_date")
    )
    assert checker.errors == []
    checker.date_range(
        {"start_date": None, "end_date": "2026-12"}, DateRange("start_date", "end_date")
    )
    assert [e.field for e in checker.errors] == ["end_date"]


@pytest.mark.parametrize(
    ("value", "region", "expected"),
    [
        ("+7 (916) 123-45-67", None, "+79161234567"),
        ("8 916 123 45 67", "RU", "+79161234567"),
        ("(912) 555-4321", "US", "+19125554321"),
        ("+44 20 7183 8750", "RU", "+442071838750"),
    ],
)
def test_phones_become_e164(value, region, expected) -> None:
    assert normalise_phone(value, region) == (expected, None)


def test_phones_that_cannot_be_read() -> None:
    assert normalise_phone("8 916 123 45 67", None)[1].startswith("must be in international format")  # type: ignore[union-attr]
    assert normalise_phone("+7 123", None)[1] == "is not a valid phone number"


@pytest.mark.parametrize(
    "url", ["http://a.ru", "https://пример.рф/x?y=1#z", "http://localhost:8000/"]
)
def test_good_urls(url) -> None:
    assert url_problem(url) is None


@pytest.mark.parametrize(
    "url", ["ftp://a.ru", "javascript:alert(1)", "//a.ru", "https://a b.ru", "http://a.ru:99999"]
)
def test_bad_urls(url) -> None:
    assert url_problem(url) is not None


@pytest.mark.parametrize(
    ("fluency", "level"),
    [
        ("Native speaker", "native"),
        ("родной", "native"),
        ("C1 - Advanced", "C1"),
        ("b2", "B2"),
        ("Fluent", "C1"),
        ("Conversational", "B1"),
        ("Professional working proficiency", "B2"),
        ("Native or bilingual proficiency", "native"),
        ("свободно", "C1"),
        ("базовый", "A2"),
        ("Klingon-level", None),
    ],
)
def test_fluency(fluency, level) -> None:
    assert jsonresume.language_level(fluency) == level


@pytest.mark.parametrize(
    ("given", "level"), [("Master", "expert"), ("novice", "beginner"), ("Guru", None)]
)
def test_skill_levels(given, level) -> None:
    assert jsonresume.skill_level(given) == level


def test_error_paths_use_json_resume_names() -> None:
    names = {qh: jr for jr, qh in jsonresume.SECTIONS["experience"][1].items()}
    assert item_field("work[2]", names, "start_date") == "work[2].startDate"
    assert item_field("work[0]", names, "highlights[1]") == "work[0].highlights[1]"
    assert jsonresume.jr_personal_field("location.country_code") == "basics.location.countryCode"
    assert jsonresume.jr_personal_field("links[1].url") == "basics.profiles[1].url"
    assert jsonresume.jr_personal_field("full_name") == "basics.name"
