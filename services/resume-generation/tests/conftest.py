"""Fixtures for the resume-generation tests: the app on a fresh migrated database, stand-ins
for auth, user-data, job-data and doc-storage (small Litestar apps attached to the
LocalRuntime under their app ids), a recorder of resume.generated, and callers."""

from __future__ import annotations

import runpy
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar, post
from litestar.params import JSONBody

from qh.contracts import RESUME_GENERATED
from qh.kit.app import ServiceDefinition
from qh.kit.llm import LLMRouter, OfflineLLM
from qh.kit.runtime import LocalRuntime, Subscription
from qh.kit.testing import TokenFactory, jwks_app, running, settings_for_tests
from qh.kit.testing.peers import PeerStubs, stub_app
from qh.resume_generation.app import service
from qh.resume_generation.context import ResumeGenerationContext

PREFIX = "/api/v1/resumes"
SAMPLES = runpy.run_path(str(Path(__file__).with_name("samples.py")))


@pytest.fixture
def service_definition() -> ServiceDefinition:
    return service


class Others(PeerStubs):
    """Stand-ins for user-data (profiles by user id), job-data (vacancies with owners) and
    doc-storage (exports by origin, each a new version), and a recorder of events."""

    def __init__(self) -> None:
        super().__init__("resume")
        self.events: list[dict[str, Any]] = []

        @post("/events/resume", status_code=200, sync_to_thread=False)
        def receive(data: JSONBody[dict[str, Any]]) -> dict[str, str]:
            self.events.append(data)
            return {"status": "SUCCESS"}

        self.recorder = stub_app(receive)


@pytest.fixture
def others() -> Others:
    return Others()


@pytest.fixture
def runtime(tokens: TokenFactory, others: Others) -> LocalRuntime:
    runtime = LocalRuntime(max_attempts=3, backoff_seconds=0.01, backoff_max_seconds=0.02)
    runtime.attach("auth", jwks_app(tokens))
    others.attach(runtime)
    runtime.attach(
        "recorder",
        others.recorder,
        [
            Subscription(
                RESUME_GENERATED.name,
                "/events/resume",
                RESUME_GENERATED.dead_letter_for("recorder"),
            )
        ],
    )
    return runtime


@pytest.fixture
def llm() -> LLMRouter:
    """The offline provider only (the default); a test puts a stub beside it."""
    return LLMRouter({"offline": OfflineLLM(ResumeGenerationContext.offline_writers)})


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
