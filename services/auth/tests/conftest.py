"""Fixtures for the auth service's tests: the real app on a migrated database (SQLite and
PostgreSQL), a runtime that records what is published, a local stub of the social login
providers, and a small client for the common calls."""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import jwt
import pytest
from litestar import Litestar, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from qh.auth.app import service
from qh.auth.context import AuthContext
from qh.auth.domain.accounts.admin import AdminService
from qh.auth.settings import AuthSettings
from qh.kit.app import ServiceDefinition, service_context
from qh.kit.cloudevents import CloudEvent
from qh.kit.runtime import EnvSecrets, LocalRuntime
from qh.kit.testing import running, settings_for_tests

# Authlib's clients are built on httpx2 when it is installed (google-genai brings it), and
# then take only its transports.
try:
    import httpx2 as oauth_httpx  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    oauth_httpx = httpx

PLATFORM_SECRET = "platform-secret-for-tests-0123456789"
STRONG_PASSWORD = "Violet-Harbour-Lantern-42"
STUB = "http://stub.provider"


class RecordingRuntime(LocalRuntime):
    """A local runtime that also keeps every published event."""

    @property
    def published(self) -> list[tuple[str, CloudEvent]]:
        if not hasattr(self, "_published"):
            self._published: list[tuple[str, CloudEvent]] = []
        return self._published

    async def publish(self, topic: str, event: CloudEvent) -> None:
        self.published.append((topic, event))
        await super().publish(topic, event)


# --- a stub of Google, GitHub and Yandex ----------------------------------------------------


@dataclass
class StubProvider:
    """Auto-consenting provider: ``profile`` is who the next login turns out to be."""

    profile: dict[str, Any] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> Litestar:
        stub = self

        @get("/{provider:str}/authorize", sync_to_thread=False)
        def authorize(provider: FromPath[str], request: Request[Any, Any, Any]) -> Redirect:
            query = dict(request.query_params)
            stub.authorize_requests.append(query)
            code = secrets.token_urlsafe(16)
            stub.codes[code] = {**query, "provider": provider, "profile": dict(stub.profile)}
            target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
            return Redirect(path=target, status_code=302)

        @post("/{provider:str}/token", status_code=200)
        async def token(provider: FromPath[str], request: Request[Any, Any, Any]) -> Any:
            form = dict(await request.form())
            stub.token_requests.append(form)
            grant = stub.codes.pop(form.get("code", ""), None)
            if grant is None or grant["provider"] != provider:
                return _error("invalid_grant")
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            challenge = base64.urlsafe_b64encode(digest).decode().rstrip("=")
            if (
                challenge != grant.get("code_challenge")
                or form.get("redirect_uri") != grant["redirect_uri"]
            ):
                return _error("invalid_grant")
            if form.get("client_secret") != f"{provider}-secret":
                return _error("invalid_client")
            access = secrets.token_urlsafe(16)
            stub.tokens[access] = grant["profile"]
            return {"access_token": access, "token_type": "bearer", "expires_in": 3600}

        def _profile(request: Request[Any, Any, Any]) -> dict[str, Any]:
            header = request.headers.get("authorization", "")
            return stub.tokens.get(header.removeprefix("Bearer ").removeprefix("bearer "), {})

        @get("/google/userinfo", sync_to_thread=False)
        def google(request: Request[Any, Any, Any]) -> dict[str, Any]:
            p = _profile(request)
            return {
                "sub": p["id"],
                "email": p.get("email"),
                "email_verified": p.get("verified", False),
                "name": p.get("name"),
            }

        @get("/github/user", sync_to_thread=False)
        def github(request: Request[Any, Any, Any]) -> dict[str, Any]:
            p = _profile(request)
            return {"id": int(p["id"]), "login": "octo", "name": p.get("name"), "email": None}

        @get("/github/user/emails", sync_to_thread=False)
        def github_emails(request: Request[Any, Any, Any]) -> list[dict[str, Any]]:
            p = _profile(request)
            return [
                {"email": p.get("email"), "primary": True, "verified": p.get("verified", False)}
            ]

        @get("/yandex/info", sync_to_thread=False)
        def yandex(request: Request[Any, Any, Any]) -> dict[str, Any]:
            p = _profile(request)
            return {"id": p["id"], "default_email": p.get("email"), "real_name": p.get("name")}

        return Litestar(
            [authorize, token, google, github, github_emails, yandex],
            openapi_config=None,
            logging_config=None,
        )


def _error(code: str) -> Any:
    from litestar import Response

    return Response({"error": code}, status_code=400)


