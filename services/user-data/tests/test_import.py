"""Imports a real user makes: replace versus merge, languages and levels as people write
them, every problem at once, a QH backup restored, and LinkedIn's data archive."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def sample() -> dict:
    path = Path(__file__).parent / "fixtures" / "jsonresume" / "sample.resume.json"
    return json.loads(path.read_text("utf-8"))


DISSERTATION = (
    "Диссертация: «Методы сжатия без потерь для потоковых данных в распределённых системах»"
)


async def test_replace_makes_the_document_the_profile(alice) -> None:
    await alice.post("/me/certificates", json={"name": "AWS SAA", "date": "2023-01"})
    earlier = {
        "education": [{"institution": "МГУ", "studyType": "Магистр", "startDate": "2010"}],
        "awards": [{"title": "Хакатон", "date": "2021"}],
        "projects": [{"name": "pymorphy-fast"}],
    }
    assert (await alice.post("/me/import?mode=merge", json=earlier)).status_code == 200
    r = await alice.post(
        "/me/import?mode=replace", json={"basics": {"name": "Иван"}, "skills": [{"name": "Go"}]}
    )
    assert r.status_code == 200, r.text
    assert r.json()["removed"] == {
        "certificates": 1,
        "education": 1,
        "achievements": 1,
        "projects": 1,
    }
    exported = (await alice.get("/me/export")).json()
    for section in ("certificates", "education", "achievements", "projects"):
        assert exported[section] == [], section
    assert [s["name"] for s in exported["skills"]] == ["Go"]


async def test_merge_keeps_what_the_document_leaves_out(alice) -> None:
    await alice.post("/me/certificates", json={"name": "AWS SAA", "date": "2023-01"})
    await alice.post("/me/import?mode=merge", json={"awards": [{"title": "Хакатон"}]})
    r = await alice.post("/me/import?mode=merge", json={"skills": [{"name": "Go"}]})
    assert r.json()["removed"] == {}
    exported = (await alice.get("/me/export")).json()
    assert [c["name"] for c in exported["certificates"]] == ["AWS SAA"]
    assert [a["title"] for a in exported["achievements"]] == ["Хакатон"]


@pytest.mark.parametrize(
    ("fluency", "level"),
    [
        ("Fluent", "C1"),
        ("Conversational", "B1"),
        ("Professional working proficiency", "B2"),
        ("свободно", "C1"),
        ("родной", "native"),
        ("базовый", "A2"),
        ("на уровне чтения со словарём", None),
    ],
)
async def test_language_levels_as_people_write_them_are_kept(alice, fluency, level) -> None:
    r = await alice.post(
        "/me/import", json={"languages": [{"language": "English", "fluency": fluency}]}
    )
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == {"languages": 1}
    [language] = (await alice.get("/me/languages")).json()["items"]
    assert (language["code"], language["level"], language["level_text"]) == ("en", level, fluency)
    resume = (await alice.get("/me/export?format=jsonresume")).json()
    assert resume["languages"] == [{"language": "English", "fluency": fluency}]


async def test_a_language_given_as_a_code_is_kept(alice) -> None:
    r = await alice.post(
        "/me/import",
        json={"languages": [{"language": "ru"}, {"language": "английский", "fluency": "B2"}]},
    )
    assert r.status_code == 200, r.text
    items = (await alice.get("/me/languages")).json()["items"]
    assert [(x["name"], x["code"], x["level"]) for x in items] == [
        ("ru", "ru", None),
        ("английский", "en", "B2"),
    ]
    resume = (await alice.get("/me/export?format=jsonresume")).json()
    assert resume["languages"] == [
        {"language": "ru"},
        {"language": "английский", "fluency": "B2"},
    ]


async def test_a_language_without_a_level_can_be_added_and_changed(alice) -> None:
    r = await alice.post("/me/languages", json={"name": "Татарский"})
    assert r.status_code == 201, r.text
    assert r.json()["level"] is None
    r = await alice.patch(f"/me/languages/{r.json()['id']}", json={"level": "B1"})
    assert r.json()["level"] == "B1"


async def test_long_optional_fields_of_real_documents_are_accepted(alice) -> None:
    document = {
        "education": [{"institution": "МФТИ", "score": DISSERTATION * 3}],
        "work": [
            {
                "name": "ООО «Научно-производственное объединение автоматики имени академика Н. А. Семихатова»",
                "position": "Ведущий инженер-программист отдела встроенных систем управления",
                "startDate": "2015",
                "highlights": ["x" * 1500],
            }
        ],
    }
    r = await alice.post("/me/import", json=document)
    assert r.status_code == 200, r.text
    grade = (await alice.get("/me/education")).json()["items"][0]["grade"]
    assert grade == DISSERTATION * 3


async def test_every_problem_of_a_body_is_reported_at_once(alice, ud) -> None:
    errors = ud.fields_of(
        await alice.put(
            "/me",
            json={
                "email": "not-an-email",
                "location": {"country_code": "RUS", "city": "Мо\x00сква"},
                "colour": "red",
                "phone": "12",
            },
        )
    )
    assert set(errors) == {
        "email",
        "location.country_code",
        "location.city",
        "colour",
        "phone",
    }, errors
    errors = ud.fields_of(
        await alice.post(
            "/me/experience",
            json={
                "company": "Яндекс",
                "position": "x" * 301,
                "start_date": "2020-13",
                "url": "ftp://a.b",
                "team": "Search",
                "highlights": ["ok", "  ", "y" * 2001],
            },
        )
    )
    assert set(errors) == {
        "position",
        "start_date",
        "url",
        "team",
        "highlights[1]",
        "highlights[2]",
    }, errors


async def test_every_problem_of_an_import_is_reported_at_once(alice, ud) -> None:
    before = (await alice.get("/me/export")).json()
    document = {
        "basics": {"email": "nope", "location": {"countryCode": "RUS"}},
        "work": [{"name": "X", "position": "Y", "startDate": "2020", "endDate": "2019"}],
        "skills": [{"name": "Go", "keywords": ["k" * 201]}],
    }
    errors = ud.fields_of(await alice.post("/me/import", json=document))
    assert set(errors) == {
        "basics.email",
        "basics.location.countryCode",
        "work[0].endDate",
        "skills[0].keywords[0]",
    }, errors
    assert (await alice.get("/me/export")).json() == before


async def test_a_qh_export_restores_the_profile(alice, bob, ud, sample) -> None:
    await alice.post("/me/import", json=sample)
    await alice.patch("/me", json={"desired_position": "CTO", "citizenship": "US"})
    await alice.post("/me/skills", json={"name": "Rust", "years": 3})
    backup = (await alice.get("/me/export")).json()

    r = await bob.post("/me/import?format=qh", json=backup)
    assert r.status_code == 200, r.text
    assert r.json()["format"] == "qh"
    restored = (await bob.get("/me/export")).json()

    def content(document: dict) -> dict:
        generated = {"id", "created_at", "updated_at", "user_id", "revision"}
        return {
            key: (
                [{k: v for k, v in i.items() if k not in generated} for i in value]
                if isinstance(value, list)
                else {k: v for k, v in value.items() if k not in generated}
                if isinstance(value, dict)
                else value
            )
            for key, value in document.items()
        }

    assert content(restored) == content(backup)
    # restoring again changes nothing
    r = await bob.post("/me/import?format=qh", json=restored)
    assert r.json()["imported"] == {}
    assert r.json()["removed"] == {}


async def test_a_version_1_0_export_is_read(alice) -> None:
    old = {
        "schema_version": "1.0",
        "personal": {"user_id": "x", "full_name": "Иван", "revision": 3},
        "skills": [{"id": "1", "order": 0, "name": "Go", "level": "expert", "keywords": []}],
        "languages": [{"name": "Русский", "code": "ru", "level": "native"}],
    }
    r = await alice.post("/me/import?format=qh&mode=merge", json=old)
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == {"skills": 1, "languages": 1}


async def test_a_qh_document_with_problems_is_refused_whole(alice, ud) -> None:
    errors = ud.fields_of(await alice.post("/me/import?format=qh", json={"schema_version": "9"}))
    assert "schema_version" in errors
    errors = ud.fields_of(
        await alice.post(
            "/me/import?format=qh",
            json={
                "schema_version": "1.1",
                "personal": {"email": "nope"},
                "skills": [{"name": "Go", "level": "guru"}],
                "hobbies": [],
            },
        )
    )
    assert set(errors) == {"personal.email", "skills[0].level", "hobbies"}, errors


# --- LinkedIn -------------------------------------------------------------------------

BOM = "\ufeff"
LINKEDIN = {
    "Profile.csv": (
        "First Name,Last Name,Maiden Name,Address,Birth Date,Headline,Summary,Industry,"
        "Zip Code,Geo Location,Twitter Handles,Websites,Instant Messengers\n"
        'Иван,Петров,,,"Mar 12, 1990",Python-разработчик,"Бэкенд на Python.\nЛюблю тесты.",'
        'Software Development,101000,"Moscow, Moscow City, Russia",[ivanp],'
        '"[PERSONAL:https://ivan.example.ru,COMPANY:https://yandex.ru]",\n'
    ),
    "Positions.csv": (
        "Company Name,Title,Description,Location,Started On,Finished On\n"
        'Яндекс,Разработчик,"Поиск, ранжирование","Москва, Россия",Feb 2019,\n'
        "VK,Стажёр,,,Jun 2017,Dec 2018\n"
        ",Фрилансер,,,2016,2017\n"
    ),
    "Education.csv": (
        "School Name,Start Date,End Date,Notes,Degree Name,Activities\n"
        "МГУ им. М. В. Ломоносова,2010,2016,Красный диплом,Магистр,Шахматы\n"
    ),
    "Skills.csv": "Name\nPython\nPostgreSQL\n",
    "Languages.csv": (
        "Name,Proficiency\n"
        "Russian,Native or bilingual proficiency\n"
        "English,Professional working proficiency\n"
        "Tatar,\n"
    ),
    "Certifications.csv": (
        "Name,Url,Authority,Started On,Finished On,License Number\n"
        "AWS Certified Solutions Architect,https://aws.amazon.com/verify,Amazon Web Services,"
        "Jan 2023,Jan 2026,ABC-123\n"
    ),
    "Projects.csv": (
        "Title,Description,Url,Started On,Finished On\n"
        "pymorphy-fast,Морфология на Rust,https://github.com/ivan/pymorphy-fast,Mar 2022,\n"
    ),
    "Email Addresses.csv": (
        "Email Address,Confirmed,Primary,Updated On\n"
        "old@example.com,Yes,No,1/5/20\n"
        "Ivan.Petrov@Example.RU,Yes,Yes,3/1/23\n"
    ),
    "PhoneNumbers.csv": "Extension,Number,Type\n,8 916 123-45-67,Mobile\n",
    "Connections.csv": "Notes:\nFirst Name,Last Name\nАнна,Смирнова\n",
}


def archive(files: dict[str, str], folder: str = "Basic_LinkedInDataExport_01-15-2025/") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(folder + name, (BOM + text).encode("utf-8"))
    return buffer.getvalue()


ZIP = {"content-type": "application/zip"}


async def test_linkedin_archive_import(alice) -> None:
    await alice.patch("/me", json={"location": {"country_code": "RU"}})
    r = await alice.post("/me/import?format=linkedin", content=archive(LINKEDIN), headers=ZIP)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["format"] == "linkedin"
    assert report["imported"] == {
        "experience": 2,
        "education": 1,
        "skills": 2,
        "languages": 3,
        "certificates": 1,
        "projects": 1,
    }
    unmapped = {u["path"] for u in report["unmapped"]}
    assert unmapped == {
        "Profile.csv.Industry",
        "Positions.csv[2]",
        "Education.csv[0].Notes",
        "Education.csv[0].Activities",
        "Certifications.csv[0].Finished On",
        "Certifications.csv[0].License Number",
        "Email Addresses.csv[0]",
    }, report["unmapped"]
    normalised = {n["path"]: n["stored"] for n in report["normalised"]}
    assert normalised["Positions.csv[0].Started On"] == "2019-02"
    assert normalised["Profile.csv.Birth Date"] == "1990-03-12"
    assert normalised["Languages.csv[0].Proficiency"] == "native"
    assert normalised["Languages.csv[1].Proficiency"] == "B2"
    assert normalised["PhoneNumbers.csv.Number"] == "+79161234567"

    profile = (await alice.get("/me/export")).json()
    personal = profile["personal"]
    assert personal["full_name"] == "Иван Петров"
    assert personal["headline"] == "Python-разработчик"
    assert personal["summary"] == "Бэкенд на Python.\nЛюблю тесты."
    assert personal["birth_date"] == "1990-03-12"
    assert personal["location"]["city"] == "Moscow"
    assert personal["location"]["country_code"] == "RU"
    assert personal["email"].casefold() == "ivan.petrov@example.ru"
    assert personal["phone"] == "+79161234567"
    assert [(x["network"], x["url"], x["username"]) for x in personal["links"]] == [
        ("Twitter", None, "ivanp"),
        ("Personal", "https://ivan.example.ru", None),
        ("Company", "https://yandex.ru", None),
    ]
    assert [(e["company"], e["start_date"], e["end_date"]) for e in profile["experience"]] == [
        ("Яндекс", "2019-02", None),
        ("VK", "2017-06", "2018-12"),
    ]
    assert profile["education"][0]["degree"] == "Магистр"
    assert [(x["name"], x["code"], x["level"]) for x in profile["languages"]] == [
        ("Russian", "ru", "native"),
        ("English", "en", "B2"),
        ("Tatar", "tt", None),
    ]
    certificate = profile["certificates"][0]
    assert (certificate["issuer"], certificate["date"]) == ("Amazon Web Services", "2023-01")


async def test_linkedin_names_vary(alice) -> None:
    files = {"SKILLS.CSV": "name\nGo\n", "Phone_Numbers.csv": "Extension,Number,Type\n,,\n"}
    r = await alice.post(
        "/me/import?format=linkedin&mode=merge", content=archive(files, ""), headers=ZIP
    )
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == {"skills": 1}


async def test_linkedin_archive_limits(
    service_definition, database_url, runtime, tokens, ud
) -> None:
    from qh.kit.testing import running, settings_for_tests

    settings = settings_for_tests(
        service_definition,
        database_url,
        archive_max_bytes=64 * 1024,
        archive_max_entries=20,
        archive_max_expanded_bytes=256 * 1024,
    )
    app = service_definition.create_app(settings, runtime=runtime)
    async with running(app, runtime) as client:
        user = ud.User(client, tokens)
        many = {f"Messages/{i}.txt": "x" for i in range(30)}
        r = await user.post("/me/import?format=linkedin", content=archive(many), headers=ZIP)
        assert r.status_code == 413
        bomb = {"Skills.csv": "Name\n" + "a" * (2 * 1024 * 1024)}  # 2 MiB, deflates to ~2 kB
        body = archive(bomb)
        assert len(body) < 64 * 1024
        r = await user.post("/me/import?format=linkedin", content=body, headers=ZIP)
        assert r.status_code == 413
        # sizes that lie: the directory says 100 bytes, the data expands to 2 MiB
        lying = bytearray(archive(bomb, ""))
        for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
            at = lying.find(signature) + offset
            lying[at : at + 4] = (100).to_bytes(4, "little")
        r = await user.post("/me/import?format=linkedin", content=bytes(lying), headers=ZIP)
        assert r.status_code in (413, 422), r.text
        assert (await user.get("/me/skills")).json()["total"] == 0


async def test_not_a_linkedin_archive(alice, ud) -> None:
    r = await alice.post("/me/import?format=linkedin", content=b"not a zip", headers=ZIP)
    assert "body" in ud.fields_of(r)
    r = await alice.post("/me/import?format=linkedin", content=archive({"a.txt": "x"}), headers=ZIP)
    assert "body" in ud.fields_of(r)
    r = await alice.post("/me/import?format=linkedin", json={})
    assert r.status_code == 415
