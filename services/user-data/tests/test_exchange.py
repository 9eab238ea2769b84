"""Export (QH and JSON Resume), import of JSON Resume, and the service-to-service read."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from qh.user_data.domain.profiles.sections import SECTIONS

FIXTURES = Path(__file__).parent / "fixtures" / "jsonresume"
SECTION_KEYS = list(SECTIONS)


@pytest.fixture(scope="module")
def resume_schema() -> jsonschema.Draft7Validator:
    schema = json.loads((FIXTURES / "schema.json").read_text("utf-8"))
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def sample() -> dict:
    return json.loads((FIXTURES / "sample.resume.json").read_text("utf-8"))


def assert_valid(validator: jsonschema.Draft7Validator, document: dict) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []


async def fill(user, ud) -> None:
    await user.put(
        "/me",
        json={
            "full_name": "Иван Петров",
            "headline": "Python-разработчик",
            "email": "ivan@example.ru",
            "phone": "+79161234567",
            "website": "https://ivan.example.ru",
            "location": {"city": "Москва", "country_code": "RU"},
            "links": [{"network": "GitHub", "url": "https://github.com/ivan"}],
            "summary": "Бэкенд 🚀",
            "desired_salary": {"amount": 300000, "currency": "RUB"},
        },
    )
    for section, body in ud.VALID.items():
        assert (await user.post(f"/me/{section}", json=body)).status_code == 201
    await user.post("/me/languages", json={"code": "en", "level": "C1"})


async def test_qh_export_has_a_version_and_a_stable_order(alice, ud) -> None:
    await fill(alice, ud)
    r = await alice.get("/me/export")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    document = r.json()
    assert list(document) == ["schema_version", "personal", *SECTION_KEYS]
    assert document["schema_version"] == "1.1"
    assert list(document["personal"])[:3] == ["user_id", "full_name", "headline"]
    assert list(document["experience"][0])[:4] == ["id", "order", "company", "position"]
    assert document["personal"]["full_name"] == "Иван Петров"
    assert [lang["code"] for lang in document["languages"]] == ["en", "ru"]
    assert (await alice.get("/me/export?format=qh")).content == r.content


async def test_qh_export_follows_changes(alice) -> None:
    first = (await alice.get("/me/export")).json()
    assert first["skills"] == []
    await alice.post("/me/skills", json={"name": "Go"})
    second = (await alice.get("/me/export")).json()
    assert [s["name"] for s in second["skills"]] == ["Go"]
    assert second["personal"]["revision"] == first["personal"]["revision"] + 1
    await alice.patch("/me", json={"full_name": "Пётр"})
    assert (await alice.get("/me/export")).json()["personal"]["full_name"] == "Пётр"


async def test_jsonresume_export_validates_for_full_and_empty_profiles(
    alice, bob, ud, resume_schema
) -> None:
    await fill(alice, ud)
    full = (await alice.get("/me/export?format=jsonresume")).json()
    assert_valid(resume_schema, full)
    assert full["basics"]["name"] == "Иван Петров"
    assert full["work"][0] == {
        "name": "Яндекс",
        "position": "Разработчик",
        "startDate": "2019-02",
        "highlights": ["Ускорил поиск"],
    }
    assert {"language": "English", "fluency": "C1"} in full["languages"]
    assert {"language": "Русский", "fluency": "Native speaker"} in full["languages"]
    empty = (await bob.get("/me/export?format=jsonresume")).json()
    assert_valid(resume_schema, empty)
    assert empty["basics"] == {}
    assert empty["work"] == []


async def test_unknown_export_format(alice) -> None:
    assert (await alice.get("/me/export?format=pdf")).status_code in (400, 422)


def without_normalised(document: dict) -> dict:
    """The sample as QH gives it back: the phone in E.164, empty values left out, and the
    document's `$schema` and `meta` written anew (compared separately)."""
    expected = copy.deepcopy(document)
    expected["basics"]["phone"] = "+19125554321"
    expected["basics"].pop("image")  # "" in the sample: an empty value
    for key in ("meta", "$schema"):
        expected.pop(key)
    return expected


