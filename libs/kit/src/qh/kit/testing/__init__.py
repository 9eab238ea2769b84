"""Test helpers every service uses: signed tokens, a stand-in auth for JWKS, databases
built by the service's own migrations, and a running app with its lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from litestar import Litestar, get

from qh.kit import db
from qh.kit.app import ServiceDefinition
from qh.kit.context import AUTH_PREFIX, JWKS_PATH
from qh.kit.runtime import LocalRuntime
from qh.kit.settings import ServiceSettings

T = TypeVar("T")

TEST_ISSUER = f"http://testserver{AUTH_PREFIX}"
TEST_AUDIENCE = "qh"


def in_thread(fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn`` in a fresh thread (it may call ``asyncio.run``) and return its result."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args).result()


class TokenFactory:
    """Signs access tokens the way the auth service does, with keys made for the test."""

    def __init__(self, issuer: str = TEST_ISSUER, audience: str = TEST_AUDIENCE) -> None:
        self.issuer = issuer
        self.audience = audience
        self.keys: dict[str, Ed25519PrivateKey] = {}
        self.kid = self.add_key()

    def add_key(self) -> str:
        kid = uuid.uuid4().hex[:16]
        self.keys[kid] = Ed25519PrivateKey.generate()
        return kid

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid, private in self.keys.items():
            jwk = jwt.algorithms.OKPAlgorithm.to_jwk(private.public_key(), as_dict=True)
            keys.append({**jwk, "kid": kid, "alg": "EdDSA", "use": "sig"})
        return {"keys": keys}

    def claims(
        self, subject: uuid.UUID | str | None = None, roles: Iterable[str] = ("user",), **extra: Any
    ) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(subject or uuid.uuid4()),
            "roles": list(roles),
            "iat": now,
            "exp": now + 900,
            "jti": uuid.uuid4().hex,
        }
        claims.update(extra)
        return {k: v for k, v in claims.items() if v is not None}

    def issue(
        self,
        subject: uuid.UUID | str | None = None,
        roles: Iterable[str] = ("user",),
        *,
        kid: str | None = None,
        **extra: Any,
    ) -> str:
        kid = kid or self.kid
        return jwt.encode(
            self.claims(subject, roles, **extra),
            self.keys[kid],
            algorithm="EdDSA",
            headers={"kid": kid},
        )

    def headers(
        self, subject: uuid.UUID | str | None = None, roles: Iterable[str] = ("user",), **extra: Any
    ) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.issue(subject, roles, **extra)}"}


def jwks_app(tokens: TokenFactory) -> Litestar:
    """A stand-in auth service that only publishes the test keys."""

    @get(JWKS_PATH, sync_to_thread=False)
    def jwks() -> dict[str, Any]:
        return tokens.jwks()

    return Litestar([jwks], openapi_config=None, logging_config=None)


# --- databases -----------------------------------------------------------------------------


async def asgi_body(receive: Callable[[], Awaitable[dict[str, Any]]]) -> bytes:
    """The whole request body an ASGI app receives (for stub apps standing in for a peer)."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


def admin_url(url: str) -> str:
    """``postgresql+asyncpg://…`` → ``postgresql://…`` for asyncpg itself."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1).replace(
        "postgres+asyncpg://", "postgresql://", 1
    )


def sqlalchemy_url(url: str) -> str:
    url = admin_url(url)
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


def with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


async def _pg_execute(url: str, *statements: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin_url(url), timeout=5)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def pg_execute(url: str, *statements: str) -> None:
    in_thread(asyncio.run, _pg_execute(url, *statements))


class DatabaseFactory:
    """Fresh databases, each built from a per-service template that the service's own
    migrations produced once per test session."""

    def __init__(self, workdir: Path, postgres_url: str | None) -> None:
        self.workdir = workdir
        self.postgres_url = postgres_url
        self._templates: dict[tuple[str, str], str] = {}
        self._created: list[str] = []
        self._lock = threading.Lock()
        self._session = uuid.uuid4().hex[:8]

    def _template(self, definition: ServiceDefinition, backend: str) -> str:
        key = (definition.slug, backend)
        with self._lock:
            if key not in self._templates:
                if backend == "sqlite":
                    path = self.workdir / f"template_{definition.package}.db"
                    url = f"sqlite+aiosqlite:///{path}"
                    in_thread(db.upgrade, definition.migrations, url)
                    self._templates[key] = str(path)
                else:
                    assert self.postgres_url, "PostgreSQL is not configured"
                    name = f"qh_tpl_{definition.package}_{self._session}"
                    pg_execute(
                        self.postgres_url,
                        f'DROP DATABASE IF EXISTS "{name}"',
                        f'CREATE DATABASE "{name}"',
                    )
                    self._created.append(name)
                    url = sqlalchemy_url(with_database(self.postgres_url, name))
                    in_thread(db.upgrade, definition.migrations, url)
                    self._templates[key] = name
            return self._templates[key]

    def create(self, definition: ServiceDefinition, backend: str) -> str:
        template = self._template(definition, backend)
        if backend == "sqlite":
            target = self.workdir / f"{definition.package}_{uuid.uuid4().hex[:10]}.db"
            shutil.copyfile(template, target)
            return f"sqlite+aiosqlite:///{target}"
        assert self.postgres_url
        name = f"qh_t_{definition.package}_{uuid.uuid4().hex[:10]}"
        pg_execute(self.postgres_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        self._created.append(name)
        return sqlalchemy_url(with_database(self.postgres_url, name))

    def drop_all(self) -> None:
        if self.postgres_url and self._created:
            statements = [
                f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in reversed(self._created)
            ]
            with contextlib.suppress(Exception):
                pg_execute(self.postgres_url, *statements)
        self._created.clear()


# --- running a service ---------------------------------------------------------------------


def settings_for_tests(
    definition: ServiceDefinition, database_url: str, **overrides: Any
) -> ServiceSettings:
    """Settings for a service under test: no environment read, fast event retries."""
    values: dict[str, Any] = {
        "env": "test",
        "database_url": database_url,
        "public_base_url": "http://testserver",
        "log_format": "console",
        "event_backoff_seconds": 0.01,
        "event_backoff_max_seconds": 0.05,
        "outbox_poll_seconds": 0.2,
        "jwks_min_refetch_seconds": 0.0,
    }
    values.update(overrides)
    return definition.load_settings(environ={}, **values)


@contextlib.asynccontextmanager
async def running(
    app: Litestar, runtime: LocalRuntime | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """Start ``app``'s lifespan (httpx's ASGI transport does not) and yield a client."""
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
        if runtime is not None:
            await runtime.drain()


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}
