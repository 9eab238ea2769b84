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
from litestar import Litestar

from qh.kit.app import ServiceDefinition
from qh.kit.runtime import LocalRuntime
from qh.kit.testing import TokenFactory, jwks_app, running, test_settings
from qh.user_data.app import create_app, service

FIXTURES = Path(__file__).parent / "fixtures"
PREFIX = "/api/v1/profile"


@pytest.fixture
def service_definition() -> ServiceDefinition:
    return service


@pytest.fixture
def runtime(tokens: TokenFactory) -> LocalRuntime:
    runtime = LocalRuntime(max_attempts=4, backoff_seconds=0.01, backoff_max_seconds=0.02)
    runtime.attach("auth", jwks_app(tokens))
    return runtime


@pytest.fixture
def app(database_url: str, runtime: LocalRuntime) -> Litestar:
    return create_app(test_settings(service, database_url), runtime=runtime)  # type: ignore[arg-type]


@pytest.fixture
async def client(app: Litestar, runtime: LocalRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with running(app, runtime) as client:
        yield client


class User:
    """One caller: ``await alice.get("/me")`` sends her token to ``/api/v1/profile/me``."""

    def __init__(
        self, client: httpx.AsyncClient, tokens: TokenFactory, roles: tuple[str, ...] = ("user",)
    ) -> None:
        self.id = uuid.uuid4()
        self.client = client
        self.headers = tokens.headers(self.id, roles)

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.request(method, PREFIX + path, headers=self.headers, **kwargs)

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
def alice(client: httpx.AsyncClient, tokens: TokenFactory) -> User:
    return User(client, tokens)


@pytest.fixture
def bob(client: httpx.AsyncClient, tokens: TokenFactory) -> User:
    return User(client, tokens)


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
}


@pytest.fixture
def ud() -> Any:
    """This module's helpers (tests cannot import conftest under importlib mode)."""
    import sys

    return sys.modules[__name__]