def oauth_settings() -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, userinfo in (
        ("google", "google/userinfo"),
        ("github", "github/user"),
        ("yandex", "yandex/info"),
    ):
        values.update(
            {
                f"oauth_{name}_client_id": f"{name}-client",
                f"oauth_{name}_client_secret": f"{name}-secret",
                f"oauth_{name}_authorize_url": f"{STUB}/{name}/authorize",
                f"oauth_{name}_token_url": f"{STUB}/{name}/token",
                f"oauth_{name}_userinfo_url": f"{STUB}/{userinfo}",
            }
        )
    return values


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def service_definition() -> ServiceDefinition:
    return service


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Tests override this to change a setting."""
    return {}


@pytest.fixture
def settings(database_url: str, settings_overrides: dict[str, Any]) -> AuthSettings:
    values: dict[str, Any] = {
        # Cheap hashes keep the suite fast; test_passwords checks the production parameters.
        "password_hash_memory_kib": 1024,
        "password_hash_time_cost": 1,
        "platform_client_secret": PLATFORM_SECRET,
        "signing_key_reload_seconds": 0.0,
        **oauth_settings(),
        **settings_overrides,
    }
    return settings_for_tests(service, database_url, **values)  # type: ignore[return-value]


@pytest.fixture
def runtime() -> RecordingRuntime:
    secrets_port = EnvSecrets({"QH_SECRET_AUTH_SIGNING_KEY": "test-key-encryption-secret"})
    return RecordingRuntime(
        max_attempts=4, backoff_seconds=0.01, backoff_max_seconds=0.02, secrets=secrets_port
    )


@pytest.fixture
def stub() -> StubProvider:
    return StubProvider()


@pytest.fixture
def app(settings: AuthSettings, runtime: RecordingRuntime, stub: StubProvider) -> Litestar:
    return service.create_app(
        settings, runtime=runtime, oauth_transport=oauth_httpx.ASGITransport(app=stub.app())
    )


@pytest.fixture
async def client(app: Litestar, runtime: RecordingRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with running(app, runtime) as client:
        yield client


@dataclass
class Api:
    """The calls most tests make, through the real app."""

    client: httpx.AsyncClient
    app: Litestar
    runtime: RecordingRuntime

    @property
    def context(self) -> AuthContext:
        return service_context(self.app)  # type: ignore[return-value]

    async def register(
        self, email: str | None = None, password: str = STRONG_PASSWORD, **extra: Any
    ) -> dict[str, Any]:
        email = email or f"user-{uuid.uuid4().hex[:10]}@example.com"
        response = await self.client.post(
            "/api/v1/auth/register", json={"email": email, "password": password, **extra}
        )
        assert response.status_code == 201, response.text
        return {**response.json(), "password": password}

    async def login_response(
        self, email: str, password: str = STRONG_PASSWORD, **headers: str
    ) -> httpx.Response:
        return await self.client.post(
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": email, "password": password},
            headers=headers,
        )

    async def login(self, email: str, password: str = STRONG_PASSWORD) -> dict[str, Any]:
        response = await self.login_response(email, password)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def refresh(self, refresh_token: str) -> httpx.Response:
        return await self.client.post(
            "/api/v1/auth/token",
            data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        )

    async def me(self, access_token: str) -> httpx.Response:
        return await self.client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {access_token}"}
        )

    async def admin(self) -> tuple[dict[str, Any], dict[str, str]]:
        email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
        async with self.context.transaction() as session:
            admin: AdminService = await self.context.provide("admin", session)
            user, _ = await admin.grant_admin(email, STRONG_PASSWORD)
        pair = await self.login(email)
        return {"id": str(user.id), "email": email}, {
            "Authorization": f"Bearer {pair['access_token']}"
        }

    async def events(self, topic: str) -> list[dict[str, Any]]:
        """Relay the outbox now and return the payloads published on ``topic``."""
        await service_context(self.app).outbox.relay_once()
        return [dict(e.data) for t, e in self.runtime.published if t == topic]  # type: ignore[arg-type]

    def private_key(self) -> Any:
        return self.context.keys._active.private  # type: ignore[union-attr]

    def kid(self) -> str:
        return self.context.keys._active.kid  # type: ignore[union-attr]

    def forge(
        self,
        claims: dict[str, Any],
        *,
        key: Any = None,
        algorithm: str = "RS256",
        kid: str | None = None,
    ) -> str:
        return jwt.encode(
            claims,
            key or self.private_key(),
            algorithm=algorithm,
            headers={"kid": kid or self.kid()},
        )


@pytest.fixture
def api(client: httpx.AsyncClient, app: Litestar, runtime: RecordingRuntime) -> Api:
    return Api(client, app, runtime)


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


@pytest.fixture
def parse_query() -> Any:
    return query_of
