"""Reliable events: a transactional outbox for producers, an inbox for consumers, and the
``@subscribe`` decorator that turns a handler into a Dapr subscription route.

Producers call ``outbox.add(session, topic, payload)`` inside the transaction that makes
the change: the event is a row committed with it, or nothing at all. A relay publishes
committed rows to the bus (woken by the commit, and by a poll that also picks up rows left
by a process that stopped before relaying) and deletes them once the bus has them.

Consumers are at-least-once: the inbox row keyed by the CloudEvent id is written in the
same transaction as the handler's work, so a redelivered event is acknowledged and
skipped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Generic, TypeVar

import msgspec
import structlog
from litestar import Request, Response, post
from litestar.handlers import HTTPRouteHandler
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from qh.contracts import Topic
from qh.kit.cloudevents import CloudEvent, Event, make_cloudevent, new_event_id
from qh.kit.observability import current_traceparent, metrics
from qh.kit.runtime import EventBus, Subscription

P = TypeVar("P")
log = structlog.get_logger("qh.messaging")

OUTBOX_TABLE = "qh_outbox"
INBOX_TABLE = "qh_inbox"


def add_messaging_tables(metadata: MetaData) -> None:
    """Add the outbox and inbox tables to a service's metadata (its migrations create them)."""
    if OUTBOX_TABLE not in metadata.tables:
        Table(
            OUTBOX_TABLE,
            metadata,
            Column("id", String(36), primary_key=True),
            Column("topic", String(200), nullable=False),
            Column("subject", String(200), nullable=True),
            Column("payload", JSON, nullable=False),
            Column("traceparent", String(64), nullable=True),
            Column("created_at", DateTime(timezone=True), nullable=False),
            Column("next_attempt_at", DateTime(timezone=True), nullable=False, index=True),
            Column("attempts", Integer, nullable=False, default=0),
            Column("last_error", Text, nullable=True),
        )
    if INBOX_TABLE not in metadata.tables:
        Table(
            INBOX_TABLE,
            metadata,
            Column("event_id", String(100), primary_key=True),
            Column("topic", String(200), nullable=False),
            Column("received_at", DateTime(timezone=True), nullable=False),
        )


# --- outbox ------------------------------------------------------------------------------

_PENDING_KEY = "qh_outbox_pending"


def _after_commit(session: Session) -> None:
    outbox = session.info.pop(_PENDING_KEY, None)
    if outbox is not None:
        outbox.wake()


def _after_rollback(session: Session, _transaction: object) -> None:
    session.info.pop(_PENDING_KEY, None)


def _listen_for_commits() -> None:
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)


def _now() -> datetime:
    return datetime.now(UTC)


