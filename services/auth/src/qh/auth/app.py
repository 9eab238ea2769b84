"""The auth service's ``service`` definition: its routes, providers and context."""

from __future__ import annotations

from pathlib import Path

from litestar.openapi.spec import Tag

from qh.auth.cli import auth_cli
from qh.auth.context import AuthContext
from qh.auth.db.models import Base
from qh.auth.domain.accounts.controllers import (
    AdminController,
    MeController,
    PublicAccountController,
)
from qh.auth.domain.accounts.pages import EmailLinkPages
from qh.auth.domain.mfa.controllers import MfaController
from qh.auth.domain.oauth.controllers import OAuthController
from qh.auth.domain.tokens.controllers import TokenController
from qh.auth.providers import PROVIDERS, SIGNATURE_NAMESPACE
from qh.auth.settings import AuthSettings
from qh.kit.app import ServiceDefinition
from qh.kit.context import AUTH_PREFIX, TOKEN_PATH

TAGS = [
    Tag(
        name="accounts",
        description="Registration, the current user, e-mail verification, password reset",
    ),
    Tag(name="tokens", description="OAuth 2.0 token endpoint, logout, JWKS and issuer metadata"),
    Tag(name="social login", description="Google, GitHub and Yandex through OAuth 2.0 with PKCE"),
    Tag(name="two-factor", description="TOTP enrolment, confirmation and removal"),
    Tag(name="admin", description="Accounts, roles and deactivation (role admin)"),
]

service: ServiceDefinition[AuthSettings] = ServiceDefinition(
    slug="auth",
    prefix=AUTH_PREFIX,
    title="QH auth",
    description=(
        "Accounts, passwords (argon2id), RS256 access tokens published as JWKS, rotating "
        "refresh tokens, e-mail verification and password reset, social login (Google, "
        "GitHub, Yandex) and roles. Log in with the Authorize button: the password flow "
        f"posts to {TOKEN_PATH}."
    ),
    settings_class=AuthSettings,
    metadata=lambda: Base.metadata,
    migrations=Path(__file__).parent / "db" / "migrations",
    route_handlers=[
        PublicAccountController,
        MeController,
        AdminController,
        EmailLinkPages,
        MfaController,
        TokenController,
        OAuthController,
    ],
    providers=PROVIDERS,
    context_class=AuthContext,
    tags=TAGS,
    signature_namespace=SIGNATURE_NAMESPACE,
    cli=auth_cli,
    public_routes=False,
)
