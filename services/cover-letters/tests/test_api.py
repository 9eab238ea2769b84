"""The service as a client sees it: draft, read, edit, restore, regenerate and export
letters, on SQLite and PostgreSQL, with stand-ins for the other services."""

from __future__ import annotations

import asyncio
import io
import uuid
from typing import Any

import msgspec
import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import func, select

from qh.contracts import USER_DELETED, UserDeleted
from qh.cover_letters.db.models import Letter, LetterVersion
from qh.kit.cloudevents import make_cloudevent

from .conftest import SAMPLES

PROFILE_RU, PROFILE_EN = SAMPLES["PROFILE_RU"], SAMPLES["PROFILE_EN"]
VACANCY, VACANCY_RU = SAMPLES["VACANCY"], SAMPLES["VACANCY_RU"]


async def draft(
    user: Any, profile: dict[str, Any], vacancy: dict[str, Any], **body: Any
) -> dict[str, Any]:
    user.has_profile(profile)
    vacancy_id = user.has_vacancy(vacancy)
    response = await user.post("/", {"vacancy_id": vacancy_id, **body})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_evidence_maps_the_vacancys_requirements_to_the_candidates_highlights(
    alice: Any,
) -> None:
    letter = await draft(alice, PROFILE_EN, VACANCY)
    evidence = letter["generation"]["evidence"]
    texts = [e["text"] for e in evidence]
    # the Kafka/Spark and ClickHouse lines first, then the Airflow one; the interviews,
    # the Excel reporting and the party are not evidence for this vacancy
    assert texts[:3] == [
        "Built event stream processing on Kafka and Spark",
        "Cut ClickHouse mart build time from 6 hours to 40 minutes",
        "Wrote ETL in Airflow and Python for 30 sources",
    ]
    assert not any("Interviewed" in t or "party" in t or "Excel" in t for t in texts)
    assert evidence[0]["company"] == "Yandex"
    assert set(evidence[0]["skills"]) == {"Kafka", "Spark"}
    text = letter["text"]
    assert "Senior Data Engineer position at Ozon" in text  # the opening names role and company
    assert "I built event stream processing on Kafka and Spark" in text
    assert "As Lead Data Engineer at Yandex" in text
    assert "party" not in text
    assert "Interviewed" not in text
    assert text.index("Yandex") < text.index("Tinkoff")
    assert text.rstrip().endswith("Sincerely,\nAnna Kuznetsova")
    assert letter["generation"]["provider"] == "offline"
    assert letter["generation"]["grounded"] is True
    assert letter["vacancy_id"]
    assert letter["company"] == "Ozon"
    assert letter["vacancy_title"] == "Senior Data Engineer"
    assert letter["tone"]["formality_label"] == "formal"  # text-analysis's feedback
    assert alice.others.tone_requests[-1]["text"] == text


@pytest.mark.parametrize("tone", ["formal", "friendly", "enthusiastic"])
async def test_every_tone_in_both_languages_with_their_conventions(alice: Any, tone: str) -> None:
    en = await draft(alice, PROFILE_EN, VACANCY, tone=tone, language="en")
    en_named = await draft(alice, PROFILE_EN, VACANCY, tone=tone, language="en",
                           recruiter_name="Olga Smirnova")  # fmt: skip
    ru = await draft(alice, PROFILE_RU, VACANCY_RU, tone=tone, language="ru")
    ru_named = await draft(alice, PROFILE_RU, VACANCY_RU, tone=tone, language="ru",
                           recruiter_name="Смирнова Ольга Петровна")  # fmt: skip
    greetings = {
        "formal": ("Dear Hiring Manager,", "Dear Olga Smirnova,", "Здравствуйте!",
                   "Уважаемая Ольга Петровна!"),
        "friendly": ("Hello,", "Hello Olga Smirnova,", "Здравствуйте!",
                     "Здравствуйте, Смирнова Ольга Петровна!"),
        "enthusiastic": ("Hello,", "Hi Olga Smirnova,", "Добрый день!",
                         "Добрый день, Смирнова Ольга Петровна!"),
    }[tone]  # fmt: skip
    sign_offs = {
        "formal": ("Sincerely,", "С уважением,"),
        "friendly": ("Best regards,", "Всего доброго,"),
        "enthusiastic": ("Warm regards,", "С наилучшими пожеланиями,"),
    }[tone]
    for letter, greeting in zip((en, en_named, ru, ru_named), greetings, strict=True):
        assert letter["text"].split("\n\n")[0] == greeting
        assert letter["requested_tone"] == tone
    for letter in (en, en_named):
        assert letter["language"] == "en"
        assert letter["text"].rstrip().endswith(f"{sign_offs[0]}\nAnna Kuznetsova")
        assert "Ozon" in letter["text"]
    for letter in (ru, ru_named):
        assert letter["language"] == "ru"
        assert letter["text"].rstrip().endswith(f"{sign_offs[1]}\nАнна Сергеевна Кузнецова")
        assert "«Старший инженер данных» в компании Озон" in letter["text"]
        assert "я построила потоковую обработку событий на Kafka и Spark" in letter["text"]
        assert letter["generation"]["grounded"] is True
    # the tones read differently
    assert en["text"].split("\n\n")[1] != (await draft(
        alice, PROFILE_EN, VACANCY, tone="formal" if tone != "formal" else "friendly"
    ))["text"].split("\n\n")[1]  # fmt: skip


