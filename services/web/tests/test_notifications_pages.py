"""The notification pages against the real notification service (with auth, user-data and
doc-storage) in one process: the bell, the inbox (mark one, mark all), the preferences
with their errors in both languages, the pass for the live socket, other users' 404."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from qh.kit.host import Platform, discover_services

BASE = "https://testserver"  # as conftest: the cookies are Secure

SERVICES = ("auth", "user-data", "doc-storage", "notification", "web")


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def platform(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    """One platform for this file's tests (each signs up its own users)."""
    found = discover_services()
    host = Platform(
        [found[slug] for slug in SERVICES],
        environ={},
        data_dir=str(tmp_path_factory.mktemp("qh")),
        public_base_url=BASE,
        event_backoff_seconds=0.01,
        outbox_poll_seconds=0.1,
        log_format="console",
        log_level="WARNING",
    )
    async with host:
        yield host
        await host.runtime.drain()


def someone(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}@example.com"


async def inbox_after_sign_up(browser: Any, platform: Platform, email: str) -> str:
    await browser.sign_up(email)
    # user.registered → the welcome; auth.signed_in from a new device → its alert
    await unread_becomes(browser, platform, 2)
    page = await browser.get("/notifications")
    assert page.status_code == 200, page.text
    return page.text


async def share_a_document(browser: Any, platform: Platform) -> None:
    """A share link makes a ``document_shared`` message for the owner."""
    await browser.get("/documents")
    uploaded = await browser.client.post(
        "/documents/",
        data={"csrf_token": browser.token, "title": "CV"},
        files={"file": ("cv.txt", b"Ada Lovelace\n", "text/plain")},
    )
    assert uploaded.status_code == 303, uploaded.text
    await browser.get(uploaded.headers["location"])
    shared = await browser.post(f"{uploaded.headers['location']}/share", {"expires_in": "3600"})
    assert shared.status_code == 200, shared.text
    await platform.runtime.drain()


async def unread_becomes(browser: Any, platform: Platform, expected: int) -> None:
    """The share's event goes through doc-storage's outbox, then the bus: wait for it."""
    count = None
    for _ in range(100):
        await platform.runtime.drain()
        count = (await browser.client.get("/notifications/unread")).json()["unread"]
        if count == expected:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"unread stayed {count}, expected {expected}")


def unread_ids(html: str) -> list[str]:
    return re.findall(r'action="/notifications/([0-9a-f-]{36})/read"', html)


async def test_the_bell_is_on_signed_in_pages_only(browser: Any) -> None:
    anonymous = await browser.get("/")
    assert 'id="bell"' not in anonymous.text
    assert "notifications.js" not in anonymous.text
    await browser.sign_up(someone("ada"))
    page = await browser.get("/profile")
    assert 'id="bell"' in page.text
    script = re.search(r'<script src="(/static/notifications\.js\?v=[0-9a-f]+)" defer>', page.text)
    assert script, "the bell's script comes from the package"
    served = await browser.client.get(script.group(1))
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("text/javascript")
    assert b"WebSocket" in served.content
    assert "<script>" not in page.text  # still no inline script


async def test_inbox_lists_marks_one_and_marks_all(browser: Any, platform: Platform) -> None:
    html = await inbox_after_sign_up(browser, platform, someone("ada"))
    before = unread_ids(html)  # the welcome, and the sign-in from a new device
    assert before
    assert (await browser.client.get("/notifications/unread")).json() == {"unread": len(before)}
    await share_a_document(browser, platform)
    await unread_becomes(browser, platform, len(before) + 1)
    counted = await browser.client.get("/notifications/unread")
    assert counted.headers["cache-control"] == "no-store"

    page = await browser.get("/notifications")
    assert "A share link to" in page.text
    first, *rest = unread_ids(page.text)  # newest first: the share
    assert first not in before
    marked = await browser.post(f"/notifications/{first}/read", {})
    assert marked.status_code == 303
    counted = await browser.client.get("/notifications/unread")
    assert counted.json() == {"unread": len(before)}
    page = await browser.get("/notifications")
    assert unread_ids(page.text) == rest

    everything = await browser.post("/notifications/read-all", {})
    assert everything.status_code == 303
    page = await browser.follow(everything)
    assert "Everything is marked as read." in page.text
    assert unread_ids(page.text) == []
    assert "Mark all as read" not in page.text
    assert (await browser.client.get("/notifications/unread")).json() == {"unread": 0}


async def test_another_users_notification_is_not_found(
    browser: Any, other: Any, platform: Platform
) -> None:
    html = await inbox_after_sign_up(browser, platform, someone("ada"))
    mine = unread_ids(html)[0]
    await other.sign_up(someone("grace"))
    await other.get("/notifications")
    refused = await other.post(f"/notifications/{mine}/read", {})
    assert refused.status_code == 404
    assert "найден" in refused.text  # "Не найдено…" in Russian
    assert mine in unread_ids((await browser.get("/notifications")).text)


async def test_forms_and_the_live_pass_need_the_csrf_token(
    browser: Any, platform: Platform
) -> None:
    await inbox_after_sign_up(browser, platform, someone("ada"))
    assert (await browser.post("/notifications/read-all", {}, csrf=False)).status_code == 403
    assert (await browser.client.post("/notifications/live")).status_code == 403
    forged = await browser.client.post("/notifications/live", headers={"X-CSRF-Token": "x" * 64})
    assert forged.status_code == 403


