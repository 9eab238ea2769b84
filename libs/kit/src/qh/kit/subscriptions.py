"""``@subscribe``: a handler becomes a Dapr subscription route, its ``/dapr/subscribe``
entry and a dead-letter route of its own.

Dead-letter topics are per subscriber, ``<topic>.<slug>.deadletter``: two services that
consume one topic never receive each other's failures.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import msgspec
import structlog
from litestar import Request, Response, post
from litestar.handlers import HTTPRouteHandler

from qh.contracts import Topic
from qh.kit.cloudevents import CloudEvent, EventStatus
from qh.kit.inbox import Inbox
from qh.kit.observability import metrics
from qh.kit.runtime import Subscription

P = TypeVar("P")
log = structlog.get_logger("qh.subscriptions")

Handler = Callable[..., Awaitable[EventStatus | None]]

MAX_EVENT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class SubscriptionSpec(Generic[P]):
    """What ``@subscribe`` records on a handler; the subscriber's slug is known only when
    its app is built, so the dead-letter names take it as an argument."""

    topic: Topic[Any]
    handler: Handler
    dead_letter: str | None = None  # an explicit dead-letter topic, instead of the default

    @property
    def route(self) -> str:
        return f"/events/{self.topic.name}"

    def dead_letter_topic(self, subscriber: str) -> str:
        return self.dead_letter or self.topic.dead_letter_for(subscriber)

    def dead_letter_route(self, subscriber: str) -> str:
        return f"/events/{self.dead_letter_topic(subscriber)}"

    def subscriptions(self, subscriber: str) -> list[Subscription]:
        """The topic itself, and the subscriber's dead-letter topic (which has none)."""
        dead_letter = self.dead_letter_topic(subscriber)
        return [
            Subscription(self.topic.name, self.route, dead_letter),
            Subscription(dead_letter, self.dead_letter_route(subscriber), ""),
        ]


def subscribe(
    topic: Topic[Any], *, dead_letter_topic: str | None = None
) -> Callable[[Handler], Handler]:
    """Declare ``handler`` as the subscriber of ``topic``.

    The handler is ``async def on_x(event: Event[Payload], session, [context], ...)``; it
    runs in a transaction with the inbox row and returns an :class:`EventStatus` (``None``
    means success). Raising makes the runtime retry; after the last retry the event goes to
    ``dead_letter_topic`` (``<topic>.<slug>.deadletter`` by default).
    """

    def decorate(handler: Handler) -> Handler:
        handler.__qh_subscription__ = SubscriptionSpec(  # type: ignore[attr-defined]
            topic, handler, dead_letter_topic
        )
        return handler

    return decorate


def subscription_of(handler: Handler) -> SubscriptionSpec[Any]:
    spec = getattr(handler, "__qh_subscription__", None)
    if spec is None:
        raise TypeError(f"{handler!r} is not decorated with @subscribe")
    return spec  # type: ignore[no-any-return]


def subscription_route(
    spec: SubscriptionSpec[Any],
    *,
    inbox: Inbox,
    context: Any,
    service: str,
) -> HTTPRouteHandler:
    """The POST route Dapr (or the local runtime) delivers ``spec.topic`` to."""

    async def receive(request: Request[Any, Any, Any]) -> Response[Any]:
        counter = metrics().events_consumed
        try:
            cloud_event = msgspec.json.decode(await request.body(), type=CloudEvent)
            status = await inbox.process(spec, cloud_event, context)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            counter.labels(service, spec.topic.name, "invalid").inc()
            log.error("event_invalid", topic=spec.topic.name, error=str(exc))
            return Response({"status": "RETRY", "error": str(exc)[:500]}, status_code=422)
        counter.labels(service, spec.topic.name, status.value.lower()).inc()
        return Response({"status": status.value}, status_code=200)

    return post(
        spec.route,
        include_in_schema=False,
        opt={"exclude_from_auth": True, "dapr_route": True},
        name=f"events:{spec.topic.name}",
        status_code=200,
        request_max_body_size=MAX_EVENT_BYTES,
    )(receive)


def dead_letter_route(spec: SubscriptionSpec[Any], *, service: str) -> HTTPRouteHandler:
    """Receives what finally failed in this subscriber on ``spec.topic``: logged with the
    whole event and counted, so a dead letter is never silently discarded by the broker."""

    async def receive_dead_letter(request: Request[Any, Any, Any]) -> Response[Any]:
        raw = await request.body()
        try:
            cloud_event = msgspec.json.decode(raw, type=CloudEvent)
        except (msgspec.ValidationError, msgspec.DecodeError):
            log.error(
                "event_dead_lettered",
                topic=spec.topic.name,
                subscriber=service,
                raw=raw[:4000].decode(errors="replace"),
            )
        else:
            log.error(
                "event_dead_lettered",
                topic=spec.topic.name,
                subscriber=service,
                id=cloud_event.id,
                reason=cloud_event.deadletterreason,
                data=cloud_event.data,
            )
        metrics().events_dead_lettered.labels(service, spec.topic.name).inc()
        return Response({"status": EventStatus.SUCCESS.value}, status_code=200)

    return post(
        spec.dead_letter_route(service),
        include_in_schema=False,
        opt={"exclude_from_auth": True, "dapr_route": True},
        name=f"dead-letters:{spec.topic.name}",
        status_code=200,
        request_max_body_size=MAX_EVENT_BYTES,
    )(receive_dead_letter)


__all__ = [
    "Handler",
    "SubscriptionSpec",
    "dead_letter_route",
    "subscribe",
    "subscription_of",
    "subscription_route",
]
