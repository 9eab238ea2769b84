"""The Dapr ports (Invoker, EventBus, Secrets) and their two adapters.

Domain code talks to :class:`Runtime`; it never imports Dapr. ``DaprRuntime`` speaks to a
sidecar over its HTTP API: ``publish`` returns once the sidecar answered 2xx, that is once
the broker has the event. ``LocalRuntime`` carries the embedded mode and the tests: it
invokes mounted apps through httpx's ASGI transport (so calls go through routing, auth and
validation) and delivers CloudEvents to subscriber routes with Dapr's rules: a 2xx answer
is success unless its body says ``RETRY`` or ``DROP``, 404 drops the event, anything else
is retried with exponential backoff and finally moved to the subscriber's dead-letter topic
with the reason. Having no broker, its ``publish`` returns only once every subscriber has
acknowledged the event or had it dead-lettered, so the outbox keeps the event until then.
"""

from __future__ import annotations

import asyncio
import os
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import msgspec
import structlog

from qh.kit.cloudevents import CLOUDEVENTS_JSON, CloudEvent, EventStatus
from qh.kit.observability import outgoing_headers
from qh.kit.problems import ServiceUnavailable
from qh.kit.retry import backoff
from qh.kit.settings import ServiceSettings

log = structlog.get_logger("qh.runtime")


class RuntimeCallError(Exception):
    """A sidecar or local runtime call failed."""


class PublishError(RuntimeCallError):
    pass


class SecretsError(RuntimeCallError):
    pass


@dataclass(frozen=True)
class Subscription:
    """One topic a service consumes: the route Dapr posts to and where failures go."""

    topic: str
    route: str
    dead_letter_topic: str


