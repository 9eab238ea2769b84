"""Registration, login, the current user, e-mail verification, password reset, deletion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from sqlalchemy import select, update

from qh.auth.db.models import ActionToken, User
from qh.contracts import (
    AUTH_EMAIL_VERIFICATION_REQUESTED,
    AUTH_PASSWORD_RESET_REQUESTED,
    USER_DELETED,
    USER_REGISTERED,
)

PROBLEM = "application/problem+json"
NEW_PASSWORD = "Quiet-Meadow-Falcon-77"


def token_from(url: str) -> str:
    return url.split("token=", 1)[1]


async def test_register_returns_the_user_and_publishes_events(api: Any) -> None:
    response = await api.client.post(
        "/api/v1/auth/register",
        json={
            "email": "  Ada.Lovelace@Example.COM ",
            "password": "Violet-Harbour-Lantern-42",
            "full_name": "Ada",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["email"] == "ada.lovelace@example.com"
    assert body["roles"] == ["user"]
    assert body["email_verified"] is False
    assert "password" not in response.text
    assert "hash" not in response.text
    registered = await api.events(USER_REGISTERED.name)
    assert registered == [
        {
            "user_id": body["id"],
            "email": "ada.lovelace@example.com",
            "full_name": "Ada",
            "locale": "en",
            "email_verified": False,
        }
    ]
    [verification] = await api.events(AUTH_EMAIL_VERIFICATION_REQUESTED.name)
    assert verification["user_id"] == body["id"]
    assert verification["verify_url"].startswith(
        "http://testserver/api/v1/auth/verify-email?token="
    )


async def test_register_twice_is_409_whatever_the_case(api: Any) -> None:
    await api.register("grace@example.com")
    response = await api.client.post(
        "/api/v1/auth/register",
        json={"email": " GRACE@example.com", "password": "Another-Long-Passphrase-9"},
    )
    assert response.status_code == 409
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_weak_passwords_are_refused(api: Any) -> None:
    for password in ["short", "password123", "qwertyuiop", "x" * 1025]:
        response = await api.client.post(
            "/api/v1/auth/register", json={"email": "weak@example.com", "password": password}
        )
        assert response.status_code == 422, (password, response.text)
        assert response.json()["errors"][0]["field"] == "password"


async def test_login_issues_a_well_formed_token_pair(api: Any) -> None:
    user = await api.register()
    response = await api.login_response(user["email"].upper())
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    pair = response.json()
    assert pair["token_type"] == "Bearer"
    assert len(pair["refresh_token"]) >= 43  # 256 bits, base64url
    header = jwt.get_unverified_header(pair["access_token"])
    assert header["alg"] == "RS256"
    assert header["kid"] == api.kid()
    claims = jwt.decode(pair["access_token"], options={"verify_signature": False})
    assert claims["iss"] == "http://testserver/api/v1/auth"
    assert claims["aud"] == "qh"
    assert claims["sub"] == user["id"]
    assert claims["roles"] == ["user"]
    assert 0 < claims["exp"] - claims["iat"] <= 900
    assert claims["jti"]
    assert pair["expires_in"] == claims["exp"] - claims["iat"]
    me = await api.me(pair["access_token"])
    assert me.status_code == 200
    assert me.json()["id"] == user["id"]


async def test_me_needs_a_token(api: Any) -> None:
    response = await api.client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_email_verification_is_single_use(api: Any) -> None:
    user = await api.register()
    [event] = await api.events(AUTH_EMAIL_VERIFICATION_REQUESTED.name)
    token = token_from(event["verify_url"])
    assert (
        await api.client.post("/api/v1/auth/email/verify", json={"token": token})
    ).status_code == 204
    pair = await api.login(user["email"])
    assert (await api.me(pair["access_token"])).json()["email_verified"] is True
    again = await api.client.post("/api/v1/auth/email/verify", json={"token": token})
    assert again.status_code == 400


async def test_verification_can_be_requested_again(api: Any) -> None:
    user = await api.register()
    pair = await api.login(user["email"])
    response = await api.client.post(
        "/api/v1/auth/me/email/verify", headers={"Authorization": f"Bearer {pair['access_token']}"}
    )
    assert response.status_code == 202
    assert len(await api.events(AUTH_EMAIL_VERIFICATION_REQUESTED.name)) == 2


async def test_forgot_password_is_always_202(api: Any) -> None:
    user = await api.register()
    unknown = await api.client.post(
        "/api/v1/auth/password/forgot", json={"email": "nobody@example.com"}
    )
    known = await api.client.post("/api/v1/auth/password/forgot", json={"email": user["email"]})
    assert unknown.status_code == known.status_code == 202
    assert unknown.content == known.content
    [event] = await api.events(AUTH_PASSWORD_RESET_REQUESTED.name)
    assert event["user_id"] == user["id"]
    assert event["email"] == user["email"]
    assert event["reset_url"].startswith("http://testserver/api/v1/auth/reset-password?token=")


async def reset_token(api: Any, email: str) -> str:
    assert (
        await api.client.post("/api/v1/auth/password/forgot", json={"email": email})
    ).status_code == 202
    events = await api.events(AUTH_PASSWORD_RESET_REQUESTED.name)
    return token_from(events[-1]["reset_url"])


async def test_password_reset_changes_the_password_and_revokes_sessions(api: Any) -> None:
    user = await api.register()
    pair = await api.login(user["email"])
    token = await reset_token(api, user["email"])
    response = await api.client.post(
        "/api/v1/auth/password/reset", json={"token": token, "password": NEW_PASSWORD}
    )
    assert response.status_code == 204
    assert (await api.refresh(pair["refresh_token"])).status_code == 401  # refresh after reset
    assert (await api.login_response(user["email"])).status_code == 401
    await api.login(user["email"], NEW_PASSWORD)


async def test_reset_token_used_twice_is_refused(api: Any) -> None:
    user = await api.register()
    token = await reset_token(api, user["email"])
    first = await api.client.post(
        "/api/v1/auth/password/reset", json={"token": token, "password": NEW_PASSWORD}
    )
    assert first.status_code == 204
    second = await api.client.post(
        "/api/v1/auth/password/reset", json={"token": token, "password": "Third-Secret-Phrase-11"}
    )
    assert second.status_code == 400
    await api.login(user["email"], NEW_PASSWORD)


async def test_expired_reset_token_is_refused(api: Any) -> None:
    user = await api.register()
    token = await reset_token(api, user["email"])
    async with api.context.session_maker() as session, session.begin():
        await session.execute(
            update(ActionToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    response = await api.client.post(
        "/api/v1/auth/password/reset", json={"token": token, "password": NEW_PASSWORD}
    )
    assert response.status_code == 400
    await api.login(user["email"])


async def test_a_new_reset_request_voids_the_previous_link(api: Any) -> None:
    user = await api.register()
    first = await reset_token(api, user["email"])
    await reset_token(api, user["email"])
    response = await api.client.post(
        "/api/v1/auth/password/reset", json={"token": first, "password": NEW_PASSWORD}
    )
    assert response.status_code == 400


async def test_tokens_are_stored_only_hashed(api: Any) -> None:
    user = await api.register()
    pair = await api.login(user["email"])
    token = await reset_token(api, user["email"])
    async with api.context.session_maker() as session:
        hashes = set((await session.scalars(select(ActionToken.token_hash))).all())
        stored = await session.scalar(select(User.password_hash).where(User.email == user["email"]))
    assert token not in hashes
    assert stored.startswith("$argon2id$")
    from qh.auth.db.models import RefreshToken

    async with api.context.session_maker() as session:
        refresh_hashes = set((await session.scalars(select(RefreshToken.token_hash))).all())
    assert pair["refresh_token"] not in refresh_hashes


async def test_delete_me_removes_the_account_and_publishes_user_deleted(api: Any) -> None:
    user = await api.register()
    pair = await api.login(user["email"])
    response = await api.client.delete(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {pair['access_token']}"}
    )
    assert response.status_code == 204
    assert await api.events(USER_DELETED.name) == [{"user_id": user["id"]}]
    assert (await api.login_response(user["email"])).status_code == 401
    assert (await api.refresh(pair["refresh_token"])).status_code == 401
    assert (await api.me(pair["access_token"])).status_code == 401


async def test_reset_emails_are_limited_per_hour_silently(api: Any) -> None:
    user = await api.register()
    for _ in range(8):
        response = await api.client.post(
            "/api/v1/auth/password/forgot", json={"email": user["email"]}
        )
        assert response.status_code == 202
    assert len(await api.events(AUTH_PASSWORD_RESET_REQUESTED.name)) == 5


async def test_housekeeping_deletes_ended_sessions_and_old_tokens(api: Any) -> None:
    from sqlalchemy import func

    from qh.auth.db.models import RefreshFamily, RefreshToken

    user = await api.register()
    ended = await api.login(user["email"])
    live = await api.login(user["email"])
    await api.client.post("/api/v1/auth/logout", json={"refresh_token": ended["refresh_token"]})
    await reset_token(api, user["email"])
    async with api.context.session_maker() as session, session.begin():
        await session.execute(
            update(RefreshFamily)
            .where(RefreshFamily.revoked_at.is_not(None))
            .values(revoked_at=datetime.now(UTC) - timedelta(days=2))
        )
        await session.execute(
            update(ActionToken).values(expires_at=datetime.now(UTC) - timedelta(days=2))
        )
    await api.context.housekeeping.run_once()
    async with api.context.session_maker() as session:
        families = await session.scalar(select(func.count()).select_from(RefreshFamily))
        refresh_tokens = await session.scalar(select(func.count()).select_from(RefreshToken))
        action_tokens = await session.scalar(select(func.count()).select_from(ActionToken))
    assert families == 1
    assert refresh_tokens == 1
    assert action_tokens == 0
    assert (await api.refresh(live["refresh_token"])).status_code == 200
