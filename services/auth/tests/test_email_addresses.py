"""Internationalised e-mail addresses and the one canonical form (qh.kit.email)."""

from __future__ import annotations

from typing import Any

from qh.contracts import USER_REGISTERED

UNICODE = "иван.петров@почта.рф"
PUNYCODE = "Иван.Петров@XN--80A1ACNY.XN--P1AI"


async def test_an_internationalised_address_registers_and_logs_in(api: Any) -> None:
    user = await api.register(UNICODE)
    assert user["email"] == UNICODE
    await api.login(UNICODE)
    await api.login(PUNYCODE)  # the same account, spelt in punycode and another case
    [event] = [e for e in await api.events(USER_REGISTERED.name) if e["email"] == UNICODE]
    assert event["user_id"] == user["id"]


async def test_the_punycode_spelling_is_the_same_account(api: Any) -> None:
    await api.register(PUNYCODE)
    response = await api.client.post(
        "/api/v1/auth/register",
        json={"email": UNICODE, "password": "Violet-Harbour-Lantern-42"},
    )
    assert response.status_code == 409
    me = await api.me((await api.login(UNICODE))["access_token"])
    assert me.json()["email"] == UNICODE


async def test_a_wrong_address_is_a_422_in_words(api: Any) -> None:
    for value in ("not-an-address", "ivan@", "ivan@почта..рф", "a b@example.com"):
        response = await api.client.post(
            "/api/v1/auth/register",
            json={"email": value, "password": "Violet-Harbour-Lantern-42"},
        )
        assert response.status_code == 422, value
        [error] = response.json()["errors"]
        assert error["field"] == "email"
        assert "regex" not in error["message"]
        assert "pattern" not in error["message"]
    forgot = await api.client.post("/api/v1/auth/password/forgot", json={"email": "nope"})
    assert forgot.status_code == 202
    login = await api.login_response("nope", "Violet-Harbour-Lantern-42")
    assert login.status_code == 401