async def test_the_official_sample_round_trips(alice, sample, resume_schema) -> None:
    r = await alice.post("/me/import?format=jsonresume&mode=replace", json=sample)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["imported"] == {
        "experience": 1,
        "volunteer": 1,
        "education": 1,
        "achievements": 1,
        "publications": 1,
        "skills": 2,
        "languages": 1,
        "interests": 1,
        "references": 1,
        "projects": 1,
    }
    assert [u["path"] for u in report["unmapped"]] == ["meta"]
    assert {
        "path": "basics.phone",
        "original": "(912) 555-4321",
        "stored": "+19125554321",
    } in report["normalised"]
    assert {"path": "skills[0].level", "original": "Master", "stored": "expert"} in report[
        "normalised"
    ]

    exported = (await alice.get("/me/export?format=jsonresume")).json()
    assert_valid(resume_schema, exported)
    assert exported.pop("$schema") == sample["$schema"]
    assert exported.pop("meta")["version"] == "v1.0.0"
    exported.pop("certificates")  # the sample has none: an empty section
    assert exported == without_normalised(sample)
    qh = (await alice.get("/me/export")).json()
    first = qh["skills"][0]
    assert (first["name"], first["level"], first["level_text"]) == (
        "Web Development",
        "expert",
        "Master",
    )

    # and again: importing the export changes nothing
    again = (await alice.get("/me/export?format=jsonresume")).json()
    r = await alice.post("/me/import?mode=replace", json=again)
    assert r.status_code == 200
    assert (await alice.get("/me/export?format=jsonresume")).json() == again


async def test_unmapped_fields_are_reported_and_the_rest_kept(alice) -> None:
    document = {
        "basics": {
            "name": "Emily",
            "image": "https://example.com/me.png",
            "pronouns": "she/her",
            "profiles": [{"network": "Mastodon", "username": "emily"}],
        },
        "work": [
            {"name": "Monzo", "position": "Engineer", "startDate": "2018", "team": "Data"},
            {"name": "No start", "position": "Intern"},
        ],
        "skills": [{"name": "SQL", "level": "Guru"}],
        "languages": [{"language": "French", "fluency": "Fluent"}],
        "interests": [],
        "hobbies": ["chess"],
    }
    r = await alice.post("/me/import", json=document)
    assert r.status_code == 200, r.text
    unmapped = {u["path"]: u["reason"] for u in r.json()["unmapped"]}
    assert set(unmapped) == {"basics.pronouns", "work[0].team", "work[1]", "hobbies"}
    assert "startDate" in unmapped["work[1]"]
    normalised = {n["path"]: n["stored"] for n in r.json()["normalised"]}
    assert normalised == {
        "skills[0].level": "level unknown (wording kept)",
        "languages[0].fluency": "C1",
    }
    exported = (await alice.get("/me/export")).json()
    assert exported["personal"]["image"] == "https://example.com/me.png"
    assert exported["personal"]["links"] == [
        {"network": "Mastodon", "url": None, "username": "emily"}
    ]
    assert [w["company"] for w in exported["experience"]] == ["Monzo"]
    assert [(s["level"], s["level_text"]) for s in exported["skills"]] == [(None, "Guru")]
    assert [(x["name"], x["code"], x["level"], x["level_text"]) for x in exported["languages"]] == [
        ("French", "fr", "C1", "Fluent")
    ]
    resume = (await alice.get("/me/export?format=jsonresume")).json()
    assert resume["skills"] == [{"name": "SQL", "level": "Guru"}]
    assert resume["languages"] == [{"language": "French", "fluency": "Fluent"}]


async def test_merge_adds_and_updates(alice) -> None:
    await alice.put("/me", json={"full_name": "Иван", "desired_position": "Тимлид"})
    await alice.post(
        "/me/experience",
        json={"company": "Яндекс", "position": "Разработчик", "start_date": "2019"},
    )
    await alice.post("/me/skills", json={"name": "Python", "years": 5})
    document = {
        "basics": {"label": "Backend"},
        "work": [
            {"name": "Яндекс", "position": "Разработчик", "startDate": "2019", "summary": "Поиск"},
            {"name": "VK", "position": "Стажёр", "startDate": "2017", "endDate": "2018"},
        ],
        "skills": [{"name": "python", "level": "Advanced"}],
    }
    r = await alice.post("/me/import?mode=merge", json=document)
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == {"experience": 1}
    assert r.json()["updated"] == {"experience": 1, "skills": 1}
    exported = (await alice.get("/me/export")).json()
    assert exported["personal"]["full_name"] == "Иван"
    assert exported["personal"]["headline"] == "Backend"
    assert [(w["company"], w["description"]) for w in exported["experience"]] == [
        ("Яндекс", "Поиск"),
        ("VK", None),
    ]
    assert [(s["name"], s["level"], s["years"]) for s in exported["skills"]] == [
        ("python", "advanced", 5)
    ]  # the document wins


