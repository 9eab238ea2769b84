"""Local access-token verification rejects every token it must (RFC 8725)."""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from qh.kit.auth import InvalidToken, TokenVerifier
from qh.kit.testing import TEST_AUDIENCE, TEST_ISSUER, TokenFactory


def verifier_for(tokens: TokenFactory, calls: list[int] | None = None) -> TokenVerifier:
    async def load() -> dict[str, Any]:
        if calls is not None:
            calls.append(1)
        return tokens.jwks()

    return TokenVerifier(
        issuer=TEST_ISSUER, audience=TEST_AUDIENCE, jwks_loader=load, min_refetch_seconds=0.0
    )


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def test_valid_token_gives_the_principal(tokens: TokenFactory) -> None:
    user = uuid.uuid4()
    principal = await verifier_for(tokens).verify(tokens.issue(user, ["user", "admin"]))
    assert principal.id == user
    assert principal.roles == {"user", "admin"}


async def test_alg_none_is_rejected(tokens: TokenFactory) -> None:
    header = b64(json.dumps({"alg": "none", "typ": "JWT", "kid": tokens.kid}).encode())
    payload = b64(json.dumps(tokens.claims()).encode())
    with pytest.raises(InvalidToken, match="algorithm"):
        await verifier_for(tokens).verify(f"{header}.{payload}.")


