"""Whose address a request counts as, and in which language an account's messages go.

A platform service acting for a person (the web client) states the person's address in
``X-Forwarded-For`` with its service token; nobody else can: a client on the internet
that sends the header is counted, limited and recorded by its own address. Every test runs
through the real app on SQLite and PostgreSQL; the app sees each request come from
127.0.0.1 (httpx's ASGI transport), the address anyone else is counted as here."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from qh.auth.app import service
from qh.auth.domain.accounts.users import preferred_locale
from qh.contracts import (
    AUTH_EMAIL_VERIFICATION_REQUESTED,
    AUTH_PASSWORD_RESET_REQUESTED,
    AUTH_SIGNED_IN,
    USER_REGISTERED,
)
from qh.kit.testing import running, settings_for_tests

TOKEN = "/api/v1/auth/token"
REGISTER = "/api/v1/auth/register"
PEER = "127.0.0.1"
LIMIT = 3
WRONG = "Wrong-Password-123"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"login_ip_max_failures": LIMIT, "register_ip_max_attempts": 2}


async def service_token(api: Any, settings: Any) -> str:
    response = await api.client.post(
        TOKEN,
        data={
            "grant_type": "client_credentials",
            "client_id": settings.platform_client_id,
            "client_secret": settings.platform_client_secret,
        },
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def sign_in(
    api: Any, email: str, password: str, forwarded_for: str | None = None, **headers: str
) -> int:
    if forwarded_for is not None:
        headers["X-Forwarded-For"] = forwarded_for
    return int((await api.login_response(email, password, **headers)).status_code)


async def fail_from(api: Any, count: int, **headers: str) -> None:
    """``count`` failed sign-ins, each for another unknown account (so only an address's
    budget is spent)."""
    for _ in range(count):
        email = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
        assert await sign_in(api, email, WRONG, **headers) == 401


async def last_sign_in_ip(api: Any, email: str) -> str | None:
    alerts = [e for e in await api.events(AUTH_SIGNED_IN.name) if e["email"] == email]
    return alerts[-1]["ip"]  # type: ignore[no-any-return]


# --- the address -----------------------------------------------------------------------------


async def test_a_platform_service_states_the_persons_address(api: Any, settings: Any) -> None:
    user = await api.register()
    as_service = {"Authorization": f"Bearer {await service_token(api, settings)}"}
    await fail_from(api, LIMIT, **as_service, **{"X-Forwarded-For": "203.0.113.1"})
    # That person's address is locked ...
    locked = await api.login_response(
        user["email"], **as_service, **{"X-Forwarded-For": "203.0.113.1"}
    )
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) >= 1
    # ... another person's through the same service is not, and neither is the service's.
    assert await sign_in(api, user["email"], user["password"], "198.51.100.2", **as_service) == 200
    assert await last_sign_in_ip(api, user["email"]) == "198.51.100.2"
    assert await sign_in(api, user["email"], user["password"]) == 200
    assert await last_sign_in_ip(api, user["email"]) == PEER


async def test_the_hops_after_the_service_are_not_the_person(api: Any, settings: Any) -> None:
    """Dapr's service invocation appends the calling pod's address after the service's
    entry; a second header line is the same list (RFC 9110 §5.3)."""
    user = await api.register()
    token = await service_token(api, settings)
    headers = {"Authorization": f"Bearer {token}", "X-Forwarded-For": "203.0.113.7, 10.244.1.9"}
    assert await sign_in(api, user["email"], user["password"], **headers) == 200
    assert await last_sign_in_ip(api, user["email"]) == "203.0.113.7"

    response = await api.client.post(
        TOKEN,
        data={"grant_type": "password", "username": user["email"], "password": user["password"]},
        headers=[
            ("Authorization", f"Bearer {token}"),
            ("X-Forwarded-For", "2001:db8::7"),
            ("X-Forwarded-For", "10.244.1.9"),
        ],
    )
    assert response.status_code == 200
    assert await last_sign_in_ip(api, user["email"]) == "2001:db8::7"


def foreign_service_token(settings: Any) -> str:
    """A token that claims the role ``service`` but is signed by a key auth never made."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {
        "iss": settings.resolved_auth_issuer,
        "aud": "qh",
        "sub": str(uuid.uuid4()),
        "roles": ["service"],
        "iat": now,
        "exp": now + 300,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "not-ours"})


@pytest.mark.parametrize("credential", ["none", "user", "foreign", "garbage"])
async def test_a_forged_forwarded_address_is_counted_as_the_real_one(
    api: Any, settings: Any, credential: str
) -> None:
    user = await api.register()
    authorization = {
        "none": None,
        "user": f"Bearer {(await api.login(user['email']))['access_token']}",
        "foreign": f"Bearer {foreign_service_token(settings)}",
        "garbage": "Bearer not-a-token",
    }[credential]
    extra = {"Authorization": authorization} if authorization else {}
    # Every attempt claims another address; all of them count as the real one's.
    for i in range(LIMIT):
        email = f"nobody-{i}@example.com"
        forged = {"X-Forwarded-For": f"203.0.113.{50 + i}", **extra}
        assert await sign_in(api, email, WRONG, **forged) == 401
    assert await sign_in(api, user["email"], user["password"], "203.0.113.99", **extra) == 429
    # The addresses it claimed are not locked: a platform service's person there signs in.
    as_service = {"Authorization": f"Bearer {await service_token(api, settings)}"}
    assert await sign_in(api, user["email"], user["password"], "203.0.113.50", **as_service) == 200


async def test_an_ipv4_mapped_address_is_the_ipv4_address(api: Any, settings: Any) -> None:
    user = await api.register()
    as_service = {"Authorization": f"Bearer {await service_token(api, settings)}"}
    stated = "::ffff:203.0.113.8"
    assert await sign_in(api, user["email"], user["password"], stated, **as_service) == 200
    assert await last_sign_in_ip(api, user["email"]) == "203.0.113.8"


