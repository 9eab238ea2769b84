"""POST /parse reads what the client holds (hh API JSON, a page, pasted text) without
fetching or saving; POST / then saves the reviewed result, merged per source."""

from __future__ import annotations

import pytest

PASTED_RU = """Бухгалтер по первичной документации

Требования:
• опыт работы бухгалтером от 2 лет
• знание 1С:Бухгалтерия и Excel
• английский B1 будет плюсом

Условия:
• зарплата от 80 000 до 100 000 ₽ на руки
• гибридный формат работы
"""


async def test_an_hh_api_json(alice, shared, jd) -> None:
    content = jd.fixture_bytes("hh/accountant_1c.json").decode()
    requests_before = len(shared.hh.requests)
    response = await alice.post(
        "/parse", json={"content": content, "content_type": "application/json"}
    )
    assert response.status_code == 200, response.text
    vacancy = response.json()
    assert vacancy["title"] == "Бухгалтер на участок первичной документации"
    assert vacancy["source"]["kind"] == "hh"
    assert "id" not in vacancy
    assert len(shared.hh.requests) == requests_before  # nothing fetched
    assert (await alice.get("/")).json()["total"] == 0  # nothing saved


@pytest.mark.parametrize(
    ("path", "url", "kind", "title"),
    [
        ("jsonld/lever_data_engineer.html", None, "jsonld", "Data Engineer"),
        ("jsonld/microdata_accountant.html", None, "jsonld", "Главный бухгалтер"),
        (
            "linkedin/job_view_jsonld.html",
            "https://www.linkedin.com/jobs/view/4012345678",
            "linkedin",
            "Senior Android Engineer",
        ),
        ("html/careers_page_ru.html", "https://technoplast.example/42", "html", "Инженер-технолог"),
    ],
)
async def test_a_saved_page(alice, pages, jd, path, url, kind, title) -> None:
    hits = len(pages.hits)
    body = {"content": jd.fixture_bytes(path).decode(), "content_type": "text/html"}
    if url:
        body["url"] = url
    response = await alice.post("/parse", json=body)
    assert response.status_code == 200, response.text
    assert (response.json()["source"]["kind"], response.json()["title"]) == (kind, title)
    assert len(pages.hits) == hits


async def test_pasted_text_then_saved_once(alice) -> None:
    parsed = await alice.post("/parse", json={"content": PASTED_RU, "content_type": "text/plain"})
    assert parsed.status_code == 200, parsed.text
    vacancy = parsed.json()
    assert vacancy["source"]["kind"] == "text"
    assert vacancy["salary"]["min"] == 80000
    assert vacancy["salary"]["currency"] == "RUB"
    assert vacancy["salary"]["gross"] is False
    assert vacancy["experience"]["min_years"] == 2
    canonical = {s["canonical"] for s in vacancy["requirements"]["skills"]}
    assert "Microsoft Excel" in canonical

    saved = await alice.post("/", json=vacancy | {"notes": "из Telegram"})
    assert saved.status_code == 201, saved.text
    assert saved.json()["title"] == vacancy["title"]
    # The same text pasted again (spacing aside) is the same vacancy.
    again = await alice.post(
        "/", json=vacancy | {"description_text": vacancy["description_text"] + "  \n"}
    )
    assert again.status_code == 200, again.text
    assert again.json()["id"] == saved.json()["id"]
    assert again.json()["notes"] == "из Telegram"
    assert (await alice.get("/")).json()["total"] == 1


@pytest.mark.parametrize(
    ("conditions", "salary"),
    [
        # the currency written once, after the last amount
        (
            "Условия: оклад 40 000 + процент, доход до 250 000 руб., график 2/2.",
            {"min": 40000, "max": 40000, "currency": "RUB"},
        ),
        # an amount in no currency is no salary
        ("Условия: зарплата 100 000, график 5/2.", None),
    ],
)
async def test_pasted_text_with_a_bare_amount_saves_as_parsed(alice, conditions, salary) -> None:
    text = "Продавец-консультант\n\nТребования: опыт продаж от 1 года.\n" + conditions
    parsed = await alice.post("/parse", json={"content": text, "content_type": "text/plain"})
    assert parsed.status_code == 200, parsed.text
    vacancy = parsed.json()
    got = vacancy.get("salary")
    assert (got and {k: got[k] for k in ("min", "max", "currency")}) == salary
    saved = await alice.post("/", json=vacancy)
    assert saved.status_code == 201, saved.text


async def test_a_parsed_hh_vacancy_merges_with_its_import(alice, jd) -> None:
    content = jd.fixture_bytes("hh/nurse.json").decode()
    parsed = (
        await alice.post("/parse", json={"content": content, "content_type": "application/json"})
    ).json()
    first = await alice.post("/", json=parsed)
    assert first.status_code == 201, first.text
    imported = await alice.post("/import", json={"url": "https://hh.ru/vacancy/100200300"})
    assert imported.status_code == 200
    assert imported.json()["id"] == first.json()["id"]


async def test_bad_parse_requests(alice, jd) -> None:
    unreadable = await alice.post(
        "/parse", json={"content": "{}", "content_type": "application/json"}
    )
    assert unreadable.status_code == 422
    assert "errors" not in unreadable.json() or unreadable.json()["errors"] is None
    blank = await alice.post("/parse", json={"content": "   ", "content_type": "text/plain"})
    assert blank.status_code == 422
    wrong_type = await alice.post(
        "/parse", json={"content": "x", "content_type": "application/pdf"}
    )
    assert "content_type" in jd.fields_of(wrong_type)
    bad_url = await alice.post(
        "/parse", json={"content": "Повар", "content_type": "text/plain", "url": "javascript:1"}
    )
    assert "url" in jd.fields_of(bad_url)


async def test_content_is_size_limited(database_url, runtime, hh, tokens, jd) -> None:
    app = jd.make_app(database_url, runtime, hh, parse_max_bytes=4096)
    async with jd.running(app, runtime) as client:
        user = jd.User(client, tokens)
        fits = await user.post(
            "/parse", json={"content": "Повар\n" + "а" * 1000, "content_type": "text/plain"}
        )
        assert fits.status_code == 200, fits.text
        # 3000 Cyrillic letters are 6000 bytes.
        large = await user.post(
            "/parse", json={"content": "Повар\n" + "а" * 3000, "content_type": "text/plain"}
        )
        assert large.status_code == 413
        assert large.headers["content-type"].startswith("application/problem+json")


async def test_a_long_source_url_still_merges(alice) -> None:
    """A URL whose normalised form is longer than the key column (Cyrillic query values
    are percent-encoded) is keyed by its hash."""
    url = "https://jobs.example/search?q=" + "бухгалтер" * 200
    body = {"title": "Бухгалтер", "source": {"kind": "html", "url": url}}
    first = await alice.post("/", json=body)
    assert first.status_code == 201, first.text
    again = await alice.post("/", json=body | {"company": "Ромашка"})
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["company"] == "Ромашка"