async def test_the_live_pass_is_a_short_lived_access_token_not_the_session(
    browser: Any, platform: Platform
) -> None:
    html = await inbox_after_sign_up(browser, platform, someone("ada"))
    response = await browser.client.post(
        "/notifications/live", headers={"X-CSRF-Token": browser.token}
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert "set-cookie" not in response.headers
    body = response.json()
    assert body["socket"] == "/api/v1/notifications/ws"
    assert 0 < body["expires_in"] <= 3600
    # It is the user's access token: the notification API answers it (the socket checks
    # it with the same verifier), and it is no refresh token auth would renew.
    api = await browser.client.get(
        "/api/v1/notifications/unread-count",
        headers={"Authorization": f"Bearer {body['token']}"},
    )
    assert api.json() == {"unread": len(unread_ids(html))}
    refresh = await browser.client.post(
        "/api/v1/auth/token", data={"grant_type": "refresh_token", "refresh_token": body["token"]}
    )
    assert refresh.status_code in (401, 422)  # not a refresh token
    # Signed out, there is no pass.
    await browser.post("/signout", {})
    await browser.get("/")
    gone = await browser.client.post("/notifications/live", headers={"X-CSRF-Token": browser.token})
    assert gone.status_code == 303
    assert gone.headers["location"].startswith("/signin")


async def test_preferences_per_kind_and_quiet_hours_are_saved(
    browser: Any, platform: Platform
) -> None:
    await inbox_after_sign_up(browser, platform, someone("ada"))
    page = await browser.get("/notifications/preferences")
    assert page.status_code == 200
    assert 'value="document_shared.sms"' in page.text
    assert 'value="all.email" checked' in page.text  # the defaults: e-mail on, SMS off
    assert 'value="all.sms">' in page.text
    # The person ticks SMS for shared documents and unticks push for them.
    shown = set(re.findall(r'name="on" value="([^"]+)"[^>]*checked', page.text))
    assert {"all.email", "welcome.email", "document_shared.push"} <= shown
    saved = await browser.post(
        "/notifications/preferences",
        {
            "on": sorted(shown - {"document_shared.push"} | {"document_shared.sms"}),
            "locale": "ru",
            "time_zone": "Europe/Moscow",
            "phone": "+7 916 123-45-67",
            "quiet": "on",
            "quiet_start": "22:30",
            "quiet_end": "07:00",
        },
    )
    assert saved.status_code == 303, saved.text
    page = await browser.follow(saved)
    assert "Your preferences are saved." in page.text
    assert 'value="document_shared.sms" id="c-document_shared-sms"' in page.text
    assert re.search(r'value="document_shared\.sms"[^>]*checked', page.text)
    assert not re.search(r'value="welcome\.sms"[^>]*checked', page.text)
    assert not re.search(r'value="document_shared\.push"[^>]*checked', page.text)
    assert 'value="22:30"' in page.text
    assert 'value="+79161234567"' in page.text
    # What the service keeps: only where a kind differs from its channel.
    token = (
        await browser.client.post("/notifications/live", headers={"X-CSRF-Token": browser.token})
    ).json()["token"]
    prefs = (
        await browser.client.get(
            "/api/v1/notifications/preferences", headers={"Authorization": f"Bearer {token}"}
        )
    ).json()
    assert prefs["channels"] == {"email": True, "sms": False, "push": True, "websocket": True}
    assert prefs["kinds"] == {"document_shared": {"sms": True, "push": False}}
    assert prefs["quiet_hours"] == {"start": "22:30", "end": "07:00"}
    assert prefs["time_zone"] == "Europe/Moscow"
    assert prefs["locale"] == "ru"


async def test_preference_errors_are_shown_beside_their_fields_in_russian(
    other: Any, platform: Platform
) -> None:
    await other.sign_up(someone("grace"))
    await other.get("/notifications/preferences")
    form = {
        "on": ["all.email", "all.sms"],
        "locale": "ru",
        "time_zone": "Europe/Moscow",
        "phone": "",
        "quiet": "on",
        "quiet_start": "25:00",
        "quiet_end": "07:00",
    }
    refused = await other.post("/notifications/preferences", form)
    assert refused.status_code == 422
    assert 'id="e-phone"' in refused.text
    assert "Укажите телефон" in refused.text
    assert 'id="e-quiet_start"' in refused.text
    assert 'value="25:00"' in refused.text  # what was typed is kept
    zone = await other.post(
        "/notifications/preferences",
        {**form, "on": ["all.email"], "quiet_start": "22:00", "time_zone": "Mars/Olympus"},
    )
    assert zone.status_code == 422, zone.text
    assert 'id="e-time_zone"' in zone.text
    assert "Europe/Moscow" in zone.text
    assert 'value="Mars/Olympus"' in zone.text


async def test_the_sign_in_alert_names_the_visitors_browser(
    browser: Any, platform: Platform
) -> None:
    firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    browser.client.headers["User-Agent"] = firefox
    html = await inbox_after_sign_up(browser, platform, someone("ada"))
    assert "Firefox" in html  # not the web server's own HTTP client
    assert "python-httpx" not in html
