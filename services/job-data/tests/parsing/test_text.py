"""Plain-text vacancies: sections, required and optional skills, facts, title and company.

Each fixture under ``fixtures/text`` is a pasted vacancy (``.txt``) with its expected
values beside it (``.json``); skills there are written as a person would and compared by
the taxonomy's canonical name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qh import nlp
from qh.job_data.parsing.model import Source
from qh.job_data.parsing.text import analyse_text, parse_text
from qh.job_data.parsing.text_sections import heading_kind

FIXTURES = Path(__file__).parent.parent / "fixtures" / "text"
CASES = sorted(p.stem for p in FIXTURES.glob("*.txt"))


def _load(name: str) -> tuple[str, dict[str, Any]]:
    text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    expected = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return text, expected


def _canonical(name: str) -> str:
    found = nlp.taxonomy().canonical(name)
    assert found is not None, f"{name!r} is not in the taxonomy"
    return found


def test_twenty_fixtures_in_both_languages() -> None:
    assert sum(c.startswith("ru_") for c in CASES) >= 10
    assert sum(c.startswith("en_") for c in CASES) >= 10


@pytest.mark.parametrize("name", CASES)
def test_fixture(name: str) -> None:
    text, expected = _load(name)
    vacancy = parse_text(text, source=Source(kind="text"))

    assert vacancy.title == expected["title"]
    assert vacancy.company == expected["company"]
    assert vacancy.language == name[:2]
    assert vacancy.source.kind == "text"
    assert vacancy.description_html is None
    assert vacancy.description_text == nlp.normalize_text(text)

    salary = vacancy.salary
    assert salary is not None
    for key, value in expected["salary"].items():
        assert getattr(salary, key) == value, key

    assert vacancy.experience is not None
    assert vacancy.experience.min_years == expected["experience"]["min_years"]
    assert vacancy.requirements.experience_years == expected["experience"]["min_years"]

    found = {s.canonical: s for s in vacancy.requirements.skills}
    required = {c for c, s in found.items() if s.required}
    for skill in expected["required"]:
        assert _canonical(skill) in required, skill
    for skill in expected["optional"]:
        canonical = _canonical(skill)
        assert canonical in found, skill
        assert not found[canonical].required, skill

    languages = {lang.code: lang.level for lang in vacancy.requirements.languages}
    for language in expected["languages"]:
        assert language["code"] in languages
        if "level" in language:
            assert languages[language["code"]] == language["level"]
    for code in expected.get("absent_languages", []):
        assert code not in languages

    assert vacancy.work_format == expected["work_format"]
    assert vacancy.employment == expected["employment"]
    if "education_contains" in expected:
        assert vacancy.requirements.education is not None
        assert expected["education_contains"].lower() in vacancy.requirements.education.lower()


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Требования", "requirements"),
        ("ТРЕБОВАНИЯ К КАНДИДАТУ", "requirements"),
        ("Что мы ждём от кандидата", "requirements"),
        ("Мы ожидаем", "requirements"),
        ("Must have", "requirements"),
        ("Requirements", "requirements"),
        ("Qualifications", "requirements"),
        ("About you", "requirements"),
        ("What we're looking for", "requirements"),
        ("Будет плюсом", "optional"),
        ("Будет преимуществом", "optional"),
        ("Nice to have", "optional"),
        ("Preferred qualifications", "optional"),
        ("Bonus points", "optional"),
        ("Желательно", "optional"),
        ("Обязанности", "responsibilities"),
        ("Что нужно делать", "responsibilities"),
        ("Задачи", "responsibilities"),
        ("What you'll do", "responsibilities"),
        ("Responsibilities", "responsibilities"),
        ("Условия", "benefits"),
        ("Мы предлагаем", "benefits"),
        ("We offer", "benefits"),
        ("Benefits", "benefits"),
        ("О компании", "about"),
        ("About us", "about"),
        ("Опыт работы с Python от 3 лет", None),
        ("Senior Python Developer", None),
    ],
)
def test_heading_kinds(heading: str, kind: str | None) -> None:
    assert heading_kind(heading) == kind


@pytest.mark.parametrize(
    "heading",
    [
        "**Требования:**",
        "✅ Требования:",
        "• Требования:",
        "ТРЕБОВАНИЯ",
        "## Requirements",
        "Требования",
    ],
)
def test_decorated_headings(heading: str) -> None:
    text = f"Аналитик\n\n{heading}\n- знание SQL;\n- опыт от 2 лет\n"
    analysis = analyse_text(text)
    assert [s.kind for s in analysis.sections] == ["about", "requirements"]
    assert analysis.requirements_text == ["знание SQL", "опыт от 2 лет"]


def test_section_offsets_refer_to_the_text() -> None:
    text = "Developer\r\n\r\nRequirements:\r\n- Python\r\n\r\nWe offer:\r\n- remote work\r\n"
    analysis = analyse_text(text)
    requirements = next(s for s in analysis.sections if s.kind == "requirements")
    assert "Python" in text[requirements.start : requirements.end]
    assert "remote" not in text[requirements.start : requirements.end]
    assert requirements.heading == "Requirements"


def test_inline_heading_and_semicolon_items() -> None:
    text = "Кладовщик\nТребования: опыт работы на складе; знание 1С; ответственность.\n"
    analysis = analyse_text(text)
    assert analysis.requirements_text == ["опыт работы на складе", "знание 1С", "ответственность"]


def test_numbered_and_bulleted_items() -> None:
    text = (
        "QA\n\nResponsibilities\n1. Write tests\n2) Review code\n· Triage bugs\n"
        "▪ Keep docs\n— report to the lead\n"
    )
    assert analyse_text(text).responsibilities == [
        "Write tests",
        "Review code",
        "Triage bugs",
        "Keep docs",
        "report to the lead",
    ]


def test_a_bullet_that_wraps_stays_one_item() -> None:
    text = "Dev\n\nRequirements:\n- experience with Python\n  and its tooling\n- Git\n"
    assert analyse_text(text).requirements_text == ["experience with Python and its tooling", "Git"]


def test_plain_short_lines_in_a_list_are_not_headings() -> None:
    text = "Dev\n\nRequirements\nExperience with Kubernetes\nSkills in Python\n"
    analysis = analyse_text(text)
    assert [s.kind for s in analysis.sections] == ["about", "requirements"]


@pytest.mark.parametrize(
    "line",
    [
        "- опыт с Kafka будет плюсом",
        "- желательно знание Kafka",
        "- знание Kafka приветствуется",
        "- Kafka is a plus",
        "- Kafka experience preferred",
        "- bonus: Kafka",
        "- nice to have: Kafka",
    ],
)
def test_optional_cues_in_requirements(line: str) -> None:
    text = f"Backend developer\n\nRequirements:\n- Python\n{line}\n"
    skills = {s.canonical: s.required for s in analyse_text(text).skills}
    assert skills[_canonical("Python")] is True
    assert skills[_canonical("Kafka")] is False


def test_a_cue_marks_only_its_own_clause() -> None:
    text = "Backend\n\nТребования:\n- знание Python, опыт работы с Kafka будет плюсом\n"
    skills = {s.canonical: s.required for s in analyse_text(text).skills}
    assert skills[_canonical("Python")] is True
    assert skills[_canonical("Kafka")] is False


def test_required_wins_and_first_spelling_is_kept() -> None:
    text = (
        "Разработчик\n\nБудет плюсом:\n- постгрес\n\nТребования:\n- PostgreSQL\n\n"
        "Условия:\n- курсы Python за счёт компании\n"
    )
    skills = analyse_text(text).skills
    postgres = [s for s in skills if s.canonical == _canonical("PostgreSQL")]
    assert len(postgres) == 1
    assert postgres[0].required is True
    assert postgres[0].name.lower() == "постгрес"
    assert _canonical("Python") not in {s.canonical for s in skills}


def test_intro_skills_are_not_required_when_requirements_exist() -> None:
    text = (
        "Менеджер проекта\n\nМы делаем сервис на Python и React.\n\nТребования:\n"
        "- опыт управления проектами от 3 лет\n- знание Jira\n"
    )
    skills = {s.canonical: s.required for s in analyse_text(text).skills}
    assert skills[_canonical("Jira")] is True
    assert skills.get(_canonical("Python")) is not True


def test_unstructured_text_counts_every_skill() -> None:
    text = "Нужен разработчик со знанием Python и PostgreSQL, опыт от 2 лет."
    analysis = analyse_text(text)
    required = {s.canonical for s in analysis.skills if s.required}
    assert {_canonical("Python"), _canonical("PostgreSQL")} <= required
    assert analysis.experience is not None
    assert analysis.experience.min_years == 2


def test_no_experience_means_zero() -> None:
    analysis = analyse_text("Продавец-консультант\nГотовы взять без опыта, обучим.")
    assert analysis.experience is not None
    assert analysis.experience.min_years == 0


@pytest.mark.parametrize(
    ("phrase", "formats", "kind"),
    [
        ("Формат: удалёнка", ["remote"], None),
        ("Удаленная работа, частичная занятость", ["remote"], "part"),
        ("Гибрид: 2 дня в офисе", ["hybrid"], None),
        ("Hybrid, full-time", ["hybrid"], "full"),
        ("We are remote-first. Part-time.", ["remote"], "part"),
        ("Работа в офисе, проектная работа", ["onsite"], "project"),
        ("Стажировка для студентов", [], "internship"),
        ("Contract position, on-site", ["onsite"], "project"),
        ("Знание MS Office обязательно", [], None),
    ],
)
def test_work_format_and_employment(phrase: str, formats: list[str], kind: str | None) -> None:
    analysis = analyse_text(f"Специалист\n\n{phrase}\n")
    assert analysis.work_format == formats
    assert analysis.employment == kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Требования: высшее техническое образование, опыт от 1 года",
            "высшее техническое образование",
        ),
        ("Требования: среднее специальное образование", "среднее специальное образование"),
        (
            "Requirements: Bachelor's degree in Computer Science",
            "Bachelor's degree in Computer Science",
        ),
    ],
)
def test_education(text: str, expected: str) -> None:
    assert analyse_text(text).education == expected


def test_benefit_languages_are_not_requirements() -> None:
    text = (
        "Аналитик\n\nТребования:\n- английский язык B2\n\nУсловия:\n"
        "- курсы немецкого языка за счёт компании\n"
    )
    languages = {lang.code: lang.level for lang in analyse_text(text).languages}
    assert languages == {"en": "B2"}


def test_empty_text() -> None:
    analysis = analyse_text("")
    assert analysis.skills == []
    assert parse_text("", source=Source(kind="text")).title == ""


def test_title_skips_prefixes_and_company_after_at() -> None:
    vacancy = parse_text(
        "Vacancy: Backend Engineer at Acme Corp\n\nRequirements:\n- Go\n",
        source=Source(kind="text"),
    )
    assert vacancy.title == "Backend Engineer"
    assert vacancy.company == "Acme Corp"