async def test_a_service_entry_that_is_not_an_address_counts_as_the_service(
    api: Any, settings: Any
) -> None:
    user = await api.register()
    as_service = {"Authorization": f"Bearer {await service_token(api, settings)}"}
    stated = "unknown, 203.0.113.4"
    assert await sign_in(api, user["email"], user["password"], stated, **as_service) == 200
    assert await last_sign_in_ip(api, user["email"]) == PEER


async def test_registrations_count_per_stated_address(api: Any, settings: Any) -> None:
    as_service = f"Bearer {await service_token(api, settings)}"

    async def register(address: str) -> int:
        response = await api.client.post(
            REGISTER,
            json={"email": f"r-{uuid.uuid4().hex[:8]}@example.com", "password": WRONG + "x"},
            headers={"Authorization": as_service, "X-Forwarded-For": address},
        )
        return int(response.status_code)

    assert [await register("203.0.113.20") for _ in range(3)] == [201, 201, 429]
    assert await register("198.51.100.21") == 201


# --- the language ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("ru", "ru"),
        ("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", "ru"),
        ("en-GB,en;q=0.9,ru;q=0.8", "en"),
        ("de-DE,de;q=0.9,ru;q=0.5", "ru"),
        ("fr, en;q=0.1, ru;q=0.2", "ru"),
        ("ru;q=0, en;q=0.3", "en"),
        ("ru;q=abc, en", "en"),
        ("de, fr", "en"),
        ("*", "en"),
        ("ru;q=0.5, en;q=0.5", "ru"),
    ],
)
def test_the_preferred_language_of_accept_language(header: str | None, expected: str) -> None:
    assert preferred_locale(header) == expected


async def test_the_chosen_language_goes_into_every_message(api: Any) -> None:
    user = await api.register(locale="ru", full_name="Анна Иванова")
    assert user["locale"] == "ru"
    [registered] = [e for e in await api.events(USER_REGISTERED.name) if e["user_id"] == user["id"]]
    [verification] = [
        e
        for e in await api.events(AUTH_EMAIL_VERIFICATION_REQUESTED.name)
        if e["user_id"] == user["id"]
    ]
    assert registered["locale"] == verification["locale"] == "ru"

    pair = await api.login(user["email"])
    assert (await api.me(pair["access_token"])).json()["locale"] == "ru"
    [alert] = [e for e in await api.events(AUTH_SIGNED_IN.name) if e["user_id"] == user["id"]]
    assert alert["locale"] == "ru"

    forgot = await api.client.post("/api/v1/auth/password/forgot", json={"email": user["email"]})
    assert forgot.status_code == 202
    [reset] = await api.events(AUTH_PASSWORD_RESET_REQUESTED.name)
    assert reset["locale"] == "ru"


@pytest.mark.parametrize(
    ("body_locale", "accept_language", "expected"),
    [
        (None, "ru-RU,ru;q=0.9", "ru"),
        (None, "en-US", "en"),
        (None, None, "en"),
        ("en", "ru", "en"),
        ("ru", "en", "ru"),
    ],
)
async def test_without_a_locale_the_browser_language_decides(
    api: Any, body_locale: str | None, accept_language: str | None, expected: str
) -> None:
    body: dict[str, Any] = {
        "email": f"l-{uuid.uuid4().hex[:8]}@example.com",
        "password": "Violet-Harbour-Lantern-42",
    }
    if body_locale is not None:
        body["locale"] = body_locale
    headers = {"Accept-Language": accept_language} if accept_language is not None else {}
    response = await api.client.post(REGISTER, json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["locale"] == expected
    [verification] = [
        e
        for e in await api.events(AUTH_EMAIL_VERIFICATION_REQUESTED.name)
        if e["email"] == body["email"]
    ]
    assert verification["locale"] == expected


@pytest.mark.parametrize("locale", ["de", "RU", "", None, 1])
async def test_a_language_auth_cannot_write_in_is_a_422(api: Any, locale: Any) -> None:
    response = await api.client.post(
        REGISTER,
        json={"email": "x@example.com", "password": "Violet-Harbour-Lantern-42", "locale": locale},
    )
    if locale is None:  # null: as if absent
        assert response.status_code == 201, response.text
        return
    assert response.status_code == 422, response.text
    assert "locale" in response.text


# --- the platform client's secret under qh dev -----------------------------------------------


@pytest.mark.parametrize("env", ["dev", "test"])
async def test_only_qh_dev_keeps_the_platform_secret_in_the_data_folder(
    database_url: str, runtime: Any, env: str, tmp_path: Any
) -> None:
    """Under ``qh dev`` (env dev) with no secret set, auth and the web client share one
    made in the data folder; anywhere else the grant stays refused without a secret."""
    settings = settings_for_tests(
        service,
        database_url,
        env=env,
        data_dir=str(tmp_path),
        password_hash_memory_kib=1024,
        password_hash_time_cost=1,
    )
    assert settings.platform_client_secret is None  # type: ignore[attr-defined]
    (tmp_path / "platform-client.secret").write_text("made-by-the-web-client-0123456789\n")
    async with running(service.create_app(settings, runtime=runtime), runtime) as client:
        attempts = {
            secret: await client.post(
                TOKEN,
                data={
                    "grant_type": "client_credentials",
                    "client_id": "qh-platform",
                    "client_secret": secret,
                },
            )
            for secret in ("made-by-the-web-client-0123456789", "a-guess")
        }
    granted = attempts["made-by-the-web-client-0123456789"]
    assert granted.status_code == (200 if env == "dev" else 401), granted.text
    assert attempts["a-guess"].status_code == 401
