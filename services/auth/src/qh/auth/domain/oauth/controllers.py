"""Social login routes."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import CookieParameter, PathParameter, QueryParameter
from litestar.response import Redirect

from qh.auth.context import AuthContext
from qh.auth.domain.accounts.users import preferred_locale
from qh.auth.domain.http import NO_STORE, PUBLIC
from qh.auth.domain.oauth.providers import enabled_provider
from qh.auth.domain.oauth.services import STATE_COOKIE, SocialLogin
from qh.auth.domain.tokens.schemas import TokenOut
from qh.auth.settings import OAUTH_PROVIDERS
from qh.kit.context import AUTH_PREFIX

Provider = Annotated[str, PathParameter(max_length=20, pattern=r"^[a-z]+$")]
Query = Annotated[str | None, QueryParameter(max_length=2048)]

PATH = "/oauth"
# The state cookie goes back only to these routes.
COOKIE_PATH = f"{AUTH_PREFIX}{PATH}"


class OAuthController(Controller):
    path = PATH
    tags = ["social login"]
    opt = {"exclude_from_auth": True}

    @get("/providers", summary="The social logins configured here", security=PUBLIC)
    async def providers(self, context: NamedDependency[AuthContext]) -> dict[str, list[str]]:
        """The providers whose client id and secret are set (a sign-in page shows their
        buttons only); every other one answers 404 on ``/authorize``."""
        names = [
            name
            for name in OAUTH_PROVIDERS
            if await enabled_provider(name, context.settings, context.runtime.secrets)
        ]
        return {"providers": names}

    @get(
        "/{provider:str}/authorize",
        status_code=302,
        summary="Start a social login",
        security=PUBLIC,
    )
    async def authorize(
        self,
        provider: Provider,
        social: NamedDependency[SocialLogin],
        context: NamedDependency[AuthContext],
    ) -> Redirect:
        """Redirects to the provider (authorization code with PKCE S256 and ``state``)."""
        url, state = await social.authorize(provider)
        secure = context.settings.oauth_redirect_base.startswith("https://")
        cookie = Cookie(
            key=STATE_COOKIE,
            value=state,
            path=COOKIE_PATH,
            max_age=context.settings.oauth_state_seconds,
            httponly=True,
            secure=secure,
            samesite="lax",
        )
        return Redirect(path=url, status_code=302, cookies=[cookie])

    @get("/{provider:str}/callback", summary="Finish a social login", security=PUBLIC)
    async def callback(
        self,
        request: Request[Any, Any, Any],
        provider: Provider,
        social: NamedDependency[SocialLogin],
        code: Query = None,
        oauth_state: Annotated[str | None, QueryParameter(name="state", max_length=2048)] = None,
        error: Query = None,
        browser_state: Annotated[
            str | None, CookieParameter(name=STATE_COOKIE, max_length=256)
        ] = None,
    ) -> Response[Any]:
        """Ends in the same token pair as a password login. An account it creates gets
        the message language of the request's `Accept-Language` (ru or en)."""
        pair: TokenOut = await social.callback(
            provider,
            code=code,
            state=oauth_state,
            browser_state=browser_state,
            error=error,
            locale=preferred_locale(request.headers.get("accept-language")),
        )
        response: Response[Any] = Response(pair, headers=NO_STORE)
        response.delete_cookie(STATE_COOKIE, path=COOKIE_PATH)
        return response