@pytest.mark.parametrize("limit", [{"max_words": 60}, {"max_words": 90}, {"max_chars": 500}])
async def test_the_length_limit_is_honoured(alice: Any, limit: dict[str, int]) -> None:
    full = await draft(alice, PROFILE_RU, VACANCY_RU, language="ru")
    short = await draft(alice, PROFILE_RU, VACANCY_RU, language="ru", **limit)
    text = short["text"]
    if "max_words" in limit:
        assert len(text.split()) <= limit["max_words"]
        assert short["words"] == len(text.split())
    else:
        assert len(text) <= limit["max_chars"]
        assert short["chars"] == len(text)
    assert short["generation"]["trimmed"] is True
    assert full["generation"]["trimmed"] is False
    assert len(text) < len(full["text"])
    # still a letter: greeting, the opening about the role, the sign-off and the name
    assert text.startswith("Здравствуйте!")
    assert "Старший инженер данных" in text
    assert text.rstrip().endswith("С уважением,\nАнна Сергеевна Кузнецова")
    assert short["max_words"] == limit.get("max_words")
    assert short["max_chars"] == limit.get("max_chars")


async def test_limits_out_of_range_and_unknown_fields_are_422(alice: Any) -> None:
    alice.has_profile(PROFILE_EN)
    vacancy_id = alice.has_vacancy(VACANCY)
    for body in ({"max_words": 5}, {"max_chars": 10}, {"tone": "rude"}, {"language": "de"},
                 {"ai": "nobody"}, {"surprise": 1}):  # fmt: skip
        response = await alice.post("/", {"vacancy_id": vacancy_id, **body})
        assert response.status_code == 422, (body, response.text)
    assert (await alice.post("/", {})).status_code == 422  # vacancy_id is required
    assert (await alice.get("/")).json()["total"] == 0


async def test_edits_are_versions_and_a_version_can_be_restored(alice: Any) -> None:
    letter = await draft(alice, PROFILE_EN, VACANCY)
    path = f"/{letter['id']}"
    first = letter["text"]
    edited = first.replace("Thank you for your consideration.", "Thank you for your time.")
    response = await alice.patch(path, {"text": edited})
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 2
    assert response.json()["text"] == edited
    same = await alice.patch(path, {"text": edited})  # nothing changed: no new version
    assert same.json()["version"] == 2
    assert (await alice.patch(path, {"text": "   "})).status_code == 422
    assert (await alice.patch(path, {"text": ""})).status_code == 422

    regenerated = await alice.post(f"{path}/regenerate", {"tone": "enthusiastic"})
    assert regenerated.status_code == 200, regenerated.text
    body = regenerated.json()
    assert body["version"] == 3
    assert body["requested_tone"] == "enthusiastic"
    assert body["text"].startswith("Hello,")
    assert "Warm regards," in body["text"]
    assert body["vacancy_id"] == letter["vacancy_id"]

    versions = (await alice.get(f"{path}/versions")).json()
    assert versions["total"] == 3
    assert [(v["version"], v["reason"], v["requested_tone"]) for v in versions["items"]] == [
        (3, "regenerated (enthusiastic)", "enthusiastic"),
        (2, "edited", "formal"),
        (1, "generated", "formal"),
    ]
    assert versions["items"][1]["text"] == edited
    assert versions["items"][2]["text"] == first

    restored = await alice.post(f"{path}/versions/2/restore")
    assert restored.status_code == 200, restored.text
    assert restored.json()["text"] == edited
    assert restored.json()["version"] == 4
    assert restored.json()["requested_tone"] == "formal"
    assert (await alice.post(f"{path}/versions/9/restore")).status_code == 404
    assert (await alice.get(path)).json()["text"] == edited
    assert (await alice.get(f"{path}/versions")).json()["total"] == 4