async def test_hs256_signed_with_the_public_key_is_rejected(tokens: TokenFactory) -> None:
    # The classic key-confusion attack: the public key (as published) used as an HMAC secret.
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": tokens.kid}).encode())
    payload = b64(json.dumps(tokens.claims()).encode())
    import hashlib
    import hmac

    signature = b64(hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    with pytest.raises(InvalidToken, match="algorithm"):
        await verifier_for(tokens).verify(f"{header}.{payload}.{signature}")


async def test_expired_token_is_rejected(tokens: TokenFactory) -> None:
    past = int(time.time()) - 3600
    token = tokens.issue(iat=past - 900, exp=past)
    with pytest.raises(InvalidToken, match="expired"):
        await verifier_for(tokens).verify(token)


async def test_token_without_exp_is_rejected(tokens: TokenFactory) -> None:
    claims = tokens.claims()
    del claims["exp"]
    token = jwt.encode(
        claims, tokens.keys[tokens.kid], algorithm="EdDSA", headers={"kid": tokens.kid}
    )
    with pytest.raises(InvalidToken, match="exp"):
        await verifier_for(tokens).verify(token)


async def test_wrong_audience_is_rejected(tokens: TokenFactory) -> None:
    with pytest.raises(InvalidToken, match="[Aa]udience"):
        await verifier_for(tokens).verify(tokens.issue(aud="someone-else"))


async def test_wrong_issuer_is_rejected(tokens: TokenFactory) -> None:
    with pytest.raises(InvalidToken, match="[Ii]ssuer"):
        await verifier_for(tokens).verify(tokens.issue(iss="https://evil.example/auth"))


async def test_unknown_kid_is_rejected_after_one_refetch(tokens: TokenFactory) -> None:
    calls: list[int] = []
    verifier = verifier_for(tokens, calls)
    await verifier.verify(tokens.issue())
    assert len(calls) == 1
    stranger = TokenFactory()
    with pytest.raises(InvalidToken, match="unknown signing key"):
        await verifier.verify(stranger.issue())
    assert len(calls) == 2


async def test_a_rotated_in_key_is_picked_up_by_refetching(tokens: TokenFactory) -> None:
    calls: list[int] = []
    verifier = verifier_for(tokens, calls)
    await verifier.verify(tokens.issue())
    new_kid = tokens.add_key()
    principal = await verifier.verify(tokens.issue(kid=new_kid))
    assert principal.roles == {"user"}
    assert len(calls) == 2


async def test_refetching_is_rate_limited(tokens: TokenFactory) -> None:
    calls: list[int] = []

    async def load() -> dict[str, Any]:
        calls.append(1)
        return tokens.jwks()

    verifier = TokenVerifier(
        issuer=TEST_ISSUER, audience=TEST_AUDIENCE, jwks_loader=load, min_refetch_seconds=60
    )
    await verifier.verify(tokens.issue())
    for _ in range(5):
        with pytest.raises(InvalidToken):
            await verifier.verify(TokenFactory().issue())
    assert len(calls) == 1


async def test_tampered_signature_is_rejected(tokens: TokenFactory) -> None:
    token = tokens.issue()
    header, payload, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    with pytest.raises(InvalidToken):
        await verifier_for(tokens).verify(f"{header}.{payload}.{flipped}")


async def test_tampered_payload_is_rejected(tokens: TokenFactory) -> None:
    token = tokens.issue(roles=["user"])
    header, _, signature = token.split(".")
    forged = b64(json.dumps(tokens.claims(roles=["admin"])).encode())
    with pytest.raises(InvalidToken):
        await verifier_for(tokens).verify(f"{header}.{forged}.{signature}")


async def test_garbage_is_rejected(tokens: TokenFactory) -> None:
    for token in ("", "abc", "a.b.c", "Ἀθῆναι.x.y"):
        with pytest.raises(InvalidToken):
            await verifier_for(tokens).verify(token)


async def test_the_app_answers_401_for_each_bad_token(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    past = int(time.time()) - 3600
    bad = [
        tokens.issue(iat=past - 900, exp=past),
        tokens.issue(aud="other"),
        tokens.issue(iss="https://evil.example"),
        TokenFactory().issue(),
        "not-a-token",
    ]
    for token in bad:
        response = await client.get(
            "/api/v1/demo/notes", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401, token
        assert response.headers["content-type"].startswith("application/problem+json")
    good = await client.get("/api/v1/demo/notes", headers=tokens.headers())
    assert good.status_code == 200


async def test_token_not_yet_valid_is_rejected(tokens: TokenFactory) -> None:
    with pytest.raises(InvalidToken, match="not yet valid"):
        await verifier_for(tokens).verify(tokens.issue(nbf=int(time.time()) + 3600))


async def test_token_issued_in_the_future_is_rejected(tokens: TokenFactory) -> None:
    with pytest.raises(InvalidToken, match="future"):
        await verifier_for(tokens).verify(tokens.issue(iat=int(time.time()) + 3600))


async def test_non_numeric_expiry_is_rejected(tokens: TokenFactory) -> None:
    with pytest.raises(InvalidToken, match="number"):
        await verifier_for(tokens).verify(tokens.issue(exp="tomorrow"))


async def test_audience_list_must_contain_ours(tokens: TokenFactory) -> None:
    verifier = verifier_for(tokens)
    assert (await verifier.verify(tokens.issue(aud=["billing", TEST_AUDIENCE]))).roles == {"user"}
    with pytest.raises(InvalidToken, match="audience"):
        await verifier.verify(tokens.issue(aud=["billing", "crm"]))


async def test_critical_header_parameters_are_rejected(tokens: TokenFactory) -> None:
    token = jwt.encode(
        tokens.claims(),
        tokens.keys[tokens.kid],
        algorithm="EdDSA",
        headers={"kid": tokens.kid, "crit": ["exp"]},
    )
    with pytest.raises(InvalidToken, match="critical"):
        await verifier_for(tokens).verify(token)


async def test_rs256_keys_from_the_jwks_are_accepted() -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key(), as_dict=True)

    async def load() -> dict[str, Any]:
        return {"keys": [{**jwk, "kid": "rsa-1", "alg": "RS256", "use": "sig"}]}

    verifier = TokenVerifier(issuer=TEST_ISSUER, audience=TEST_AUDIENCE, jwks_loader=load)
    claims = TokenFactory().claims(roles=["admin"])
    token = jwt.encode(claims, rsa_key, algorithm="RS256", headers={"kid": "rsa-1"})
    assert (await verifier.verify(token)).roles == {"admin"}
    # The same key may not be used with another algorithm named in the header.
    forged = jwt.encode(claims, rsa_key, algorithm="PS256", headers={"kid": "rsa-1"})
    with pytest.raises(InvalidToken, match="does not match"):
        await verifier.verify(forged)
