"""What every request passes before its handler: the bearer token (verified, and not
revoked) and the body's media type.

Both depend only on the matched handler and path, so the decision (does it need a token?
which body does it take?) is made once per route and kept. The guard sits in the app's
router: the route the router finds is handed back already guarded, so a request costs no
extra ASGI layer (a route middleware would also make Litestar wrap every route in a second
exception handler), one pass over its headers and, with a token, the verifier's cached
check. Whatever the guard raises is answered by the app's exception handlers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
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
    from litestar import Litestar

    from qh.kit.revocation import Revocations

_NO_TOKEN = "Authentication required: send Authorization: Bearer <access token>"
_REVOKED = "Invalid access token: the account was deleted or deactivated after it was issued"


class RouteGuard:
    """Sets ``scope["user"]`` to the caller's :class:`~qh.kit.auth.Principal` (401 without a
    valid, unrevoked bearer token) and answers 415 to a body the handler does not take.

    Routes opt out of the token with ``opt={"exclude_from_auth": True}`` (public routes,
    Dapr routes), paths with ``exclude`` patterns (operations); ``OPTIONS`` never needs
    one. :meth:`install` puts it in an app's router."""

    def __init__(
        self,
        verifier: TokenVerifier,
        exclude: Sequence[str] = (),
        revocations: Revocations | None = None,
    ) -> None:
        self.verifier = verifier
        self.revocations = revocations
        self.exclude = re.compile("|".join(exclude)) if exclude else None

    def install(self, app: Litestar) -> None:
        """Guard every route ``app``'s router finds (in the router's own cache of routes)."""
        router = app.asgi_router
        find = router._handle_routing

        def handle_routing(path: str, method: Any) -> tuple[Any, ...]:
            asgi_app, handler, *found = find(path, method)
            return (self.guarded(asgi_app, handler, path), handler, *found)

        router.handle_routing = lru_cache(1024)(handle_routing)  # type: ignore[method-assign]

    def guarded(self, app: ASGIApp, handler: Any, path: str) -> GuardedRoute:
        needs_auth = not (
            (handler is not None and handler.opt.get("exclude_from_auth"))
            or (self.exclude is not None and self.exclude.match(path))
        )
        body = body_rule(handler) if isinstance(handler, HTTPRouteHandler) else None
        return GuardedRoute(app, self, needs_auth, body)

    async def authenticate(self, scope: Scope) -> Principal:
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


class GuardedRoute:
    """A route's ASGI app behind the guard's decision for it."""

    __slots__ = ("app", "auth", "body", "guard")

    def __init__(self, app: ASGIApp, guard: RouteGuard, auth: bool, body: BodyRule | None) -> None:
        self.app = app
        self.guard = guard
        self.auth = auth
        self.body = body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = None
        if self.auth and scope.get("method") != "OPTIONS":
            principal = await self.guard.authenticate(scope)
        if self.body is not None:
            BodyMediaTypeMiddleware.check(self.body, scope)
        # Always set (``None`` on a public route), so a request handled in-process inside
        # another one never sees the outer caller.
        token = current_principal.set(principal)
        try:
            await self.app(scope, receive, send)
        finally:
            current_principal.reset(token)


__all__ = ["GuardedRoute", "RouteGuard", "UnsupportedMediaType"]
