"""The validation catalogue of section items: one test per rule, each naming the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

NEXT_YEAR = str(datetime.now(UTC).year + 1)
NEXT_MONTH = (datetime.now(UTC).replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
THIS_YEAR = str(datetime.now(UTC).year)


def job(**changes):
    return {"company": "Яндекс", "position": "Разработчик", "start_date": "2019-02", **changes}


@pytest.mark.parametrize("value", ["2020", "2020-02", "2020-02-29"])
async def test_dates_may_be_year_month_or_day(alice, value) -> None:
    r = await alice.post("/me/experience", json=job(start_date=value))
    assert r.status_code == 201, r.text
    assert r.json()["start_date"] == value


@pytest.mark.parametrize(
    "value",
    [
        "2020-13",
        "2020-00",
        "2020-01-00",
        "2021-02-29",
        "20-01",
        "2020/01",
        "01.02.2020",
        "1850",
        "2020-1",
    ],
)
async def test_dates_in_another_form_are_refused(alice, ud, value) -> None:
    errors = ud.fields_of(await alice.post("/me/experience", json=job(start_date=value)))
    assert "YYYY, YYYY-MM or YYYY-MM-DD" in errors["start_date"]


async def test_end_before_start_is_refused(alice, ud) -> None:
    errors = ud.fields_of(
        await alice.post("/me/experience", json=job(start_date="2020-05", end_date="2020-04"))
    )
    assert errors == {"end_date": "must not be before start_date"}
    errors = ud.fields_of(
        await alice.post(
            "/me/education",
            json={"institution": "МГУ", "start_date": "2015", "end_date": "2014-12"},
        )
    )
    assert errors == {"end_date": "must not be before start_date"}
    errors = ud.fields_of(
        await alice.post(
            "/me/projects", json={"name": "P", "start_date": "2015-03-02", "end_date": "2015-03-01"}
        )
    )
    assert errors == {"end_date": "must not be before start_date"}


async def test_end_equal_or_coarser_than_start_is_accepted(alice) -> None:
    assert (
        await alice.post("/me/experience", json=job(start_date="2020-05", end_date="2020-05"))
    ).status_code == 201
    assert (
        await alice.post("/me/experience", json=job(start_date="2020-05-10", end_date="2020"))
    ).status_code == 201


async def test_future_end_dates_are_refused(alice, ud) -> None:
    for value in (NEXT_YEAR, NEXT_MONTH):
        errors = ud.fields_of(await alice.post("/me/experience", json=job(end_date=value)))
        assert "must not be in the future" in errors["end_date"]
    errors = ud.fields_of(
        await alice.post("/me/achievements", json={"title": "T", "date": NEXT_YEAR})
    )
    assert errors == {"date": "must not be in the future"}
    errors = ud.fields_of(
        await alice.post("/me/certificates", json={"name": "C", "date": NEXT_MONTH})
    )
    assert errors == {"date": "must not be in the future"}
    # The current year is not in the future yet.
    assert (await alice.post("/me/experience", json=job(end_date=THIS_YEAR))).status_code == 201


async def test_end_date_null_means_current(alice) -> None:
    r = await alice.post("/me/experience", json=job(end_date=None))
    assert r.status_code == 201
    assert r.json()["end_date"] is None


async def test_date_order_is_checked_after_a_patch(alice, ud) -> None:
    item = (await alice.post("/me/experience", json=job(start_date="2019", end_date="2020"))).json()
    errors = ud.fields_of(
        await alice.patch(f"/me/experience/{item['id']}", json={"start_date": "2021"})
    )
    assert errors == {"end_date": "must not be before start_date"}


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "javascript:alert(1)",
        "example.com",
        "https://",
        "http://exa mple.com",
        "mailto:a@b.c",
    ],
)
async def test_urls_must_be_http_or_https(alice, ud, url) -> None:
    errors = ud.fields_of(await alice.post("/me/certificates", json={"name": "C", "url": url}))
    assert "http or https" in errors["url"]


async def test_http_and_https_urls_are_accepted(alice) -> None:
    for url in ("http://example.com", "https://пример.рф/путь?q=1"):
        assert (await alice.post("/me/projects", json={"name": "P", "url": url})).status_code == 201


async def test_language_code_must_be_iso_639_1(alice, ud) -> None:
    errors = ud.fields_of(await alice.post("/me/languages", json={"code": "xx", "level": "B2"}))
    assert "ISO 639-1" in errors["code"]
    r = await alice.post("/me/languages", json={"code": "DE", "level": "B2"})
    assert r.status_code == 201
    assert r.json()["code"] == "de"


async def test_language_needs_a_name_or_a_code(alice, ud) -> None:
    errors = ud.fields_of(await alice.post("/me/languages", json={"level": "B2"}))
    assert "ISO 639-1" in errors["name"]
    assert (
        await alice.post("/me/languages", json={"name": "Татарский", "level": "A2"})
    ).status_code == 201


@pytest.mark.parametrize("level", ["A1", "A2", "B1", "B2", "C1", "C2", "native"])
async def test_cefr_levels_and_native_are_accepted(alice, level) -> None:
    assert (
        await alice.post("/me/languages", json={"code": "en", "level": level})
    ).status_code == 201


@pytest.mark.parametrize("level", ["C3", "fluent", "b2", ""])
async def test_other_language_levels_are_refused(alice, ud, level) -> None:
    errors = ud.fields_of(await alice.post("/me/languages", json={"code": "en", "level": level}))
    assert "level" in errors


@pytest.mark.parametrize("level", ["beginner", "intermediate", "advanced", "expert"])
async def test_skill_levels_are_accepted(alice, level) -> None:
    assert (await alice.post("/me/skills", json={"name": "Go", "level": level})).status_code == 201


@pytest.mark.parametrize("body", [{"level": "guru"}, {"years": -1}, {"years": 71}, {"years": 2.5}])
async def test_other_skill_levels_and_years_are_refused(alice, ud, body) -> None:
    errors = ud.fields_of(await alice.post("/me/skills", json={"name": "Go", **body}))
    assert next(iter(body)) in errors


@pytest.mark.parametrize(
    ("section", "field", "limit"),
    [
        ("experience", "company", 500),
        ("experience", "position", 300),
        ("skills", "name", 200),
        ("education", "grade", 500),
        ("achievements", "description", 20_000),
        ("volunteer", "organization", 500),
        ("references", "reference", 20_000),
    ],
)
async def test_lengths(alice, ud, section, field, limit) -> None:
    body = {**ud.VALID[section], field: "я" * (limit + 1)}
    errors = ud.fields_of(await alice.post(f"/me/{section}", json=body))
    assert field in errors
    body[field] = "я" * limit
    assert (await alice.post(f"/me/{section}", json=body)).status_code == 201


async def test_lists_have_limits(alice, ud) -> None:
    errors = ud.fields_of(await alice.post("/me/experience", json=job(highlights=["x"] * 101)))
    assert "highlights" in errors
    errors = ud.fields_of(await alice.post("/me/experience", json=job(highlights=["ok", "  "])))
    assert errors == {"highlights[1]": "must not be blank"}


async def test_control_characters_and_line_breaks(alice, ud) -> None:
    errors = ud.fields_of(await alice.post("/me/skills", json={"name": "Py\u0007thon"}))
    assert errors == {"name": "must not contain control characters"}
    errors = ud.fields_of(await alice.post("/me/skills", json={"name": "Py\nthon"}))
    assert errors == {"name": "must be a single line"}
    r = await alice.post(
        "/me/achievements", json={"title": "T", "description": "строка 1\nстрока 2\tтаб"}
    )
    assert r.status_code == 201


async def test_text_is_kept_as_typed(alice) -> None:
    text = "<img src=x onerror=alert(1)> Ёжик 🦔 &amp; «кавычки»"
    item = (await alice.post("/me/projects", json={"name": text, "description": text})).json()
    assert (item["name"], item["description"]) == (text, text)
    assert (await alice.get(f"/me/projects/{item['id']}")).json()["name"] == text


async def test_wrong_types_and_unknown_fields(alice, ud) -> None:
    assert "start_date" in ud.fields_of(
        await alice.post("/me/experience", json=job(start_date=2020))
    )
    errors = ud.fields_of(await alice.post("/me/skills", json={"name": "Go", "colour": "red"}))
    assert errors == {"colour": "is not a known field"}
    r = await alice.post("/me/skills", json=["not", "an", "object"])
    assert r.status_code in (400, 422)


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", None])
async def test_a_body_that_is_not_json_changes_nothing(alice, content_type) -> None:
    """The item and personal-data routes read their body themselves (to report every
    problem at once); they still take JSON only."""
    body = b'{"name": "Python"}'
    headers = {"content-type": content_type} if content_type else {}
    for method, path in (("POST", "/me/skills"), ("PUT", "/me"), ("PATCH", "/me")):
        response = await alice.request(method, path, content=body, headers=headers)
        assert response.status_code == 415, (method, path, response.text)
    assert (await alice.get("/me/skills")).json()["total"] == 0
