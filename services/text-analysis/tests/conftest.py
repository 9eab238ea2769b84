"""Fixtures for the text-analysis tests: the app on a fresh migrated database, a stand-in
auth, user-data and job-data (small Litestar apps attached to the LocalRuntime under their
app ids), a recorder of analysis.completed, and callers."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import Litestar, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody

from qh.contracts import ANALYSIS_COMPLETED
from qh.kit.app import ServiceDefinition
from qh.kit.runtime import LocalRuntime, Subscription
from qh.kit.testing import TokenFactory, jwks_app, running, settings_for_tests
from qh.text_analysis.app import service

PREFIX = "/api/v1/analysis"


@pytest.fixture
def service_definition() -> ServiceDefinition:
    return service


def subject(request: Request[Any, Any, Any]) -> str:
    """The caller of a stub (the token's ``sub``; the real services verify it)."""
    token = request.headers.get("authorization", "").removeprefix("Bearer ")
    if not token:
        raise NotFoundException()
    payload = token.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"])


class Others:
    """Stand-ins for user-data (profiles by user id) and job-data (vacancies with owners)."""

    def __init__(self) -> None:
        self.profiles: dict[str, dict[str, Any]] = {}
        self.vacancies: dict[str, tuple[str, dict[str, Any]]] = {}
        self.calls: list[tuple[str, str, str | None]] = []
        self.events: list[dict[str, Any]] = []

        @get("/api/v1/profile/me/export", sync_to_thread=False)
        def export(
            request: Request[Any, Any, Any], format: FromQuery[str] = "qh"
        ) -> dict[str, Any]:
            who = subject(request)
            self.calls.append(("user-data", who, request.headers.get("authorization")))
            return self.profiles.get(who, {"schema_version": "1.0", "personal": {}})

        @get("/api/v1/vacancies/{vacancy_id:str}", sync_to_thread=False)
        def vacancy(request: Request[Any, Any, Any], vacancy_id: FromPath[str]) -> dict[str, Any]:
            who = subject(request)
            self.calls.append(("job-data", who, request.headers.get("authorization")))
            owner, record = self.vacancies.get(vacancy_id, ("", {}))
            if owner != who:
                raise NotFoundException()
            return record

        @post("/events/analysis", status_code=200, sync_to_thread=False)
        def receive(data: JSONBody[dict[str, Any]]) -> dict[str, str]:
            self.events.append(data)
            return {"status": "SUCCESS"}

        self.user_data = Litestar([export], openapi_config=None, logging_config=None)
        self.job_data = Litestar([vacancy], openapi_config=None, logging_config=None)
        self.recorder = Litestar([receive], openapi_config=None, logging_config=None)


@pytest.fixture
def others() -> Others:
    return Others()


@pytest.fixture
def runtime(tokens: TokenFactory, others: Others) -> LocalRuntime:
    runtime = LocalRuntime(max_attempts=3, backoff_seconds=0.01, backoff_max_seconds=0.02)
    runtime.attach("auth", jwks_app(tokens))
    runtime.attach("user-data", others.user_data)
    runtime.attach("job-data", others.job_data)
    runtime.attach(
        "recorder",
        others.recorder,
        [
            Subscription(
                ANALYSIS_COMPLETED.name,
                "/events/analysis",
                ANALYSIS_COMPLETED.dead_letter_for("recorder"),
            )
        ],
    )
    return runtime


@pytest.fixture
def app(database_url: str, runtime: LocalRuntime) -> Litestar:
    return service.create_app(settings_for_tests(service, database_url), runtime=runtime)


@pytest.fixture
async def client(app: Litestar, runtime: LocalRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with running(app, runtime) as client:
        yield client


class User:
    def __init__(self, client: httpx.AsyncClient, tokens: TokenFactory) -> None:
        self.id = uuid.uuid4()
        self.client = client
        self.headers = tokens.headers(self.id)

    async def post(self, path: str, body: Any) -> httpx.Response:
        return await self.client.post(PREFIX + path, json=body, headers=self.headers)

    async def get(self, path: str) -> httpx.Response:
        return await self.client.get(PREFIX + path, headers=self.headers)


@pytest.fixture
def alice(client: httpx.AsyncClient, tokens: TokenFactory) -> User:
    return User(client, tokens)


@pytest.fixture
def bob(client: httpx.AsyncClient, tokens: TokenFactory) -> User:
    return User(client, tokens)
