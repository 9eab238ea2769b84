"""Fixtures for the notification tests: the app on a fresh migrated database with the
dev mailbox (or given providers), events delivered as Dapr would, callers with tokens,
and servers on the loopback: uvicorn for the app (WebSockets), stub HTTP providers."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
import uvicorn
from litestar import Litestar
from sqlalchemy import func, select

from qh.contracts import Topic
from qh.kit.app import ServiceDefinition, service_context
from qh.kit.cloudevents import make_cloudevent
from qh.kit.runtime import LocalRuntime
from qh.kit.testing import TokenFactory, asgi_body, jwks_app, running, settings_for_tests
from qh.notification.app import service
from qh.notification.context import NotificationContext
from qh.notification.senders import Sender

PREFIX = "/api/v1/notifications"


@pytest.fixture
def service_definition() -> ServiceDefinition[Any]:
    return service


@pytest.fixture
def runtime(tokens: TokenFactory) -> LocalRuntime:
    runtime = LocalRuntime(max_attempts=2, backoff_seconds=0.01, backoff_max_seconds=0.02)
    runtime.attach("auth", jwks_app(tokens))
    return runtime


def make_app(
    database_url: str,
    runtime: LocalRuntime,
    data_dir: Path,
    senders: dict[str, Sender] | None = None,
    **overrides: Any,
) -> Litestar:
    values: dict[str, Any] = {
        "env": "dev",
        "data_dir": str(data_dir),
        "delivery_poll_seconds": 0.05,
        "delivery_backoff_seconds": 0.05,
        "delivery_backoff_max_seconds": 0.2,
        "provider_timeout_seconds": 1.0,
        "delivery_lease_seconds": 30.0,
    }
    values.update(overrides)
    settings = settings_for_tests(service, database_url, **values)
    return service.create_app(settings, runtime=runtime, senders=senders)


@pytest.fixture
def app(database_url: str, runtime: LocalRuntime, tmp_path: Path) -> Litestar:
    return make_app(database_url, runtime, tmp_path)


@pytest.fixture
async def client(app: Litestar, runtime: LocalRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with running(app, runtime) as client:
        yield client


def context_of(app: Litestar) -> NotificationContext:
    context = service_context(app)
    assert isinstance(context, NotificationContext)
    return context


class User:
    """One caller: ``await anna.get("/")`` sends her token to ``/api/v1/notifications/``."""

    def __init__(
        self, client: httpx.AsyncClient, tokens: TokenFactory, roles: tuple[str, ...] = ("user",)
    ) -> None:
        self.id = uuid.uuid4()
        self.client = client
        self.tokens = tokens
        self.headers = tokens.headers(self.id, roles)

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return await self.client.request(method, PREFIX + path, headers=headers, **kwargs)

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", path, **kwargs)

    async def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PUT", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", path, **kwargs)


@pytest.fixture
def anna(client: httpx.AsyncClient, tokens: TokenFactory) -> User:
    return User(client, tokens)


@pytest.fixture
def admin(client: httpx.AsyncClient, tokens: TokenFactory) -> User:
    return User(client, tokens, ("user", "admin"))


def cloud_event(topic: Topic[Any], payload: Any, source: str = "qh/auth") -> bytes:
    return msgspec.json.encode(make_cloudevent(topic, payload, source=source))


async def deliver(client: httpx.AsyncClient, topic: Topic[Any], body: bytes | Any) -> None:
    """Post an event to the subscriber's route as Dapr would (bytes: that exact event)."""
    if not isinstance(body, bytes):
        body = cloud_event(topic, body)
    response = await client.post(
        f"/events/{topic.name}",
        content=body,
        headers={"content-type": "application/cloudevents+json"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "SUCCESS", response.text


async def count(app: Litestar, model: Any, **where: Any) -> int:
    async with context_of(app).session() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(await session.scalar(query) or 0)


async def in_flight(app: Litestar) -> int:
    """Deliveries due now or being sent (leased for at most 30 s in the tests)."""
    from datetime import timedelta

    from qh.kit.clock import utc_now
    from qh.notification.db.models import Delivery

    async with context_of(app).session() as session:
        query = (
            select(func.count())
            .select_from(Delivery)
            .where(
                Delivery.status == "pending",
                Delivery.next_attempt_at < utc_now() + timedelta(seconds=31),
            )
        )
        return int(await session.scalar(query) or 0)


async def settle(
    app: Litestar, condition: Callable[[], Any] | None = None, rounds: int = 100
) -> None:
    """Let the delivery worker (this call's rounds and the background loop) finish what
    is due, and ``condition`` hold."""
    for _ in range(rounds):
        await context_of(app).worker.run_once()
        result = condition() if condition is not None else not await in_flight(app)
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the condition did not hold")


# --- servers on the loopback ------------------------------------------------------------


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.asynccontextmanager
async def serve(app: Any, lifespan: str = "on") -> AsyncIterator[str]:
    """``app`` served by uvicorn on 127.0.0.1 in this event loop; yields ``host:port``."""
    sock = free_socket()
    config = uvicorn.Config(app, lifespan=lifespan, log_level="warning", ws="websockets-sansio")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.02)
    host, port = sock.getsockname()
    try:
        yield f"{host}:{port}"
    finally:
        server.should_exit = True
        await task


class StubProvider:
    """An HTTP provider stand-in: answers each request with the next scripted reply
    (``(status, json)``, or ``"timeout"`` to hang past the client's timeout)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.replies: list[Any] = []
        self.default: Any = (200, {})

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = await asgi_body(receive)
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        self.requests.append({"path": scope["path"], "headers": headers, "body": body})
        reply = self.replies.pop(0) if self.replies else self.default
        if reply == "timeout":
            await asyncio.sleep(3)
            reply = (200, {})
        status, payload = reply
        data = msgspec.json.encode(payload)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": data})


# Tests import these helpers as ``notification_helpers`` (under importlib mode a test module
# cannot import conftest by name).
sys.modules.setdefault("notification_helpers", sys.modules[__name__])
