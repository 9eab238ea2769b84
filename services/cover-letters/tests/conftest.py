"""Fixtures for the cover-letters tests: the app on a fresh migrated database, stand-ins
for auth, user-data, job-data, resume-generation, text-analysis and doc-storage (small
Litestar apps attached to the LocalRuntime under their app ids), a recorder of
cover_letter.generated, and callers."""

from __future__ import annotations

import runpy
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar, Request, Response, get, post
from litestar.params import FromPath, JSONBody

from qh.contracts import COVER_LETTER_GENERATED
from qh.cover_letters.app import service
from qh.cover_letters.context import CoverLettersContext
from qh.kit.app import ServiceDefinition
from qh.kit.llm import LLMRouter, OfflineLLM
from qh.kit.runtime import LocalRuntime, Subscription
from qh.kit.testing import TokenFactory, jwks_app, running, settings_for_tests
from qh.kit.testing.peers import Owned, PeerStubs, owned, stub_app, subject

PREFIX = "/api/v1/cover-letters"
SAMPLES = runpy.run_path(str(Path(__file__).with_name("samples.py")))


@pytest.fixture
def service_definition() -> ServiceDefinition:
    return service


class Others(PeerStubs):
    """Stand-ins for user-data (profiles by user id), job-data and resume-generation
    (records with owners), text-analysis (tone, switchable off) and doc-storage (exports
    by origin, each a new version), and a recorder of events."""

    def __init__(self) -> None:
        super().__init__("cover_letter")
        self.resumes: Owned = {}
        self.events: list[dict[str, Any]] = []
        self.tone_requests: list[dict[str, Any]] = []
        self.tone_status = 200

        @get("/api/v1/resumes/{resume_id:str}", sync_to_thread=False)
        def resume(request: Request[Any, Any, Any], resume_id: FromPath[str]) -> dict[str, Any]:
            return owned(self.resumes, resume_id, request)

        @post("/api/v1/analysis/tone", status_code=200, sync_to_thread=False)
        def tone(request: Request[Any, Any, Any], data: JSONBody[dict[str, Any]]) -> Any:
            subject(request)
            self.tone_requests.append(data)
            if self.tone_status != 200:
                return Response({"status": self.tone_status}, status_code=self.tone_status)
            formal = any(w in data["text"] for w in ("Sincerely", "С уважением"))
            return {"language": data.get("language") or "en", "sentiment": {"label": "positive", "score": 0.6},
                    "formality": 0.8 if formal else 0.4,
                    "formality_label": "formal" if formal else "neutral",
                    "confidence": 0.7, "issues": []}  # fmt: skip

        @post("/events/letter", status_code=200, sync_to_thread=False)
        def receive(data: JSONBody[dict[str, Any]]) -> dict[str, str]:
            self.events.append(data)
            return {"status": "SUCCESS"}

        self.resume_generation, self.text_analysis = stub_app(resume), stub_app(tone)
        self.recorder = stub_app(receive)


@pytest.fixture
def others() -> Others:
    return Others()


@pytest.fixture
def runtime(tokens: TokenFactory, others: Others) -> LocalRuntime:
    runtime = LocalRuntime(max_attempts=3, backoff_seconds=0.01, backoff_max_seconds=0.02)
    runtime.attach("auth", jwks_app(tokens))
    others.attach(runtime)
    runtime.attach("resume-generation", others.resume_generation)
    runtime.attach("text-analysis", others.text_analysis)
    runtime.attach(
        "recorder",
        others.recorder,
        [
            Subscription(
                COVER_LETTER_GENERATED.name,
                "/events/letter",
                COVER_LETTER_GENERATED.dead_letter_for("recorder"),
            )
        ],
    )
    return runtime


@pytest.fixture
def llm() -> LLMRouter:
    """The offline provider only (the default); a test puts a stub beside it."""
    return LLMRouter({"offline": OfflineLLM(CoverLettersContext.offline_writers)})


@pytest.fixture
def app(database_url: str, runtime: LocalRuntime, llm: LLMRouter) -> Litestar:
    return service.create_app(settings_for_tests(service, database_url), runtime=runtime, llm=llm)


@pytest.fixture
async def client(app: Litestar, runtime: LocalRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with running(app, runtime) as client:
        yield client


class User:
    def __init__(self, client: httpx.AsyncClient, tokens: TokenFactory, others: Others) -> None:
        self.id = uuid.uuid4()
        self.client = client
        self.headers = tokens.headers(self.id)
        self.others = others

    def has_profile(self, profile: dict[str, Any]) -> None:
        self.others.profiles[str(self.id)] = profile

    def has_vacancy(self, record: dict[str, Any]) -> str:
        vacancy_id = str(uuid.uuid4())
        self.others.vacancies[vacancy_id] = (str(self.id), record)
        return vacancy_id

    def has_resume(self, record: dict[str, Any]) -> str:
        resume_id = str(uuid.uuid4())
        self.others.resumes[resume_id] = (str(self.id), record)
        return resume_id

    async def post(self, path: str, body: Any = None) -> httpx.Response:
        return await self.client.post(PREFIX + path, json=body, headers=self.headers)

    async def patch(self, path: str, body: Any) -> httpx.Response:
        return await self.client.patch(PREFIX + path, json=body, headers=self.headers)

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.client.get(PREFIX + path, params=params, headers=self.headers)

    async def delete(self, path: str) -> httpx.Response:
        return await self.client.delete(PREFIX + path, headers=self.headers)


@pytest.fixture
def alice(client: httpx.AsyncClient, tokens: TokenFactory, others: Others) -> User:
    return User(client, tokens, others)


@pytest.fixture
def bob(client: httpx.AsyncClient, tokens: TokenFactory, others: Others) -> User:
    return User(client, tokens, others)