class Outbox:
    """The producer's side: write events with the change, relay them after commit."""

    def __init__(
        self,
        *,
        service: str,
        metadata: MetaData,
        session_maker: async_sessionmaker[AsyncSession],
        bus: EventBus,
        poll_seconds: float = 2.0,
        batch_size: int = 100,
        backoff_seconds: float = 0.5,
        backoff_max_seconds: float = 60.0,
    ) -> None:
        add_messaging_tables(metadata)
        self.table = metadata.tables[OUTBOX_TABLE]
        self.service = service
        self.source = f"qh/{service}"
        self.session_maker = session_maker
        self.bus = bus
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self.backoff_seconds = backoff_seconds
        self.backoff_max_seconds = backoff_max_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._lock = asyncio.Lock()
        _listen_for_commits()

    async def add(
        self, session: AsyncSession, topic: Topic[Any], payload: Any, *, subject: str | None = None
    ) -> str:
        """Record ``payload`` on ``topic`` in the session's transaction; returns the event id."""
        event_id = new_event_id()
        now = _now()
        await session.execute(
            insert(self.table).values(
                id=event_id,
                topic=topic.name,
                subject=subject,
                payload=topic.encode(payload),
                traceparent=current_traceparent.get(),
                created_at=now,
                next_attempt_at=now,
                attempts=0,
            )
        )
        session.info[_PENDING_KEY] = self
        return event_id

    def wake(self) -> None:
        self._wake.set()

    async def relay_once(self) -> int:
        """Publish what is due; returns how many events the bus accepted."""
        async with self._lock:
            return await self._relay_batch()

    async def _relay_batch(self) -> int:
        published = 0
        async with self.session_maker() as session, session.begin():
            rows = (
                await session.execute(
                    select(self.table)
                    .where(self.table.c.next_attempt_at <= _now())
                    .order_by(self.table.c.created_at, self.table.c.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for row in rows:
                cloud_event = CloudEvent(
                    id=row.id,
                    source=self.source,
                    type=row.topic,
                    specversion="1.0",
                    datacontenttype="application/json",
                    time=_as_utc(row.created_at).isoformat(),
                    subject=row.subject,
                    data=row.payload,
                    traceparent=row.traceparent,
                    topic=row.topic,
                )
                try:
                    await self.bus.publish(row.topic, cloud_event)
                except Exception as exc:
                    attempts = row.attempts + 1
                    delay = min(
                        self.backoff_seconds * 2 ** (attempts - 1), self.backoff_max_seconds
                    )
                    log.warning("outbox_publish_failed", topic=row.topic, id=row.id, error=str(exc))
                    await session.execute(
                        update(self.table)
                        .where(self.table.c.id == row.id)
                        .values(
                            attempts=attempts,
                            next_attempt_at=_now() + timedelta(seconds=delay),
                            last_error=str(exc)[:2000],
                        )
                    )
                    continue
                await session.execute(delete(self.table).where(self.table.c.id == row.id))
                metrics().events_published.labels(self.service, row.topic).inc()
                published += 1
        return published

    async def pending(self) -> int:
        async with self.session_maker() as session:
            return int(await session.scalar(select(func.count()).select_from(self.table)) or 0)

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                if await self.relay_once() >= self.batch_size:
                    continue
            except Exception:
                log.exception("outbox_relay_failed", service=self.service)
            if self._stopping:
                break
            try:
                async with asyncio.timeout(self.poll_seconds):
                    await self._wake.wait()
            except TimeoutError:
                pass

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name=f"outbox-{self.service}")

    async def stop(self, grace_seconds: float = 5.0) -> None:
        """Finish the batch in flight, then stop; what is left is relayed on the next start."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        done, _ = await asyncio.wait({task}, timeout=grace_seconds)
        if not done:
            task.cancel()
            await asyncio.wait({task}, timeout=grace_seconds)


def _as_utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# --- subscriptions -----------------------------------------------------------------------


class EventStatus(StrEnum):
    """What a subscriber tells Dapr (returned explicitly, as Dapr's own SDK does)."""

    SUCCESS = "SUCCESS"
    RETRY = "RETRY"
    DROP = "DROP"


Handler = Callable[..., Awaitable[EventStatus | None]]


@dataclass(frozen=True)
class SubscriptionSpec(Generic[P]):
    topic: Topic[Any]
    dead_letter_topic: str
    handler: Handler

    @property
    def route(self) -> str:
        return f"/events/{self.topic.name}"

    @property
    def dead_letter_route(self) -> str:
        return f"/events/{self.dead_letter_topic}"

    def subscriptions(self) -> list[Subscription]:
        """The topic itself, and its dead-letter topic (which has none of its own)."""
        return [
            Subscription(self.topic.name, self.route, self.dead_letter_topic),
            Subscription(self.dead_letter_topic, self.dead_letter_route, ""),
        ]


def subscribe(
    topic: Topic[Any], *, dead_letter_topic: str | None = None
) -> Callable[[Handler], Handler]:
    """Declare ``handler`` as the subscriber of ``topic``.

    The handler is ``async def on_x(event: Event[Payload], session, [context])``; it runs
    in a transaction with the inbox row and returns an :class:`EventStatus` (``None`` means
    success). Raising makes the runtime retry; after the last retry the event goes to
    ``dead_letter_topic`` (``<topic>.deadletter`` by default).
    """

    def decorate(handler: Handler) -> Handler:
        handler.__qh_subscription__ = SubscriptionSpec(  # type: ignore[attr-defined]
            topic, dead_letter_topic or topic.dead_letter, handler
        )
        return handler

    return decorate


def subscription_of(handler: Handler) -> SubscriptionSpec[Any]:
    spec = getattr(handler, "__qh_subscription__", None)
    if spec is None:
        raise TypeError(f"{handler!r} is not decorated with @subscribe")
    return spec  # type: ignore[no-any-return]


class _Undo(Exception):
    """Roll the handler's work back and answer ``status``."""

    def __init__(self, status: EventStatus) -> None:
        self.status = status


class Inbox:
    """The consumer's side: exactly one successful processing per event id."""

    def __init__(
        self, *, service: str, metadata: MetaData, session_maker: async_sessionmaker[AsyncSession]
    ) -> None:
        add_messaging_tables(metadata)
        self.table = metadata.tables[INBOX_TABLE]
        self.service = service
        self.session_maker = session_maker

    async def process(
        self, spec: SubscriptionSpec[Any], cloud_event: CloudEvent, context: Any
    ) -> EventStatus:
        payload = spec.topic.decode(cloud_event.data)
        received = Event(
            id=cloud_event.id,
            topic=spec.topic.name,
            source=cloud_event.source,
            data=payload,
            time=cloud_event.time,
            subject=cloud_event.subject,
            traceparent=cloud_event.traceparent,
        )
        try:
            async with self.session_maker() as session, session.begin():
                seen = await session.scalar(
                    select(self.table.c.event_id).where(self.table.c.event_id == cloud_event.id)
                )
                if seen is not None:
                    return EventStatus.SUCCESS
                await session.execute(
                    insert(self.table).values(
                        event_id=cloud_event.id, topic=spec.topic.name, received_at=_now()
                    )
                )
                # The handler's parameters are filled by name (``event``, ``session``,
                # ``context`` and the service's providers), as in a request.
                status = (
                    await context.call(spec.handler, session, event=received)
                    or EventStatus.SUCCESS
                )
                if status is not EventStatus.SUCCESS:
                    raise _Undo(status)
                return status
        except _Undo as undo:
            return undo.status
        except IntegrityError:
            if await self.seen(cloud_event.id):
                return EventStatus.SUCCESS  # committed concurrently by another delivery
            raise

    async def seen(self, event_id: str) -> bool:
        async with self.session_maker() as session:
            found = await session.scalar(
                select(self.table.c.event_id).where(self.table.c.event_id == event_id)
            )
            return found is not None


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
        request_max_body_size=10 * 1024 * 1024,
    )(receive)


def dead_letter_route(spec: SubscriptionSpec[Any], *, service: str) -> HTTPRouteHandler:
    """Receives what finally failed on ``spec.topic``: logged with the whole event and
    counted, so a dead letter is never silently discarded by the broker."""

    async def receive_dead_letter(request: Request[Any, Any, Any]) -> Response[Any]:
        raw = await request.body()
        try:
            cloud_event = msgspec.json.decode(raw, type=CloudEvent)
        except (msgspec.ValidationError, msgspec.DecodeError):
            log.error(
                "event_dead_lettered",
                topic=spec.topic.name,
                raw=raw[:4000].decode(errors="replace"),
            )
        else:
            log.error(
                "event_dead_lettered",
                topic=spec.topic.name,
                id=cloud_event.id,
                reason=cloud_event.deadletterreason,
                data=cloud_event.data,
            )
        metrics().events_dead_lettered.labels(service, spec.topic.name).inc()
        return Response({"status": EventStatus.SUCCESS.value}, status_code=200)

    return post(
        f"/events/{spec.dead_letter_topic}",
        include_in_schema=False,
        opt={"exclude_from_auth": True, "dapr_route": True},
        name=f"dead-letters:{spec.topic.name}",
        status_code=200,
        request_max_body_size=10 * 1024 * 1024,
    )(receive_dead_letter)


__all__ = [
    "CloudEvent",
    "Event",
    "EventStatus",
    "Inbox",
    "Outbox",
    "SubscriptionSpec",
    "add_messaging_tables",
    "make_cloudevent",
    "subscribe",
    "subscription_of",
    "subscription_route",
]