async def test_replace_keeps_only_the_document_and_qh_only_fields(alice) -> None:
    await alice.put(
        "/me", json={"full_name": "Иван", "headline": "Old", "desired_position": "Тимлид"}
    )
    await alice.post("/me/skills", json={"name": "Python"})
    r = await alice.post(
        "/me/import?mode=replace", json={"basics": {"name": "Ivan"}, "skills": [{"name": "Go"}]}
    )
    assert r.json()["removed"] == {"skills": 1}
    exported = (await alice.get("/me/export")).json()
    assert exported["personal"]["full_name"] == "Ivan"
    assert exported["personal"]["headline"] is None
    assert exported["personal"]["desired_position"] == "Тимлид"
    assert [s["name"] for s in exported["skills"]] == ["Go"]


async def test_an_import_publishes_one_event(shared, alice, sample, ud) -> None:
    await alice.post("/me/import", json=sample)
    events = await ud.published(shared, alice)
    assert len(events) == 1
    assert set(events[0]["sections"]) == {"personal", *SECTION_KEYS} - {"certificates"}


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"basics": {"name": 42}}, "basics.name"),
        ({"work": {"name": "not a list"}}, "work"),
        (
            {"work": [{"name": "X", "position": "Y", "startDate": "2019-13-45"}]},
            "work[0].startDate",
        ),
        ({"skills": [{"name": "Go", "keywords": "Go"}]}, "skills[0].keywords"),
        ({"basics": {"email": "not-an-email"}}, "basics.email"),
        ({"basics": {"phone": "12"}}, "basics.phone"),
        (
            {"work": [{"name": "X", "position": "Y", "startDate": "2020", "endDate": "2019"}]},
            "work[0].endDate",
        ),
        ({"education": [{"institution": "x" * 501}]}, "education[0].institution"),
        ({"basics": {"location": {"countryCode": "Russia"}}}, "basics.location.countryCode"),
    ],
)
async def test_invalid_documents_are_refused_and_change_nothing(alice, ud, document, field) -> None:
    await alice.put("/me", json={"full_name": "Иван"})
    await alice.post("/me/skills", json={"name": "Python"})
    before = (await alice.get("/me/export")).json()
    errors = ud.fields_of(await alice.post("/me/import", json=document))
    assert field in errors, errors
    assert (await alice.get("/me/export")).json() == before


async def test_malformed_and_oversized_documents(alice) -> None:
    await alice.post("/me/skills", json={"name": "Python"})
    before = (await alice.get("/me/export")).json()
    json_headers = {"content-type": "application/json"}
    r = await alice.post("/me/import", content=b'{"basics": ', headers=json_headers)
    assert r.status_code == 400
    r = await alice.post(
        "/me/import", content=b"[" * 100_000 + b"]" * 100_000, headers=json_headers
    )
    assert r.status_code in (400, 422)
    r = await alice.post("/me/import", json=[1, 2])
    assert r.status_code == 422
    big = {"basics": {"summary": "x" * (5 * 1024 * 1024)}}
    r = await alice.post("/me/import", json=big)
    assert r.status_code == 413
    r = await alice.post("/me/import", content=b"name: Ivan", headers={"content-type": "text/yaml"})
    assert r.status_code == 415
    r = await alice.post("/me/import?mode=overwrite", json={})
    assert r.status_code in (400, 422)
    assert (await alice.get("/me/export")).json() == before


async def test_service_read_needs_a_platform_role(shared, alice, client, ud) -> None:
    await alice.put("/me", json={"full_name": "Иван"})
    path = f"/users/{alice.id}/export"
    assert (await alice.get(path)).status_code == 403
    service = ud.User(client, shared.tokens, roles=("service",))
    admin = ud.User(client, shared.tokens, roles=("admin",))
    r = await service.get(path)
    assert r.status_code == 200
    assert r.json()["personal"]["full_name"] == "Иван"
    assert r.json() == (await alice.get("/me/export")).json()
    r = await admin.get(path, params={"format": "jsonresume"})
    assert r.json()["basics"] == {"name": "Иван"}
    assert (await service.get(f"/users/{service.id}/export")).status_code == 404
