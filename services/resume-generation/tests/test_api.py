"""The service as a client sees it: generate, read, edit, decide proposals, preview and
export, on SQLite and PostgreSQL, with stand-ins for the other services."""

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
from qh.kit.cloudevents import make_cloudevent
from qh.kit.llm import LLMRequest, LLMResult, LLMRouter, LLMTimeout, LLMUpstreamError
from qh.resume_generation.db.models import Resume, ResumeVersion

from .conftest import SAMPLES

PROFILE_RU, PROFILE_EN, VACANCY = SAMPLES["PROFILE_RU"], SAMPLES["PROFILE_EN"], SAMPLES["VACANCY"]


class StubLLM:
    """An "openai" provider that answers from a script (text, or a problem to raise)."""

    name = "openai"

    def __init__(self) -> None:
        self.answers: list[str | Exception] = []
        self.requests: list[LLMRequest] = []

    async def generate(self, request: LLMRequest) -> LLMResult:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return LLMResult(text=answer, provider="openai", model="stub-model")


@pytest.fixture
def stub(llm: LLMRouter) -> StubLLM:
    provider = StubLLM()
    llm.providers["openai"] = provider
    return provider


async def test_tailoring_orders_highlights_and_skills_by_the_vacancy(alice: Any) -> None:
    alice.has_profile(PROFILE_EN)
    vacancy_id = alice.has_vacancy(VACANCY)
    response = await alice.post("/", {"vacancy_id": vacancy_id, "template": "modern"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["language"] == "en"
    assert body["vacancy_title"] == "Senior Data Engineer"
    content = body["content"]
    yandex = content["experience"][0]["highlights"]
    # the Kafka/Spark and ClickHouse lines first, the interviews and Excel ones after
    assert yandex[:2] == [
        "Built event stream processing on Kafka and Spark",
        "Cut ClickHouse mart build time from 6 hours to 40 minutes",
    ]
    assert set(yandex) == set(PROFILE_EN["experience"][0]["highlights"])  # nothing invented
    tinkoff = content["experience"][1]["highlights"]
    assert tinkoff[0] == "Wrote ETL in Airflow and Python for 30 sources"
    names = [s["name"] for s in content["skills"]]
    required = [s["name"] for s in content["skills"] if s["required"]]
    assert names[:3] == ["Kafka", "ClickHouse", "Spark"]  # the vacancy's required, its order
    assert required == ["Kafka", "ClickHouse", "Spark"]
    assert names[3] == "Airflow"  # asked for, not required
    assert names.index("Excel") > 3
    assert "projects" not in [k for k, v in content.items() if v]  # no empty sections
    assert body["generation"]["tailored_to"] == vacancy_id
    assert set(body["generation"]["relevant_skills"]) >= {"Kafka", "Spark", "ClickHouse"}


async def test_a_general_resume_keeps_the_profiles_order(alice: Any) -> None:
    alice.has_profile(PROFILE_RU)
    body = (await alice.post("/", {"template": "classic"})).json()
    assert body["language"] == "ru"  # the profile's resume language
    assert body["vacancy_id"] is None
    highlights = body["content"]["experience"][0]["highlights"]
    assert highlights == PROFILE_RU["experience"][0]["highlights"]
    assert [s["name"] for s in body["content"]["skills"]][:3] == ["Excel", "Python", "SQL"]
    assert not any(s["required"] for s in body["content"]["skills"])


async def test_offline_summary_is_a_grounded_proposal_accepted_or_rejected(alice: Any) -> None:
    alice.has_profile(PROFILE_RU)
    vacancy_id = alice.has_vacancy(VACANCY)
    body = (await alice.post("/", {"vacancy_id": vacancy_id, "language": "ru"})).json()
    assert body["generation"]["provider"] == "offline"
    [proposal] = body["proposals"]
    assert proposal["field"] == "summary"
    assert proposal["status"] == "pending"
    assert proposal["provider"] == "offline"
    assert proposal["removed_claims"] == []
    assert proposal["proposed"].startswith("Инженер данных, опыт работы")
    assert "Ключевые навыки для этой роли: Kafka, Spark, ClickHouse" in proposal["proposed"]
    assert body["content"]["summary"] == PROFILE_RU["personal"]["summary"]
    rid = body["id"]
    accepted = await alice.post(f"/{rid}/proposals/{proposal['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["content"]["summary"] == proposal["proposed"]
    assert accepted.json()["version"] == 2
    again = await alice.post(f"/{rid}/proposals/{proposal['id']}/reject")
    assert again.status_code == 409
    assert (await alice.post(f"/{rid}/proposals/nope/accept")).status_code == 404


async def test_rejecting_keeps_the_content(alice: Any) -> None:
    alice.has_profile(PROFILE_EN)
    body = (await alice.post("/", {"vacancy_id": alice.has_vacancy(VACANCY)})).json()
    [proposal] = body["proposals"]
    rejected = (await alice.post(f"/{body['id']}/proposals/{proposal['id']}/reject")).json()
    assert rejected["content"]["summary"] == PROFILE_EN["personal"]["summary"]
    assert rejected["version"] == 1
    assert rejected["proposals"][0]["status"] == "rejected"


async def test_grounding_removes_what_the_stub_llm_invented(alice: Any, stub: StubLLM) -> None:
    alice.has_profile(PROFILE_EN)
    vacancy_id = alice.has_vacancy(VACANCY)
    stub.answers.append(
        "Data engineer who builds streaming pipelines on Kafka and Spark. "
        "Worked as a Lead Data Engineer at Google since 2019. "
        "Designed the whole platform in Rust and Scala. "
        "Cut ClickHouse mart build time from 6 hours to 40 minutes."
    )
    response = await alice.post("/", {"vacancy_id": vacancy_id, "ai": "openai"})
    assert response.status_code == 201, response.text
    body = response.json()
    [proposal] = body["proposals"]
    assert (proposal["provider"], proposal["model"]) == ("openai", "stub-model")
    kinds = {c["kind"] for c in proposal["removed_claims"]}
    assert {"employer", "date", "skill"} <= kinds, proposal["removed_claims"]
    assert "Google" not in proposal["proposed"]
    assert "2019" not in proposal["proposed"]
    assert "Rust" not in proposal["proposed"]
    assert "Kafka and Spark" in proposal["proposed"]
    assert "6 hours to 40 minutes" in proposal["proposed"]
    assert stub.requests[0].prompt == "summary"
    assert "Senior Data Engineer" in str(stub.requests[0].variables)


async def test_a_wholly_invented_summary_is_refused_with_the_reason(
    alice: Any, stub: StubLLM
) -> None:
    alice.has_profile(PROFILE_EN)
    stub.answers.append("Chief Architect at Microsoft since 2005.")
    body = (await alice.post("/", {"ai": "openai"})).json()
    assert body["proposals"] == []
    assert body["generation"]["refused"]
    assert "openai" in body["generation"]["refused"][0]
    assert body["content"]["summary"] == PROFILE_EN["personal"]["summary"]


@pytest.mark.parametrize(
    ("error", "status"),
    [(LLMUpstreamError("the provider answered 500"), 502), (LLMTimeout("no answer"), 504)],
)
async def test_a_provider_failure_is_a_problem_and_saves_nothing(
    alice: Any, stub: StubLLM, error: Exception, status: int, others: Any
) -> None:
    alice.has_profile(PROFILE_EN)
    stub.answers.append(error)
    response = await alice.post("/", {"ai": "openai"})
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert (await alice.get("/")).json()["total"] == 0
    assert others.events == []


async def test_a_provider_not_configured_is_422_on_ai(alice: Any) -> None:
    alice.has_profile(PROFILE_EN)
    response = await alice.post("/", {"ai": "gemini"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "ai"


async def test_bad_input_is_a_clear_4xx(alice: Any) -> None:
    alice.has_profile(PROFILE_EN)
    unknown = await alice.post("/", {"template": "fancy"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "template"
    assert (await alice.post("/", {"language": "de"})).status_code == 422
    assert (await alice.post("/", {"page_size": "A3"})).status_code == 422
    assert (await alice.get(f"/{uuid.uuid4()}")).status_code == 404
    assert (await alice.get("/not-a-uuid")).status_code in (400, 404)


async def test_another_users_vacancy_and_resume_are_404(alice: Any, bob: Any) -> None:
    alice.has_profile(PROFILE_EN)
    bob.has_profile(PROFILE_RU)
    vacancy_id = alice.has_vacancy(VACANCY)
    assert (await bob.post("/", {"vacancy_id": vacancy_id})).status_code == 404
    rid = (await alice.post("/", {"vacancy_id": vacancy_id})).json()["id"]
    for path in (f"/{rid}", f"/{rid}/preview", f"/{rid}/export", f"/{rid}/versions"):
        assert (await bob.get(path)).status_code == 404, path
    assert (await bob.patch(f"/{rid}", {"title": "mine"})).status_code == 404
    assert (await bob.delete(f"/{rid}")).status_code == 404
    assert (await bob.get("/")).json()["total"] == 0
    assert (await alice.get(f"/{rid}")).status_code == 200


async def test_patch_edits_content_and_every_edit_is_a_version(alice: Any) -> None:
    alice.has_profile(PROFILE_EN)
    body = (await alice.post("/", {})).json()
    rid = body["id"]
    content = body["content"]
    content["summary"] = "Edited by hand."
    content["experience"][0]["highlights"] = ["Only this one"]
    edited = await alice.patch(f"/{rid}", {"content": content, "title": "For Ozon"})
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2
    assert edited.json()["title"] == "For Ozon"
    same = await alice.patch(f"/{rid}", {"template": "compact"})
    assert same.json()["version"] == 2  # no content change, no new version
    assert same.json()["template"] == "compact"
    versions = (await alice.get(f"/{rid}/versions")).json()
    assert versions["total"] == 2
    assert [v["version"] for v in versions["items"]] == [2, 1]
    assert versions["items"][0]["content"]["summary"] == "Edited by hand."
    assert versions["items"][1]["content"]["summary"] == PROFILE_EN["personal"]["summary"]
    broken = await alice.patch(f"/{rid}", {"content": {"experience": [{"company": "X"}]}})
    assert broken.status_code == 422
    assert (await alice.get(f"/{rid}")).json()["version"] == 2  # nothing corrupted


async def test_templates_are_listed_in_the_asked_language(alice: Any) -> None:
    body = (await alice.get("/templates", language="ru")).json()
    names = {t["name"]: t for t in body}
    assert {"classic", "modern", "compact"} <= set(names)
    assert names["classic"]["title"] == "Классический"
    assert names["compact"]["one_page"] is True
    assert names["modern"]["accent"]
    for template in body:
        assert set(template["languages"]) == {"ru", "en"}
        assert set(template["page_sizes"]) == {"A4", "Letter"}


async def test_each_design_has_a_thumbnail_in_each_language_without_sign_in(
    client: Any,
) -> None:
    seen = set()
    for name in ("classic", "modern", "compact"):
        for language in ("ru", "en"):
            answer = await client.get(
                f"/api/v1/resumes/templates/{name}/thumbnail", params={"language": language}
            )
            assert answer.status_code == 200, (name, language)
            assert answer.headers["content-type"] == "image/png"
            assert answer.content.startswith(b"\x89PNG\r\n\x1a\n")
            seen.add(answer.content)
    assert len(seen) == 6  # one picture per design and language
    for bad in ("nope", "..", "_shared"):
        missing = await client.get(f"/api/v1/resumes/templates/{bad}/thumbnail")
        assert missing.status_code == 404, bad
    wrong = await client.get(
        "/api/v1/resumes/templates/classic/thumbnail", params={"language": "de"}
    )
    assert wrong.status_code in (400, 422)


async def test_preview_is_the_templates_html_with_its_assets(alice: Any, client: Any) -> None:
    alice.has_profile(PROFILE_RU)
    rid = (await alice.post("/", {"template": "modern"})).json()["id"]
    response = await alice.get(f"/{rid}/preview")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    html = response.text
    assert "Анна Сергеевна Кузнецова" in html
    assert "по настоящее время" in html
    assert "/api/v1/resumes/assets/kit/fonts/PTSans-Regular.ttf" in html
    font = await client.get("/api/v1/resumes/assets/kit/fonts/PTSans-Regular.ttf")
    assert font.status_code == 200
    assert font.content[:4] == b"\x00\x01\x00\x00"
    for bad in ("kit/../../../../etc/passwd", "kit/fonts/OFL.txt", "nope/x.css", "kit/"):
        assert (await client.get(f"/api/v1/resumes/assets/{bad}")).status_code == 404, bad


async def test_export_sends_the_file_and_stores_each_as_a_new_version(
    alice: Any, others: Any
) -> None:
    alice.has_profile(PROFILE_RU)
    body = (await alice.post("/", {"vacancy_id": alice.has_vacancy(VACANCY)})).json()
    rid = body["id"]
    pdf = await alice.get(f"/{rid}/export", format="pdf")
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    disposition = pdf.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    assert "filename*=UTF-8''%D0%90%D0%BD%D0%BD%D0%B0" in disposition  # "Анна…"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Анна Сергеевна Кузнецова" in text
    docx = await alice.get(f"/{rid}/export", format="docx")
    assert docx.headers["content-type"].startswith("application/vnd.openxmlformats")
    md = await alice.get(f"/{rid}/export", format="md")
    assert md.headers["content-type"] == "text/markdown; charset=utf-8"
    assert md.text.startswith("# Анна Сергеевна Кузнецова")
    # Each download's media type is one the OpenAPI document declares.
    document = (await alice.client.get("/api/v1/resumes/openapi.json")).json()
    declared = document["paths"]["/api/v1/resumes/{resume_id}/export"]["get"]["responses"]
    for sent in (pdf, docx, md):
        assert sent.headers["content-type"].split(";")[0] in declared["200"]["content"]
    assert [s["version"] for s in others.stored] == [1, 2, 3]
    assert len({s["id"] for s in others.stored}) == 1  # one document, three versions
    assert others.stored[0]["bytes"] == pdf.content
    assert pdf.headers["qh-document-version"] == "1"
    assert md.headers["qh-document-id"] == others.stored[0]["id"]
    assert (await alice.get(f"/{rid}")).json()["document_id"] == others.stored[0]["id"]
    assert (await alice.get(f"/{rid}/export", format="odt")).status_code in (400, 422)


async def test_export_when_doc_storage_refuses_is_503(alice: Any, others: Any) -> None:
    alice.has_profile(PROFILE_EN)
    rid = (await alice.post("/", {})).json()["id"]
    others.doc_storage_status = 500
    response = await alice.get(f"/{rid}/export", format="md")
    assert response.status_code == 503
    assert (await alice.get(f"/{rid}")).json()["document_id"] is None


async def test_resume_generated_is_published(alice: Any, others: Any) -> None:
    alice.has_profile(PROFILE_EN)
    rid = (await alice.post("/", {})).json()["id"]
    await alice.get(f"/{rid}/export", format="md")
    for _ in range(100):  # the outbox relay publishes after the commit
        events = [e["data"] for e in others.events if e["type"].startswith("resume.generated")]
        if len(events) >= 2:
            break
        await asyncio.sleep(0.05)
    assert [e["resume_id"] for e in events] == [rid, rid]
    assert events[0]["user_id"] == str(alice.id)
    assert events[0].get("document_id") is None
    assert events[1]["document_id"] == others.stored[0]["id"]


async def test_user_deleted_erases_their_resumes(
    alice: Any, bob: Any, client: Any, app: Any
) -> None:
    alice.has_profile(PROFILE_EN)
    bob.has_profile(PROFILE_EN)
    rid = (await alice.post("/", {})).json()["id"]
    await alice.patch(f"/{rid}", {"title": "v2"})
    await bob.post("/", {})
    event = make_cloudevent(USER_DELETED, UserDeleted(user_id=alice.id), source="qh/auth")
    response = await client.post(
        f"/events/{USER_DELETED.name}",
        content=msgspec.json.encode(event),
        headers={"content-type": "application/cloudevents+json"},
    )
    assert response.status_code == 200, response.text
    assert (await bob.get("/")).json()["total"] == 1
    assert (await alice.get("/")).status_code == 401  # the deleted account's token is revoked
    async with app.state.qh.session() as session:
        for model in (Resume, ResumeVersion):
            rows = await session.scalar(
                select(func.count()).select_from(model).where(model.owner_id == alice.id)
            )
            assert rows == 0, model


async def test_delete_removes_the_resume(alice: Any) -> None:
    alice.has_profile(PROFILE_EN)
    rid = (await alice.post("/", {})).json()["id"]
    assert (await alice.delete(f"/{rid}")).status_code == 204
    assert (await alice.get(f"/{rid}")).status_code == 404


def docx_text(content: bytes) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in Document(io.BytesIO(content)).paragraphs]
