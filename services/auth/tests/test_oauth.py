"""Social login against a local stub of the providers (no network): PKCE and state on
the redirect, a refused wrong state, creating and linking users."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from qh.contracts import USER_REGISTERED

STATE_COOKIE = "qh_oauth_state"


async def start(api: Any, provider: str) -> httpx.Response:
    response = await api.client.get(f"/api/v1/auth/oauth/{provider}/authorize")
    assert response.status_code == 302, response.text
    return response


async def consent(stub_app: Any, location: str) -> str:
    """The browser at the provider: it consents and is sent back with a code."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=stub_app), base_url="http://stub.provider"
    ) as browser:
        response = await browser.get(location)
    assert response.status_code == 302
    return response.headers["location"]


async def social_login(api: Any, stub: Any, provider: str) -> httpx.Response:
    stub_app = stub.app()
    authorize = await start(api, provider)
    callback = await consent(stub_app, authorize.headers["location"])
    assert callback.startswith(f"http://testserver/api/v1/auth/oauth/{provider}/callback?")
    return await api.client.get(callback.removeprefix("http://testserver"))


def profile(email: str | None = None, verified: bool = True) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4().int % 10**9),
        "email": email or f"social-{uuid.uuid4().hex[:8]}@example.com",
        "verified": verified,
        "name": "Social User",
    }


async def test_authorize_redirect_carries_pkce_and_state(api: Any, parse_query: Any) -> None:
    response = await start(api, "google")
    location = response.headers["location"]
    assert location.startswith("http://stub.provider/google/authorize?")
    query = parse_query(location)
    assert query["response_type"] == "code"
    assert query["client_id"] == "google-client"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 43
    assert query["redirect_uri"] == "http://testserver/api/v1/auth/oauth/google/callback"
    assert "openid" in query["scope"]
    cookie = response.headers["set-cookie"]
    assert f"{STATE_COOKIE}={query['state']}" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie.replace("SameSite=Lax", "SameSite=lax")


@pytest.mark.parametrize("provider", ["google", "github", "yandex"])
async def test_callback_creates_a_verified_user_and_ends_in_a_token_pair(
    api: Any, stub: Any, provider: str
) -> None:
    stub.profile = profile()
    response = await social_login(api, stub, provider)
    assert response.status_code == 200, response.text
    pair = response.json()
    assert pair["token_type"] == "Bearer"
    assert pair["refresh_token"]
    me = (await api.me(pair["access_token"])).json()
    assert me["email"] == stub.profile["email"]
    assert me["email_verified"] is True
    assert me["roles"] == ["user"]
    assert (await api.refresh(pair["refresh_token"])).status_code == 200
    assert [e["email"] for e in await api.events(USER_REGISTERED.name)] == [stub.profile["email"]]
    # the code went back with its PKCE verifier
    assert stub.token_requests[-1]["code_verifier"]
    # a second login finds the linked account
    again = await social_login(api, stub, provider)
    assert (await api.me(again.json()["access_token"])).json()["id"] == me["id"]


async def test_wrong_state_is_refused(api: Any, stub: Any, parse_query: Any) -> None:
    stub.profile = profile()
    authorize = await start(api, "google")
    callback = await consent(stub.app(), authorize.headers["location"])
    query = parse_query(callback)
    response = await api.client.get(
        "/api/v1/auth/oauth/google/callback",
        params={"code": query["code"], "state": "forged-state"},
    )
    assert response.status_code == 400
    assert stub.token_requests == []  # the code was never exchanged


async def test_state_from_another_browser_is_refused(api: Any, stub: Any) -> None:
    stub.profile = profile()
    authorize = await start(api, "google")
    callback = await consent(stub.app(), authorize.headers["location"])
    api.client.cookies.clear()
    response = await api.client.get(callback.removeprefix("http://testserver"))
    assert response.status_code == 400


async def test_state_is_single_use(api: Any, stub: Any) -> None:
    stub.profile = profile()
    authorize = await start(api, "google")
    callback = await consent(stub.app(), authorize.headers["location"])
    cookie = api.client.cookies.get(STATE_COOKIE)
    assert (await api.client.get(callback.removeprefix("http://testserver"))).status_code == 200
    api.client.cookies.set(STATE_COOKIE, cookie, path="/api/v1/auth/oauth")
    assert (await api.client.get(callback.removeprefix("http://testserver"))).status_code == 400


async def test_provider_error_is_400(api: Any) -> None:
    await start(api, "google")
    response = await api.client.get(
        "/api/v1/auth/oauth/google/callback", params={"error": "access_denied"}
    )
    assert response.status_code == 400


async def test_links_an_existing_user_through_a_verified_email(api: Any, stub: Any) -> None:
    user = await api.register()
    from sqlalchemy import update

    from qh.auth.db.models import User

    async with api.context.session_maker() as session, session.begin():
        await session.execute(update(User).values(email_verified=True))
    stub.profile = profile(user["email"].upper())
    response = await social_login(api, stub, "github")
    assert response.status_code == 200
    assert (await api.me(response.json()["access_token"])).json()["id"] == user["id"]
    await api.login(user["email"])  # the password still works


async def test_an_unverified_provider_email_never_links(api: Any, stub: Any) -> None:
    user = await api.register()
    stub.profile = profile(user["email"], verified=False)
    response = await social_login(api, stub, "google")
    assert response.status_code == 400
    assert "confirm" in response.json()["detail"]
    await api.login(user["email"])


async def test_linking_an_unverified_local_account_drops_its_password(api: Any, stub: Any) -> None:
    """Someone who registered the address without proving it must not keep access."""
    squatter = await api.register()
    squatter_pair = await api.login(squatter["email"])
    stub.profile = profile(squatter["email"])
    response = await social_login(api, stub, "google")
    assert response.status_code == 200
    assert (await api.login_response(squatter["email"])).status_code == 401
    assert (await api.refresh(squatter_pair["refresh_token"])).status_code == 401


async def test_unconfigured_provider_is_404(api: Any) -> None:
    assert (await api.client.get("/api/v1/auth/oauth/facebook/authorize")).status_code == 404


async def test_configured_providers_are_listed(api: Any) -> None:
    response = await api.client.get("/api/v1/auth/oauth/providers")
    assert response.status_code == 200
    assert response.json() == {"providers": ["google", "github", "yandex"]}


@pytest.mark.parametrize("settings_overrides", [{"oauth_github_client_id": None}])
async def test_a_provider_without_its_client_is_not_listed(api: Any) -> None:
    response = await api.client.get("/api/v1/auth/oauth/providers")
    assert response.json() == {"providers": ["google", "yandex"]}
    assert (await api.client.get("/api/v1/auth/oauth/github/authorize")).status_code == 404


async def test_deactivated_user_cannot_log_in_socially(api: Any, stub: Any) -> None:
    stub.profile = profile()
    first = await social_login(api, stub, "yandex")
    me = (await api.me(first.json()["access_token"])).json()
    _, admin_headers = await api.admin()
    await api.client.patch(
        f"/api/v1/auth/users/{me['id']}", json={"is_active": False}, headers=admin_headers
    )
    assert (await social_login(api, stub, "yandex")).status_code == 401
