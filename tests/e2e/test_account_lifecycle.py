"""An account's life across services, in one process as ``qh dev`` runs them: registering
creates the profile (user.registered), the auth service's tokens open the profile, and
deleting the account erases the profile (user.deleted)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import httpx
import pytest

from qh.kit.host import Platform, discover_services

BASE = "http://testserver"


@pytest.fixture
async def platform(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    services = discover_services()
    if not {"auth", "user-data"} <= set(services):
        pytest.fail("the auth and user-data services must be installed in the workspace")
    host = Platform(
        [services["auth"], services["user-data"]],
        environ={},
        data_dir=str(tmp_path),
        public_base_url=BASE,
        event_backoff_seconds=0.01,
        outbox_poll_seconds=0.1,
        log_format="console",
    )
    async with host:
        transport = httpx.ASGITransport(app=host)
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            client.host = host  # type: ignore[attr-defined]
            yield client
        await host.runtime.drain()


def host_services(client: httpx.AsyncClient) -> list:  # type: ignore[type-arg]
    return client.host.mounted  # type: ignore[attr-defined,no-any-return]


async def eventually(check: object, attempts: int = 100) -> httpx.Response:
    response = None
    for _ in range(attempts):
        response = await check()  # type: ignore[operator]
        if response.status_code == 200:
            return response
        await anyio.sleep(0.05)
    assert response is not None
    return response


async def test_register_then_profile_then_delete(platform: httpx.AsyncClient) -> None:
    email = "Anna.Ivanova@Example.ru"
    registered = await platform.post(
        "/api/v1/auth/register",
        json={"email": email, "password": "Sibirskaya-Korona-2026", "full_name": "Анна Иванова"},
    )
    assert registered.status_code == 201, registered.text
    user_id = registered.json()["id"]

    token = await platform.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": "Sibirskaya-Korona-2026"},
    )
    assert token.status_code == 200, token.text
    bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
    me = await platform.get("/api/v1/auth/me", headers=bearer)
    assert me.json()["id"] == user_id
    assert me.json()["email"] == email.lower()

    # user-data verifies the token with keys fetched from auth through the runtime.
    profile = await eventually(lambda: platform.get("/api/v1/profile/me", headers=bearer))
    assert profile.status_code == 200, profile.text
    body = profile.json()
    assert body["full_name"] == "Анна Иванова"

    deleted = await platform.delete("/api/v1/auth/me", headers=bearer)
    assert deleted.status_code == 204

    # The still-unexpired token of the deleted account is refused by user-data as soon
    # as it hears of the deletion, and nothing it sends recreates a profile.
    for _ in range(100):
        current = await platform.get("/api/v1/profile/me", headers=bearer)
        if current.status_code == 401:
            break
        await anyio.sleep(0.05)
    assert current.status_code == 401, current.text
    write = await platform.post(
        "/api/v1/profile/me/skills", json={"name": "Python"}, headers=bearer
    )
    assert write.status_code == 401
    assert (await platform.put("/api/v1/profile/me", json={}, headers=bearer)).status_code == 401
    await platform.get("/health/ready")
    user_data = next(m for m in host_services(platform) if m.definition.slug == "user-data")
    async with user_data.app.state.qh.session() as session:
        from sqlalchemy import text

        rows = await session.scalar(text("SELECT count(*) FROM profile"))
    assert rows == 0
