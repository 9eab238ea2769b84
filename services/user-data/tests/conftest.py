"""Fixtures for the user-data tests: the app on a fresh migrated database, a stand-in auth,
and helpers to call it as one user or another."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar, post
from litestar.params import JSONBody

from qh.contracts import PROFILE_UPDATED
from qh.kit.app import ServiceDefinition
from qh.kit.runtime import LocalRuntime, Subscription
from qh.kit.testing import TokenFactory, jwks_app, running, settings_for_tests
from qh.user_data.app import service

FIXTURES = Path(__file__).parent / "fixtures"
PREFIX = "/api/v1/profile"


@pytest.fixture
def service_definition() -> ServiceDefinition:
    return service


class Recorder:
    """A stand-in consumer of profile.updated: keeps every event it is given."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

        @post("/events/profile", status_code=200, sync_to_thread=False)
        def receive(data: JSONBody[dict[str, Any]]) -> dict[str, str]:
            self.events.append(data)
            return {"status": "SUCCESS"}

        self.app = Litestar([receive], openapi_config=None, logging_config=None)

    def payloads(self) -> list[dict[str, Any]]:
        return [event["data"] for event in self.events]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def make_runtime(tokens: TokenFactory, recorder: Recorder) -> LocalRuntime:
    runtime = LocalRuntime(max_attempts=4, backoff_seconds=0.01, backoff_max_seconds=0.02)
    runtime.attach("auth", jwks_app(tokens))
    runtime.attach(
        "recorder",
        recorder.app,
        [
            Subscription(
                PROFILE_UPDATED.name, "/events/profile", PROFILE_UPDATED.dead_letter_for("recorder")
            )
        ],
    )
    return runtime


@pytest.fixture
def runtime(tokens: TokenFactory, recorder: Recorder) -> LocalRuntime:
    return make_runtime(tokens, recorder)


@pytest.fixture
def app(database_url: str, runtime: LocalRuntime) -> Litestar:
    """An app on a database of its own (for tests that count rows or change settings)."""
    return service.create_app(settings_for_tests(service, database_url), runtime=runtime)


@pytest.fixture
async def own_client(app: Litestar, runtime: LocalRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with running(app, runtime) as client:
        yield client


# Most tests share one running app per backend: each test acts as users of its own
# (fresh ids), so they cannot see each other's data, and the suite stays fast.


class Shared:
    def __init__(
        self, app: Litestar, runtime: LocalRuntime, recorder: Recorder, tokens: TokenFactory
    ) -> None:
        self.app, self.runtime, self.recorder, self.tokens = app, runtime, recorder, tokens
        self.client: httpx.AsyncClient


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    """One event loop for the whole session, so the shared app can outlive a test."""
    return "asyncio"


@pytest.fixture(
    scope="package", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def shared_backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        request.getfixturevalue("qh_postgres_url")
    return str(request.param)


@pytest.fixture(scope="package")
async def shared(shared_backend: str, qh_databases: Any) -> AsyncIterator[Shared]:
    tokens, recorder = TokenFactory(), Recorder()
    runtime = make_runtime(tokens, recorder)
    url = qh_databases.create(service, shared_backend)
    app = service.create_app(settings_for_tests(service, url), runtime=runtime)
    state = Shared(app, runtime, recorder, tokens)
    async with running(app, runtime) as client:
        state.client = client
        yield state


@pytest.fixture
def client(shared: Shared) -> httpx.AsyncClient:
    return shared.client


class User:
    """One caller: ``await alice.get("/me")`` sends her token to ``/api/v1/profile/me``."""

    def __init__(
        self, client: httpx.AsyncClient, tokens: TokenFactory, roles: tuple[str, ...] = ("user",)
    ) -> None:
        self.id = uuid.uuid4()
        self.client = client
        self.headers = tokens.headers(self.id, roles)

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return await self.client.request(method, PREFIX + path, headers=headers, **kwargs)

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", path, **kwargs)

    async def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PUT", path, **kwargs)

    async def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PATCH", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", path, **kwargs)


@pytest.fixture
def alice(shared: Shared) -> User:
    return User(shared.client, shared.tokens)


@pytest.fixture
def bob(shared: Shared) -> User:
    return User(shared.client, shared.tokens)


def fields_of(response: httpx.Response) -> dict[str, str]:
    """The 422 problem's field errors as {field: message}."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def load_fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text("utf-8"))


# A valid item of each section.
VALID: dict[str, dict[str, Any]] = {
    "education": {
        "institution": "МГУ",
        "degree": "Магистр",
        "field": "Математика",
        "start_date": "2010",
        "end_date": "2016-06",
    },
    "experience": {
        "company": "Яндекс",
        "position": "Разработчик",
        "start_date": "2019-02",
        "end_date": None,
        "highlights": ["Ускорил поиск"],
        "skills": ["Python"],
    },
    "skills": {"name": "Python", "level": "expert", "years": 6, "keywords": ["asyncio"]},
    "languages": {"name": "Русский", "code": "ru", "level": "native"},
    "achievements": {"title": "Хакатон", "date": "2021-10"},
    "certificates": {
        "name": "AWS SAA",
        "issuer": "Amazon",
        "date": "2023-01",
        "url": "https://aws.amazon.com",
    },
    "projects": {
        "name": "pymorphy-fast",
        "url": "https://github.com/x/y",
        "start_date": "2022",
        "end_date": "2023",
        "roles": ["Автор"],
        "keywords": ["Rust"],
    },
    "volunteer": {
        "organization": "Фонд «Время жить»",
        "position": "Волонтёр",
        "start_date": "2020-05",
        "end_date": "2021",
        "highlights": ["Сделал сайт"],
    },
    "publications": {
        "name": "Асинхронный Python",
        "publisher": "Хабр",
        "release_date": "2023-04",
        "url": "https://habr.com/ru/articles/1",
    },
    "interests": {"name": "Шахматы", "keywords": ["блиц"]},
    "references": {"name": "Анна Смирнова", "reference": "Надёжный инженер."},
}
# The field each section's PATCH tests change.
TEXT_FIELD = {
    "education": "degree",
    "experience": "location",
    "skills": "name",
    "languages": "name",
    "achievements": "awarder",
    "certificates": "issuer",
    "projects": "description",
    "volunteer": "description",
    "publications": "description",
    "interests": "name",
    "references": "reference",
}


@pytest.fixture
def ud() -> Any:
    """This module's helpers (tests cannot import conftest under importlib mode)."""
    import sys

    return sys.modules[__name__]


async def published(shared: Shared, user: User) -> list[dict[str, Any]]:
    """Relay what the outbox holds; the profile.updated payloads about ``user`` so far."""
    await shared.app.state.qh.outbox.relay_once()
    await shared.runtime.drain()
    return [p for p in shared.recorder.payloads() if p["user_id"] == str(user.id)]
