"""Access-token verification for every service.

Tokens are verified locally against the auth service's JWKS, fetched through the Invoker
and cached; an unknown ``kid`` triggers one refetch (at most every few seconds, so random
kids cannot make a service hammer auth). ``exp``, ``iat``, ``iss``, ``aud`` and ``sub`` are
required and only asymmetric algorithms are accepted, which rules out ``alg=none`` and
HS256 signed with a public key (RFC 8725).
"""

from __future__ import annotations

import asyncio
import base64
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeAlias
from urllib.parse import parse_qsl
from uuid import UUID

import jwt
import msgspec
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Scope

from qh.kit.problems import Forbidden, Unauthorized

if TYPE_CHECKING:
    pass

ALLOWED_ALGORITHMS = ("EdDSA", "ES256", "RS256", "PS256")
REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "sub")

JwksLoader = Callable[[], Awaitable[dict[str, Any]]]


class Principal(msgspec.Struct, frozen=True):
    """Who is calling: a user, an admin, or a platform service."""

    id: UUID
    roles: frozenset[str]
    token: str
    claims: dict[str, Any]
    expires_at: float

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_service(self) -> bool:
        return "service" in self.roles


class InvalidToken(Exception):
    pass


class TokenVerifier:
    """Verifies access tokens with cached signing keys."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks_loader: JwksLoader,
        cache_seconds: float = 300.0,
        min_refetch_seconds: float = 5.0,
        leeway_seconds: float = 10.0,
        algorithms: Iterable[str] = ALLOWED_ALGORITHMS,
        cache_size: int = 10_000,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.jwks_loader = jwks_loader
        self.cache_seconds = cache_seconds
        self.min_refetch_seconds = min_refetch_seconds
        self.leeway = leeway_seconds
        self.algorithms = frozenset(algorithms)
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._fetch_lock = asyncio.Lock()
        self._verified: OrderedDict[str, Principal] = OrderedDict()
        self._cache_size = cache_size

    async def _refresh(self, *, force: bool) -> None:
        async with self._fetch_lock:
            age = time.monotonic() - self._fetched_at
            if age < self.min_refetch_seconds or (not force and age < self.cache_seconds):
                return
            document = await self.jwks_loader()
            keys: dict[str, jwt.PyJWK] = {}
            for jwk in document.get("keys", []):
                kid = jwk.get("kid")
                if not kid or jwk.get("use", "sig") != "sig":
                    continue
                try:
                    key = jwt.PyJWK(jwk)
                except jwt.PyJWTError:
                    continue
                if key.algorithm_name in self.algorithms:
                    keys[kid] = key
            self._keys = keys
            self._fetched_at = time.monotonic()
            self._verified.clear()

    async def _key(self, kid: str) -> jwt.PyJWK:
        if time.monotonic() - self._fetched_at >= self.cache_seconds:
            await self._refresh(force=False)
        key = self._keys.get(kid)
        if key is None:
            await self._refresh(force=True)
            key = self._keys.get(kid)
        if key is None:
            raise InvalidToken("unknown signing key")
        return key

    async def verify(self, token: str) -> Principal:
        """The caller behind ``token``, or :class:`InvalidToken` saying why not.

        The compact JWS is parsed once: strict base64url segments, the header's ``alg`` and
        ``kid`` checked against the cached keys, the signature verified by the key's own
        algorithm, then the registered claims validated (RFC 7519 §4.1, RFC 8725)."""
        now = time.time()
        cached = self._verified.get(token)
        if cached is not None and cached.expires_at + self.leeway > now:
            return cached
        parts = token.split(".")
        if len(parts) != 3 or not all(_B64URL.fullmatch(part) for part in parts[:2]):
            raise InvalidToken("malformed token")
        try:
            header = msgspec.json.decode(_b64decode(parts[0]))
        except (msgspec.DecodeError, ValueError) as exc:
            raise InvalidToken("malformed token header") from exc
        if not isinstance(header, dict):
            raise InvalidToken("malformed token header")
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in self.algorithms:
            raise InvalidToken("algorithm not allowed")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("token has no key id")
        if "crit" in header:
            raise InvalidToken("critical header parameters are not supported")
        if not _B64URL.fullmatch(parts[2]):
            raise InvalidToken("malformed signature")
        key = await self._key(kid)
        if key.algorithm_name != alg:
            raise InvalidToken("algorithm does not match the signing key")
        signing_input = f"{parts[0]}.{parts[1]}".encode("ascii")
        if not key.Algorithm.verify(signing_input, key.key, _b64decode(parts[2])):
            raise InvalidToken("signature verification failed")
        try:
            claims = msgspec.json.decode(_b64decode(parts[1]))
        except (msgspec.DecodeError, ValueError) as exc:
            raise InvalidToken("malformed token payload") from exc
        if not isinstance(claims, dict):
            raise InvalidToken("malformed token payload")
        self._check_claims(claims, now)
        try:
            subject = UUID(str(claims["sub"]))
        except ValueError as exc:
            raise InvalidToken("subject is not a user id") from exc
        roles = claims.get("roles") or []
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise InvalidToken("roles claim is malformed")
        principal = Principal(
            id=subject,
            roles=frozenset(roles),
            token=token,
            claims=claims,
            expires_at=float(claims["exp"]),
        )
        self._verified[token] = principal
        if len(self._verified) > self._cache_size:
            self._verified.popitem(last=False)
        return principal

    def _check_claims(self, claims: dict[str, Any], now: float) -> None:
        for name in REQUIRED_CLAIMS:
            if name not in claims:
                raise InvalidToken(f'token is missing the "{name}" claim')
        for name in ("exp", "iat", "nbf"):
            value = claims.get(name)
            if name in claims and (isinstance(value, bool) or not isinstance(value, int | float)):
                raise InvalidToken(f'the "{name}" claim must be a number')
        if claims["exp"] + self.leeway <= now:
            raise InvalidToken("token expired")
        if claims["iat"] - self.leeway > now:
            raise InvalidToken("token issued in the future")
        if "nbf" in claims and claims["nbf"] - self.leeway > now:
            raise InvalidToken("token not yet valid")
        if claims["iss"] != self.issuer:
            raise InvalidToken("invalid issuer")
        audience = claims["aud"]
        audiences = audience if isinstance(audience, list) else [audience]
        if self.audience not in audiences:
            raise InvalidToken("invalid audience")
        if not isinstance(claims["sub"], str):
            raise InvalidToken("subject is not a string")


_B64URL = re.compile(r"[A-Za-z0-9_-]+")


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


# The request's first Authorization header, kept in the scope by the observability
# middleware's one pass over the headers, so it is not looked for again.
AUTHORIZATION = "qh.authorization"


def bearer_token(scope: Scope) -> str | None:
    """The bearer token of a request; a WebSocket may also pass it as ``?token=``."""
    raw: bytes | None = scope.get(AUTHORIZATION)  # type: ignore[assignment]
    if raw is None:
        raw = next((value for name, value in scope["headers"] if name == b"authorization"), b"")
    scheme, _, value = raw.decode("latin-1").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if scope["type"] == "websocket":
        for key, item in parse_qsl(scope.get("query_string", b"").decode("latin-1")):
            if key == "token":
                return item
    return None


def requires_role(
    *roles: str,
) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]:
    """A guard: the caller must have one of ``roles``."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = connection.scope.get("user")
        if not isinstance(user, Principal) or not user.has_role(*roles):
            raise Forbidden(f"This needs the role {' or '.join(roles)}")

    return guard


# How a handler asks for the caller: ``principal: Caller``.
Caller: TypeAlias = NamedDependency[Principal]


# The caller of the request being handled, set by the kit's guard for every request (``None``
# on a route that needs no token). The dependency below reads it instead of taking the
# request: a provider with no parameters costs Litestar no signature parsing per request.
current_principal: ContextVar[Principal | None] = ContextVar("qh_principal", default=None)


def provide_principal() -> Principal:
    """The current caller, as a dependency: ``principal: Principal``."""
    user = current_principal.get()
    if user is None:
        raise Unauthorized("Authentication required")
    return user
