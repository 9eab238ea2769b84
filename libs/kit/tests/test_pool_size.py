"""How many connections a service opens to PostgreSQL: ``database_pool_size`` at most,
requests beyond it wait for one instead of failing; ``qh dev``, which hosts every service
in one process, gives each a pool of 5 so that together they stay under PostgreSQL's
default ``max_connections`` (100). Nine services at 20 each reached 96 connections under
load (benchmarks/load)."""

from __future__ import annotations

import asyncio
import os
import socket
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from litestar import Litestar
from sqlalchemy import event

from qh.kit import cli
from qh.kit.testing import TokenFactory, settings_for_tests


@pytest.fixture
def db_backend(qh_postgres_url: str) -> str:
    return "postgres"


@pytest.fixture
def settings(database_url: str, service_definition: Any) -> Any:
    return settings_for_tests(service_definition, database_url, database_pool_size=2)


@pytest.mark.postgres
async def test_requests_share_the_pool_and_open_no_more(
    app: Litestar, client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    engine = app.state.qh.db.get_engine()
    await engine.dispose()
    opened: list[object] = []
    event.listen(engine.sync_engine.pool, "connect", lambda *_: opened.append(1))
    headers = tokens.headers("3b1c8a6e-8a57-4a43-9d1e-3c1f2b7a9e07")

    responses = await asyncio.gather(
        *(
            client.post("/api/v1/demo/notes", json={"text": f"note {i}"}, headers=headers)
            for i in range(12)
        )
    )

    assert [r.status_code for r in responses] == [201] * 12
    assert 1 <= len(opened) <= 2
    listed = await client.get("/api/v1/demo/notes", params={"limit": 50}, headers=headers)
    texts = {item["text"] for item in listed.json()["items"]}
    assert {f"note {i}" for i in range(12)} <= texts


def test_qh_dev_gives_each_service_a_small_pool(
    monkeypatch: pytest.MonkeyPatch, service_definition: Any
) -> None:
    seen: dict[str, Any] = {}

    def run(*_args: Any, **_kwargs: Any) -> None:
        seen["pool"] = service_definition.load_settings().database_pool_size

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", run)
    monkeypatch.delenv("QH_DATABASE_POOL_SIZE", raising=False)
    monkeypatch.delenv("QH_DEMO_DATABASE_POOL_SIZE", raising=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environ = dict(os.environ)
    try:
        result = CliRunner().invoke(cli.main, ["dev", "--port", str(port)])
        assert result.exit_code == 0, result.output
        assert seen["pool"] == 5
        os.environ.clear()
        os.environ.update(environ)
        # A pool size the developer set wins.
        result = CliRunner(env={"QH_DATABASE_POOL_SIZE": "12"}).invoke(
            cli.main, ["dev", "--port", str(port)]
        )
        assert result.exit_code == 0, result.output
        assert seen["pool"] == 12
    finally:  # qh dev's defaults stay out of the other tests
        os.environ.clear()
        os.environ.update(environ)
