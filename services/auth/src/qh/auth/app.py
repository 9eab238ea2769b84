"""The auth service: ``create_app(settings)`` and its ``service`` definition."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from litestar import Litestar
from litestar.di import Provide
from litestar.openapi.spec import Tag

from qh.auth.cli import auth_cli
from qh.auth.core import AuthCore, accounts, serialize_sqlite_writes, social, tokens
from qh.auth.db.models import Base
from qh.auth.domain.accounts.controllers import (
    AdminController,
    MeController,
    PublicAccountController,
)
from qh.auth.domain.accounts.services import AccountService
from qh.auth.domain.oauth.controllers import OAuthController
from qh.auth.domain.oauth.services import SocialLogin
from qh.auth.domain.tokens.controllers import TokenController
from qh.auth.domain.tokens.services import TokenService
from qh.auth.settings import AuthSettings
from qh.kit.app import ServiceDefinition, create_service_app, service_context
from qh.kit.runtime import Runtime

TAGS = [
    Tag(
        name="accounts",
        description="Registration, the current user, e-mail verification, password reset",
    ),
    Tag(name="tokens", description="OAuth 2.0 token endpoint, logout, JWKS and issuer metadata"),
    Tag(name="social login", description="Google, GitHub and Yandex through OAuth 2.0 with PKCE"),
    Tag(name="admin", description="Accounts, roles and deactivation (role admin)"),
]


def create_app(
    settings: AuthSettings,
    *,
    runtime: Runtime | None = None,
    oauth_transport: httpx.AsyncBaseTransport | None = None,
) -> Litestar:
    """The auth app. ``oauth_transport`` carries the calls to social login providers
    (tests pass a transport to a local stub provider)."""
    holder: dict[str, AuthCore] = {}

    def core() -> AuthCore:
        return holder["core"]

    async def own_keys() -> dict[str, Any]:
        # The service verifies its own tokens from its key ring, never by calling itself.
        return await core().keys.jwks()

    @contextlib.asynccontextmanager
    async def start_auth(app: Litestar) -> AsyncIterator[None]:
        await core().start()
        housekeeping = asyncio.create_task(core().run_housekeeping(), name="auth-housekeeping")
        try:
            yield
        finally:
            housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await housekeeping

    app = create_service_app(
        settings,
        definition=service,
        route_handlers=[
            PublicAccountController,
            MeController,
            AdminController,
            TokenController,
            OAuthController,
        ],
        runtime=runtime,
        jwks_loader=own_keys,
        lifespan=[start_auth],
        tags=TAGS,
        dependencies={
            "core": Provide(core, sync_to_thread=False),
            "accounts": Provide(lambda: accounts(core()), sync_to_thread=False),
            "tokens": Provide(lambda: tokens(core()), sync_to_thread=False),
            "social": Provide(lambda: social(core()), sync_to_thread=False),
        },
        signature_namespace={
            "AuthCore": AuthCore,
            "AccountService": AccountService,
            "TokenService": TokenService,
            "SocialLogin": SocialLogin,
        },
    )
    context = service_context(app)
    serialize_sqlite_writes(context.db.get_engine())
    holder["core"] = AuthCore(
        settings=settings,
        session_maker=context.session_maker,
        outbox=context.outbox,
        runtime=context.runtime,
        oauth_transport=oauth_transport,
    )
    app.state.auth = holder["core"]
    return app


service = ServiceDefinition(
    slug="auth",
    prefix="/api/v1/auth",
    title="QH auth",
    description=(
        "Accounts, passwords (argon2id), RS256 access tokens published as JWKS, rotating "
        "refresh tokens, e-mail verification and password reset, social login (Google, "
        "GitHub, Yandex) and roles. Log in with the Authorize button: the password flow "
        "posts to /api/v1/auth/token."
    ),
    settings_class=AuthSettings,
    app_factory=create_app,
    metadata=lambda: Base.metadata,
    migrations=Path(__file__).parent / "db" / "migrations",
    cli=auth_cli,
)