async def test_a_letter_for_a_resume_uses_the_resumes_content(alice: Any) -> None:
    resume = {
        "id": str(uuid.uuid4()),
        "content": {
            "basics": {"name": "Anna Kuznetsova", "headline": "Streaming Data Engineer"},
            "experience": [
                {"company": "Yandex", "position": "Lead Data Engineer",
                 "highlights": ["Cut ClickHouse mart build time from 6 hours to 40 minutes"],
                 "skills": ["ClickHouse"]},
            ],
            "skills": [{"name": "ClickHouse"}, {"name": "Kafka"}],
        },
    }  # fmt: skip
    alice.has_profile(PROFILE_EN)
    vacancy_id = alice.has_vacancy(VACANCY)
    resume_id = alice.has_resume(resume)
    response = await alice.post("/", {"vacancy_id": vacancy_id, "resume_id": resume_id})
    assert response.status_code == 201, response.text
    letter = response.json()
    assert letter["resume_id"] == resume_id
    assert letter["vacancy_id"] == vacancy_id
    assert [e["text"] for e in letter["generation"]["evidence"]] == [
        "Cut ClickHouse mart build time from 6 hours to 40 minutes"
    ]
    assert "Streaming Data Engineer" in letter["text"]
    assert "Tinkoff" not in letter["text"]
    regenerated = (await alice.post(f"/{letter['id']}/regenerate", {"tone": "friendly"})).json()
    assert regenerated["resume_id"] == resume_id
    # someone else's resume or vacancy is 404 and nothing is saved
    missing = await alice.post("/", {"vacancy_id": vacancy_id, "resume_id": str(uuid.uuid4())})
    assert missing.status_code == 404
    missing = await alice.post("/", {"vacancy_id": str(uuid.uuid4())})
    assert missing.status_code == 404
    assert (await alice.get("/")).json()["total"] == 1


async def test_without_text_analysis_the_letter_comes_with_tone_null(alice: Any) -> None:
    alice.others.tone_status = 503
    letter = await draft(alice, PROFILE_EN, VACANCY)
    assert letter["tone"] is None
    assert letter["text"].startswith("Dear Hiring Manager,")
    alice.others.tone_status = 200
    assert (await alice.get(f"/{letter['id']}")).json()["tone"]["sentiment"] == {
        "label": "positive",
        "score": 0.6,
    }


async def test_exports_are_stored_and_read_back(alice: Any) -> None:
    for profile, vacancy, words in ((PROFILE_EN, VACANCY, ("Dear Hiring Manager", "Ozon", "Sincerely")),
                                    (PROFILE_RU, VACANCY_RU, ("Здравствуйте", "Озон", "С уважением"))):  # fmt: skip
        letter = await draft(alice, profile, vacancy)
        path = f"/{letter['id']}/export"
        txt = await alice.get(path, format="txt")
        assert txt.status_code == 200, txt.text
        assert txt.headers["content-type"] == "text/plain; charset=utf-8"
        assert txt.content.decode("utf-8") == letter["text"] + "\n"
        assert "filename*=UTF-8''" in txt.headers["content-disposition"]

        docx = await alice.get(path, format="docx")
        assert docx.status_code == 200
        paragraphs = [p.text for p in Document(io.BytesIO(docx.content)).paragraphs]
        assert paragraphs[0] == profile["personal"]["full_name"]
        for block in letter["text"].split("\n\n"):
            assert block in paragraphs
        pdf = await alice.get(path, format="pdf")
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF")
        reader = PdfReader(io.BytesIO(pdf.content))
        assert len(reader.pages) == 1
        text = " ".join(reader.pages[0].extract_text().split())
        for word in (*words, profile["personal"]["full_name"]):
            assert word in text
        assert "Kafka" in text
        # Each download's media type is one the OpenAPI document declares.
        document = (await alice.client.get("/api/v1/cover-letters/openapi.json")).json()
        declared = document["paths"]["/api/v1/cover-letters/{letter_id}/export"]["get"]
        content = declared["responses"]["200"]["content"]
        for sent in (txt, docx, pdf):
            assert sent.headers["content-type"].split(";")[0] in content

        stored = [s for s in alice.others.stored if s["origin"] == letter["id"]]
        assert [s["version"] for s in stored] == [1, 2, 3]
        assert len({s["id"] for s in stored}) == 1  # one document, three versions
        assert stored[2]["bytes"] == pdf.content
        assert pdf.headers["qh-document-version"] == "3"
        assert (await alice.get(f"/{letter['id']}")).json()["document_id"] == stored[0]["id"]
    assert (await alice.get(path, format="odt")).status_code == 422


