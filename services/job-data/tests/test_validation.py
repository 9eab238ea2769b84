"""Every bad field of a vacancy is named in one 422, and nothing is saved."""

from __future__ import annotations

import pytest

VALID = {"title": "Кладовщик"}

# (body fields, the field the 422 names)
BAD: list[tuple[dict, str]] = [
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 301}, "title"),
    ({"title": "Два\nслова"}, "title"),
    ({"title": "bell\x07"}, "title"),
    ({"company": "c" * 301}, "company"),
    ({"company": "A\tB"}, "company"),
    ({"location": {"country_code": "XX"}}, "location.country_code"),
    ({"location": {"country_code": "RUS"}}, "location.country_code"),
    ({"location": {"city": "c" * 201}}, "location.city"),
    ({"location": {"planet": "Mars"}}, "location.planet"),
    ({"work_format": ["office"]}, "work_format[0]"),
    ({"work_format": ["remote", "remote"]}, "work_format"),
    ({"employment": "forever"}, "employment"),
    ({"salary": {"min": 100, "currency": "ABC"}}, "salary.currency"),
    ({"salary": {"min": 100, "currency": "RUBLES"}}, "salary.currency"),
    ({"salary": {"min": 100}}, "salary.currency"),
    ({"salary": {"currency": "RUB"}}, "salary"),
    ({"salary": {"min": 200, "max": 100, "currency": "RUB"}}, "salary.max"),
    ({"salary": {"min": -1, "currency": "RUB"}}, "salary.min"),
    ({"salary": {"max": 1e12, "currency": "RUB"}}, "salary.max"),
    ({"salary": {"min": 1, "currency": "RUB", "period": "fortnight"}}, "salary.period"),
    ({"experience": {"min_years": 5, "max_years": 3}}, "experience.max_years"),
    ({"experience": {"min_years": -1}}, "experience.min_years"),
    ({"experience": {"max_years": 61}}, "experience.max_years"),
    ({"requirements": {"skills": [{"name": ""}]}}, "requirements.skills[0].name"),
    (
        {"requirements": {"skills": [{"name": "Python"}, {"name": "python"}]}},
        "requirements.skills[1]",
    ),
    ({"requirements": {"languages": [{"code": "xx"}]}}, "requirements.languages[0].code"),
    (
        {"requirements": {"languages": [{"code": "en", "level": "B3"}]}},
        "requirements.languages[0].level",
    ),
    (
        {"requirements": {"languages": [{"code": "en"}, {"code": "EN"}]}},
        "requirements.languages[1].code",
    ),
    ({"requirements": {"experience_years": 100}}, "requirements.experience_years"),
    ({"responsibilities": ["one\ntwo"]}, "responsibilities[0]"),
    ({"benefits": ["b" * 1001]}, "benefits[0]"),
    ({"description_text": "t" * 100_001}, "description_text"),
    ({"status": "hired"}, "status"),
    ({"notes": "n" * 10_001}, "notes"),
    ({"notes": "null\x00byte"}, "notes"),
    ({"language": "de"}, "language"),
    ({"published_at": "yesterday"}, "published_at"),
    ({"source": {"kind": "manual", "url": "ftp://jobs.example/1"}}, "source.url"),
    ({"source": {"kind": "manual", "url": "javascript:alert(1)"}}, "source.url"),
    ({"source": {"kind": "manual", "url": "https://"}}, "source.url"),
    ({"source": {"kind": "manual", "url": "https://jobs.example/a b"}}, "source.url"),
    ({"source": {"kind": "ftp"}}, "source.kind"),
    ({"source": {"kind": "hh"}}, "source"),
    ({"unknown_field": 1}, "unknown_field"),
]


@pytest.mark.parametrize(("fields", "field"), BAD, ids=[f for _, f in BAD])
async def test_each_bad_field_is_named(alice, jd, fields: dict, field: str) -> None:
    response = await alice.post("/", json=VALID | fields)
    assert field in jd.fields_of(response), response.text
    assert (await alice.get("/")).json()["total"] == 0


async def test_every_bad_field_at_once(alice, jd) -> None:
    body = {
        "title": "Кладовщик",
        "location": {"country_code": "ZZ"},
        "salary": {"min": 5, "max": 1, "currency": "QQQ"},
        "experience": {"min_years": 4, "max_years": 1},
        "requirements": {"languages": [{"code": "qq"}]},
        "source": {"kind": "manual", "url": "file:///etc/passwd"},
    }
    assert set(jd.fields_of(await alice.post("/", json=body))) == {
        "location.country_code",
        "salary.currency",
        "salary.max",
        "experience.max_years",
        "requirements.languages[0].code",
        "source.url",
    }


async def test_patch_is_validated_the_same_way(alice, jd) -> None:
    vacancy = (await alice.post("/", json=VALID)).json()
    path = f"/{vacancy['id']}"
    assert "status" in jd.fields_of(await alice.patch(path, json={"status": "hired"}))
    assert "title" in jd.fields_of(await alice.patch(path, json={"title": None}))
    assert "salary.max" in jd.fields_of(
        await alice.patch(path, json={"salary": {"min": 9, "max": 1, "currency": "USD"}})
    )
    assert "source" in jd.fields_of(await alice.patch(path, json={"source": {"kind": "text"}}))
    assert (await alice.get(path)).json() == vacancy


async def test_malformed_json_is_a_400(alice) -> None:
    response = await alice.post(
        "/", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_bad_ids_and_parameters_are_4xx(alice) -> None:
    assert (await alice.get("/not-a-uuid")).status_code in (400, 404)
    assert (await alice.get("/", params={"limit": 0})).status_code in (400, 422)
    assert (await alice.get("/", params={"q": "q" * 201})).status_code in (400, 422)
