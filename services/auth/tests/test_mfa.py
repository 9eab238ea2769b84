"""Two-factor sign-in: TOTP enrolment, the second step of the password grant, recovery
codes, replay, throttling, removal, and admins required to use it."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest
from sqlalchemy import select

from qh.auth.db.models import RecoveryCode, TotpFactor

MFA = "urn:qh:mfa"


def bearer(pair: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


def code_at(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


async def enrol(api: Any, headers: dict[str, str]) -> dict[str, Any]:
    response = await api.client.post("/api/v1/auth/mfa/totp", headers=headers)
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.json()  # type: ignore[no-any-return]


async def turn_on(api: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    user = await api.register()
    headers = bearer(await api.login(user["email"]))
    enrolment = await enrol(api, headers)
    confirmed = await api.client.post(
        "/api/v1/auth/mfa/totp/confirm",
        json={"code": code_at(enrolment["secret"])},
        headers=headers,
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json() == {"enabled": True, "recovery_codes_left": 10}
    return user, enrolment


async def second_step(api: Any, mfa_token: str, code: str) -> Any:
    return await api.client.post(
        "/api/v1/auth/token", data={"grant_type": MFA, "mfa_token": mfa_token, "code": code}
    )


async def mfa_token(api: Any, user: dict[str, Any]) -> str:
    response = await api.login_response(user["email"])
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["error"] == "mfa_required"
    assert body["expires_in"] == 300
    assert response.headers["content-type"].startswith("application/problem+json")
    return body["mfa_token"]  # type: ignore[no-any-return]


async def test_enrolment_gives_a_secret_a_qr_code_and_ten_recovery_codes(api: Any) -> None:
    user = await api.register()
    headers = bearer(await api.login(user["email"]))
    enrolment = await enrol(api, headers)
    assert enrolment["otpauth_uri"].startswith("otpauth://totp/QH:")
    assert f"secret={enrolment['secret']}" in enrolment["otpauth_uri"]
    assert enrolment["qr_svg"].startswith("<svg")
    assert len(set(enrolment["recovery_codes"])) == 10
    # pending: sign-in is unchanged until it is confirmed
    await api.login(user["email"])
    wrong = await api.client.post(
        "/api/v1/auth/mfa/totp/confirm", json={"code": "000000"}, headers=headers
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "code"
    # stored encrypted, and the recovery codes only hashed
    async with api.context.session_maker() as session:
        factor = await session.scalar(select(TotpFactor))
        hashes = (await session.scalars(select(RecoveryCode.code_hash))).all()
    assert enrolment["secret"] not in factor.secret_encrypted
    assert not set(enrolment["recovery_codes"]) & set(hashes)


async def test_the_password_grant_then_the_code_gives_the_token_pair(api: Any) -> None:
    user, enrolment = await turn_on(api)
    token = await mfa_token(api, user)
    assert (await second_step(api, token, "123456")).status_code == 401
    # the code used to confirm (this step) is not accepted again
    assert (await second_step(api, token, code_at(enrolment["secret"]))).status_code == 401
    done = await second_step(api, token, code_at(enrolment["secret"], 1))
    assert done.status_code == 200, done.text
    pair = done.json()
    assert pair["refresh_token"]
    assert (await api.me(pair["access_token"])).status_code == 200
    # the mfa_token is single-use
    assert (await second_step(api, token, code_at(enrolment["secret"], 1))).status_code == 401


async def test_a_recovery_code_works_once(api: Any) -> None:
    user, enrolment = await turn_on(api)
    recovery = enrolment["recovery_codes"][0]
    assert (await second_step(api, await mfa_token(api, user), recovery.upper())).status_code == 200
    again = await second_step(api, await mfa_token(api, user), recovery)
    assert again.status_code == 401
    headers = bearer(
        (await second_step(api, await mfa_token(api, user), enrolment["recovery_codes"][1])).json()
    )
    status = await api.client.get("/api/v1/auth/mfa", headers=headers)
    assert status.json() == {"enabled": True, "recovery_codes_left": 8}


async def test_wrong_codes_are_throttled_like_passwords(api: Any) -> None:
    user, enrolment = await turn_on(api)
    token = await mfa_token(api, user)
    statuses = [(await second_step(api, token, "000000")).status_code for _ in range(7)]
    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429, 429]
    # the right code is refused too while locked
    locked = await second_step(api, token, code_at(enrolment["secret"], 1))
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) >= 1


async def test_removal_needs_a_fresh_code(api: Any) -> None:
    user, enrolment = await turn_on(api)
    pair = (
        await second_step(api, await mfa_token(api, user), enrolment["recovery_codes"][0])
    ).json()
    headers = bearer(pair)
    refused = await api.client.request(
        "DELETE", "/api/v1/auth/mfa/totp", json={"code": "000000"}, headers=headers
    )
    assert refused.status_code == 422
    removed = await api.client.request(
        "DELETE",
        "/api/v1/auth/mfa/totp",
        json={"code": code_at(enrolment["secret"], 1)},
        headers=headers,
    )
    assert removed.status_code == 204
    await api.login(user["email"])  # one step again


class TestAdminsMustUseIt:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"mfa_required_for_admins": True}

    async def test_an_admin_without_totp_is_told_to_enrol(self, api: Any) -> None:
        _, headers = await api.admin()
        refused = await api.client.get("/api/v1/auth/users", headers=headers)
        assert refused.status_code == 403
        assert "two-factor" in refused.json()["detail"]
        enrolment = await enrol(api, headers)
        confirmed = await api.client.post(
            "/api/v1/auth/mfa/totp/confirm",
            json={"code": code_at(enrolment["secret"])},
            headers=headers,
        )
        assert confirmed.status_code == 200
        assert (await api.client.get("/api/v1/auth/users", headers=headers)).status_code == 200


async def test_the_document_declares_what_the_routes_answer_without_totp(api: Any) -> None:
    """Confirming with no enrolment started and turning off what is not on are 404s, and
    enrolling while on is a 409: each status is one the OpenAPI document declares."""
    document = (await api.client.get("/api/v1/auth/openapi.json")).json()["paths"]
    user = await api.register()
    headers = bearer(await api.login(user["email"]))
    confirm = await api.client.post(
        "/api/v1/auth/mfa/totp/confirm", json={"code": "000000"}, headers=headers
    )
    assert confirm.status_code == 404, confirm.text
    assert "404" in document["/api/v1/auth/mfa/totp/confirm"]["post"]["responses"]
    remove = await api.client.request(
        "DELETE", "/api/v1/auth/mfa/totp", json={"code": "000000"}, headers=headers
    )
    assert remove.status_code == 404, remove.text
    assert "404" in document["/api/v1/auth/mfa/totp"]["delete"]["responses"]
    enrolment = await enrol(api, headers)
    confirmed = await api.client.post(
        "/api/v1/auth/mfa/totp/confirm",
        json={"code": code_at(enrolment["secret"])},
        headers=headers,
    )
    assert confirmed.status_code == 200, confirmed.text
    again = await api.client.post("/api/v1/auth/mfa/totp", headers=headers)
    assert again.status_code == 409, again.text
    assert "409" in document["/api/v1/auth/mfa/totp"]["post"]["responses"]
