"""hh.ru: vacancy URLs, the API's vacancy mapped field by field, and the API client against
a mocked transport (no network)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from qh.job_data.parsing.hh import (
    HHClient,
    HHRefused,
    HHSettings,
    HHUnavailable,
    HHVacancyNotFound,
    hh_vacancy_id,
    is_hh_vacancy,
    map_hh_vacancy,
    professional_roles,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "hh"
API = "https://api.hh.ru"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


# -- URLs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "vacancy_id"),
    [
        ("https://hh.ru/vacancy/117205741", "117205741"),
        ("https://spb.hh.ru/vacancy/123", "123"),
        ("http://ekaterinburg.hh.ru/vacancy/98765432?from=main&query=бухгалтер", "98765432"),
        ("https://hh.ru/vacancy/123?query=python#anchor", "123"),
        ("https://hh.kz/vacancy/112233445", "112233445"),
        ("https://almaty.hh.kz/vacancy/112233445", "112233445"),
        ("https://hh.uz/vacancy/555", "555"),
        ("https://rabota.by/vacancy/101112131", "101112131"),
        ("https://headhunter.ge/vacancy/119876543", "119876543"),
        ("https://api.hh.ru/vacancies/123", "123"),
        ("https://api.hh.ru/vacancies/123?host=hh.ru", "123"),
        ("https://HH.RU/vacancy/7/", "7"),
        ("https://hh.ru/employer/1740", None),
        ("https://hh.ru/search/vacancy?text=python", None),
        ("https://api.hh.ru/vacancies?text=python", None),
        ("https://nothh.ru/vacancy/123", None),
        ("https://hh.ru.evil.example/vacancy/123", None),
        ("https://www.linkedin.com/jobs/view/4012345678", None),
        ("ftp://hh.ru/vacancy/1", None),
        ("not a url", None),
    ],
)
def test_recognises_hh_vacancy_urls(url: str, vacancy_id: str | None) -> None:
    assert hh_vacancy_id(url) == vacancy_id


# -- the API's vacancy ------------------------------------------------------------------

# fixture: title, company, (min, max, currency, gross, period), (min_years, max_years),
#          key skills, city, country, work formats, employment
CASES: list[tuple[Any, ...]] = [
    (
        "python_developer",
        "Python-разработчик (Senior)",
        "Яндекс",
        (350000, 450000, "RUB", False, "month"),
        (3, 6),
        ["Python", "Django", "PostgreSQL", "Docker", "Redis", "asyncio"],
        "Москва",
        "RU",
        ["remote", "hybrid"],
        "full",
    ),
    (
        "accountant_1c",
        "Бухгалтер на участок первичной документации",
        "ООО Уральская Торговая Компания",
        (60000, 75000, "RUB", True, "month"),
        (1, 3),
        [
            "1С: Бухгалтерия",
            "Бухгалтерская отчетность",
            "Первичная документация",
            "Сверка взаиморасчетов",
        ],
        "Екатеринбург",
        "RU",
        ["onsite"],
        "full",
    ),
    (
        "sales_manager",
        "Менеджер по продажам B2B",
        "Kaspi Logistics Partner",
        (300000, 600000, "KZT", False, "month"),
        (1, 3),
        ["Активные продажи", "Холодные звонки", "Ведение переговоров", "CRM", "B2B продажи"],
        "Алматы",
        "KZ",
        ["onsite"],
        "full",
    ),
    (
        "nurse",
        "Медицинская сестра процедурного кабинета",
        "СПб ГБУЗ Городская поликлиника № 37",
        None,
        (0, None),
        ["Внутривенные инъекции", "Забор крови", "Медицинская документация"],
        "Санкт-Петербург",
        "RU",
        ["onsite"],
        "full",
    ),
    (
        "warehouse_keeper",
        "Кладовщик на склад (вахта не требуется)",
        "Ozon",
        (3500, 4500, "RUB", False, "day"),
        (0, None),
        ["Складской учет", "WMS", "Приемка товара", "Работа с ТСД"],
        "Подольск",
        "RU",
        ["onsite"],
        "full",
    ),
    (
        "english_teacher",
        "Преподаватель английского языка",
        "Языковая школа «Полиглот»",
        (50000, 70000, "RUB", True, "month"),
        (1, 3),
        ["Английский язык", "Педагогика", "Подготовка к ЕГЭ", "IELTS"],
        "Новосибирск",
        "RU",
        ["onsite"],
        "part",
    ),
    (
        "product_designer",
        "Product Designer (UX/UI)",
        "Ozon Tech",
        (2500, 3500, "USD", True, "month"),
        (3, 6),
        ["Figma", "UX", "Прототипирование", "Design System", "Adobe Photoshop"],
        "Москва",
        "RU",
        ["remote"],
        "full",
    ),
    (
        "data_analyst",
        "Senior Data Analyst",
        "Bank of Georgia",
        (3000, None, "EUR", True, "month"),
        (6, None),
        ["SQL", "Python", "Tableau", "A/B тесты", "Statistics"],
        "Тбилиси",
        "GE",
        ["hybrid"],
        "full",
    ),
    (
        "hr_business_partner",
        "HR Business Partner",
        "EPAM Systems",
        (3000, 4500, "BYN", False, "month"),
        (3, 6),
        ["Подбор персонала", "HR-аналитика", "Адаптация персонала", "Оценка персонала"],
        "Минск",
        "BY",
        ["onsite"],
        "full",
    ),
    (
        "cnc_operator",
        "Оператор станков с ЧПУ",
        "АО «Челябинский механический завод»",
        (450, 650, "RUB", True, "hour"),
        (1, 3),
        ["Fanuc", "Чтение чертежей", "Токарные работы", "Наладка станков"],
        "Челябинск",
        "RU",
        ["onsite"],
        "full",
    ),
    (
        "frontend_no_skills",
        "Frontend-разработчик",
        "ИТ-Парк Сервис",
        None,
        (1, 3),
        [],
        "Казань",
        "RU",
        ["onsite"],
        "full",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_maps_the_api_vacancy(case: tuple[Any, ...]) -> None:
    name, title, company, salary, years, skills, city, country, formats, employment = case
    data = load(name)
    vacancy = map_hh_vacancy(data, analyse=False)
    assert vacancy.title == title
    assert vacancy.company == company
    if salary is None:
        assert vacancy.salary is None
    else:
        assert vacancy.salary is not None
        got = vacancy.salary
        assert (got.min, got.max, got.currency, got.gross, got.period) == salary
    assert vacancy.experience is not None
    assert (vacancy.experience.min_years, vacancy.experience.max_years) == years
    assert vacancy.requirements.experience_years == years[0]
    assert [s.name for s in vacancy.requirements.skills] == skills
    assert all(s.required for s in vacancy.requirements.skills)
    assert vacancy.location is not None
    assert vacancy.location.city == city
    assert vacancy.location.country_code == country
    assert vacancy.work_format == formats
    assert vacancy.employment == employment
    assert vacancy.source.kind == "hh"
    assert vacancy.source.external_id == data["id"]
    assert vacancy.source.url == data["alternate_url"]
    assert vacancy.published_at is not None
    assert vacancy.published_at.tzinfo is not None
    assert vacancy.description_html
    assert vacancy.description_text
    assert is_hh_vacancy(data)


def test_structured_salary_range_wins_over_the_older_salary() -> None:
    data = load("python_developer")
    data["salary"] = {"from": 1, "to": 2, "currency": "USD", "gross": True}
    salary = map_hh_vacancy(data, analyse=False).salary
    assert salary is not None
    assert (salary.min, salary.max, salary.currency, salary.gross) == (350000, 450000, "RUB", False)


def test_older_fields_are_used_when_the_newer_are_absent() -> None:
    data = load("python_developer")
    for key in ("salary_range", "work_format", "employment_form", "work_schedule_by_days"):
        data.pop(key)
    data["schedule"] = {"id": "remote", "name": "Удаленная работа"}
    data["employment"] = {"id": "probation", "name": "Стажировка"}
    vacancy = map_hh_vacancy(data, analyse=False)
    assert vacancy.work_format == ["remote"]
    assert vacancy.employment == "internship"
    assert vacancy.salary is not None
    assert vacancy.salary.period == "month"


def test_newer_work_format_and_employment_form_win() -> None:
    data = load("product_designer")
    data["schedule"] = {"id": "fullDay", "name": "Полный день"}
    data["employment"] = {"id": "part", "name": "Частичная занятость"}
    vacancy = map_hh_vacancy(data, analyse=False)
    assert vacancy.work_format == ["remote"]
    assert vacancy.employment == "full"


def test_languages_become_iso_codes_and_cefr_levels() -> None:
    assert [
        (lang.code, lang.level)
        for lang in map_hh_vacancy(load("sales_manager"), analyse=False).requirements.languages
    ] == [("kk", "B1"), ("ru", "native")]
    assert [
        (lang.code, lang.level)
        for lang in map_hh_vacancy(load("data_analyst"), analyse=False).requirements.languages
    ] == [("en", "C1"), ("ka", "B2")]


def test_description_is_sanitised_and_keeps_its_structure() -> None:
    data = load("python_developer")
    data["description"] += '<script>alert(1)</script><img src="x" onerror="alert(2)">'
    vacancy = map_hh_vacancy(data, analyse=False)
    assert vacancy.description_html is not None
    assert "<script" not in vacancy.description_html
    assert "<img" not in vacancy.description_html
    assert "<ul>" in vacancy.description_html
    assert "• Разработка и поддержка микросервисов на Python" in vacancy.description_text
    assert "alert" not in vacancy.description_text


def test_address_and_publication_time() -> None:
    vacancy = map_hh_vacancy(load("python_developer"), analyse=False)
    assert vacancy.location is not None
    assert vacancy.location.address == "Москва, улица Льва Толстого, 16"
    assert vacancy.published_at == datetime(
        2025, 3, 14, 10, 25, 31, tzinfo=timezone(timedelta(hours=3))
    )


def test_country_from_the_area_dictionary_wins() -> None:
    data = load("product_designer")  # USD on hh.ru: the site's country is only a guess
    vacancy = map_hh_vacancy(data, analyse=False, countries={"1": "RU"})
    assert vacancy.location is not None
    assert vacancy.location.country_code == "RU"
    moved = copy.deepcopy(data)
    moved["area"] = {"id": "160", "name": "Алматы", "url": "https://api.hh.ru/areas/160"}
    vacancy = map_hh_vacancy(moved, analyse=False, countries={"160": "KZ"})
    assert vacancy.location is not None
    assert vacancy.location.country_code == "KZ"


def test_fetch_time_and_url_are_kept() -> None:
    at = datetime(2025, 7, 1, tzinfo=UTC)
    vacancy = map_hh_vacancy(
        load("nurse"), url="https://spb.hh.ru/vacancy/100200300", fetched_at=at
    )
    assert vacancy.source.fetched_at == at


def test_professional_roles() -> None:
    assert professional_roles(load("python_developer")) == ["Программист, разработчик"]


def test_is_hh_vacancy_rejects_other_json() -> None:
    assert not is_hh_vacancy(load("search_python"))
    assert not is_hh_vacancy({"@type": "JobPosting", "title": "x"})
    assert not is_hh_vacancy([1, 2])


# -- with the text analysis ---------------------------------------------------------------


def test_key_skills_are_canonicalised_and_text_skills_merged_from_text() -> None:
    vacancy = map_hh_vacancy(load("python_developer"))
    by_name = {s.name: s for s in vacancy.requirements.skills}
    # key_skills first, in hh's order, all required.
    assert [s.name for s in vacancy.requirements.skills][:6] == [
        "Python",
        "Django",
        "PostgreSQL",
        "Docker",
        "Redis",
        "asyncio",
    ]
    assert by_name["Python"].canonical == "Python"
    canonicals = [s.canonical for s in vacancy.requirements.skills if s.canonical]
    assert len(canonicals) == len(set(canonicals)), "one entry per canonical skill"
    assert "Kubernetes" in canonicals  # named only in the description
    kafka = next(s for s in vacancy.requirements.skills if s.canonical == "Apache Kafka")
    assert kafka.required is False  # "Будет плюсом"
    # Structured fields win over what the text says.
    assert vacancy.salary is not None
    assert vacancy.salary.min == 350000
    assert vacancy.experience is not None
    assert vacancy.experience.min_years == 3
    assert vacancy.language == "ru"
    assert vacancy.responsibilities
    assert vacancy.benefits


def test_a_vacancy_without_key_skills_gets_them_from_text() -> None:
    vacancy = map_hh_vacancy(load("frontend_no_skills"))
    canonicals = {s.canonical for s in vacancy.requirements.skills}
    assert {"React", "TypeScript"} <= canonicals
    assert vacancy.salary is not None
    assert vacancy.salary.min == 150000
    assert vacancy.salary.currency == "RUB"
    assert [(lang.code, lang.level) for lang in vacancy.requirements.languages] == [("en", "B1")]


# -- the client -------------------------------------------------------------------------


def settings(**overrides: Any) -> HHSettings:
    values: dict[str, Any] = {"user_agent": "QH/test (jobs@qh.example)"}
    values.update(overrides)
    return HHSettings(**values)


async def test_client_reads_a_vacancy_with_its_headers() -> None:
    with respx.mock(base_url=API, assert_all_called=True) as hh:
        route = hh.get("/vacancies/117205741").respond(200, json=load("python_developer"))
        async with HHClient(settings(token="app-token")) as client:
            vacancy = await client.vacancy("117205741")
    assert vacancy.title == "Python-разработчик (Senior)"
    request = route.calls.last.request
    assert request.headers["HH-User-Agent"] == "QH/test (jobs@qh.example)"
    assert request.headers["Authorization"] == "Bearer app-token"


async def test_client_sends_no_authorization_without_a_token() -> None:
    with respx.mock(base_url=API) as hh:
        route = hh.get("/vacancies/100200300").respond(200, json=load("nurse"))
        async with HHClient(settings()) as client:
            await client.vacancy("100200300")
    assert "Authorization" not in route.calls.last.request.headers


async def test_client_searches() -> None:
    with respx.mock(base_url=API) as hh:
        hh.get("/areas").respond(200, json=load("areas"))
        route = hh.get("/vacancies").respond(200, json=load("search_python"))
        async with HHClient(settings()) as client:
            page = await client.search("python", area="Москва", salary=200000, page=0, per_page=2)
    params = route.calls.last.request.url.params
    assert params["text"] == "python"
    assert params["area"] == "1"
    assert params["salary"] == "200000"
    assert params["per_page"] == "2"
    assert (page.found, page.pages, page.page, page.per_page) == (4821, 100, 0, 2)
    first, second = page.items
    assert first.title == "Python-разработчик (Senior)"
    assert first.company == "Яндекс"
    assert first.salary is not None
    assert first.salary.min == 350000
    assert first.source.external_id == "117205741"
    assert "<highlighttext>" not in first.description_text
    assert "Python от 3 лет" in first.description_text
    assert first.location is not None
    assert first.location.country_code == "RU"
    assert second.title == "Frontend-разработчик"


async def test_areas_are_cached_for_their_ttl() -> None:
    now = [1000.0]
    with respx.mock(base_url=API) as hh:
        route = hh.get("/areas").respond(200, json=load("areas"))
        async with HHClient(settings(areas_ttl_seconds=60), clock=lambda: now[0]) as client:
            assert await client.area_id("москва") == "1"
            assert await client.area_id("Екатеринбург") == "3"
            assert await client.area_id("Нигде") is None
            assert route.call_count == 1
            countries = await client.area_countries()
            assert countries["160"] == "KZ"
            assert countries["3"] == "RU"
            assert countries["2758"] == "GE"
            now[0] += 61
            assert len(await client.areas()) == 5
            assert route.call_count == 2


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (403, "captcha_required"),
        (403, "forbidden"),
        (400, "captcha_required"),
    ],
)
async def test_refusals_become_a_clear_error(status: int, body: str) -> None:
    with respx.mock(base_url=API) as hh:
        hh.get("/vacancies/1").respond(status, json=load(body))
        async with HHClient(settings()) as client:
            with pytest.raises(HHRefused) as refused:
                await client.vacancy("1")
    assert refused.value.status == 422
    assert "paste the vacancy text or the page instead" in str(refused.value.detail)


async def test_a_missing_vacancy() -> None:
    with respx.mock(base_url=API) as hh:
        hh.get("/vacancies/2").respond(
            404, json={"errors": [{"type": "not_found"}], "request_id": "x"}
        )
        async with HHClient(settings()) as client:
            with pytest.raises(HHVacancyNotFound) as missing:
                await client.vacancy("2")
    assert missing.value.status == 422


async def test_hh_down_is_unavailable() -> None:
    with respx.mock(base_url=API) as hh:
        hh.get("/vacancies/3").respond(502, text="Bad Gateway")
        hh.get("/vacancies/4").mock(side_effect=httpx.ConnectTimeout("timed out"))
        async with HHClient(settings()) as client:
            with pytest.raises(HHUnavailable) as down:
                await client.vacancy("3")
            assert down.value.status == 503
            with pytest.raises(HHUnavailable):
                await client.vacancy("4")
