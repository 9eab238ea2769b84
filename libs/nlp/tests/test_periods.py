"""Periods and resume headings as Russian and English resumes write them."""

from __future__ import annotations

import pytest

from qh.nlp.periods import find_periods, read_date
from qh.nlp.resume_headings import resume_heading


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Январь 2020 — по настоящее время", "2020-01", None),
        ("03/2019 – 05/2021", "2019-03", "2021-05"),
        ("2018–2020", "2018", "2020"),
        ("Jan 2020 - Present", "2020-01", None),
        ("сентябрь 2015 — май 2018 (2 года 9 месяцев)", "2015-09", "2018-05"),
        ("09.2015 - н.в.", "2015-09", None),
        ("с мая 2019 по июль 2021", "2019-05", "2021-07"),
        ("Sep 2014 to Jun 2018", "2014-09", "2018-06"),
    ],
)
def test_periods_keep_the_precision_written(text: str, start: str, end: str | None) -> None:
    [period] = find_periods(text)
    assert (period.start_date, period.end_date, period.current) == (start, end, end is None)
    assert text[period.start : period.end] == period.text


def test_an_end_before_the_start_is_not_a_period() -> None:
    assert find_periods("2020 - 2018") == []
    assert read_date("март 2019") == "2019-03"
    assert read_date("Компания") is None


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Опыт работы — 8 лет 3 месяца", "experience"),
        ("Желаемая должность и зарплата", "desired"),
        ("ЗНАНИЕ ЯЗЫКОВ", "languages"),
        ("## Skills:", "skills"),
        ("Work Experience", "experience"),
        ("Python-разработчик", None),
    ],
)
def test_resume_headings(line: str, kind: str | None) -> None:
    assert resume_heading(line) == kind
