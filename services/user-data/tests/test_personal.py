"""Personal data: GET, PUT and PATCH /me, and every value rule of it."""

from __future__ import annotations

import pytest

FULL = {
    "full_name": "Иван Петров",
    "headline": "Python-разработчик",
    "email": "ivan.petrov@example.ru",
    "phone": "8 (916) 123-45-67",
    "website": "https://ivanpetrov.example.ru",
    "location": {"city": "Москва", "country_code": "ru"},
    "links": [{"network": "GitHub", "url": "https://github.com/ivan", "username": "ivan"}],
    "summary": "Пишу бэкенд.\nЛюблю тесты 🚀",
    "birth_date": "1994-03-12",
    "citizenship": "RU",
    "desired_position": "Senior Python-разработчик",
    "desired_salary": {"amount": 350000, "currency": "rub"},
    "relocation": False,
    "resume_languages": ["ru", "en"],
}


async def test_first_access_creates_an_empty_profile(alice) -> None:
    r = await alice.get("/me")
    assert r.status_code == 200
    body = r.json()
    assert body["user_id"] == str(alice.id)
    assert body["full_name"] is None
    assert body["links"] == []
    assert body["revision"] == 0


async def test_put_replaces_and_normalises(alice) -> None:
    r = await alice.put("/me", json=FULL)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["phone"] == "+79161234567"  # national notation read with the profile's country
    assert body["location"] == {
        "city": "Москва",
        "country_code": "RU",
        "region": None,
        "address": None,
        "postal_code": None,
    }
    assert body["desired_salary"] == {"amount": 350000, "currency": "RUB"}
    assert body["summary"] == FULL["summary"]
    assert body["revision"] == 1
    r = await alice.put("/me", json={"full_name": "Иван"})
    body = r.json()
    assert body["full_name"] == "Иван"
    assert body["phone"] is None
    assert body["links"] == []
    assert (await alice.get("/me")).json() == body


async def test_patch_absent_keeps_null_clears(alice) -> None:
    await alice.put("/me", json=FULL)
    r = await alice.patch("/me", json={"headline": "Тимлид"})
    body = r.json()
    assert body["headline"] == "Тимлид"
    assert body["phone"] == "+79161234567"
    assert body["website"] == FULL["website"]
    r = await alice.patch("/me", json={"website": None, "location": None})
    body = r.json()
    assert body["website"] is None
    assert body["location"] is None
    assert body["headline"] == "Тимлид"
    assert body["email"] == FULL["email"]


async def test_unicode_and_markup_kept_as_plain_text(alice) -> None:
    text = "<b>Привет</b> & <script>alert(1)</script> 👩‍💻 — «ёлка»"
    r = await alice.patch("/me", json={"summary": text, "full_name": "Zoë Ünal 李雷"})
    assert r.json()["summary"] == text
    r = await alice.get("/me")
    assert r.json()["summary"] == text
    assert r.json()["full_name"] == "Zoë Ünal 李雷"


async def test_an_unchanged_patch_is_not_a_change(alice) -> None:
    await alice.patch("/me", json={"headline": "A"})
    r = await alice.patch("/me", json={"headline": "A"})
    assert r.json()["revision"] == 1


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "must be an e-mail address"),
        ({"phone": "12345"}, "phone", "must be in international format"),
        ({"phone": "+7 000 000"}, "phone", "not a valid phone number"),
        ({"phone": "phone"}, "phone", "must be"),
        ({"website": "ftp://example.com"}, "website", "http or https"),
        ({"website": "javascript:alert(1)"}, "website", "http or https"),
        ({"website": "https://"}, "website", "host name"),
        ({"location": {"country_code": "XX"}}, "location.country_code", "ISO 3166-1"),
        ({"citizenship": "ZZ"}, "citizenship", "ISO 3166-1"),
        (
            {"desired_salary": {"amount": 100, "currency": "ABC"}},
            "desired_salary.currency",
            "ISO 4217",
        ),
        ({"birth_date": "2999-01-01"}, "birth_date", "future"),
        ({"birth_date": "12.03.1994"}, "birth_date", "YYYY"),
        (
            {"links": [{"network": "GitHub", "url": "github.com/ivan"}]},
            "links[0].url",
            "http or https",
        ),
        ({"full_name": "Иван\nПетров"}, "full_name", "single line"),
        ({"summary": "bad \x00 byte"}, "summary", "control characters"),
    ],
)
async def test_value_rules(alice, ud, body, field, message) -> None:
    r = await alice.patch("/me", json=body)
    errors = ud.fields_of(r)
    assert field in errors, errors
    assert message in errors[field]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"full_name": "x" * 301}, "full_name"),
        ({"summary": "x" * 20_001}, "summary"),
        ({"links": [{"network": "x", "url": "https://a.b"}] * 51}, "links"),
        ({"desired_salary": {"amount": -1, "currency": "RUB"}}, "desired_salary.amount"),
        ({"resume_languages": ["de"]}, "resume_languages[0]"),
        ({"relocation": "yes"}, "relocation"),
    ],
)
async def test_shape_rules(alice, ud, body, field) -> None:
    errors = ud.fields_of(await alice.patch("/me", json=body))
    assert any(f.startswith(field) for f in errors), errors


async def test_unknown_fields_are_refused(alice, ud) -> None:
    errors = ud.fields_of(await alice.patch("/me", json={"unknown": 1}))
    assert errors == {"unknown": "is not a known field"}


async def test_phone_in_international_format_needs_no_country(alice) -> None:
    r = await alice.patch("/me", json={"phone": "+44 20 7183 8750"})
    assert r.json()["phone"] == "+442071838750"


async def test_every_problem_is_reported_at_once(alice, ud) -> None:
    errors = ud.fields_of(
        await alice.put("/me", json={"email": "x", "website": "ftp://a.b", "citizenship": "QQ"})
    )
    assert set(errors) == {"email", "website", "citizenship"}


async def test_bad_requests(alice, client) -> None:
    r = await alice.patch(
        "/me", content=b"{not json", headers={**alice.headers, "content-type": "application/json"}
    )
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")
    r = await client.get("/api/v1/profile/me")
    assert r.status_code == 401
    r = await client.get("/api/v1/profile/me", headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401


async def test_a_default_phone_region_reads_national_numbers(
    service_definition, database_url, runtime, tokens, ud
) -> None:
    from qh.kit.testing import running, settings_for_tests

    settings = settings_for_tests(service_definition, database_url, default_phone_region="RU")
    app = service_definition.create_app(settings, runtime=runtime)
    async with running(app, runtime) as client:
        user = ud.User(client, tokens)
        r = await user.patch("/me", json={"phone": "8 (916) 123-45-67"})
        assert r.json()["phone"] == "+79161234567"


async def test_internationalised_e_mail_is_kept_in_the_platforms_canonical_form(alice) -> None:
    r = await alice.patch("/me", json={"email": "Иван.Петров@ПОЧТА.РФ"})
    assert r.status_code == 200, r.text
    assert r.json()["email"] == "иван.петров@почта.рф"
    r = await alice.patch("/me", json={"email": "иван.петров@xn--80a1acny.xn--p1ai"})
    assert r.json()["email"] == "иван.петров@почта.рф"
