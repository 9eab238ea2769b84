"""pytest plugin (registered by qh-kit): shared fixtures for every package's tests.

A service's ``conftest.py`` defines ``service_definition``; then ``database_url`` runs each
test on SQLite and on PostgreSQL. PostgreSQL comes from ``QH_TEST_POSTGRES_URL``: without
it those tests are skipped locally, and under ``CI=true`` they fail, never skip.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from qh.kit.testing import DatabaseFactory, TokenFactory, _pg_execute, in_thread, under_ci

POSTGRES_ENV = "QH_TEST_POSTGRES_URL"


def _postgres_problem(url: str | None) -> str | None:
    if not url:
        return f"{POSTGRES_ENV} is not set"
    try:
        in_thread(asyncio.run, _pg_execute(url, "SELECT 1"))
    except Exception as exc:
        return f"PostgreSQL at {POSTGRES_ENV} is unreachable: {type(exc).__name__}: {exc}"
    return None


@pytest.fixture(scope="session")
def qh_postgres_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    problem = _postgres_problem(url)
    if problem:
        if under_ci():
            pytest.fail(f"{problem} (CI=true: PostgreSQL tests must run)")
        pytest.skip(problem)
    assert url
    return url


@pytest.fixture(scope="session")
def qh_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    url = os.environ.get(POSTGRES_ENV)
    factory = DatabaseFactory(Path(tmp_path_factory.mktemp("qh-db")), url)
    yield factory
    factory.drop_all()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        request.getfixturevalue("qh_postgres_url")
    return str(request.param)


@pytest.fixture
def database_url(db_backend: str, service_definition: object, qh_databases: DatabaseFactory) -> str:
    """A fresh database for ``service_definition``, schema built by its migrations."""
    return qh_databases.create(service_definition, db_backend)  # type: ignore[arg-type]


@pytest.fixture
def tokens() -> TokenFactory:
    return TokenFactory()


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: needs PostgreSQL (QH_TEST_POSTGRES_URL)")
