"""Grounding: generated paragraphs checked against a profile (QH export) and a vacancy."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from qh.nlp.grounding import (
    GroundingFacts,
    check_grounding,
    profile_facts,
    remove_unsupported,
    vacancy_facts,
)

TODAY = date(2025, 6, 1)

PROFILE_EN: dict[str, Any] = {
    "schema_version": "1.1",
    "personal": {
        "full_name": "Anna Smirnova",
        "headline": "Data Engineer",
        "email": "anna@example.org",
        "location": {"city": "Berlin", "country_code": "DE"},
        "links": [{"network": "GitHub", "url": "https://github.com/anna"}],
        "summary": "Data engineer who builds reliable pipelines.",
        "resume_languages": [],
    },
    "experience": [
        {
            "company": "Zalando SE",
            "position": "Senior Data Engineer",
            "start_date": "2021-03",
            "end_date": None,
            "description": "Owned the event pipeline.",
            "highlights": [
                "Cut nightly batch time by 35% by moving jobs to Apache Spark",
                "Mentored 4 engineers",
            ],
            "skills": ["Python", "Apache Airflow"],
        },
        {
            "company": "Delivery Hero",
            "position": "Data Analyst",
            "start_date": "2018-01",
            "end_date": "2021-02",
            "highlights": ["Built 120 SQL reports used by sales"],
            "skills": ["SQL", "Tableau"],
        },
    ],
    "education": [
        {
            "institution": "Technical University of Munich",
            "degree": "Master of Science",
            "field": "Computer Science",
            "start_date": "2015",
            "end_date": "2017",
        }
    ],
    "skills": [{"name": "PostgreSQL", "years": 6, "keywords": []}, {"name": "Docker"}],
    "languages": [{"code": "en", "level": "C1"}],
    "projects": [],
    "certificates": [],
    "achievements": [],
}

PROFILE_RU: dict[str, Any] = {
    "schema_version": "1.1",
    "personal": {
        "full_name": "Иван Петров",
        "headline": "Ведущий аналитик",
        "location": {"city": "Москва", "country_code": "RU"},
        "links": [],
        "resume_languages": [],
    },
    "experience": [
        {
            "company": "Яндекс",
            "position": "Ведущий аналитик",
            "start_date": "2020-01",
            "end_date": None,
            "highlights": [
                "Увеличил конверсию воронки на 12 %",
                "Построил отчётность в Power BI для 3 отделов",
            ],
            "skills": ["SQL", "Python"],
        },
        {
            "company": "ООО «Ромашка»",
            "position": "Аналитик данных",
            "start_date": "2016-09",
            "end_date": "2019-12",
            "highlights": ["Автоматизировал выгрузки в Excel"],
            "skills": [],
        },
    ],
    "education": [
        {
            "institution": "МГУ имени М. В. Ломоносова",
            "degree": "Бакалавр",
            "field": "Прикладная математика",
            "start_date": "2012",
            "end_date": "2016",
        }
    ],
    "skills": [{"name": "Tableau"}],
}

VACANCY_EN: dict[str, Any] = {
    "title": "Lead Data Engineer",
    "company": "N26",
    "description_text": "We need 5+ years with Python, Kubernetes and Apache Kafka.",
    "requirements": {
        "skills": [
            {"name": "Python", "canonical": "Python", "required": True},
            {"name": "Kubernetes", "canonical": "Kubernetes", "required": True},
            {"name": "Kafka", "canonical": "Apache Kafka", "required": False},
        ],
        "languages": [],
    },
    "experience": {"min_years": 5},
    "responsibilities": [],
}

VACANCY_RU: dict[str, Any] = {
    "title": "Старший аналитик данных",
    "company": "Тинькофф",
    "description_text": "Требуется опыт с SQL, Python и ClickHouse от 3 лет.",
    "requirements": {
        "skills": [{"name": "ClickHouse", "canonical": "ClickHouse", "required": True}],
        "languages": [],
    },
    "responsibilities": [],
}


@pytest.fixture(scope="module")
def facts_en() -> GroundingFacts:
    return profile_facts(PROFILE_EN, today=TODAY) | vacancy_facts(VACANCY_EN)


@pytest.fixture(scope="module")
def facts_ru() -> GroundingFacts:
    return profile_facts(PROFILE_RU, today=TODAY) | vacancy_facts(VACANCY_RU)


GROUNDED_EN = (
    "Anna Smirnova is a Senior Data Engineer at Zalando SE in Berlin since March 2021. "
    "Before that she worked as a Data Analyst at Delivery Hero from 2018-01 to February 2021, "
    "where she built 120 SQL reports. She cut nightly batch time by 35 % with Apache Spark, "
    "mentored 4 engineers and has 6 years of PostgreSQL. She holds a Master of Science "
    "in Computer Science from the Technical University of Munich (2017). "
    "Your role asks for Kubernetes, and she is keen to apply for the Lead Data Engineer "
    "position at N26."
)

GROUNDED_RU = (
    "Иван Петров — ведущий аналитик в Яндексе с января 2020 года. Работал аналитиком данных "
    "в компании «Ромашка» с 09.2016 по декабрь 2019, автоматизировал выгрузки в Экселе. "
    "В Яндексе увеличил конверсию воронки на 12%, построил отчётность в Power BI для 3 отделов "
    "и работает с SQL и Python. Окончил МГУ имени М. В. Ломоносова, бакалавр прикладной "
    "математики (2016). В вашей вакансии указан ClickHouse — Иван готов быстро его освоить "
    "и хочет присоединиться к Тинькофф в Москве."
)


def test_a_supported_english_paragraph_passes(facts_en: GroundingFacts) -> None:
    report = check_grounding(GROUNDED_EN, facts=facts_en, language="en")
    assert report.claims == []
    assert report.grounded
    assert remove_unsupported(GROUNDED_EN, report) == GROUNDED_EN


def test_a_supported_russian_paragraph_passes_with_inflections(facts_ru: GroundingFacts) -> None:
    report = check_grounding(GROUNDED_RU, facts=facts_ru, language="ru")
    assert report.claims == []


def _only(report: Any, kind: str) -> list[str]:
    assert {c.kind for c in report.claims} == {kind}, report.claims
    return [c.text for c in report.claims]


@pytest.mark.parametrize(
    ("sentence", "kind", "claimed"),
    [
        ("Before that she spent two years at Google as a data engineer.", "employer", "Google"),
        ("She also consulted for Initech LLC on billing.", "employer", "Initech LLC"),
        ("She joined Zalando SE in 2019.", "date", "2019"),
        ("She joined Zalando SE in May 2021.", "date", "May 2021"),
        ("She also holds a PhD.", "degree", "PhD"),
        ("She increased sales by 40% in one quarter.", "number", "40%"),
        ("She migrated 2 000 000 rows a day.", "number", "2 000 000"),
        ("She runs production clusters on Kubernetes.", "skill", "Kubernetes"),
        ("She is fluent in Rust and Haskell.", "skill", "Haskell"),
        ("She worked as a Chief Technology Officer.", "title", "Chief Technology Officer"),
        ("She was promoted to Principal Engineer.", "title", "Principal Engineer"),
    ],
)
def test_each_invented_english_claim_is_caught(
    facts_en: GroundingFacts, sentence: str, kind: str, claimed: str
) -> None:
    text = f"{GROUNDED_EN} {sentence}"
    report = check_grounding(text, facts=facts_en, language="en")
    texts = _only(report, kind)
    assert claimed in texts
    claim = next(c for c in report.claims if c.text == claimed)
    assert text[claim.start : claim.end] == claimed
    assert claim.reason
    cleaned = remove_unsupported(text, report)
    assert cleaned == GROUNDED_EN


@pytest.mark.parametrize(
    ("sentence", "kind", "claimed"),
    [
        ("Ранее два года работал в Сбербанке.", "employer", "Сбербанке"),
        ("Консультировал ООО «Вектор» по аналитике.", "employer", "«Вектор»"),
        ("Также работал в компании «Альфа-Капитал» стажёром.", "employer", "«Альфа-Капитал»"),
        ("В Яндекс пришёл в 2018 году.", "date", "2018"),
        ("В Яндекс пришёл в марте 2020 года.", "date", "марте 2020 года"),
        ("Имеет степень магистра экономики.", "degree", "магистра"),
        ("Кандидат технических наук.", "degree", "Кандидат технических наук"),
        ("Сократил затраты на 40 процентов.", "number", "40 процентов"),
        ("Руководил командой из 15 человек.", "number", "15"),
        ("Строил витрины на ClickHouse.", "skill", "ClickHouse"),
        ("Отлично владеет Kubernetes.", "skill", "Kubernetes"),
        ("Работал в должности руководителя отдела продаж.", "title", "руководителя отдела продаж"),
        ("Был назначен директором по данным.", "title", "директором по данным"),
    ],
)
def test_each_invented_russian_claim_is_caught(
    facts_ru: GroundingFacts, sentence: str, kind: str, claimed: str
) -> None:
    text = f"{GROUNDED_RU} {sentence}"
    report = check_grounding(text, facts=facts_ru, language="ru")
    assert claimed in _only(report, kind)
    assert remove_unsupported(text, report) == GROUNDED_RU


def test_an_asked_skill_is_not_the_candidates(facts_en: GroundingFacts) -> None:
    about_vacancy = "The role requires Apache Kafka and Kubernetes."
    as_candidate = "She has deep Apache Kafka experience."
    report = check_grounding(f"{about_vacancy} {as_candidate}", facts=facts_en, language="en")
    [claim] = report.claims
    assert (claim.kind, claim.text) == ("skill", "Apache Kafka")
    assert claim.start > len(about_vacancy)
    assert "vacancy asks for" in claim.reason


def test_numbers_and_dates_written_differently_pass(facts_en: GroundingFacts) -> None:
    text = (
        "Cut batch time by 35%. Cut batch time by 35 %. At Zalando SE since 2021-03, "
        "at Delivery Hero from 01/2018 till Feb 2021, with 7 years in data overall."
    )
    report = check_grounding(text, facts=facts_en, language="en")
    assert report.claims == []  # 7: 3 y 2 m + 4 y 4 m of jobs, rounded up


def test_a_year_only_profile_date_does_not_support_a_month(facts_en: GroundingFacts) -> None:
    report = check_grounding(
        "She graduated from the Technical University of Munich in June 2017.",
        facts=facts_en,
        language="en",
    )
    [claim] = report.claims
    assert claim.kind == "date"
    assert "2017" in claim.reason


def test_profile_facts_reads_the_export_shape() -> None:
    facts = profile_facts(PROFILE_RU, today=TODAY)
    assert {"Яндекс", "ООО «Ромашка»", "МГУ имени М. В. Ломоносова"} <= set(facts.employers)
    assert {"Ведущий аналитик", "Аналитик данных"} <= set(facts.titles)
    assert {"2020-01", "2016-09", "2019-12", "2012", "2016"} <= set(facts.dates)
    assert facts.degrees == ["bachelor"]
    assert {"sql", "python", "tableau", "microsoft-excel", "power-bi"} <= set(facts.skills)
    assert {"12", "3"} <= set(facts.numbers)
    vacancy = vacancy_facts(VACANCY_RU)
    assert vacancy.vacancy_company == ["Тинькофф"]
    assert "clickhouse" in vacancy.vacancy_skills
    assert vacancy.skills == []


def test_remove_unsupported_keeps_list_items_and_lines(facts_en: GroundingFacts) -> None:
    text = (
        "Highlights:\n"
        "- Cut nightly batch time by 35% with Apache Spark\n"
        "- Grew revenue by 250% at Google\n"
        "- Mentored 4 engineers"
    )
    report = check_grounding(text, facts=facts_en, language="en")
    assert {c.kind for c in report.claims} == {"number", "employer"}
    assert remove_unsupported(text, report) == (
        "Highlights:\n- Cut nightly batch time by 35% with Apache Spark\n- Mentored 4 engineers"
    )


LETTER_EN = """Dear Hiring Manager,

