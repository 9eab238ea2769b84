"""Social sign-in through the web client: the buttons of the providers auth has configured
(and only those), auth's authorize flow ending in this browser's session, and each way it
can fail told in words. The providers are a local stub (no network)."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from litestar import Litestar, Request, get, post

from qh.kit.app import service_context
from qh.kit.host import Platform, discover_services

# Authlib's clients (in auth) are built on httpx2 when it is installed, and then take only
# its transports.
try:
    import httpx2 as oauth_httpx  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    oauth_httpx = httpx

BASE = "https://testserver"  # as conftest: the cookies are Secure
STUB = "http://stub.provider"
PASSWORD = "Violet-Harbour-Lantern-42"  # as conftest
SERVICES = ("auth", "user-data", "web")
USERINFO = {"google": "google/userinfo", "github": "github/user", "yandex": "yandex/info"}


class Stub:
    """The providers: a code stands for whoever ``profile`` is when the browser consents."""

    def __init__(self) -> None:
        self.profile: dict[str, Any] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}

    def consent(self, location: str) -> str:
        """The browser at the provider: it agrees and is sent back with a code."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        code = secrets.token_urlsafe(12)
        self.codes[code] = dict(self.profile)
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"

    def app(self) -> Litestar:
        stub = self

        @post("/{provider:str}/token", status_code=200)
        async def token(request: Request[Any, Any, Any]) -> dict[str, Any]:
            form = dict(await request.form())
            profile = stub.codes.pop(str(form.get("code", "")), None)
            if profile is None:
                return {"error": "invalid_grant"}
            access = secrets.token_urlsafe(12)
            stub.tokens[access] = profile
            return {"access_token": access, "token_type": "bearer", "expires_in": 3600}

        @get("/google/userinfo", sync_to_thread=False)
        def google(request: Request[Any, Any, Any]) -> dict[str, Any]:
            who = stub.tokens.get(request.headers.get("authorization", "").split(" ")[-1], {})
            return {
                "sub": who["id"],
                "email": who["email"],
                "email_verified": who["verified"],
                "name": who["name"],
            }

        return Litestar([token, google], openapi_config=None, logging_config=None)


def oauth_environ(providers: tuple[str, ...]) -> dict[str, str]:
    environ = {"QH_AUTH_OAUTH_REDIRECT_BASE_URL": BASE}
    for name in providers:
        upper = name.upper()
        environ.update(
            {
                f"QH_AUTH_OAUTH_{upper}_CLIENT_ID": f"{name}-client",
                f"QH_AUTH_OAUTH_{upper}_CLIENT_SECRET": f"{name}-secret",
                f"QH_AUTH_OAUTH_{upper}_AUTHORIZE_URL": f"{STUB}/{name}/authorize",
                f"QH_AUTH_OAUTH_{upper}_TOKEN_URL": f"{STUB}/{name}/token",
                f"QH_AUTH_OAUTH_{upper}_USERINFO_URL": f"{STUB}/{USERINFO[name]}",
            }
        )
    return environ


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def stub() -> Stub:
    return Stub()


@pytest.fixture(scope="module")
async def platform(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, stub: Stub
) -> AsyncIterator[Platform]:
    """Google and GitHub configured in auth (Yandex not), unless a test says otherwise."""
    providers = getattr(request, "param", ("google", "github"))
    found = discover_services()
    host = Platform(
        [found[slug] for slug in SERVICES],
        environ=oauth_environ(providers),
        data_dir=str(tmp_path_factory.mktemp("qh")),
        public_base_url=BASE,
        event_backoff_seconds=0.01,
        outbox_poll_seconds=0.1,
        log_format="console",
        log_level="WARNING",
    )
    auth = service_context(host.service("auth").app)
    auth.oauth_transport = oauth_httpx.ASGITransport(app=stub.app())  # type: ignore[attr-defined]
    async with host:
        yield host
        await host.runtime.drain()


def buttons(html: str) -> list[str]:
    return re.findall(r'href="/signin/social/([a-z]+)', html)


async def start(browser: Any, provider: str = "google", **extra: str) -> httpx.Response:
    signin = await browser.get("/signin")
    link = re.search(rf'href="(/signin/social/{provider}[^"]*)"', signin.text)
    path = link.group(1) if link else f"/signin/social/{provider}"
    started: httpx.Response = await browser.get(path, params=extra or None)
    return started


async def test_only_the_configured_providers_have_buttons(browser: Any, other: Any) -> None:
    signin = await browser.get("/signin")
    assert buttons(signin.text) == ["google", "github"]
    assert "Continue with Google" in signin.text
    assert "Continue with GitHub" in signin.text
    signup = await other.get("/signup")  # in Russian
    assert buttons(signup.text) == ["google", "github"]
    assert "Продолжить через Google" in signup.text


@pytest.mark.parametrize("platform", [()], indirect=True)
async def test_no_buttons_when_auth_has_no_provider(browser: Any) -> None:
    signin = await browser.get("/signin")
    assert signin.status_code == 200
    assert buttons(signin.text) == []
    assert "social" not in signin.text
    refused = await start(browser, "google")
    assert refused.status_code == 404
    assert "Signing in with Google is not available here." in refused.text


