"""Events: a profile per user.registered (idempotent), erased on user.deleted, and one
profile.updated per committed change."""

from __future__ import annotations

import asyncio
import time
import uuid

import msgspec
from sqlalchemy import func, select

from qh.contracts import USER_DELETED, USER_REGISTERED, UserDeleted, UserRegistered
from qh.kit.cloudevents import make_cloudevent
from qh.user_data.db import models
from qh.user_data.domain.profiles.sections import SECTIONS
from qh.user_data.domain.profiles.services import ProfileService

PREFIX = "/api/v1/profile"


def cloud_event(topic, payload) -> bytes:
    return msgspec.json.encode(make_cloudevent(topic, payload, source="qh/auth"))


async def deliver(client, topic, body: bytes) -> None:
    r = await client.post(
        f"/events/{topic.name}",
        content=body,
        headers={"content-type": "application/cloudevents+json"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "SUCCESS"


async def count(shared, model, user_id) -> int:
    async with shared.app.state.qh.session() as session:
        return (
            await session.scalar(
                select(func.count()).select_from(model).where(model.user_id == user_id)
            )
            or 0
        )


async def test_user_registered_creates_the_profile_once(shared, client, ud) -> None:
    user = ud.User(client, shared.tokens)
    body = cloud_event(
        USER_REGISTERED,
        UserRegistered(user_id=user.id, email="Anna@Example.RU", full_name="Анна Смирнова"),
    )
    await deliver(client, USER_REGISTERED, body)
    await deliver(client, USER_REGISTERED, body)  # the same CloudEvent again
    assert await count(shared, models.Profile, user.id) == 1
    me = (await user.get("/me")).json()
    assert me["full_name"] == "Анна Смирнова"
    assert me["email"] == "anna@example.ru"  # the platform's canonical form
    assert me["revision"] == 0

    # Another event id for a user who already has a profile changes nothing either.
    await user.patch("/me", json={"full_name": "Анна"})
    other = cloud_event(USER_REGISTERED, UserRegistered(user_id=user.id, email="other@example.com"))
    await deliver(client, USER_REGISTERED, other)
    assert (await user.get("/me")).json()["full_name"] == "Анна"
    assert await count(shared, models.Profile, user.id) == 1


async def test_user_registered_after_a_first_request(shared, client, ud) -> None:
    user = ud.User(client, shared.tokens)
    await user.get("/me")
    await deliver(
        client,
        USER_REGISTERED,
        cloud_event(USER_REGISTERED, UserRegistered(user_id=user.id, email="a@b.ru")),
    )
    assert await count(shared, models.Profile, user.id) == 1


async def test_user_registered_through_the_bus(shared, client, ud) -> None:
    user_id = uuid.uuid4()
    event = make_cloudevent(
        USER_REGISTERED, UserRegistered(user_id=user_id, email="bus@example.com"), source="qh/auth"
    )
    await shared.runtime.publish(USER_REGISTERED.name, event)
    await shared.runtime.publish(USER_REGISTERED.name, event)
    await shared.runtime.drain()
    assert await count(shared, models.Profile, user_id) == 1


async def test_user_deleted_erases_profile_and_every_section(shared, alice, client, ud) -> None:
    await alice.put("/me", json={"full_name": "Иван"})
    for section, body in ud.VALID.items():
        for _ in range(2):
            assert (await alice.post(f"/me/{section}", json=body)).status_code == 201
    await alice.get("/me/export")
    bob = ud.User(client, shared.tokens)
    await bob.post("/me/skills", json={"name": "Go"})

    body = cloud_event(USER_DELETED, UserDeleted(user_id=alice.id))
    await deliver(client, USER_DELETED, body)
    await deliver(client, USER_DELETED, body)
    assert await count(shared, models.Profile, alice.id) == 0
    for spec in SECTIONS.values():
        assert await count(shared, spec.model, alice.id) == 0
    async with shared.app.state.qh.session() as session:
        assert (
            await session.scalar(
                select(func.count())
                .select_from(models.ProfileExport)
                .join(models.Profile, models.Profile.id == models.ProfileExport.profile_id)
                .where(models.Profile.user_id == alice.id)
            )
            == 0
        )
    assert await count(shared, models.Skill, bob.id) == 1  # other users keep theirs


async def test_user_deleted_for_an_unknown_user_is_fine(client) -> None:
    await deliver(
        client, USER_DELETED, cloud_event(USER_DELETED, UserDeleted(user_id=uuid.uuid4()))
    )


async def test_profile_updated_once_per_change(shared, alice, ud) -> None:
    await alice.get("/me")  # creating the profile is not a change
    assert await ud.published(shared, alice) == []
    await alice.patch("/me", json={"headline": "Dev"})
    item = (await alice.post("/me/skills", json={"name": "Go"})).json()
    await alice.patch(f"/me/skills/{item['id']}", json={"level": "expert"})
    await alice.patch(f"/me/skills/{item['id']}", json={"level": "expert"})  # no change
    await alice.patch("/me", json={"phone": "bad"})  # refused: no change
    await alice.delete(f"/me/skills/{item['id']}")
    events = await ud.published(shared, alice)
    assert [(e["sections"], e["revision"]) for e in events] == [
        (["personal"], 1),
        (["skills"], 2),
        (["skills"], 3),
        (["skills"], 4),
    ]
    assert (await alice.get("/me")).json()["revision"] == 4


async def test_a_refused_change_publishes_nothing(shared, alice, ud) -> None:
    await alice.post(
        "/me/experience",
        json={"company": "X", "position": "Y", "start_date": "2020", "end_date": "2019"},
    )
    assert await ud.published(shared, alice) == []


async def test_concurrent_first_requests_make_one_profile(shared, client, ud) -> None:
    import asyncio

    user = ud.User(client, shared.tokens)
    responses = await asyncio.gather(*(user.get("/me") for _ in range(8)))
    assert [r.status_code for r in responses] == [200] * 8
    assert await count(shared, models.Profile, user.id) == 1
    await user.post("/me/skills", json={"name": "Go"})
    exports = await asyncio.gather(*(user.get("/me/export") for _ in range(8)))
    assert {r.status_code for r in exports} == {200}
    assert len({r.content for r in exports}) == 1


async def test_concurrent_changes_get_distinct_revisions(shared, alice, ud) -> None:
    import asyncio

    await alice.get("/me")
    patches = [alice.patch("/me", json={"headline": f"h{i}"}) for i in range(4)]
    posts = [alice.post("/me/skills", json={"name": f"s{i}"}) for i in range(4)]
    responses = await asyncio.gather(*patches, *posts)
    assert sorted(r.status_code for r in responses) == [200] * 4 + [201] * 4
    assert (await alice.get("/me")).json()["revision"] == 8
    events = await ud.published(shared, alice)
    assert sorted(e["revision"] for e in events) == list(range(1, 9))
    items = (await alice.get("/me/skills")).json()["items"]
    assert [i["order"] for i in items] == [0, 1, 2, 3]


async def test_a_late_user_registered_brings_no_profile_back(shared, client) -> None:
    """Events travel on their own: user.registered may come after user.deleted."""
    user_id = uuid.uuid4()
    await deliver(client, USER_DELETED, cloud_event(USER_DELETED, UserDeleted(user_id=user_id)))
    await deliver(
        client,
        USER_REGISTERED,
        cloud_event(USER_REGISTERED, UserRegistered(user_id=user_id, email="late@example.com")),
    )
    assert await count(shared, models.Profile, user_id) == 0


async def test_a_request_after_the_erasure_creates_no_profile(shared, client, ud) -> None:
    """A request whose token passed the check just before user.deleted was handled (here: a
    token the kit's revocation does not cover) finds the account deleted: 401, no profile."""
    user = ud.User(client, shared.tokens)
    await user.get("/me")
    await deliver(client, USER_DELETED, cloud_event(USER_DELETED, UserDeleted(user_id=user.id)))
    later = shared.tokens.issue(user.id, iat=int(time.time()) + 3)  # within the leeway
    for path in ("/me", "/me/export"):
        answer = await client.get(PREFIX + path, headers={"Authorization": f"Bearer {later}"})
        assert answer.status_code == 401, answer.text
        assert answer.json()["detail"] == "This account has been deleted."
    answer = await client.post(
        PREFIX + "/me/skills", json={"name": "Go"}, headers={"Authorization": f"Bearer {later}"}
    )
    assert answer.status_code == 401, answer.text
    assert await count(shared, models.Profile, user.id) == 0
    assert await count(shared, models.Skill, user.id) == 0


async def test_an_erasure_waits_for_a_profile_being_created(shared, client) -> None:
    """A first access still in its transaction when user.deleted comes: the erasure waits
    for it and erases what it made, rather than missing the row and letting it stay."""
    user_id = uuid.uuid4()
    context = shared.app.state.qh
    async with context.session() as session:
        await ProfileService(session, context).ensure(user_id)  # not committed yet
        erasing = asyncio.create_task(
            deliver(client, USER_DELETED, cloud_event(USER_DELETED, UserDeleted(user_id=user_id)))
        )
        await asyncio.sleep(0.5)
        assert not erasing.done()
        await session.commit()
    await erasing
    assert await count(shared, models.Profile, user_id) == 0
