"""The token endpoint, logout, and the published keys and issuer metadata."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import unquote

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, URLEncodedBody

from qh.auth.context import AuthContext
from qh.auth.domain.accounts.login import PasswordLogin
from qh.auth.domain.http import NO_STORE, PUBLIC, client_address
from qh.auth.domain.mfa.services import TwoFactor
from qh.auth.domain.tokens.schemas import LogoutIn, TokenForm, TokenOut
from qh.auth.domain.tokens.services import TokenService
from qh.auth.keys import SUPPORTED_ALGORITHMS
from qh.kit.context import AUTH_PREFIX, JWKS_PATH, TOKEN_PATH
from qh.kit.problems import BadRequest, InvalidValue, problem_responses

MFA_GRANT = "urn:qh:mfa"
GRANTS = ("password", "refresh_token", "client_credentials", MFA_GRANT)
# Where every service finds them (qh.kit.context), relative to this service's prefix.
TOKEN_ROUTE = TOKEN_PATH.removeprefix(AUTH_PREFIX)
JWKS_ROUTE = JWKS_PATH.removeprefix(AUTH_PREFIX)


def _basic_credentials(request: Request[Any, Any, Any]) -> tuple[str | None, str | None]:
    """``Authorization: Basic`` client credentials (RFC 6749 §2.3.1), if sent."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic" or not value:
        return None, None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadRequest("Malformed Basic credentials") from None
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)


class TokenController(Controller):
    path = "/"
    tags = ["tokens"]
    opt = {"exclude_from_auth": True}

    @post(
        TOKEN_ROUTE,
        status_code=200,
        response_headers=NO_STORE,
        summary="Get tokens (password, refresh_token or client_credentials grant)",
        security=PUBLIC,
        responses=problem_responses(401, 403, 429),
    )
    async def token(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[TokenForm],
        login: NamedDependency[PasswordLogin],
        tokens: NamedDependency[TokenService],
        context: NamedDependency[AuthContext],
        two_factor: NamedDependency[TwoFactor],
    ) -> TokenOut:
        """OAuth 2.0 token endpoint, form-encoded. 401 for bad credentials (the same answer
        whether or not the e-mail exists), 429 with Retry-After after repeated failures.
        With two-factor sign-in on, the password grant answers 403 `{"error":
        "mfa_required", "mfa_token", "expires_in"}`; `grant_type=urn:qh:mfa&mfa_token=&code=`
        completes it."""
        if data.grant_type == "password":
            if data.username is None or data.password is None:
                raise InvalidValue.field("username", "username and password are required")
            return await login.login(
                data.username,
                data.password,
                await client_address(request, context),
                request.headers.get("user-agent"),
            )
        if data.grant_type == MFA_GRANT:
            if not data.mfa_token or not data.code:
                raise InvalidValue.field("code", "mfa_token and code are required")
            return await two_factor.complete(
                data.mfa_token,
                data.code,
                await client_address(request, context),
                request.headers.get("user-agent"),
            )
        if data.grant_type == "refresh_token":
            if not data.refresh_token:
                raise InvalidValue.field("refresh_token", "required for this grant")
            return await tokens.refresh(data.refresh_token)
        if data.grant_type == "client_credentials":
            basic_id, basic_secret = _basic_credentials(request)
            return await tokens.client_credentials(
                data.client_id or basic_id, data.client_secret or basic_secret
            )
        raise InvalidValue.field("grant_type", f"unsupported; use one of {', '.join(GRANTS)}")

    @post(
        "/logout",
        status_code=204,
        summary="Log out: revoke the refresh token's family",
        security=PUBLIC,
    )
    async def logout(self, data: JSONBody[LogoutIn], tokens: NamedDependency[TokenService]) -> None:
        """Always 204, whether or not the token was known."""
        await tokens.logout(data.refresh_token)

    @get(JWKS_ROUTE, summary="Public signing keys (JWKS)", security=PUBLIC, cache=False)
    async def jwks(self, context: NamedDependency[AuthContext]) -> dict[str, Any]:
        return await context.keys.jwks()

    @get(
        "/.well-known/openid-configuration",
        summary="Issuer metadata",
        security=PUBLIC,
        sync_to_thread=False,
    )
    def openid_configuration(self, context: NamedDependency[AuthContext]) -> dict[str, Any]:
        issuer = context.settings.resolved_auth_issuer
        return {
            "issuer": issuer,
            "token_endpoint": f"{issuer}{TOKEN_ROUTE}",
            "jwks_uri": f"{issuer}{JWKS_ROUTE}",
            "userinfo_endpoint": f"{issuer}/me",
            "registration_endpoint": f"{issuer}/register",
            "grant_types_supported": list(GRANTS),
            "response_types_supported": ["code"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "id_token_signing_alg_values_supported": list(SUPPORTED_ALGORITHMS),
            "subject_types_supported": ["public"],
            "claims_supported": ["iss", "aud", "sub", "roles", "exp", "iat", "jti"],
            "code_challenge_methods_supported": ["S256"],
        }
