"""Access tokens (the RFC 8725 attack catalogue), refresh-token families, logout,
deactivation, client credentials, JWKS, key rotation."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import update

from qh.auth.db.models import RefreshFamily

ISSUER = "http://testserver/api/v1/auth"


def claims_for(subject: str, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": "qh",
        "sub": subject,
        "roles": ["user"],
        "iat": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


async def signed_in(api: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    user = await api.register()
    return user, await api.login(user["email"])


async def assert_refused(api: Any, token: str) -> None:
    response = await api.me(token)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


# --- the access-token attack catalogue ------------------------------------------------------


async def test_a_forged_token_with_the_real_key_is_accepted(api: Any) -> None:
    """The control: the forging helper makes tokens the service accepts."""
    user, _ = await signed_in(api)
    assert (await api.me(api.forge(claims_for(user["id"])))).status_code == 200


async def test_alg_none_is_refused(api: Any) -> None:
    user, _ = await signed_in(api)
    header = b64(json.dumps({"alg": "none", "typ": "JWT", "kid": api.kid()}).encode())
    payload = b64(json.dumps(claims_for(user["id"], roles=["admin"])).encode())
    await assert_refused(api, f"{header}.{payload}.")


async def test_hs256_signed_with_the_public_key_is_refused(api: Any) -> None:
    user, _ = await signed_in(api)
    public_pem = (
        api.private_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    jwk = (await api.client.get("/api/v1/auth/.well-known/jwks.json")).json()["keys"][0]
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": api.kid()}).encode())
    payload = b64(json.dumps(claims_for(user["id"])).encode())
    import hashlib
    import hmac

    for secret in (public_pem, jwk["n"].encode(), json.dumps(jwk).encode()):
        signature = b64(hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest())
        await assert_refused(api, f"{header}.{payload}.{signature}")


async def test_expired_token_is_refused(api: Any) -> None:
    user, _ = await signed_in(api)
    past = int(time.time()) - 3600
    await assert_refused(api, api.forge(claims_for(user["id"], iat=past - 300, exp=past)))


async def test_token_without_exp_is_refused(api: Any) -> None:
    user, _ = await signed_in(api)
    claims = claims_for(user["id"])
    del claims["exp"]
    await assert_refused(api, api.forge(claims))


async def test_wrong_audience_is_refused(api: Any) -> None:
    user, _ = await signed_in(api)
    await assert_refused(api, api.forge(claims_for(user["id"], aud="another-system")))


async def test_wrong_issuer_is_refused(api: Any) -> None:
    user, _ = await signed_in(api)
    await assert_refused(
        api, api.forge(claims_for(user["id"], iss="https://evil.example/api/v1/auth"))
    )


async def test_unknown_kid_is_refused(api: Any) -> None:
    user, _ = await signed_in(api)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    await assert_refused(
        api, api.forge(claims_for(user["id"]), key=stranger, kid="not-a-known-key")
    )
    # a foreign key under the real kid, with the right and with another algorithm
    await assert_refused(api, api.forge(claims_for(user["id"]), key=stranger))
    edwards = Ed25519PrivateKey.generate()
    await assert_refused(api, api.forge(claims_for(user["id"]), key=edwards, algorithm="EdDSA"))


async def test_tampered_payload_is_refused(api: Any) -> None:
    _, pair = await signed_in(api)
    header, payload, signature = pair["access_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["roles"] = ["admin", "user"]
    await assert_refused(api, f"{header}.{b64(json.dumps(claims).encode())}.{signature}")


async def test_garbage_tokens_are_refused(api: Any) -> None:
    for token in ["x", "a.b.c", "...", "Bearer", "%E9" * 50, "a" * 10_000]:
        await assert_refused(api, token)


# --- refresh tokens ----------------------------------------------------------------------------


async def test_refresh_rotates_the_token(api: Any) -> None:
    user, pair = await signed_in(api)
    response = await api.refresh(pair["refresh_token"])
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    new = response.json()
    assert new["refresh_token"] != pair["refresh_token"]
    assert (await api.me(new["access_token"])).json()["id"] == user["id"]


async def test_refresh_token_reuse_revokes_the_whole_family(api: Any) -> None:
    _, first = await signed_in(api)
    second = (await api.refresh(first["refresh_token"])).json()
    third = (await api.refresh(second["refresh_token"])).json()
    reuse = await api.refresh(first["refresh_token"])
    assert reuse.status_code == 401
    # the newest token of the family stops working too
    assert (await api.refresh(third["refresh_token"])).status_code == 401


async def test_concurrent_use_of_one_refresh_token_succeeds_at_most_once(api: Any) -> None:
    _, pair = await signed_in(api)
    results = await asyncio.gather(*(api.refresh(pair["refresh_token"]) for _ in range(5)))
    statuses = sorted(r.status_code for r in results)
    assert statuses.count(200) <= 1
    assert all(s in (200, 401) for s in statuses)
    for r in results:
        if r.status_code == 200:  # the winner's token died with the family
            assert (await api.refresh(r.json()["refresh_token"])).status_code == 401


async def test_other_sessions_survive_a_reuse(api: Any) -> None:
    user, first = await signed_in(api)
    other = await api.login(user["email"])
    await api.refresh(first["refresh_token"])
    await api.refresh(first["refresh_token"])
    assert (await api.refresh(other["refresh_token"])).status_code == 200


async def test_refresh_after_logout_is_refused(api: Any) -> None:
    _, pair = await signed_in(api)
    rotated = (await api.refresh(pair["refresh_token"])).json()
    response = await api.client.post(
        "/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]}
    )
    assert response.status_code == 204
    assert (await api.refresh(rotated["refresh_token"])).status_code == 401


async def test_logout_with_an_unknown_token_is_204(api: Any) -> None:
    response = await api.client.post("/api/v1/auth/logout", json={"refresh_token": "never-issued"})
    assert response.status_code == 204


async def test_unknown_refresh_token_is_401(api: Any) -> None:
    assert (await api.refresh("never-issued")).status_code == 401


async def test_idle_refresh_family_expires(api: Any) -> None:
    _, pair = await signed_in(api)
    async with api.context.session_maker() as session, session.begin():
        await session.execute(
            update(RefreshFamily).values(
                last_used_at=datetime.now(UTC) - timedelta(days=7, seconds=1)
            )
        )
    assert (await api.refresh(pair["refresh_token"])).status_code == 401


async def test_absolute_refresh_lifetime(api: Any) -> None:
    _, pair = await signed_in(api)
    async with api.context.session_maker() as session, session.begin():
        await session.execute(
            update(RefreshFamily).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert (await api.refresh(pair["refresh_token"])).status_code == 401


async def test_deactivated_user_cannot_refresh_or_log_in(api: Any) -> None:
    user, pair = await signed_in(api)
    _, admin_headers = await api.admin()
    response = await api.client.patch(
        f"/api/v1/auth/users/{user['id']}", json={"is_active": False}, headers=admin_headers
    )
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert (await api.refresh(pair["refresh_token"])).status_code == 401
    login = await api.login_response(user["email"])
    assert login.status_code == 401
    assert (await api.me(pair["access_token"])).status_code == 401
    # reactivated: logs in again, the old session stays revoked
    await api.client.patch(
        f"/api/v1/auth/users/{user['id']}", json={"is_active": True}, headers=admin_headers
    )
    await api.login(user["email"])
    assert (await api.refresh(pair["refresh_token"])).status_code == 401


# --- client credentials -------------------------------------------------------------------------


async def test_client_credentials_in_the_form(api: Any, settings: Any) -> None:
    response = await api.client.post(
        "/api/v1/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "qh-platform",
            "client_secret": settings.platform_client_secret,
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "refresh_token" not in body
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["roles"] == ["service"]
    assert claims["client_id"] == "qh-platform"
    assert claims["exp"] - claims["iat"] <= 900
    # a service token is accepted by the verifier but is not a user account
    assert (await api.me(body["access_token"])).status_code == 401


async def test_client_credentials_with_basic_auth(api: Any, settings: Any) -> None:
    basic = base64.b64encode(f"qh-platform:{settings.platform_client_secret}".encode()).decode()
    response = await api.client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200


async def test_client_credentials_with_a_wrong_secret_is_401(api: Any) -> None:
    for client_id, secret in [
        ("qh-platform", "wrong"),
        ("someone-else", "wrong"),
        ("qh-platform", ""),
    ]:
        response = await api.client.post(
            "/api/v1/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret,
            },
        )
        assert response.status_code == 401


async def test_unsupported_grant_is_422(api: Any) -> None:
    response = await api.client.post("/api/v1/auth/token", data={"grant_type": "implicit"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "grant_type"


# --- keys -----------------------------------------------------------------------------------------


async def test_jwks_publishes_only_public_keys(api: Any) -> None:
    response = await api.client.get("/api/v1/auth/.well-known/jwks.json")
    assert response.status_code == 200
    [key] = response.json()["keys"]
    assert key["kty"] == "RSA"
    assert key["alg"] == "RS256"
    assert key["use"] == "sig"
    assert key["kid"] == api.kid()
    assert {"n", "e"} <= set(key)
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)  # no private parts


async def test_openid_configuration(api: Any) -> None:
    response = await api.client.get("/api/v1/auth/.well-known/openid-configuration")
    assert response.status_code == 200
    body = response.json()
    assert body["issuer"] == ISSUER
    assert body["jwks_uri"] == f"{ISSUER}/.well-known/jwks.json"
    assert body["token_endpoint"] == f"{ISSUER}/token"


async def test_rotation_keeps_old_tokens_valid_and_signs_with_the_new_key(api: Any) -> None:
    user, before = await signed_in(api)
    old_kid = api.kid()
    new_kid = await api.context.keys.rotate()
    assert new_kid != old_kid
    kids = {
        k["kid"]
        for k in (await api.client.get("/api/v1/auth/.well-known/jwks.json")).json()["keys"]
    }
    assert kids == {old_kid, new_kid}
    assert (await api.me(before["access_token"])).status_code == 200
    after = await api.login(user["email"])
    assert jwt.get_unverified_header(after["access_token"])["kid"] == new_kid
    assert (await api.me(after["access_token"])).status_code == 200


async def test_private_keys_are_stored_encrypted(api: Any) -> None:
    from sqlalchemy import select

    from qh.auth.db.models import SigningKey

    async with api.context.session_maker() as session:
        stored = (await session.scalars(select(SigningKey.private_key_encrypted))).all()
    assert stored
    assert all("PRIVATE KEY" not in s for s in stored)


async def test_the_token_endpoint_documents_its_refusals(api: Any) -> None:
    """A wrong password is a 401 problem, and the document declares it with the 403 of a
    two-factor sign-in and the 429 of repeated failures (the route needs no token, so the
    kit does not declare them itself); registering declares its 429 too."""
    user = await api.register()
    wrong = await api.client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": user["email"], "password": "Wrong-1234"},
    )
    assert wrong.status_code == 401, wrong.text
    assert wrong.headers["content-type"].startswith("application/problem+json")
    paths = (await api.client.get("/api/v1/auth/openapi.json")).json()["paths"]
    assert {"401", "403", "429"} <= set(paths["/api/v1/auth/token"]["post"]["responses"])
    assert "429" in paths["/api/v1/auth/register"]["post"]["responses"]