I am writing to apply for the Lead Data Engineer position at N26. As a Senior Data Engineer at Zalando SE, I own the event pipeline and work daily with Python and Apache Airflow. In my previous role as a Data Analyst at Delivery Hero, I built 120 SQL reports for the sales team.

As a result of moving jobs to Apache Spark, nightly batch time fell by 35%. I also mentored 4 engineers. I would welcome the chance to bring this experience to N26 in Berlin.

Sincerely,
Anna Smirnova"""

LETTER_RU = """Здравствуйте!

Меня зовут Иван Петров, я ведущий аналитик в Яндексе. Откликаюсь на вакансию «Старший аналитик данных» в Тинькофф. За последние годы я увеличил конверсию воронки на 12 % и построил отчётность в Power BI для трёх отделов. До Яндекса я работал аналитиком данных в ООО «Ромашка», где автоматизировал выгрузки в Excel.

Я окончил МГУ имени М. В. Ломоносова по специальности «Прикладная математика». Буду рад обсудить, как мой опыт с SQL и Python поможет вашей команде.

С уважением,
Иван Петров"""


def test_whole_cover_letters_from_the_profile_pass(
    facts_en: GroundingFacts, facts_ru: GroundingFacts
) -> None:
    assert check_grounding(LETTER_EN, facts=facts_en, language="en").claims == []
    assert check_grounding(LETTER_RU, facts=facts_ru, language="ru").claims == []
    invented = LETTER_RU.replace("в Excel.", "в Excel. Ранее два года работал в Авито.")
    report = check_grounding(invented, facts=facts_ru, language="ru")
    assert [(c.kind, c.text) for c in report.claims] == [("employer", "Авито")]
    assert remove_unsupported(invented, report) == LETTER_RU


def test_a_company_named_like_a_skill_is_the_company_not_a_skill_claim() -> None:
    from qh.nlp.grounding import check_grounding, profile_facts, vacancy_facts

    profile = {"personal": {"full_name": "Anna"}, "experience": [{"company": "Yandex"}]}
    vacancy = {"title": "Data Engineer", "company": "Ozon"}
    facts = profile_facts(profile) | vacancy_facts(vacancy)
    assert check_grounding("I apply to Ozon after my years at Yandex.", facts=facts).grounded
    # without the vacancy, the marketplace is still a skill the profile does not list
    claims = check_grounding("I sell on Ozon.", facts=profile_facts(profile)).claims
    assert [c.kind for c in claims] == ["skill"]
