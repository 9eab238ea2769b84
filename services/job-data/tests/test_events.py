"""vacancy.created, vacancy.updated and vacancy.deleted leave through the outbox once per
committed change; user.deleted erases the user's vacancies (and the kit refuses their
later tokens)."""

from __future__ import annotations

import msgspec
from sqlalchemy import func, select

from qh.contracts import USER_DELETED, UserDeleted
from qh.job_data.db.models import Vacancy
from qh.kit.cloudevents import make_cloudevent


async def test_changes_are_published(alice, shared) -> None:
    created = (await alice.post("/", json={"title": "Кладовщик"})).json()
    await alice.patch(f"/{created['id']}", json={"status": "applied", "notes": "звонок в 15:00"})
    await alice.patch(f"/{created['id']}", json={"status": "applied"})  # no change: no event
    await alice.delete(f"/{created['id']}")
    bad = await alice.post("/", json={"title": ""})  # refused: nothing published
    assert bad.status_code == 422

    events = await shared.published(alice)
    assert [e["type"] for e in events] == [
        "vacancy.created.v1",
        "vacancy.updated.v1",
        "vacancy.deleted.v1",
    ]
    assert events[0]["data"] == {
        "vacancy_id": created["id"],
        "user_id": str(alice.id),
        "title": "Кладовщик",
        "source_kind": "manual",
    }
    assert set(events[1]["data"]["fields"]) == {"status", "notes"}
    assert events[2]["data"]["vacancy_id"] == created["id"]
    assert all(e["source"] == "qh/job-data" for e in events)


async def test_a_merge_publishes_an_update_only_when_something_changed(alice, shared) -> None:
    first = (await alice.post("/import", json={"url": "https://hh.ru/vacancy/113579246"})).json()
    again = await alice.post("/import", json={"url": "https://hh.ru/vacancy/113579246"})
    assert again.status_code == 200
    events = await shared.published(alice)
    assert [e["type"] for e in events] == ["vacancy.created.v1"]
    assert events[0]["data"]["source_kind"] == "hh"
    assert events[0]["data"]["vacancy_id"] == first["id"]


async def count(shared, user) -> int:
    async with shared.app.state.qh.session() as session:
        statement = select(func.count()).select_from(Vacancy).where(Vacancy.owner_id == user.id)
        return int(await session.scalar(statement) or 0)


async def test_user_deleted_erases_their_vacancies_only(alice, bob, shared, client) -> None:
    for title in ("a", "b"):
        await alice.post("/", json={"title": title})
    await alice.post("/import", json={"url": "https://hh.ru/vacancy/100200300"})
    await bob.post("/", json={"title": "bob's"})
    assert await count(shared, alice) == 3

    event = make_cloudevent(USER_DELETED, UserDeleted(user_id=alice.id), source="qh/auth")
    for _ in range(2):  # a redelivery is harmless
        response = await client.post(
            f"/events/{USER_DELETED.name}",
            content=msgspec.json.encode(event),
            headers={"content-type": "application/cloudevents+json"},
        )
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "SUCCESS"

    assert await count(shared, alice) == 0
    assert await count(shared, bob) == 1
    assert (await bob.get("/")).json()["total"] == 1
    # The kit's own handling of the same subscription: her earlier token is refused.
    await shared.app.state.qh.revocations.refresh()
    assert (await alice.get("/")).status_code == 401
