"""Hostile input never reaches a 5xx: SQL metacharacters and 10 kB strings in every field,
a burst of 100 concurrent logins, the wrong media types. And the OpenAPI document lets
Swagger's Authorize button log in."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

SQL = [
    "' OR '1'='1",
    "admin'--",
    '"; DROP TABLE auth_user; --',
    "1; SELECT pg_sleep(5)--",
    "' UNION SELECT password_hash FROM auth_user --",
    "%' OR 1=1 --",
    "\\x00'\\\"",
]
HUGE = "A" * 10_240
HOSTILE = [*SQL, HUGE, "é" * 10_240, "\u0000", "🙂" * 3000]
IN_URLS = [v[:2000] for v in HOSTILE if v.isprintable()]  # what an HTTP client can put in a URL


def assert_client_error(response: Any, context: Any) -> None:
    assert 400 <= response.status_code < 500, (context, response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/problem+json"), context


@pytest.mark.parametrize("field", ["email", "password", "full_name"])
async def test_register_fields(api: Any, field: str) -> None:
    for value in HOSTILE:
        body = {
            "email": f"r-{uuid.uuid4().hex[:8]}@example.com",
            "password": "Violet-Harbour-Lantern-42",
            "full_name": "Ada",
        }
        body[field] = value
        response = await api.client.post("/api/v1/auth/register", json=body)
        if response.status_code == 201:
            # a legitimate value that merely contains SQL syntax is stored verbatim
            assert field in ("password", "full_name"), (field, value)
            assert value in SQL, (field, value)
            stored = response.json()
            if field == "full_name":
                assert stored["full_name"] == value
            else:
                assert (await api.login_response(body["email"], value)).status_code == 200
            continue
        assert_client_error(response, (field, value[:30]))


async def test_register_with_sql_in_the_email_is_422_or_stored_verbatim(api: Any) -> None:
    for value in SQL:
        response = await api.client.post(
            "/api/v1/auth/register",
            json={"email": f"{value}@example.com", "password": "Violet-Harbour-Lantern-42"},
        )
        if response.status_code == 201:
            # RFC 5322 allows ' and - in a local part (o'brien@example.com): kept as sent
            assert response.json()["email"] == f"{value}@example.com".lower(), value
            assert (await api.login_response(f"{value}@example.com")).status_code == 200
            continue
        assert response.status_code == 422, value


@pytest.mark.parametrize(
    "field",
    ["grant_type", "username", "password", "refresh_token", "client_id", "client_secret", "scope"],
)
async def test_token_form_fields(api: Any, field: str) -> None:
    user = await api.register()
    for value in HOSTILE:
        base = {
            "password": {
                "grant_type": "password",
                "username": user["email"],
                "password": "Wrong-Password-000",
            },
            "refresh": {"grant_type": "refresh_token", "refresh_token": "x"},
            "client": {
                "grant_type": "client_credentials",
                "client_id": "qh-platform",
                "client_secret": "x",
            },
        }
        for form in base.values():
            data = {**form, field: value}
            response = await api.client.post("/api/v1/auth/token", data=data)
            assert_client_error(response, (field, value[:30], form["grant_type"]))


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/auth/logout", "refresh_token"),
        ("/api/v1/auth/password/forgot", "email"),
        ("/api/v1/auth/password/reset", "token"),
        ("/api/v1/auth/password/reset", "password"),
        ("/api/v1/auth/email/verify", "token"),
    ],
)
async def test_json_fields(api: Any, path: str, field: str) -> None:
    for value in HOSTILE:
        body = {
            "refresh_token": "x",
            "email": "a@example.com",
            "token": "x",
            "password": "Violet-Harbour-Lantern-42",
        }
        keep = {
            "logout": ["refresh_token"],
            "forgot": ["email"],
            "reset": ["token", "password"],
            "verify": ["token"],
        }
        name = next(k for k in keep if k in path)
        payload = {k: body[k] for k in keep[name]}
        payload[field] = value
        response = await api.client.post(path, json=payload)
        if path.endswith(("logout", "forgot")) and response.status_code in (202, 204):
            assert len(value) <= 256  # accepted and harmless: nothing matched
            continue
        assert_client_error(response, (path, field, value[:30]))


async def test_admin_fields_paths_and_queries(api: Any) -> None:
    user = await api.register()
    _, headers = await api.admin()
    for value in HOSTILE:
        for body in (
            {"roles": [value]},
            {"is_active": value},
            {"roles": value},
            {value[:50]: True},
        ):
            response = await api.client.patch(
                f"/api/v1/auth/users/{user['id']}", json=body, headers=headers
            )
            assert_client_error(response, (body.__class__, value[:30]))
    for value in IN_URLS:
        for params in ({"limit": value}, {"offset": value}):
            response = await api.client.get("/api/v1/auth/users", params=params, headers=headers)
            assert_client_error(response, (params.keys(), value[:30]))
        response = await api.client.get(f"/api/v1/auth/users/{value[:2000]}", headers=headers)
        assert_client_error(response, ("path", value[:30]))
    for limit in ("0", "101", "-1"):
        response = await api.client.get(
            "/api/v1/auth/users", params={"limit": limit}, headers=headers
        )
        assert_client_error(response, limit)


async def test_oauth_parameters(api: Any) -> None:
    for value in IN_URLS:
        for url, params in (
            (f"/api/v1/auth/oauth/{value[:500]}/authorize", {}),
            ("/api/v1/auth/oauth/google/callback", {"code": value, "state": value}),
            ("/api/v1/auth/oauth/google/callback", {"error": value}),
        ):
            response = await api.client.get(url, params=params)
            assert_client_error(response, (url[:40], value[:30]))


async def test_wrong_bodies(api: Any) -> None:
    cases = [
        (
            "/api/v1/auth/token",
            {"json": {"grant_type": "password", "username": "a@example.com", "password": "x"}},
        ),
        (
            "/api/v1/auth/token",
            {
                "content": b"\xff\xfe\x00",
                "headers": {"content-type": "application/x-www-form-urlencoded"},
            },
        ),
        (
            "/api/v1/auth/register",
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
        ),
        ("/api/v1/auth/register", {"json": ["a", "list"]}),
        (
            "/api/v1/auth/register",
            {
                "json": {
                    "email": "a@example.com",
                    "password": "Violet-Harbour-Lantern-42",
                    "is_admin": True,
                }
            },
        ),
        (
            "/api/v1/auth/register",
            {"content": b"x" * (1024 * 1024 + 10), "headers": {"content-type": "application/json"}},
        ),
    ]
    for path, kwargs in cases:
        response = await api.client.post(path, **kwargs)
        assert_client_error(response, (path, str(kwargs)[:60]))


async def test_basic_client_credentials_that_are_not_base64(api: Any) -> None:
    for header in ("Basic %%%", "Basic " + "A" * 10_000, "Basic w6k="):
        response = await api.client.post(
            "/api/v1/auth/token",
            data={"grant_type": "client_credentials"},
            headers={"Authorization": header},
        )
        assert_client_error(response, header[:20])


class TestConcurrentLogins:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"trusted_proxies": "127.0.0.1/32"}

    async def test_a_hundred_concurrent_logins_without_a_5xx(self, api: Any) -> None:
        # Twenty users behind twenty addresses, five logins each at once: a budget counts
        # the attempts in flight (they are reserved before the password is checked), so
        # more at once than an account's limit (5) or an address's (50) meets it by design.
        users = [await api.register() for _ in range(20)]
        responses = await asyncio.gather(
            *(
                api.login_response(
                    users[i % 20]["email"], **{"X-Forwarded-For": f"198.51.100.{i % 20}"}
                )
                for i in range(100)
            )
        )
        statuses = [r.status_code for r in responses]
        assert all(s < 500 for s in statuses), statuses
        assert statuses.count(200) == 100


async def test_openapi_declares_the_password_flow_and_bearer_scheme(api: Any) -> None:
    document = (await api.client.get("/api/v1/auth/openapi.json")).json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["BearerToken"]["scheme"] == "bearer"
    assert schemes["OAuth2Password"]["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"
    token = document["paths"]["/api/v1/auth/token"]["post"]
    assert "application/x-www-form-urlencoded" in token["requestBody"]["content"]
    assert token["security"] == [{}]  # public: Swagger sends no token to log in
    assert "security" not in document["paths"]["/api/v1/auth/me"]["get"]  # the global bearer
    assert (await api.client.get("/api/v1/auth/docs")).status_code == 200


async def test_swagger_authorize_request_logs_in(api: Any) -> None:
    """What Swagger UI sends for the password flow: a form with an empty scope."""
    user = await api.register()
    response = await api.client.post(
        "/api/v1/auth/token",
        content=(
            f"grant_type=password&username={user['email'].replace('@', '%40')}"
            f"&password={user['password']}&scope="
        ).encode(),
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "accept": "application/json, text/plain, */*",
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["token_type"] == "Bearer"
