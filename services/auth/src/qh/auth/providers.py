"""The auth service's providers: the same functions build its domain services for a
request (on the request's session), a CLI command and a test (on the session given)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from qh.auth.context import AuthContext
from qh.auth.domain.accounts.admin import AdminService
from qh.auth.domain.accounts.email_tokens import EmailVerification, PasswordReset
from qh.auth.domain.accounts.login import PasswordLogin
from qh.auth.domain.accounts.registration import Registration
from qh.auth.domain.accounts.users import AccountService
from qh.auth.domain.mfa.services import TwoFactor
from qh.auth.domain.oauth.services import SocialLogin
from qh.auth.domain.tokens.services import TokenService
from qh.auth.keys import KeyRing


def provide_keys(context: AuthContext) -> KeyRing:
    return context.keys


def provide_tokens(db_session: AsyncSession, context: AuthContext) -> TokenService:
    return TokenService(db_session, context)


def provide_accounts(db_session: AsyncSession, context: AuthContext) -> AccountService:
    return AccountService(db_session, context)


def provide_verification(db_session: AsyncSession, context: AuthContext) -> EmailVerification:
    return EmailVerification(db_session, context)


def provide_registration(
    context: AuthContext, accounts: AccountService, verification: EmailVerification
) -> Registration:
    return Registration(context, accounts, verification)


def provide_login(
    db_session: AsyncSession, context: AuthContext, tokens: TokenService
) -> PasswordLogin:
    return PasswordLogin(db_session, context, tokens)


def provide_password_reset(
    db_session: AsyncSession, context: AuthContext, tokens: TokenService
) -> PasswordReset:
    return PasswordReset(db_session, context, tokens)


def provide_admin(
    db_session: AsyncSession, context: AuthContext, accounts: AccountService, tokens: TokenService
) -> AdminService:
    return AdminService(db_session, context, accounts, tokens)


def provide_social(
    db_session: AsyncSession, context: AuthContext, accounts: AccountService, tokens: TokenService
) -> SocialLogin:
    return SocialLogin(db_session, context, accounts, tokens)


def provide_two_factor(
    db_session: AsyncSession, context: AuthContext, tokens: TokenService
) -> TwoFactor:
    return TwoFactor(db_session, context, tokens)


PROVIDERS: Mapping[str, Callable[..., Any]] = {
    "keys": provide_keys,
    "tokens": provide_tokens,
    "accounts": provide_accounts,
    "verification": provide_verification,
    "registration": provide_registration,
    "login": provide_login,
    "password_reset": provide_password_reset,
    "admin": provide_admin,
    "social": provide_social,
    "two_factor": provide_two_factor,
}

# The classes the handlers' annotations name, for Litestar to resolve them.
SIGNATURE_NAMESPACE: Mapping[str, Any] = {
    cls.__name__: cls
    for cls in (
        AccountService,
        AdminService,
        EmailVerification,
        KeyRing,
        PasswordLogin,
        PasswordReset,
        Registration,
        SocialLogin,
        TokenService,
        TwoFactor,
    )
}

__all__ = ["PROVIDERS", "SIGNATURE_NAMESPACE"]
