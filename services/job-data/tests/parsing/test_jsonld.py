"""schema.org JobPosting from JSON-LD and microdata, including the broken markup real pages
carry."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from qh.job_data.parsing.jsonld import (
    country_code,
    find_job_postings,
    map_job_posting,
    parse_jsonld,
    years_of_experience,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "jsonld"


def page(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


# fixture: title, company, (min, max, currency, period), (min_years, max_years), skills,
#          (city, country), employment, work formats
CASES: list[tuple[Any, ...]] = [
    (
        "greenhouse_backend.html",
        "Senior Backend Engineer (Python)",
        "Acme Robotics",
        (80000, 100000, "EUR", "year"),
        (5, None),
        ["Python", "PostgreSQL", "Kubernetes", "AWS"],
        ("Berlin", "DE"),
        "full",
        [],
    ),
    (
        "lever_data_engineer.html",
        "Data Engineer",
        "Northbeam",
        (30, 40, "USD", "hour"),
        (4, None),
        ["Python", "Apache Spark", "Airflow", "SQL"],
        (None, "PL"),
        "full",
        ["remote"],
    ),
    (
        "workable_marketing.html",
        "Менеджер по performance-маркетингу",
        "SkyNova Games",
        (3000, 4000, "EUR", "month"),
        (2, None),
        ["Google Ads", "Meta Ads", "Google Analytics"],
        ("Limassol", "CY"),
        "full",
        ["onsite"],  # from the text: "с офисом на Кипре"
    ),
    (
        "indeed_warehouse.html",
        "Warehouse Associate - Part Time",
        "Northwind Logistics",
        (18.5, 18.5, "USD", "hour"),
        (0, None),
        ["Forklift operation", "Inventory management", "RF scanner"],
        ("Columbus", "US"),
        "part",
        [],
    ),
    (
        "microdata_accountant.html",
        "Главный бухгалтер",
        "ООО «СеверСтрой»",
        (150000, 180000, "RUB", "month"),
        (3, None),
        ["1С:Предприятие", "МСФО", "Excel"],
        ("Москва", "RU"),
        "full",
        [],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_reads_the_job_posting(case: tuple[Any, ...]) -> None:
    name, title, company, salary, years, skills, place, employment, formats = case
    vacancy = parse_jsonld(page(name), url=f"https://jobs.example/{name}")
    assert vacancy is not None
    assert vacancy.title == title
    assert vacancy.company == company
    assert vacancy.salary is not None
    got = vacancy.salary
    assert (got.min, got.max, got.currency, got.period) == salary
    assert vacancy.experience is not None
    assert (vacancy.experience.min_years, vacancy.experience.max_years) == years
    assert vacancy.requirements.experience_years == years[0]
    assert [s.name for s in vacancy.requirements.skills][: len(skills)] == skills
    assert all(s.required for s in vacancy.requirements.skills[: len(skills)])
    assert vacancy.location is not None
    assert (vacancy.location.city, vacancy.location.country_code) == place
    assert vacancy.employment == employment
    assert vacancy.work_format == formats
    assert vacancy.source.kind == "jsonld"
    assert vacancy.source.url == f"https://jobs.example/{name}"
    assert vacancy.description_text
    assert vacancy.published_at is not None


def test_escaped_html_description_is_unescaped_and_sanitised() -> None:
    vacancy = parse_jsonld(page("greenhouse_backend.html"))
    assert vacancy is not None
    assert vacancy.description_html is not None
    assert "<li>Design and run Python services" in vacancy.description_html
    assert "&lt;" not in vacancy.description_html
    assert "What you'll do" in vacancy.description_text
    assert "• 5+ years building backend systems in Python" in vacancy.description_text
    assert vacancy.source.external_id == "4567890"


def test_entities_in_the_description_become_characters() -> None:
    vacancy = parse_jsonld(page("workable_marketing.html"))
    assert vacancy is not None
    assert vacancy.description_text.startswith("SkyNova Games — издатель")
    assert vacancy.requirements.education == "bachelor degree"
    assert vacancy.location is not None
    assert vacancy.location.address == "Arch. Makariou III 155, Limassol"
    assert vacancy.published_at == datetime(2025, 3, 18, tzinfo=UTC)


def test_plain_text_description_keeps_its_lines() -> None:
    vacancy = parse_jsonld(page("indeed_warehouse.html"))
    assert vacancy is not None
    assert vacancy.description_html is None
    assert "Responsibilities:\n- Pick, pack and ship customer orders" in vacancy.description_text


def test_microdata_nested_items() -> None:
    (posting,) = find_job_postings(page("microdata_accountant.html"))
    assert posting["hiringOrganization"]["name"] == "ООО «СеверСтрой»"
    assert posting["jobLocation"]["address"]["addressLocality"] == "Москва"
    assert posting["baseSalary"]["value"]["minValue"] == "150000"
    assert "<ul>" in posting["description"]


def test_graph_arrays_and_several_blocks() -> None:
    assert len(find_job_postings(page("lever_data_engineer.html"))) == 1  # in @graph
    assert len(find_job_postings(page("workable_marketing.html"))) == 1  # array, 2nd block


def test_tolerates_broken_json() -> None:
    html = """<html><head>
    <script type="application/ld+json">{"@type": "Organization", "name": broken}</script>
    <script type="application/ld+json">
    //<![CDATA[
    {"@context": "https://schema.org", "@type": ["JobPosting"], "title": "Line\tcook",
     "description": "Two\nlines &amp; more", "hiringOrganization": "Bistro",
     "baseSalary": {"@type": "MonetaryAmount", "currency": "usd",
                    "value": {"minValue": "$20,000", "maxValue": "25,000.50", "unitText": "year"}},
     "employmentType": "Full-time, Part-time",
    }
    //]]>
    </script></head><body></body></html>"""
    vacancy = parse_jsonld(html)
    assert vacancy is not None
    assert vacancy.title == "Line cook"
    assert vacancy.company == "Bistro"
    assert vacancy.description_text == "Two\nlines & more"
    assert vacancy.salary is not None
    assert (vacancy.salary.min, vacancy.salary.max) == (20000, 25000.5)
    assert vacancy.salary.period == "year"
    assert vacancy.employment == "full"


def test_no_posting_is_none() -> None:
    assert parse_jsonld("<html><body><h1>Hello</h1></body></html>") is None
    html = '<script type="application/ld+json">{"@type": "JobPosting"}</script>'
    assert parse_jsonld(html) is None  # no title: not a posting we can use


@pytest.mark.parametrize(
    ("value", "years"),
    [
        ({"@type": "OccupationalExperienceRequirements", "monthsOfExperience": 18}, (1.5, None)),
        ("3-5 years of experience", (3, 5)),
        ("At least 2 years", (2, None)),
        ("Опыт работы от 3 лет", (3, None)),
        ("Опыт 1–3 года", (1, 3)),
        ("No experience required", (0, None)),
        ("Some experience", None),
    ],
)
def test_years_of_experience(value: Any, years: tuple[float, float | None] | None) -> None:
    found = years_of_experience(value)
    assert (None if found is None else (found.min_years, found.max_years)) == years


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("DE", "DE"),
        ("us", "US"),
        ({"@type": "Country", "name": "United Kingdom"}, "GB"),
        ("Россия", "RU"),
        ("Atlantis", None),
    ],
)
def test_country_codes(value: Any, code: str | None) -> None:
    assert country_code(value) == code


def test_map_job_posting_from_a_dict() -> None:
    vacancy = map_job_posting(
        {
            "@type": "JobPosting",
            "title": "Nurse",
            "hiringOrganization": {"name": "Clinic"},
            "jobLocationType": "TELECOMMUTE",
            "employmentType": "INTERN",
            "identifier": "N-1",
        },
        analyse=False,
    )
    assert (vacancy.title, vacancy.company, vacancy.employment) == ("Nurse", "Clinic", "internship")
    assert vacancy.work_format == ["remote"]
    assert vacancy.source.external_id == "N-1"


# -- with the text analysis ---------------------------------------------------------------


def test_text_adds_skills_and_sections_from_text() -> None:
    vacancy = parse_jsonld(page("greenhouse_backend.html"))
    assert vacancy is not None
    kafka = next(s for s in vacancy.requirements.skills if s.canonical == "Apache Kafka")
    assert kafka.required is False  # "is a plus"
    canonicals = [s.canonical for s in vacancy.requirements.skills if s.canonical]
    assert len(canonicals) == len(set(canonicals))
    assert vacancy.language == "en"
    assert vacancy.benefits
