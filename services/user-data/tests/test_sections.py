"""Every section: the five routes, ownership, PATCH null vs absent, and the order of items."""

from __future__ import annotations

import uuid

import pytest

from qh.user_data.domain.profiles.sections import SECTIONS as PROFILE_SECTIONS

SECTIONS = list(PROFILE_SECTIONS)
REQUIRED = {
    "education": ["institution"],
    "experience": ["company", "position", "start_date"],
    "skills": ["name"],
    "languages": [],  # a name or a code (a rule); the level may be unknown
    "achievements": ["title"],
    "certificates": ["name"],
    "projects": ["name"],
    "volunteer": ["organization"],
    "publications": ["name"],
    "interests": ["name"],
    "references": [],  # a name or what they say (a rule)
}
# A nullable field each section's PATCH tests set and clear.
OPTIONAL = {
    "education": "degree",
    "experience": "end_date",
    "skills": "level",
    "languages": "name",
    "achievements": "date",
    "certificates": "issuer",
    "projects": "url",
    "volunteer": "position",
    "publications": "publisher",
    "references": "reference",
}


@pytest.mark.parametrize("section", SECTIONS)
async def test_crud(alice, ud, section) -> None:
    body = ud.VALID[section]
    r = await alice.post(f"/me/{section}", json=body)
    assert r.status_code == 201, r.text
    item = r.json()
    assert {k: item[k] for k in body} == body
    assert item["order"] == 0
    path = f"/me/{section}/{item['id']}"

    r = await alice.get(path)
    assert r.status_code == 200
    assert r.json() == item

    r = await alice.get(f"/me/{section}")
    assert r.json() == {"items": [item], "total": 1, "limit": 50, "offset": 0}

    replaced = {
        k: v for k, v in body.items() if k in REQUIRED[section] or k in {"level", "code", "name"}
    }
    r = await alice.put(path, json=replaced)
    assert r.status_code == 200, r.text
    if section in OPTIONAL:
        assert r.json()[OPTIONAL[section]] in (None, replaced.get(OPTIONAL[section]))
    assert r.json()["id"] == item["id"]

    r = await alice.delete(path)
    assert r.status_code == 204
    assert (await alice.get(path)).status_code == 404
    assert (await alice.delete(path)).status_code == 404
    assert (await alice.get(f"/me/{section}")).json()["total"] == 0


@pytest.mark.parametrize("section", SECTIONS)
async def test_ownership(alice, bob, ud, section) -> None:
    item = (await alice.post(f"/me/{section}", json=ud.VALID[section])).json()
    path = f"/me/{section}/{item['id']}"
    assert (await bob.get(path)).status_code == 404
    assert (await bob.patch(path, json={"order": 0})).status_code == 404
    assert (await bob.put(path, json=ud.VALID[section])).status_code == 404
    assert (await bob.delete(path)).status_code == 404
    assert (await bob.get(f"/me/{section}")).json()["total"] == 0
    assert (await alice.get(path)).json() == item  # untouched


@pytest.mark.parametrize("section", OPTIONAL)  # interests have no nullable field
async def test_patch_absent_keeps_null_clears(alice, ud, section) -> None:
    body = ud.VALID[section]
    field = OPTIONAL[section]
    item = (await alice.post(f"/me/{section}", json=body)).json()
    path = f"/me/{section}/{item['id']}"
    before = item[field]
    assert before is not None or field == "end_date"

    r = await alice.patch(path, json={})
    assert r.status_code == 200
    assert r.json()[field] == before

    r = await alice.patch(path, json={field: None})
    assert r.status_code == 200, r.text
    assert r.json()[field] is None
    others = {k: v for k, v in r.json().items() if k not in {field, "updated_at"}}
    assert others == {k: v for k, v in item.items() if k not in {field, "updated_at"}}


