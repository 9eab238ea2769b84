"""The embedded host and the qh command."""

from __future__ import annotations

import socket
from typing import Any

import httpx
from click.testing import CliRunner

from qh.kit import cli
from qh.kit.host import Platform


async def test_platform_mounts_services_at_their_prefix(
    demo: Any, database_url: str, tokens: Any, inbound: Any
) -> None:
    from qh.kit.testing import jwks_app

    platform = Platform(
        [demo.DEMO],
        environ={},
        database_url=database_url,
        public_base_url="http://testserver",
        auth_issuer="http://testserver/api/v1/auth",
        event_backoff_seconds=0.01,
    )
    platform.runtime.attach("auth", jwks_app(tokens))
    async with platform:
        transport = httpx.ASGITransport(app=platform)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            index = await client.get("/")
            assert index.status_code == 200
            assert "/api/v1/demo/docs" in index.text
            ready = await client.get("/health/ready")
            assert ready.status_code == 200
            assert ready.json()["services"]["demo"] == {"database": True, "runtime": True}
            created = await client.post(
                "/api/v1/demo/notes", json={"text": "hi"}, headers=tokens.headers()
            )
            assert created.status_code == 201
            missing = await client.get("/api/v1/nothing")
            assert missing.status_code == 404
            assert missing.headers["content-type"].startswith("application/problem+json")
            metrics = await client.get("/metrics")
            assert 'service="demo"' in metrics.text
            await platform.service("demo").app.state.qh.outbox.relay_once()
            await platform.runtime.drain()
            assert inbound.processed, "the event crossed the shared runtime"


def test_unknown_slug_is_a_clear_error() -> None:
    result = CliRunner().invoke(cli.main, ["openapi", "no-such-service"])
    assert result.exit_code != 0
    assert "unknown service 'no-such-service'" in result.output


def test_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = CliRunner().invoke(cli.main, ["dev", "--port", str(port)])
    assert result.exit_code != 0
    assert f"port {port} on 127.0.0.1 is in use" in result.output
