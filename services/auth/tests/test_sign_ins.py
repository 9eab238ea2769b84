"""Sign-in alerts: a successful login publishes ``auth.signed_in`` with the client's
address and browser, and says whether that device (browser family + /24 or /64 network)
is new among the user's recent sign-ins."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
from sqlalchemy import func, select

from qh.auth.db.models import SignIn, User
from qh.auth.domain.accounts.sign_ins import RECENT_SIGN_INS, browser_family, network

SIGNED_IN = "auth.signed_in.v1"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
FIREFOX_NEXT = "Mozilla/5.0 (X11; Linux x86_64; rv:134.0) Gecko/20100101 Firefox/134.0"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/131.0.0.0 Mobile Safari/537.36"
)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"trusted_proxies": "127.0.0.1/32"}


async def turn_on_two_factor(api: Any) -> tuple[dict[str, Any], str]:
    user = await api.register()
    headers = {"Authorization": f"Bearer {(await api.login(user['email']))['access_token']}"}
    enrolment = (await api.client.post("/api/v1/auth/mfa/totp", headers=headers)).json()
    confirmed = await api.client.post(
        "/api/v1/auth/mfa/totp/confirm",
        json={"code": pyotp.TOTP(enrolment["secret"]).now()},
        headers=headers,
    )
    assert confirmed.status_code == 200, confirmed.text
    return user, enrolment["secret"]


async def mfa_step(api: Any, email: str, code: str) -> Any:
    first = await api.login_response(email)
    assert first.status_code == 403, first.text
    return await api.client.post(
        "/api/v1/auth/token",
        data={"grant_type": "urn:qh:mfa", "mfa_token": first.json()["mfa_token"], "code": code},
        headers={"X-Forwarded-For": "198.51.100.4", "User-Agent": CHROME_ANDROID},
    )


async def sign_in(api: Any, email: str, ip: str, agent: str) -> dict[str, Any]:
    response = await api.login_response(email, **{"X-Forwarded-For": ip, "User-Agent": agent})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def signed_in(api: Any, user_id: str) -> list[dict[str, Any]]:
    return [e for e in await api.events(SIGNED_IN) if e["user_id"] == user_id]


async def test_a_login_publishes_who_when_where_and_no_secret(api: Any) -> None:
    user = await api.register(full_name="Анна Иванова")
    before = datetime.now(UTC)
    pair = await sign_in(api, user["email"], "203.0.113.7", FIREFOX)
    [event] = await signed_in(api, user["id"])
    assert {k: v for k, v in event.items() if k != "at"} == {
        "user_id": user["id"],
        "email": user["email"],
        "full_name": "Анна Иванова",
        "locale": "en",
        "ip": "203.0.113.7",
        "user_agent": FIREFOX,
        "new_device": True,
    }
    assert before - timedelta(seconds=1) <= datetime.fromisoformat(event["at"]) <= datetime.now(UTC)
    wire = repr(event)
    for secret in (user["password"], pair["access_token"], pair["refresh_token"]):
        assert secret not in wire


async def test_the_same_client_is_known_the_second_time_another_network_is_new(
    api: Any,
) -> None:
    user = await api.register()
    await sign_in(api, user["email"], "203.0.113.7", FIREFOX)
    # the same browser after an update, from another address of the same /24
    await sign_in(api, user["email"], "203.0.113.99", FIREFOX_NEXT)
    await sign_in(api, user["email"], "198.51.100.4", FIREFOX)  # another network
    await sign_in(api, user["email"], "203.0.113.7", CHROME_ANDROID)  # another browser
    await sign_in(api, user["email"], "2001:db8:1:2::10", FIREFOX)
    await sign_in(api, user["email"], "2001:db8:1:2:ffff::1", FIREFOX)  # same /64
    events = await signed_in(api, user["id"])
    assert [e["new_device"] for e in events] == [True, False, True, True, True, False]


async def test_a_failed_login_publishes_nothing(api: Any) -> None:
    user = await api.register()
    response = await api.login_response(user["email"], "Wrong-Password-Entirely-9")
    assert response.status_code == 401
    assert await signed_in(api, user["id"]) == []


async def test_the_second_factor_login_publishes_it_once(api: Any) -> None:
    user, secret = await turn_on_two_factor(api)  # its first login, before two-factor
    wrong = await mfa_step(api, user["email"], "000000")
    assert wrong.status_code == 401
    assert len(await signed_in(api, user["id"])) == 1  # a password alone signs nobody in
    response = await mfa_step(api, user["email"], pyotp.TOTP(secret).at(time.time() + 30))
    assert response.status_code == 200, response.text
    events = await signed_in(api, user["id"])
    assert len(events) == 2
    assert events[1]["ip"] == "198.51.100.4"
    assert events[1]["user_agent"] == CHROME_ANDROID
    assert events[1]["new_device"] is True


async def test_history_is_bounded_per_user_and_erased_with_the_account(api: Any) -> None:
    user = await api.register()
    for i in range(RECENT_SIGN_INS + 3):
        pair = await sign_in(api, user["email"], f"10.0.{i}.1", FIREFOX)
    user_id = uuid.UUID(user["id"])
    async with api.context.transaction() as session:
        count = await session.scalar(
            select(func.count()).select_from(SignIn).where(SignIn.user_id == user_id)
        )
    assert count == RECENT_SIGN_INS
    # the oldest network fell out of the window: signing in from it again is a new device
    await sign_in(api, user["email"], "10.0.0.1", FIREFOX)
    assert (await signed_in(api, user["id"]))[-1]["new_device"] is True
    deleted = await api.client.delete(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {pair['access_token']}"}
    )
    assert deleted.status_code == 204
    async with api.context.transaction() as session:
        assert await session.get(User, user_id) is None
        left = await session.scalar(
            select(func.count()).select_from(SignIn).where(SignIn.user_id == user_id)
        )
    assert left == 0


def test_device_parts() -> None:
    assert browser_family(FIREFOX) == browser_family(FIREFOX_NEXT) == "firefox/linux"
    assert browser_family(CHROME_ANDROID) == "chrome/android"
    assert browser_family(None) == "unknown"
    assert network("203.0.113.7") == "203.0.113.0/24"
    assert network("::ffff:203.0.113.7") == "203.0.113.0/24"
    assert network("2001:db8:1:2::10") == "2001:db8:1:2::/64"
    assert network("testclient") == "testclient"
