"""Social login: authorization code with PKCE (S256) and a single-use ``state`` that is
stored hashed and also bound to the browser by a cookie. An account is linked to an
existing user only through an e-mail address the provider has verified."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import structlog
from authlib.integrations.base_client import OAuthError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from qh.auth.context import AuthContext
from qh.auth.db.models import OAuthAccount, OAuthState, User
from qh.auth.domain.accounts.users import DEFAULT_LOCALE, AccountService, lookup_email
from qh.auth.domain.oauth.providers import Identity, Provider, enabled_provider
from qh.auth.domain.tokens.schemas import TokenOut
from qh.auth.domain.tokens.services import TokenService
from qh.auth.opaque import digest, new_secret
from qh.kit.problems import BadRequest, Conflict, NotFound, ServiceUnavailable, Unauthorized

log = structlog.get_logger("qh.auth.oauth")

STATE_COOKIE = "qh_oauth_state"


def _now() -> datetime:
    return datetime.now(UTC)


class SocialLogin:
    """Starts a social login and finishes it in a token pair, on the session given."""

    def __init__(
        self,
        session: AsyncSession,
        context: AuthContext,
        accounts: AccountService,
        tokens: TokenService,
    ) -> None:
        self.session = session
        self.context = context
        self.settings = context.settings
        self.accounts = accounts
        self.tokens = tokens

    async def provider(self, name: str) -> Provider:
        provider = await enabled_provider(name, self.settings, self.context.runtime.secrets)
        if provider is None:
            raise NotFound(f"Social login with {name!r} is not configured")
        return provider

    def redirect_uri(self, provider: Provider) -> str:
        return f"{self.settings.oauth_redirect_base}/oauth/{provider.name}/callback"

    def _client(self, provider: Provider) -> Any:
        # Imported on use: Authlib warns at import time about its httpx integration.
        from authlib.integrations.httpx_client import AsyncOAuth2Client

        return AsyncOAuth2Client(
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            scope=provider.scope,
            redirect_uri=self.redirect_uri(provider),
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_post",
            transport=self.context.oauth_transport,
            timeout=httpx.Timeout(15.0),
        )

    async def authorize(self, name: str) -> tuple[str, str]:
        """The provider's authorization URL and the ``state`` to bind to the browser."""
        provider = await self.provider(name)
        state, verifier = new_secret(), new_secret() + new_secret()[:20]
        # A transaction of its own: the answer is a redirect, and the request's session
        # is committed only after a 2xx.
        async with self.context.transaction() as session:
            await session.execute(delete(OAuthState).where(OAuthState.expires_at < _now()))
            session.add(
                OAuthState(
                    state_hash=digest(state),
                    provider=provider.name,
                    code_verifier=verifier,
                    expires_at=_now() + timedelta(seconds=self.settings.oauth_state_seconds),
                )
            )
        async with self._client(provider) as client:
            url, _ = client.create_authorization_url(
                provider.authorize_url, state=state, code_verifier=verifier
            )
        return url, state

    async def callback(
        self,
        name: str,
        *,
        code: str | None,
        state: str | None,
        browser_state: str | None,
        error: str | None,
        locale: str = DEFAULT_LOCALE,
    ) -> TokenOut:
        """``locale``: the message language of an account this login creates."""
        provider = await self.provider(name)
        if error:
            raise BadRequest(f"The provider refused the login: {error[:100]}")
        if not code or not state:
            raise BadRequest("code and state are required")
        if not browser_state or not hmac.compare_digest(browser_state.encode(), state.encode()):
            raise BadRequest("The state does not match this browser's login")
        # A transaction of its own: the state is spent whatever happens next, and the
        # calls to the provider below must not hold the request's transaction open.
        async with self.context.transaction() as session:
            pending = await session.scalar(
                select(OAuthState)
                .where(
                    OAuthState.state_hash == digest(state),
                    OAuthState.provider == provider.name,
                    OAuthState.expires_at > _now(),
                )
                .with_for_update()
            )
            if pending is not None:
                await session.delete(pending)
        if pending is None:
            raise BadRequest("Unknown, used or expired state")
        identity = await self._identity(provider, code, pending.code_verifier)
        try:
            return await self._sign_in(provider, identity, locale)
        except IntegrityError:
            raise Conflict("This social account was linked at the same moment; try again") from None

    async def _identity(self, provider: Provider, code: str, verifier: str) -> Identity:
        try:
            async with self._client(provider) as client:
                await client.fetch_token(
                    provider.token_url,
                    code=code,
                    code_verifier=verifier,
                    grant_type="authorization_code",
                )
                return await provider.identity(client)
        except OAuthError as exc:
            raise BadRequest(f"The provider refused the code: {exc.error}") from None
        except httpx.HTTPStatusError as exc:
            raise ServiceUnavailable(
                f"{provider.name} answered {exc.response.status_code}"
            ) from None
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            log.warning("oauth_provider_failed", provider=provider.name, error=repr(exc))
            raise ServiceUnavailable(
                f"{provider.name} could not be reached or answered badly"
            ) from None

    async def _sign_in(self, provider: Provider, identity: Identity, locale: str) -> TokenOut:
        """On the request's session; every read here locks what it may change."""
        session = self.session
        linked = await session.scalar(
            select(OAuthAccount)
            .where(
                OAuthAccount.provider == provider.name,
                OAuthAccount.subject == identity.subject[:255],
            )
            .with_for_update()
        )
        if linked is not None:
            user = await session.get(User, linked.user_id, with_for_update=True)
        else:
            if not identity.email or not identity.email_verified:
                raise BadRequest(
                    f"{provider.name} did not confirm an e-mail address for this account"
                )
            email = lookup_email(identity.email)
            if email is None:
                raise BadRequest(f"{provider.name} gave an e-mail address that is not valid")
            user = await self.accounts.by_email(email, lock=True)
            if user is None:
                user = await self.accounts.create_user(
                    email,
                    password_hash=None,
                    full_name=(identity.name or None) and identity.name[:200],  # type: ignore[index]
                    email_verified=True,
                    locale=locale,
                )
            elif not user.email_verified:
                # Someone registered this address without proving it: their password
                # must not survive into the verified owner's account.
                user.password_hash = None
                user.email_verified = True
                await self.tokens.revoke_all(user.id, "social_link")
            session.add(
                OAuthAccount(
                    user_id=user.id,
                    provider=provider.name,
                    subject=identity.subject[:255],
                    email=email,
                )
            )
            log.info("oauth_account_linked", provider=provider.name, user_id=str(user.id))
        if user is None or not user.is_active:
            raise Unauthorized("This account is deactivated")
        refresh_token = await self.tokens.start_family(user)
        return await self.tokens.pair(user, refresh_token)
