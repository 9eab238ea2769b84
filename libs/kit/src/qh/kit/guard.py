"""What every request passes before its handler, in one ASGI layer: the bearer token
(verified, and not revoked) and the body's media type.

Both depend only on the matched handler, so the decision for a handler (does it need a
token? which body does it take?) is made once and kept; a request then costs one dict
look-up, one pass over its headers and, with a token, the verifier's cached check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from litestar.handlers import HTTPRouteHandler
from litestar.types import ASGIApp, Receive, Scope, Send

from qh.kit.auth import (
    InvalidToken,
    Principal,
    TokenVerifier,
    bearer_token,
    current_principal,
)
from qh.kit.http import BodyMediaTypeMiddleware, BodyRule, body_rule
from qh.kit.problems import Unauthorized, UnsupportedMediaType

if TYPE_CHECKING:
    from qh.kit.revocation import Revocations

_NO_TOKEN = "Authentication required: send Authorization: Bearer <access token>"
_REVOKED = "Invalid access token: the account was deleted or deactivated after it was issued"


class _Decision:
    __slots__ = ("auth", "body")

    def __init__(self, auth: bool, body: BodyRule | None) -> None:
        self.auth = auth
        self.body = body


class RouteGuardMiddleware:
    """Sets ``scope["user"]`` to the caller's :class:`~qh.kit.auth.Principal` (401 without a
    valid, unrevoked bearer token) and answers 415 to a body the handler does not take.

    Routes opt out of the token with ``opt={"exclude_from_auth": True}`` (public routes,
    Dapr routes), paths with ``exclude`` patterns (operations); ``OPTIONS`` never needs
    one."""

    def __init__(
        self,
        app: ASGIApp,
        verifier: TokenVerifier,
        exclude: Sequence[str] = (),
        revocations: Revocations | None = None,
    ) -> None:
        self.app = app
        self.verifier = verifier
        self.revocations = revocations
        self.exclude = re.compile("|".join(exclude)) if exclude else None
        self._decisions: dict[int, _Decision] = {}

    def _decide(self, handler: Any, path: str) -> _Decision:
        needs_auth = not (
            (handler is not None and handler.opt.get("exclude_from_auth"))
            or (self.exclude is not None and self.exclude.match(path))
        )
        body = body_rule(handler) if isinstance(handler, HTTPRouteHandler) else None
        return _Decision(needs_auth, body)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http" and kind != "websocket":
            await self.app(scope, receive, send)
            return
        handler = scope.get("route_handler")
        decision = self._decisions.get(id(handler))
        if decision is None:
            decision = self._decisions[id(handler)] = self._decide(handler, scope["path"])
        principal = None
        if decision.auth and scope.get("method") != "OPTIONS":
            principal = await self._authenticate(scope)
        if decision.body is not None:
            BodyMediaTypeMiddleware.check(decision.body, scope)
        # Always set (``None`` on a public route), so a request handled in-process inside
        # another one never sees the outer caller.
        token = current_principal.set(principal)
        try:
            await self.app(scope, receive, send)
        finally:
            current_principal.reset(token)

    async def _authenticate(self, scope: Scope) -> Principal:
        token = bearer_token(scope)
        if token is None:
            raise Unauthorized(_NO_TOKEN, headers={"WWW-Authenticate": "Bearer"})
        try:
            principal = await self.verifier.verify(token)
        except InvalidToken as exc:
            raise Unauthorized(f"Invalid access token: {exc}") from None
        if self.revocations is not None and self.revocations.is_revoked(principal):
            raise Unauthorized(_REVOKED)
        scope["user"] = principal
        scope["auth"] = token
        return principal


__all__ = ["RouteGuardMiddleware", "UnsupportedMediaType"]
