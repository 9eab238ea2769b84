"""The consumer's side of reliable events: exactly one successful processing per event id.

Delivery is at-least-once, so the inbox row keyed by the CloudEvent id is written in the
same transaction as the handler's work: a redelivered event is acknowledged and skipped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import MetaData, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from qh.kit.cloudevents import CloudEvent, Event, EventStatus
from qh.kit.tables import INBOX_TABLE, kit_table

if TYPE_CHECKING:
    from qh.kit.subscriptions import SubscriptionSpec


class _Undo(Exception):
    """Roll the handler's work back and answer ``status``."""

    def __init__(self, status: EventStatus) -> None:
        self.status = status


class Inbox:
    """Runs a subscriber's handler once per event id, in a transaction with the inbox row."""

    def __init__(
        self, *, service: str, metadata: MetaData, session_maker: async_sessionmaker[AsyncSession]
    ) -> None:
        self.table = kit_table(metadata, INBOX_TABLE)
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
                # A locking read: the transaction begins with the write lock on SQLite (the
                # kit's rule), so the insert below cannot fail on a concurrent commit.
                seen = await session.scalar(
                    select(self.table.c.event_id)
                    .where(self.table.c.event_id == cloud_event.id)
                    .with_for_update()
                )
                if seen is not None:
                    return EventStatus.SUCCESS
                await session.execute(
                    insert(self.table).values(
                        event_id=cloud_event.id,
                        topic=spec.topic.name,
                        received_at=datetime.now(UTC),
                    )
                )
                # The handler's parameters are filled by name (``event``, ``session``,
                # ``context`` and the service's providers), as in a request.
                status = (
                    await context.call(spec.handler, session, event=received) or EventStatus.SUCCESS
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


__all__ = ["Inbox"]
