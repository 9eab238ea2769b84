"""The embedded host and the qh command."""

from __future__ import annotations

import dataclasses
import socket
from typing import Any

import httpx
from click.testing import CliRunner
from litestar import MediaType, get

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
            index = await client.get("/services")
            assert index.status_code == 200
            assert "/api/v1/demo/docs" in index.text
            home = await client.get("/")  # no service at /: the index is the way in
            assert home.status_code == 307
            assert home.headers["location"] == "/services"
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


@get("/", media_type=MediaType.HTML, sync_to_thread=False)
def home() -> str:
    return "<!doctype html><title>home</title><p>the pages at /</p>"


@get("/about", media_type=MediaType.HTML, sync_to_thread=False)
def about() -> str:
    return "<!doctype html><title>about</title><p>about</p>"


async def test_a_service_at_the_root_takes_every_path_the_host_and_apis_leave(
    demo: Any, database_url: str, tokens: Any
) -> None:
    """The web client is mounted at ``/``: it serves ``/`` and any path no API prefix claims,
    while ``/services``, ``/health/*`` and ``/metrics`` stay the host's and every API keeps
    its own prefix."""
    from qh.kit.testing import jwks_app

    pages = dataclasses.replace(
        demo.DEMO,
        slug="pages",
        prefix="/",
        title="Pages",
        route_handlers=[home, about],
        subscribers=[],
        public_routes=True,
    )
    platform = Platform(
        [pages, demo.DEMO],
        environ={},
        database_url=database_url,
        public_base_url="http://testserver",
        auth_issuer="http://testserver/api/v1/auth",
    )
    platform.runtime.attach("auth", jwks_app(tokens))
    async with platform:
        transport = httpx.ASGITransport(app=platform)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            root = await client.get("/")
            assert root.status_code == 200
            assert "the pages at /" in root.text
            assert "script-src 'self'" in root.headers["content-security-policy"]
            assert (await client.get("/about")).text.endswith("<p>about</p>")
            index = await client.get("/services")
            assert "/api/v1/demo/docs" in index.text
            assert "Pages" in index.text
            ready = await client.get("/health/ready")
            assert set(ready.json()["services"]) == {"pages", "demo"}
            assert 'service="demo"' in (await client.get("/metrics")).text
            created = await client.post(
                "/api/v1/demo/notes", json={"text": "hi"}, headers=tokens.headers()
            )
            assert created.status_code == 201
            # An unknown path falls to the service at /, which answers the usual problem.
            missing = await client.get("/api/v1/nothing")
            assert missing.status_code == 404
            assert missing.headers["content-type"].startswith("application/problem+json")
            # Its docs sit at the root, with assets that are not protocol-relative URLs.
            docs = await client.get("/docs")
            assert docs.status_code == 200
            assert 'src="/docs/assets/swagger-ui-bundle.js' in docs.text
            assert 'data-spec-url="/openapi.json"' in docs.text
            asset = await client.get("/docs/assets/qh-swagger-init.js")
            assert asset.status_code == 200
            schema = await client.get("/openapi.json")
            assert set(schema.json()["paths"]) == {"/", "/about"}
