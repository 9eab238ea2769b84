"""Checks every service gets for free. A service's ``tests/test_platform.py`` imports
them (pytest collects imported test functions), given the ``service_definition``
fixture of its ``conftest.py``::

    from qh.kit.testing.checks import *  # noqa: F403
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from qh.kit.app import ServiceDefinition
from qh.kit.testing import settings_for_tests

__all__ = [
    "test_every_operation_documents_its_problems",
    "test_migrations_match_the_models",
]


async def test_migrations_match_the_models(
    database_url: str, service_definition: ServiceDefinition[Any]
) -> None:
    """The migrations build exactly the schema the models describe (SQLite and
    PostgreSQL): a model changed without a migration fails here."""
    metadata = service_definition.create_context(
        settings_for_tests(service_definition, database_url)
    ).metadata
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), metadata
                )
            )
    finally:
        await engine.dispose()
    assert differences == []


def test_every_operation_documents_its_problems(
    service_definition: ServiceDefinition[Any], tmp_path: Any
) -> None:
    """The OpenAPI document builds, every operation sits under the service's prefix and
    lists its RFC 9457 problem responses. A service at ``/`` (the web client) takes what
    the APIs leave, so none of its paths may sit under ``/api/``, where they live."""
    settings = settings_for_tests(
        service_definition, f"sqlite+aiosqlite:///{tmp_path / 'openapi.db'}"
    )
    document = service_definition.create_app(settings).openapi_schema.to_schema()
    assert document["paths"], "the service has no documented routes"
    for path, operations in document["paths"].items():
        assert path.startswith(service_definition.prefix), path
        if service_definition.prefix == "/":
            assert not path.startswith("/api/"), f"{path} would shadow the APIs' paths"
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "422" in responses, f"{method.upper()} {path}"
            assert "application/problem+json" in responses["422"]["content"], path
