"""Every route by value and by reference, as a client sees it."""

from __future__ import annotations

import runpy
import uuid
from pathlib import Path
from typing import Any

_T = runpy.run_path(str(Path(__file__).with_name("texts.py")))
RESUME_EN_POOR, RESUME_MIXED = _T["RESUME_EN_POOR"], _T["RESUME_MIXED"]
RESUME_RU, VACANCY_EN = _T["RESUME_RU"], _T["VACANCY_EN"]

PROFILE = {
    "schema_version": "1.0",
    "personal": {
        "full_name": "Иван Петров",
        "headline": "Python-разработчик",
        "email": "ivan@example.ru",
        "phone": "+79161234567",
        "summary": "Пишу бэкенд на Python семь лет.",
        "resume_languages": ["ru"],
    },
    "experience": [
        {
            "company": "Яндекс",
            "position": "Python-разработчик",
            "start_date": "2017-03",
            "end_date": None,
            "description": "Сервисы платежей.",
            "highlights": ["Ускорил выдачу в 3 раза"],
            "skills": ["Python", "Django", "PostgreSQL", "Docker", "Kubernetes"],
        }
    ],
    "education": [{"institution": "МГУ", "degree": "Магистр", "field": "Информатика"}],
    "skills": [{"name": "Python", "years": 7}],
    "languages": [{"name": "English", "code": "en", "level": "B2"}],
}
VACANCY_RECORD = {
    "title": "Senior Python Developer",
    "description_text": VACANCY_EN.split("\n", 2)[2],
    "requirements": {
        "skills": [
            {"name": "Python", "canonical": "Python", "required": True},
            {"name": "Kubernetes", "canonical": "Kubernetes", "required": True},
        ]
    },
}


def check_offsets(body: dict[str, Any], resume: str, vacancy: str) -> None:
    texts = {"resume": resume, "vacancy": vacancy}
    assert body["highlights"]
    for h in body["highlights"]:
        assert texts[h["side"]][h["start"] : h["end"]] == h["text"], h


async def test_match_by_value_explains_the_score(alice: Any) -> None:
    response = await alice.post(
        "/match", {"resume": {"text": RESUME_RU}, "vacancy": {"text": VACANCY_EN}}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] is None
    assert body["language"] == "ru"
    assert body["vacancy_language"] == "en"
    assert 0 <= body["score"] <= 100
    assert set(body["breakdown"]) >= {"skills", "experience", "languages", "education"}
    matched = {t["term"] for t in body["matched"]}
    missing = {t["term"]: t for t in body["missing"]}
    assert {"Python", "Django", "PostgreSQL", "Docker"} <= matched
    assert missing["Kubernetes"]["required"] is True
    check_offsets(body, RESUME_RU, VACANCY_EN)
    kinds = {(h["side"], h["kind"]) for h in body["highlights"]}
    assert ("vacancy", "missing") in kinds
    assert ("resume", "match") in kinds
    messages = " ".join(r["message"] for r in body["recommendations"])
    assert "Вакансия требует Kubernetes" in messages  # in the resume's language


async def test_a_russian_resume_outscores_an_unrelated_english_one(alice: Any) -> None:
    good = await alice.post(
        "/match", {"resume": {"text": RESUME_RU}, "vacancy": {"text": VACANCY_EN}}
    )
    poor = await alice.post(
        "/match", {"resume": {"text": RESUME_EN_POOR}, "vacancy": {"text": VACANCY_EN}}
    )
    assert good.json()["score"] > poor.json()["score"] + 25
    assert poor.json()["language"] == "en"
    recs = " ".join(r["message"] for r in poor.json()["recommendations"])
    assert "The vacancy requires Python, which your resume does not mention." in recs


async def test_mixed_resume_matches_with_offsets(alice: Any) -> None:
    response = await alice.post(
        "/match", {"resume": {"text": RESUME_MIXED}, "vacancy": {"text": VACANCY_EN}}
    )
    body = response.json()
    assert response.status_code == 200
    assert "Kubernetes" in {t["term"] for t in body["matched"]}
    check_offsets(body, RESUME_MIXED, VACANCY_EN)