class Invoker(Protocol):
    async def invoke(
        self,
        app_id: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response: ...


class EventBus(Protocol):
    async def publish(self, topic: str, event: CloudEvent) -> None:
        """Return once the event is safe without the caller (a broker has it, or every
        local subscriber acknowledged or dead-lettered it); raise otherwise."""
        ...


class Secrets(Protocol):
    async def get(self, key: str) -> str | None: ...


class Runtime(Protocol):
    kind: str
    invoker: Invoker
    bus: EventBus
    secrets: Secrets

    def attach(self, app_id: str, app: Any, subscriptions: Sequence[Subscription]) -> None: ...

    async def ready(self) -> bool: ...

    async def aclose(self) -> None: ...


def _merge_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    merged = outgoing_headers()
    if headers:
        merged.update(headers)
    return merged


# --- Dapr --------------------------------------------------------------------------------


class DaprRuntime:
    """The sidecar's HTTP API: ``/v1.0/invoke``, ``/v1.0/publish``, ``/v1.0/secrets``."""

    kind = "dapr"

    def __init__(
        self, settings: ServiceSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.pubsub = settings.dapr_pubsub
        self.secret_store = settings.dapr_secret_store
        base_headers = (
            {"dapr-api-token": settings.dapr_api_token} if settings.dapr_api_token else {}
        )
        self.client = httpx.AsyncClient(
            base_url=f"http://{settings.dapr_host}:{settings.dapr_http_port}",
            headers=base_headers,
            transport=transport,
            timeout=httpx.Timeout(30.0, connect=2.0),
        )
        self.invoker: Invoker = self
        self.bus: EventBus = self
        self.secrets: Secrets = _DaprSecrets(self)

    def attach(self, app_id: str, app: Any, subscriptions: Sequence[Subscription]) -> None:
        """Dapr learns subscriptions from ``GET /dapr/subscribe``; nothing to do here."""

    async def invoke(
        self,
        app_id: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        url = f"/v1.0/invoke/{app_id}/method/{path.lstrip('/')}"
        try:
            return await self.client.request(
                method,
                url,
                json=json,
                content=content,
                params=params,
                headers=_merge_headers(headers),
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(f"{app_id} could not be reached: {exc}") from exc

    async def publish(self, topic: str, event: CloudEvent) -> None:
        headers = {"content-type": CLOUDEVENTS_JSON}
        if event.traceparent:
            headers["traceparent"] = event.traceparent
        try:
            response = await self.client.post(
                f"/v1.0/publish/{self.pubsub}/{topic}",
                content=msgspec.json.encode(event),
                headers=headers,
            )
        except httpx.HTTPError as exc:
            raise PublishError(f"sidecar unreachable: {exc}") from exc
        if response.status_code >= 300:
            raise PublishError(
                f"sidecar refused {topic}: {response.status_code} {response.text[:200]}"
            )

    async def ready(self) -> bool:
        try:
            response = await self.client.get("/v1.0/healthz/outbound", timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code < 300

    async def aclose(self) -> None:
        await self.client.aclose()


class _DaprSecrets:
    def __init__(self, runtime: DaprRuntime) -> None:
        self.runtime = runtime

    async def get(self, key: str) -> str | None:
        store = self.runtime.secret_store
        try:
            response = await self.runtime.client.get(f"/v1.0/secrets/{store}/{key}")
        except httpx.HTTPError as exc:
            raise SecretsError(f"sidecar unreachable: {exc}") from exc
        if response.status_code in (204, 404):
            return None
        if response.status_code != 200:
            raise SecretsError(f"secret {key!r}: {response.status_code} {response.text[:200]}")
        value = response.json().get(key)
        return None if value is None else str(value)


# --- local -------------------------------------------------------------------------------


class EnvSecrets:
    """Secrets from the environment (and a loaded ``.env``): ``auth-signing-key`` is read
    from ``QH_SECRET_AUTH_SIGNING_KEY``."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = environ

    @staticmethod
    def env_name(key: str) -> str:
        return "QH_SECRET_" + "".join(c if c.isalnum() else "_" for c in key).upper()

    async def get(self, key: str) -> str | None:
        environ = os.environ if self.environ is None else self.environ
        return environ.get(self.env_name(key))


@dataclass
class DeadLetter:
    topic: str
    subscriber: str
    event: CloudEvent
    reason: str


@dataclass
class LocalRuntime:
    """In-process runtime: the embedded mode and the tests."""

    max_attempts: int = 5
    backoff_seconds: float = 0.5
    backoff_max_seconds: float = 30.0
    secrets: Secrets = field(default_factory=EnvSecrets)
    kind: str = "local"

    def __post_init__(self) -> None:
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._subscriptions: dict[str, list[tuple[str, Subscription]]] = defaultdict(list)
        self._pending: set[asyncio.Task[None]] = set()
        # Open for delivery; a host holds it until every service is attached, so nothing
        # is "delivered" to a topic whose subscribers have not started yet.
        self._open = asyncio.Event()
        self._open.set()
        self._closed = False
        self.dead_letters: list[DeadLetter] = []
        self.invoker: Invoker = self
        self.bus: EventBus = self

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> LocalRuntime:
        return cls(
            max_attempts=settings.event_max_attempts,
            backoff_seconds=settings.event_backoff_seconds,
            backoff_max_seconds=settings.event_backoff_max_seconds,
        )

    def attach(self, app_id: str, app: Any, subscriptions: Sequence[Subscription] = ()) -> None:
        """Make ``app`` reachable as ``app_id`` and deliver its subscribed topics to it."""
        self._clients[app_id] = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url=f"http://{app_id}",
            timeout=httpx.Timeout(30.0),
        )
        for topic, entries in list(self._subscriptions.items()):
            self._subscriptions[topic] = [(a, s) for a, s in entries if a != app_id]
        for subscription in subscriptions:
            self._subscriptions[subscription.topic].append((app_id, subscription))

    async def invoke(
        self,
        app_id: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        client = self._clients.get(app_id)
        if client is None:
            raise ServiceUnavailable(f"service {app_id!r} is not running in this process")
        return await client.request(
            method,
            "/" + path.lstrip("/"),
            json=json,
            content=content,
            params=params,
            headers=_merge_headers(headers),
            timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
        )

    def hold(self) -> None:
        """Make publishers wait (a host starting its services one by one)."""
        self._open.clear()

    def release(self) -> None:
        """Every service is attached: deliver."""
        self._open.set()

    async def publish(self, topic: str, event: CloudEvent) -> None:
        """Deliver ``event`` to every subscriber of ``topic`` at once; return when each
        has acknowledged it (success or drop) or had it dead-lettered."""
        await self._open.wait()
        if self._closed:
            raise PublishError("the local runtime is closed")
        targets = list(self._subscriptions.get(topic, ()))
        if not targets:
            return
        delivery = asyncio.create_task(self._fan_out(targets, event), name=f"deliver-{topic}")
        self._pending.add(delivery)
        delivery.add_done_callback(self._pending.discard)
        try:
            await delivery  # cancelling the publisher cancels the delivery too
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if self._closed and task is not None and not task.cancelling():
                raise PublishError("the local runtime closed during the delivery") from None
            raise

    async def _fan_out(
        self, targets: Sequence[tuple[str, Subscription]], event: CloudEvent
    ) -> None:
        await asyncio.gather(*(self._deliver(app, sub, event) for app, sub in targets))

    async def _deliver(self, app_id: str, subscription: Subscription, event: CloudEvent) -> None:
        body = msgspec.json.encode(msgspec.structs.replace(event, topic=subscription.topic))
        headers = {"content-type": CLOUDEVENTS_JSON}
        if event.traceparent:
            headers["traceparent"] = event.traceparent
        reason = ""
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = await self._clients[app_id].post(
                    subscription.route, content=body, headers=headers
                )
            except Exception as exc:  # the subscriber crashed outside its error handling
                reason = f"delivery failed: {type(exc).__name__}: {exc}"
            else:
                outcome = _outcome(response)
                if outcome is EventStatus.SUCCESS:
                    return
                if outcome is EventStatus.DROP:
                    log.warning(
                        "event_dropped", topic=subscription.topic, subscriber=app_id, id=event.id
                    )
                    return
                reason = f"subscriber answered {response.status_code} {response.text[:300]}"
            if attempt < self.max_attempts:
                await asyncio.sleep(
                    backoff(attempt, self.backoff_seconds, self.backoff_max_seconds)
                )
        await self._dead_letter(app_id, subscription, event, reason)

    async def _dead_letter(
        self, app_id: str, subscription: Subscription, event: CloudEvent, reason: str
    ) -> None:
        log.warning(
            "event_moved_to_dead_letters", topic=subscription.topic, subscriber=app_id, id=event.id
        )
        dead = msgspec.structs.replace(event, deadletterreason=reason)
        self.dead_letters.append(DeadLetter(subscription.topic, app_id, dead, reason))
        if subscription.dead_letter_topic:
            await self.publish(subscription.dead_letter_topic, dead)

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait until every delivery in flight (publishes not awaited by their caller
        yet) has succeeded, dropped or dead-lettered."""
        async with asyncio.timeout(timeout):
            while self._pending:
                await asyncio.gather(*list(self._pending), return_exceptions=True)

    async def ready(self) -> bool:
        return True

    async def aclose(self) -> None:
        self._closed = True
        self._open.set()
        for task in list(self._pending):
            task.cancel()
        await asyncio.gather(*self._pending, return_exceptions=True)
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()


def _outcome(response: httpx.Response) -> EventStatus:
    if response.status_code == 404:
        return EventStatus.DROP
    if not 200 <= response.status_code < 300:
        return EventStatus.RETRY
    try:
        answer = str(response.json().get("status", EventStatus.SUCCESS)).upper()
    except Exception:
        return EventStatus.SUCCESS
    return EventStatus(answer) if answer in EventStatus.__members__ else EventStatus.SUCCESS


def build_runtime(settings: ServiceSettings) -> Runtime:
    if settings.runtime == "dapr":
        return DaprRuntime(settings)
    return LocalRuntime.from_settings(settings)
