"""E-mailed links that work: to a configured front end, or to the service's own pages,
where a GET never spends the token (mail scanners follow links) and the POST does."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from qh.contracts import AUTH_EMAIL_VERIFICATION_REQUESTED, AUTH_PASSWORD_RESET_REQUESTED
from qh.kit.http import HTML_CSP

FORM = {"content-type": "application/x-www-form-urlencoded"}


def token_of(url: str) -> str:
    return parse_qs(urlparse(url).query)["token"][0]


def assert_html_page(response: Any) -> None:
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == HTML_CSP
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "<script" not in response.text


async def verification_url(api: Any) -> tuple[dict[str, Any], str]:
    user = await api.register()
    events = await api.events(AUTH_EMAIL_VERIFICATION_REQUESTED.name)
    [event] = [e for e in events if e["user_id"] == user["id"]]
    return user, event["verify_url"]


async def verified(api: Any, user: dict[str, Any]) -> bool:
    pair = await api.login(user["email"])
    return (await api.me(pair["access_token"])).json()["email_verified"]  # type: ignore[no-any-return]


async def test_the_verification_page_spends_the_token_only_on_the_button(api: Any) -> None:
    user, url = await verification_url(api)
    path = urlparse(url).path + "?" + urlparse(url).query
    assert path.startswith("/api/v1/auth/verify-email?token=")
    for _ in range(3):  # a scanner fetching the link, twice, then the person
        shown = await api.client.get(path)
        assert shown.status_code == 200
        assert_html_page(shown)
        assert "Confirm my e-mail address" in shown.text
    assert not await verified(api, user)
    done = await api.client.post(
        "/api/v1/auth/verify-email", content=f"token={token_of(url)}", headers=FORM
    )
    assert done.status_code == 200
    assert_html_page(done)
    assert "confirmed" in done.text
    assert await verified(api, user)
    again = await api.client.post(
        "/api/v1/auth/verify-email", content=f"token={token_of(url)}", headers=FORM
    )
    assert again.status_code == 400
    assert "invalid, used or expired" in again.text


async def test_a_bad_token_shows_a_clear_message(api: Any) -> None:
    for response in (
        await api.client.get("/api/v1/auth/verify-email?token=nonsense"),
        await api.client.get("/api/v1/auth/reset-password"),
        await api.client.post("/api/v1/auth/verify-email", content="token=nonsense", headers=FORM),
        await api.client.post(
            "/api/v1/auth/reset-password",
            content="token=nonsense&password=Violet-Harbour-Lantern-42",
            headers=FORM,
        ),
    ):
        if response.request.method == "GET" and "verify" in str(response.url):
            assert response.status_code == 200  # a GET cannot tell without spending
            continue
        assert response.status_code == 400
        assert_html_page(response)
        assert "invalid, used or expired" in response.text


async def test_the_reset_page_sets_the_password_and_says_why_one_is_refused(api: Any) -> None:
    user = await api.register()
    await api.client.post("/api/v1/auth/password/forgot", json={"email": user["email"]})
    [event] = await api.events(AUTH_PASSWORD_RESET_REQUESTED.name)
    token = token_of(event["reset_url"])
    shown = await api.client.get(f"/api/v1/auth/reset-password?token={token}")
    assert shown.status_code == 200
    assert_html_page(shown)
    assert "type=password" in shown.text
    weak = await api.client.post(
        "/api/v1/auth/reset-password", content=f"token={token}&password=Summer2024", headers=FORM
    )
    assert weak.status_code == 422
    assert "most common passwords" in weak.text
    assert f'value="{token}"' in weak.text  # the form again, the token still good
    done = await api.client.post(
        "/api/v1/auth/reset-password",
        content=f"token={token}&password=Quiet-Otter-Sails-North",
        headers=FORM,
    )
    assert done.status_code == 200
    assert "Password changed" in done.text
    await api.login(user["email"], "Quiet-Otter-Sails-North")


async def test_a_cross_site_post_is_refused(api: Any) -> None:
    user, url = await verification_url(api)
    forged = await api.client.post(
        "/api/v1/auth/verify-email",
        content=f"token={token_of(url)}",
        headers={**FORM, "Sec-Fetch-Site": "cross-site"},
    )
    assert forged.status_code == 400
    assert not await verified(api, user)


async def test_page_text_is_escaped(api: Any) -> None:
    response = await api.client.get('/api/v1/auth/reset-password?token="><b>x</b>')
    assert "<b>x</b>" not in response.text
    assert "&quot;&gt;&lt;b&gt;" in response.text


class TestFrontEnd:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"frontend_base_url": "https://app.example.com/"}

    async def test_links_go_to_the_configured_front_end(self, api: Any) -> None:
        user, url = await verification_url(api)
        assert url.startswith("https://app.example.com/verify-email?token=")
        await api.client.post("/api/v1/auth/password/forgot", json={"email": user["email"]})
        [event] = await api.events(AUTH_PASSWORD_RESET_REQUESTED.name)
        assert event["reset_url"].startswith("https://app.example.com/reset-password?token=")