async def test_empty_whitespace_and_oversized_texts_are_refused(alice: Any) -> None:
    for resume, vacancy in (("", VACANCY_EN), ("  \n\t ", VACANCY_EN), (RESUME_RU, " ")):
        response = await alice.post(
            "/match", {"resume": {"text": resume}, "vacancy": {"text": vacancy}}
        )
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    big = "Python " * 30_000  # 210 kB
    response = await alice.post("/match", {"resume": {"text": big}, "vacancy": {"text": "x"}})
    assert response.status_code == 413
    long = "Python developer. " * 4000  # 72 000 characters: under 192 KiB, over the limit
    response = await alice.post("/review", {"resume": {"text": long}})
    assert response.status_code == 422
    assert "60000" in response.json()["errors"][0]["message"]
    both = await alice.post(
        "/match", {"resume": {"text": RESUME_RU, "profile": "me"}, "vacancy": {"text": "x y"}}
    )
    assert both.status_code == 422
    assert (await alice.post("/tone", {"text": "   "})).status_code == 422


async def test_match_by_reference_is_stored_owner_only(
    alice: Any, bob: Any, others: Any, app: Any, runtime: Any
) -> None:
    others.profiles[str(alice.id)] = PROFILE
    vacancy_id = str(uuid.uuid4())
    others.vacancies[vacancy_id] = (str(alice.id), VACANCY_RECORD)
    response = await alice.post(
        "/match", {"resume": {"profile": "me"}, "vacancy": {"vacancy_id": vacancy_id}}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"]
    assert body["texts"]["resume"].startswith("Иван Петров")
    assert "Kubernetes" in {t["term"] for t in body["matched"]}
    check_offsets(body, body["texts"]["resume"], body["texts"]["vacancy"])
    # the caller's token went to both services
    assert {c[0] for c in others.calls} == {"user-data", "job-data"}
    assert all(
        c[1] == str(alice.id) and c[2] == alice.headers["Authorization"] for c in others.calls
    )

    listed = (await alice.get("/")).json()
    assert listed["total"] == 1
    assert listed["items"][0]["id"] == body["id"]
    assert listed["items"][0]["vacancy_title"] == "Senior Python Developer"
    one = await alice.get(f"/{body['id']}")
    assert one.status_code == 200
    assert one.json()["result"]["score"] == body["score"]
    assert (await bob.get(f"/{body['id']}")).status_code == 404
    assert (await bob.get("/")).json()["total"] == 0

    await app.state.qh.outbox.relay_once()
    await runtime.drain()
    events = [e["data"] for e in others.events]
    assert events == [
        {
            "analysis_id": body["id"],
            "user_id": str(alice.id),
            "kind": "match",
            "score": body["score"],
            "vacancy_id": vacancy_id,
        }
    ]


async def test_another_users_vacancy_is_404(alice: Any, bob: Any, others: Any) -> None:
    vacancy_id = str(uuid.uuid4())
    others.vacancies[vacancy_id] = (str(alice.id), VACANCY_RECORD)
    response = await bob.post(
        "/match", {"resume": {"text": RESUME_RU}, "vacancy": {"vacancy_id": vacancy_id}}
    )
    assert response.status_code == 404
    assert (await bob.get("/")).json()["total"] == 0


async def test_review_by_value_and_by_reference(alice: Any, others: Any) -> None:
    text = RESUME_RU.replace("ivan.petrov@example.ru", "ivan.petrov@example").replace(
        "Python, Django", "Pyhton, Django"
    )
    response = await alice.post("/review", {"resume": {"text": text}})
    assert response.status_code == 200
    body = response.json()
    assert body["id"] is None
    assert body["language"] == "ru"
    spelling = [i for i in body["issues"] if i["kind"] == "spelling"]
    assert spelling
    assert text[spelling[0]["start"] : spelling[0]["end"]] == "Pyhton"
    assert spelling[0]["suggestion"] == "Python"
    contacts = [i for i in body["issues"] if i["kind"] == "contacts" and "start" in i]
    assert text[contacts[0]["start"] : contacts[0]["end"]] == "ivan.petrov@example"

    others.profiles[str(alice.id)] = PROFILE
    stored = await alice.post("/review", {"resume": {"profile": "me"}})
    assert stored.status_code == 200
    assert stored.json()["id"]
    kinds = {a["kind"] for a in (await alice.get("/")).json()["items"]}
    assert kinds == {"review"}


async def test_empty_profile_is_a_clear_422(alice: Any) -> None:
    response = await alice.post("/review", {"resume": {"profile": "me"}})
    assert response.status_code == 422
    assert "empty" in response.json()["errors"][0]["message"]


async def test_tone_russian_and_english(alice: Any) -> None:
    ru = "Я очень стрессоустойчивый командный игрок. К сожалению, проект закрыли."
    body = (await alice.post("/tone", {"text": ru})).json()
    assert body["language"] == "ru"
    found = {(i["kind"], ru[i["start"] : i["end"]]) for i in body["issues"]}
    assert {("cliche", "стрессоустойчивый"), ("cliche", "командный игрок"),
            ("filler", "очень"), ("negative", "К сожалению")} <= found  # fmt: skip
    en = "The system was built by me. I am a hard-working team player and I love great results!"
    body = (await alice.post("/tone", {"text": en, "language": "en"})).json()
    kinds = {(i["kind"], i["text"]) for i in body["issues"]}
    assert ("passive", "was built") in kinds
    assert ("cliche", "team player") in kinds
    assert body["sentiment"]["label"] == "positive"


async def test_user_deleted_erases_analyses(alice: Any, others: Any, app: Any) -> None:
    from qh.contracts import USER_DELETED, UserDeleted

    others.profiles[str(alice.id)] = PROFILE
    assert (await alice.post("/review", {"resume": {"profile": "me"}})).status_code == 200
    context = app.state.qh
    async with context.transaction() as session:
        analyses = await context.provide("analyses", session)
        assert await analyses.erase(alice.id) == 1
    assert (await alice.get("/")).json()["total"] == 0
    assert USER_DELETED.decode({"user_id": str(alice.id)}) == UserDeleted(user_id=alice.id)


async def test_the_document_links_a_stored_analysis_to_where_it_is_read(
    alice: Any, others: Any, client: Any
) -> None:
    """A match or review by reference answers with the id of the stored analysis; the
    OpenAPI document links both to GET /{analysis_id}, and following the link reads it."""
    document = (await client.get("/api/v1/analysis/openapi.json")).json()
    others.profiles[str(alice.id)] = PROFILE
    vacancy_id = str(uuid.uuid4())
    others.vacancies[vacancy_id] = (str(alice.id), VACANCY_RECORD)
    sent = {
        "/match": {"resume": {"profile": "me"}, "vacancy": {"vacancy_id": vacancy_id}},
        "/review": {"resume": {"profile": "me"}},
    }
    for route, body in sent.items():
        links = document["paths"][f"/api/v1/analysis{route}"]["post"]["responses"]["200"]
        link = links["links"]["StoredAnalysis"]
        pointer, method = link["operationRef"].removeprefix("#/paths/").rsplit("/", 1)
        target = pointer.replace("~1", "/").replace("~0", "~")
        assert (target, method) == ("/api/v1/analysis/{analysis_id}", "get")
        assert link["parameters"] == {"path.analysis_id": "$response.body#/id"}
        stored = (await alice.post(route, body)).json()
        read = await alice.get(f"/{stored['id']}")
        assert read.status_code == 200, read.text
        assert read.json()["kind"] == route.removeprefix("/")
