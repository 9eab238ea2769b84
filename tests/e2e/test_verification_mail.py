"""A newcomer in ``qh dev``: registers, finds the verification mail in the dev mailbox,
opens its link (auth's own page when no front end is set) and presses the button the way
a browser posts the form; the account is then verified."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import anyio
import httpx
import pytest

from qh.kit.host import Platform, discover_services

BASE = "http://testserver"


@pytest.fixture
async def platform(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    services = discover_services()
    if not {"auth", "notification"} <= set(services):
        pytest.fail("the auth and notification services must be installed in the workspace")
    host = Platform(
        [services["auth"], services["notification"]],
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
            yield client
        await host.runtime.drain()


async def test_register_then_follow_the_mailed_link(platform: httpx.AsyncClient) -> None:
    email, password = "newcomer@example.ru", "Sibirskaya-Korona-2026"
    registered = await platform.post(
        "/api/v1/auth/register",
        json={"email": email, "password": password, "full_name": "Пётр Новиков"},
    )
    assert registered.status_code == 201, registered.text

    mails: list[dict[str, object]] = []
    for _ in range(200):
        listed = await platform.get("/api/v1/notifications/dev/mailbox/")
        assert listed.status_code == 200, listed.text
        mails = [m for m in listed.json() if m["to"] == email and "verify" in str(m["links"])]
        if mails:
            break
        await anyio.sleep(0.05)
    assert mails, "no verification mail arrived in the dev mailbox"
    mail = (await platform.get(f"/api/v1/notifications/dev/mailbox/{mails[0]['id']}")).json()
    assert "Пётр Новиков" in mail["text"]
    link = next(url for url in mail["links"] if "verify-email" in url)
    assert link.startswith(f"{BASE}/api/v1/auth/verify-email?token=")

    page = await platform.get(link)
    assert page.status_code == 200
    token = re.search(r'name=token value="([^"]+)"', page.text)
    assert token is not None, page.text
    path = urlsplit(link).path
    confirmed = await platform.post(
        path,
        data={"token": token.group(1)},
        headers={"Origin": BASE, "Sec-Fetch-Site": "same-origin"},
    )
    assert confirmed.status_code == 200, confirmed.text

    login = await platform.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": password},
    )
    bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
    me = await platform.get("/api/v1/auth/me", headers=bearer)
    assert me.json()["email_verified"] is True
    # The link is spent: the same form again is refused.
    again = await platform.post(path, data={"token": token.group(1)}, headers={"Origin": BASE})
    assert again.status_code == 400
