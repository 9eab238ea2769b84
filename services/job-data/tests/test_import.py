"""POST /import: hh.ru through its API (stubbed at the transport), job pages from a local
server, the same source vacancy merged rather than repeated, and hh's refusals."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from qh.job_data.db.models import Vacancy


async def test_an_hh_url_is_read_through_the_api(alice, shared) -> None:
    response = await alice.post(
        "/import", json={"url": "https://hh.ru/vacancy/117205741?from=main"}
    )
    assert response.status_code == 201, response.text
    vacancy = response.json()
    assert vacancy["title"] == "Python-разработчик (Senior)"
    assert vacancy["source"]["kind"] == "hh"
    assert vacancy["source"]["external_id"] == "117205741"
    assert vacancy["source"]["fetched_at"]
    assert vacancy["salary"]["currency"] == "RUB"
    assert vacancy["status"] == "saved"
    assert any(s["canonical"] == "Python" for s in vacancy["requirements"]["skills"])
    assert "/vacancies/117205741" in shared.hh.paths()
    sent = next(r for r in shared.hh.requests if r.url.path == "/vacancies/117205741")
    assert sent.headers["HH-User-Agent"].startswith("QH/")


async def test_the_same_hh_vacancy_is_merged_whatever_the_site(alice, bob, shared) -> None:
    first = (await alice.post("/import", json={"url": "https://hh.kz/vacancy/112233445"})).json()
    await alice.patch(f"/{first['id']}", json={"status": "applied", "notes": "отправил резюме"})

    again = await alice.post("/import", json={"url": "https://almaty.hh.kz/vacancy/112233445/"})
    assert again.status_code == 200, again.text
    merged = again.json()
    assert merged["id"] == first["id"]
    assert (merged["status"], merged["notes"]) == ("applied", "отправил резюме")
    assert merged["salary"]["currency"] == "KZT"
    assert (await alice.get("/")).json()["total"] == 1

    # Another user saving it gets a vacancy of their own.
    theirs = await bob.post("/import", json={"url": "https://hh.kz/vacancy/112233445"})
    assert theirs.status_code == 201
    assert theirs.json()["id"] != first["id"]


async def test_the_raw_source_is_kept(alice, shared) -> None:
    vacancy = (await alice.post("/import", json={"url": "https://hh.ru/vacancy/98765432"})).json()
    async with shared.app.state.qh.session() as session:
        row = await session.scalar(select(Vacancy).where(Vacancy.id == uuid.UUID(vacancy["id"])))
    assert row is not None
    assert row.raw_content_type == "application/json"
    assert '"98765432"' in row.raw_snapshot
    assert row.source_key == "hh:98765432"


async def test_hh_refusals_ask_to_paste_the_page(alice) -> None:
    for vacancy_id in ("403", "429"):
        response = await alice.post("/import", json={"url": f"https://hh.ru/vacancy/{vacancy_id}"})
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "paste" in response.json()["detail"]
    missing = await alice.post("/import", json={"url": "https://hh.ru/vacancy/1"})
    assert missing.status_code == 422
    down = await alice.post("/import", json={"url": "https://hh.ru/vacancy/500"})
    assert down.status_code == 503
    assert (await alice.get("/")).json()["total"] == 0


async def test_a_job_posting_page_is_imported(alice, shared, pages) -> None:
    url = pages.url("/jobs/workable")
    response = await alice.post("/import", json={"url": url})
    assert response.status_code == 201, response.text
    vacancy = response.json()
    assert vacancy["title"] == "Менеджер по performance-маркетингу"
    assert vacancy["source"]["kind"] == "jsonld"
    assert vacancy["source"]["url"] == url
    assert vacancy["description_text"]

    # The same page behind tracking parameters, a fragment and a trailing slash.
    again = await alice.post("/import", json={"url": url + "/?utm_source=tg&utm_medium=post#apply"})
    assert again.status_code == 200, again.text
    assert again.json()["id"] == vacancy["id"]

    async with shared.app.state.qh.session() as session:
        row = await session.scalar(select(Vacancy).where(Vacancy.id == uuid.UUID(vacancy["id"])))
    assert row is not None
    assert row.raw_content_type == "text/html"
    assert "JobPosting" in (row.raw_snapshot or "")


async def test_a_plain_page_is_read_through_its_main_text(alice, pages) -> None:
    response = await alice.post("/import", json={"url": pages.url("/jobs/careers")})
    assert response.status_code == 201, response.text
    assert response.json()["title"] == "Инженер-технолог"
    assert response.json()["source"]["kind"] == "html"


async def test_nothing_usable_is_a_422(alice, pages) -> None:
    for path in ("/empty", "/file.pdf", "/missing"):
        response = await alice.post("/import", json={"url": pages.url(path)})
        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await alice.get("/")).json()["total"] == 0


async def test_a_large_source_is_not_kept(database_url, runtime, hh, pages, tokens, jd) -> None:
    app = jd.make_app(
        database_url, runtime, hh, fetch_allow_private_networks=jd.LOOPBACK, snapshot_max_bytes=1000
    )
    async with jd.running(app, runtime) as client:
        user = jd.User(client, tokens)
        vacancy = (await user.post("/import", json={"url": pages.url("/jobs/greenhouse")})).json()
        async with app.state.qh.session() as session:
            row = await session.scalar(
                select(Vacancy).where(Vacancy.id == uuid.UUID(vacancy["id"]))
            )
    assert row is not None
    assert vacancy["title"] == "Senior Backend Engineer (Python)"
    assert row.raw_snapshot is None


async def test_the_number_of_vacancies_is_bounded(database_url, runtime, hh, tokens, jd) -> None:
    app = jd.make_app(database_url, runtime, hh, max_vacancies_per_user=2)
    async with jd.running(app, runtime) as client:
        user = jd.User(client, tokens)
        for title in ("a", "b"):
            assert (await user.post("/", json={"title": title})).status_code == 201
        third = await user.post("/", json={"title": "c"})
        assert third.status_code == 409
        imported = await user.post("/import", json={"url": "https://hh.ru/vacancy/98765432"})
        assert imported.status_code == 409
        listed = (await user.get("/")).json()
    assert sorted(v["title"] for v in listed["items"]) == ["a", "b"]


async def test_two_imports_of_one_vacancy_at_once_keep_one(alice) -> None:
    """A double click: both answer, one vacancy is kept."""
    import anyio

    statuses: list[int] = []

    async def save() -> None:
        response = await alice.post("/import", json={"url": "https://hh.ru/vacancy/120304050"})
        statuses.append(response.status_code)

    async with anyio.create_task_group() as group:
        for _ in range(3):
            group.start_soon(save)
    assert sorted(statuses) == [200, 200, 201]
    assert (await alice.get("/")).json()["total"] == 1