@pytest.mark.parametrize("section", SECTIONS)
async def test_required_fields(alice, ud, section) -> None:
    for name in REQUIRED[section]:
        body = {k: v for k, v in ud.VALID[section].items() if k != name}
        errors = ud.fields_of(await alice.post(f"/me/{section}", json=body))
        assert errors.get(name) == "is required", errors
    item = (await alice.post(f"/me/{section}", json=ud.VALID[section])).json()
    nulls = {name: None for name in REQUIRED[section]} or {"name": None, "code": None}
    if section == "references":
        nulls = {"name": None, "reference": None}
    errors = ud.fields_of(await alice.patch(f"/me/{section}/{item['id']}", json=nulls))
    assert errors


async def test_blank_required_text_is_refused(alice, ud) -> None:
    errors = ud.fields_of(await alice.post("/me/skills", json={"name": "   "}))
    assert errors == {"name": "must not be blank"}


async def test_unknown_item_and_bad_id(alice) -> None:
    assert (await alice.get(f"/me/skills/{uuid.uuid4()}")).status_code == 404
    assert (await alice.get("/me/skills/not-a-uuid")).status_code == 404
    assert (await alice.get("/me/hobbies")).status_code == 404


async def test_newest_first_and_user_order(alice) -> None:
    names = ["Python", "SQL", "Go", "Rust"]
    ids = {}
    for name in names:
        ids[name] = (await alice.post("/me/skills", json={"name": name})).json()["id"]

    async def listed() -> list[str]:
        items = (await alice.get("/me/skills")).json()["items"]
        assert [i["order"] for i in items] == list(range(len(items)))
        return [i["name"] for i in items]

    assert await listed() == ["Rust", "Go", "SQL", "Python"]  # newest first
    r = await alice.patch(f"/me/skills/{ids['Python']}", json={"order": 0})
    assert r.json()["order"] == 0
    assert await listed() == ["Python", "Rust", "Go", "SQL"]
    await alice.patch(f"/me/skills/{ids['Python']}", json={"order": 99})  # past the end: last
    assert await listed() == ["Rust", "Go", "SQL", "Python"]
    await alice.patch(f"/me/skills/{ids['SQL']}", json={"order": 1})
    assert await listed() == ["Rust", "SQL", "Go", "Python"]
    await alice.delete(f"/me/skills/{ids['SQL']}")
    assert await listed() == ["Rust", "Go", "Python"]
    await alice.post("/me/skills", json={"name": "Kotlin", "order": 2})
    assert await listed() == ["Rust", "Go", "Kotlin", "Python"]
    await alice.put(f"/me/skills/{ids['Go']}", json={"name": "Golang"})  # keeps its place
    assert await listed() == ["Rust", "Golang", "Kotlin", "Python"]


async def test_pages(alice) -> None:
    for index in range(5):
        await alice.post("/me/certificates", json={"name": f"C{index}"})
    r = await alice.get("/me/certificates", params={"limit": 2, "offset": 1})
    body = r.json()
    assert [i["name"] for i in body["items"]] == ["C3", "C2"]
    assert (body["total"], body["limit"], body["offset"]) == (5, 2, 1)
    assert (await alice.get("/me/certificates", params={"limit": 0})).status_code == 422
    assert (await alice.get("/me/certificates", params={"limit": 101})).status_code == 422


async def test_a_section_has_a_limit(service_definition, database_url, runtime, tokens, ud) -> None:
    from qh.kit.testing import running, settings_for_tests

    app = service_definition.create_app(
        settings_for_tests(service_definition, database_url, max_items_per_section=2),
        runtime=runtime,
    )
    async with running(app, runtime) as client:
        user = ud.User(client, tokens)
        for name in ("A", "B"):
            assert (await user.post("/me/skills", json={"name": name})).status_code == 201
        r = await user.post("/me/skills", json={"name": "C"})
        assert r.status_code == 409
        assert (await user.get("/me/skills")).json()["total"] == 2
