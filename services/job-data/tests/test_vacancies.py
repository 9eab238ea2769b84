"""Saved vacancies: typed in, listed, read, changed and deleted by their owner only."""

from __future__ import annotations

import uuid

MANUAL = {
    "title": "Бухгалтер по расчёту заработной платы",
    "company": "ООО «Ромашка»",
    "location": {"city": "Казань", "country_code": "ru"},
    "work_format": ["hybrid"],
    "employment": "full",
    "salary": {"min": 90000, "max": 120000, "currency": "rub", "gross": False, "period": "month"},
    "experience": {"min_years": 2, "max_years": 5},
    "description_text": "Расчёт зарплаты в 1С:ЗУП, отчётность в ФНС и СФР.",
    "requirements": {
        "skills": [{"name": "1С:ЗУП"}, {"name": "Excel", "required": False}],
        "languages": [{"code": "EN", "level": "B1"}],
    },
    "notes": "Позвонить HR во вторник",
}


async def test_a_typed_in_vacancy_is_kept_normalised(alice) -> None:
    created = await alice.post("/", json=MANUAL)
    assert created.status_code == 201, created.text
    vacancy = created.json()
    assert vacancy["status"] == "saved"
    assert vacancy["location"] == {"city": "Казань", "country_code": "RU"}
    assert vacancy["salary"]["currency"] == "RUB"
    assert vacancy["salary"]["min"] == 90000
    assert vacancy["requirements"]["languages"] == [{"code": "en", "level": "B1"}]
    skills = {s["name"]: s for s in vacancy["requirements"]["skills"]}
    assert skills["Excel"]["required"] is False
    assert skills["Excel"]["canonical"] == "Microsoft Excel"  # the taxonomy's name
    assert vacancy["source"]["kind"] == "manual"
    assert vacancy["notes"] == "Позвонить HR во вторник"

    read = await alice.get(f"/{vacancy['id']}")
    assert read.status_code == 200
    assert read.json() == vacancy


async def test_the_description_fills_what_the_fields_leave_empty(alice) -> None:
    body = {
        "title": "Python developer",
        "description_text": (
            "Python developer\n\nRequirements:\n- 3+ years of commercial Python\n"
            "- PostgreSQL, Docker\n- English B2\n\nSalary $4000-5000 per month"
        ),
    }
    vacancy = (await alice.post("/", json=body)).json()
    canonical = {s["canonical"] for s in vacancy["requirements"]["skills"]}
    assert {"Python", "PostgreSQL", "Docker"} <= canonical
    assert vacancy["salary"]["currency"] == "USD"
    assert vacancy["experience"]["min_years"] == 3

    kept = (await alice.post("/", json=body | {"analyse": False})).json()
    assert kept["requirements"].get("skills", []) == []
    assert kept["salary"] is None


async def test_html_is_sanitised_and_gives_the_text(alice) -> None:
    body = {
        "title": "Designer",
        "description_html": '<p onclick="x()">Figma <script>alert(1)</script></p><ul><li>UX</li></ul>'
        '<a href="javascript:alert(1)">bad</a><img src=x onerror=alert(1)>',
    }
    vacancy = (await alice.post("/", json=body)).json()
    html = vacancy["description_html"]
    assert "script" not in html
    assert "onclick" not in html
    assert "javascript" not in html
    assert "<img" not in html
    assert "Figma" in vacancy["description_text"]
    assert "• UX" in vacancy["description_text"]


async def test_another_users_vacancy_is_not_found(alice, bob) -> None:
    vacancy = (await alice.post("/", json=MANUAL)).json()
    path = f"/{vacancy['id']}"
    assert (await bob.get(path)).status_code == 404
    assert (await bob.patch(path, json={"status": "applied"})).status_code == 404
    assert (await bob.delete(path)).status_code == 404
    assert (await bob.get("/")).json()["total"] == 0
    assert (await alice.get(path)).json()["status"] == "saved"
    assert (await alice.get(f"/{uuid.uuid4()}")).status_code == 404


async def test_without_a_token_nothing_is_answered(client) -> None:
    response = await client.get("/api/v1/vacancies/")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_patch_tells_absent_from_null(alice) -> None:
    vacancy = (await alice.post("/", json=MANUAL)).json()
    path = f"/{vacancy['id']}"
    changed = await alice.patch(path, json={"status": "interview"})
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["status"] == "interview"
    assert body["notes"] == MANUAL["notes"]  # absent: kept
    assert body["salary"]["max"] == 120000
    assert body["updated_at"] >= vacancy["updated_at"]

    cleared = (await alice.patch(path, json={"notes": None, "salary": None})).json()
    assert cleared["notes"] is None
    assert cleared["salary"] is None
    assert cleared["status"] == "interview"
    assert cleared["company"] == MANUAL["company"]

    retitled = (
        await alice.patch(path, json={"title": "Главный бухгалтер", "notes": "Оффер!"})
    ).json()
    assert (retitled["title"], retitled["notes"]) == ("Главный бухгалтер", "Оффер!")
    assert (await alice.get(path)).json() == retitled


async def test_delete(alice) -> None:
    vacancy = (await alice.post("/", json=MANUAL)).json()
    path = f"/{vacancy['id']}"
    assert (await alice.delete(path)).status_code == 204
    assert (await alice.get(path)).status_code == 404
    assert (await alice.delete(path)).status_code == 404


async def test_list_filters_searches_orders_and_pages(alice) -> None:
    ids = {}
    for title, status, notes in [
        ("Бухгалтер", "saved", None),
        ("Python-разработчик", "applied", "рекрутер Ёлкина"),
        ("Data Engineer", "rejected", None),
        ("Главный БУХГАЛТЕР", "applied", None),
    ]:
        created = await alice.post("/", json={"title": title, "status": status, "notes": notes})
        assert created.status_code == 201, created.text
        ids[title] = created.json()["id"]

    everything = (await alice.get("/")).json()
    assert everything["total"] == 4
    assert next(v["title"] for v in everything["items"]) == "Главный БУХГАЛТЕР"  # newest first
    assert "description_text" not in everything["items"][0]

    applied = (await alice.get("/", params={"status": "applied"})).json()
    assert {v["title"] for v in applied["items"]} == {"Python-разработчик", "Главный БУХГАЛТЕР"}
    two = (await alice.get("/", params=[("status", "saved"), ("status", "rejected")])).json()
    assert two["total"] == 2

    found = (await alice.get("/", params={"q": "бухгалтер"})).json()
    assert {v["title"] for v in found["items"]} == {"Бухгалтер", "Главный БУХГАЛТЕР"}
    assert (await alice.get("/", params={"q": "елкина"})).json()["total"] == 1  # notes, ё
    assert (await alice.get("/", params={"q": "главный бухгалтер"})).json()["total"] == 1
    assert (await alice.get("/", params={"q": "100%_"})).json()["total"] == 0

    # Changing one moves it to the top; the oldest-first order is the reverse.
    await alice.patch(f"/{ids['Бухгалтер']}", json={"status": "offer"})
    top = (await alice.get("/", params={"limit": 1})).json()
    assert top["items"][0]["title"] == "Бухгалтер"
    assert (top["total"], top["limit"], top["offset"]) == (4, 1, 0)
    oldest = (await alice.get("/", params={"order": "created_at", "limit": 2, "offset": 1})).json()
    assert [v["title"] for v in oldest["items"]] == ["Python-разработчик", "Data Engineer"]

    assert (await alice.get("/", params={"status": "archived"})).status_code in (400, 422)
    assert (await alice.get("/", params={"order": "title"})).status_code in (400, 422)