async def test_social_sign_in_ends_in_a_session_here(browser: Any, stub: Stub) -> None:
    stub.profile = {"id": "1001", "email": "ada@example.com", "verified": True, "name": "Ada L"}
    started = await start(browser, "google", next="/documents")
    assert started.status_code == 303, started.text
    location = started.headers["location"]
    assert location.startswith(f"{STUB}/google/authorize?")
    query = parse_qs(urlsplit(location).query)
    assert query["redirect_uri"] == [f"{BASE}/oauth/google/callback"]
    assert query["code_challenge_method"] == ["S256"]
    sealed = next(c for c in browser.client.cookies.jar if c.name == "qh_social")
    assert sealed.secure
    assert sealed.has_nonstandard_attr("HttpOnly")
    assert query["state"][0] not in sealed.value  # sealed, not readable

    back = await browser.client.get(stub.consent(location).removeprefix(BASE))
    assert back.status_code == 303, back.text
    assert back.headers["location"] == "/documents"
    assert not any(c.name == "qh_social" for c in browser.client.cookies.jar)
    account = await browser.get("/account")
    assert account.status_code == 200
    assert "ada@example.com" in account.text
    # The same person again, from the sign-in page: the same account.
    await browser.post("/signout", {})
    started = await start(browser, "google")
    back = await browser.client.get(stub.consent(started.headers["location"]).removeprefix(BASE))
    assert back.headers["location"] == "/profile"
    assert "ada@example.com" in (await browser.get("/account")).text


async def test_a_callback_in_another_browser_is_refused(
    browser: Any, other: Any, stub: Stub
) -> None:
    stub.profile = {"id": "1002", "email": "eve@example.com", "verified": True, "name": "Eve"}
    started = await start(browser, "google")
    callback = stub.consent(started.headers["location"]).removeprefix(BASE)
    stolen = await other.get(callback)  # no sealed state in this browser: login CSRF
    assert stolen.status_code == 400
    assert "не завершился" in stolen.text
    assert (await other.get("/account")).status_code == 303  # not signed in
    # A state that is not the one this browser started with is refused too.
    forged = callback.replace("state=", "state=x")
    refused = await browser.get(forged)
    assert refused.status_code == 400
    assert "did not complete" in refused.text
    assert (await browser.get("/account")).status_code == 303


async def test_each_failure_is_told_in_words(browser: Any, stub: Stub) -> None:
    started = await start(browser, "google")
    state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
    cancelled = await browser.get(f"/oauth/google/callback?error=access_denied&state={state}")
    assert cancelled.status_code == 400
    assert "The sign-in with Google was cancelled." in cancelled.text

    stub.profile = {"id": "1003", "email": "mallory@example.com", "verified": False, "name": "M"}
    started = await start(browser, "google")
    unverified = await browser.get(stub.consent(started.headers["location"]).removeprefix(BASE))
    assert unverified.status_code == 422
    assert "did not confirm an e-mail address" in unverified.text

    unknown = await start(browser, "yandex")  # not configured here
    assert unknown.status_code == 404
    assert "Signing in with Yandex is not available here." in unknown.text
    assert buttons(unknown.text) == ["google", "github"]


async def test_a_button_keeps_where_the_person_was_going(browser: Any, stub: Stub) -> None:
    page = await browser.get("/signin?next=/documents%3Fx%3D1")
    assert 'href="/signin/social/google?next=/documents%3Fx%3D1"' in page.text
    # Only a path of this site is followed afterwards.
    stub.profile = {"id": "1004", "email": "next@example.com", "verified": True, "name": "N"}
    elsewhere = await browser.get("/signin/social/google?next=//evil.example/")
    assert elsewhere.status_code == 303
    back = await browser.client.get(stub.consent(elsewhere.headers["location"]).removeprefix(BASE))
    assert back.headers["location"] == "/profile"


async def test_a_stale_session_cookie_does_not_spoil_the_forms(browser: Any) -> None:
    """A session ended on the server (idle, signed out elsewhere) leaves its cookie in the
    browser: the sign-in form and the error pages' forms must still be accepted."""
    email = f"stale-{secrets.token_hex(4)}@example.com"
    await browser.sign_up(email)
    session = next(c for c in browser.client.cookies.jar if c.name == "qh_session")
    browser.client.cookies.delete("qh_session")
    browser.client.cookies.set("qh_session", "ended-elsewhere", domain=session.domain)
    await browser.get("/signin")
    signed_in = await browser.post("/signin", {"email": email, "password": PASSWORD})
    assert signed_in.status_code == 303, signed_in.text
    # Signed in, a page that is not found still offers a working language switch.
    missing = await browser.get("/no-such-page")
    assert missing.status_code == 404
    switched = await browser.post("/language", {"lang": "ru", "next": "/account"})
    assert switched.status_code == 303, switched.text