async def test_cover_letter_generated_is_published(alice: Any, runtime: Any) -> None:
    letter = await draft(alice, PROFILE_EN, VACANCY)
    await alice.get(f"/{letter['id']}/export", format="txt")
    for _ in range(100):
        if len(alice.others.events) >= 2:
            break
        await asyncio.sleep(0.02)
    data = [e["data"] for e in alice.others.events]
    assert data[0]["letter_id"] == letter["id"]
    assert data[0]["user_id"] == str(alice.id)
    assert data[1]["document_id"] is not None


async def test_another_users_letter_is_404(alice: Any, bob: Any) -> None:
    letter = await draft(alice, PROFILE_EN, VACANCY)
    path = f"/{letter['id']}"
    assert (await bob.get(path)).status_code == 404
    assert (await bob.patch(path, {"text": "mine now"})).status_code == 404
    assert (await bob.get(f"{path}/versions")).status_code == 404
    assert (await bob.post(f"{path}/versions/1/restore")).status_code == 404
    assert (await bob.post(f"{path}/regenerate", {})).status_code == 404
    assert (await bob.get(f"{path}/export", format="txt")).status_code == 404
    assert (await bob.delete(path)).status_code == 404
    assert (await bob.get("/")).json()["total"] == 0
    # bob cannot draft for alice's vacancy either
    assert (await bob.post("/", {"vacancy_id": letter["vacancy_id"]})).status_code == 404
    assert (await alice.get(path)).json()["text"] == letter["text"]


async def test_list_page_and_delete(alice: Any) -> None:
    first = await draft(alice, PROFILE_EN, VACANCY)
    await draft(alice, PROFILE_EN, VACANCY, tone="friendly")
    page = (await alice.get("/", limit=1)).json()
    assert page["total"] == 2
    assert len(page["items"]) == 1
    assert page["items"][0]["words"] > 50
    assert (await alice.delete(f"/{first['id']}")).status_code == 204
    assert (await alice.get(f"/{first['id']}")).status_code == 404
    assert (await alice.get("/")).json()["total"] == 1


async def test_user_deleted_erases_the_letters(alice: Any, bob: Any, client: Any, app: Any) -> None:
    letter = await draft(alice, PROFILE_EN, VACANCY)
    await alice.patch(f"/{letter['id']}", {"text": "Dear Hiring Manager,\n\nShort."})
    kept = await draft(bob, PROFILE_EN, VACANCY)
    event = make_cloudevent(USER_DELETED, UserDeleted(user_id=alice.id), source="qh/auth")
    response = await client.post(
        f"/events/{USER_DELETED.name}",
        content=msgspec.json.encode(event),
        headers={"content-type": "application/cloudevents+json"},
    )
    assert response.status_code == 200, response.text
    assert (await bob.get(f"/{kept['id']}")).status_code == 200
    async with app.state.qh.session() as session:
        for model in (Letter, LetterVersion):
            rows = await session.scalar(
                select(func.count()).select_from(model).where(model.owner_id == alice.id)
            )
            assert rows == 0, model


async def test_an_export_doc_storage_refuses_is_503_and_the_letter_stays(alice: Any) -> None:
    letter = await draft(alice, PROFILE_RU, VACANCY_RU)
    alice.others.doc_storage_status = 500
    response = await alice.get(f"/{letter['id']}/export", format="pdf")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    after = (await alice.get(f"/{letter['id']}")).json()
    assert after["text"] == letter["text"]
    assert after["document_id"] is None
    alice.others.doc_storage_status = 201
    ok = await alice.get(f"/{letter['id']}/export", format="txt")
    assert ok.status_code == 200
    # the Russian title survives in the RFC 6266 file name
    assert (
        "filename*=UTF-8''%D0%A1%D1%82%D0%B0%D1%80%D1%88%D0%B8%D0%B9"
        in ok.headers["content-disposition"]
    )
