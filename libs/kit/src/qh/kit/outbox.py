"""The producer's side of reliable events: a transactional outbox and its relay.

Producers call ``outbox.add(session, topic, payload)`` inside the transaction that makes
the change: the event is a row committed with it, or nothing at all. The relay (woken by
the commit, and by a poll that also finds rows a stopped process left) publishes committed
rows to the bus and deletes a row only once the bus has the event for good: Dapr answered
2xx (the broker has it), or the local runtime saw every subscriber acknowledge it or
dead-letter it. A crash in between loses nothing; the event is published again and the
consumers' inbox makes the repeat harmless.

While a row is being published it is *leased*: its ``next_attempt_at`` is pushed
``lease_seconds`` ahead (and pushed again while the delivery lasts), so no other relay
pass or replica takes it, and no database transaction is held across a delivery that may
take minutes of retries. A process that dies leaves its leases to expire; then the row is
due again. Rows are published concurrently (at most ``concurrency`` at a time, started in
``created_at`` order), so one slow subscriber does not hold up the others' events.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import (
    MetaData,
    Row,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from qh.contracts import Topic
from qh.kit.cloudevents import CloudEvent, new_event_id
from qh.kit.observability import current_traceparent, metrics
from qh.kit.retry import backoff
from qh.kit.runtime import EventBus
from qh.kit.settings import ServiceSettings
from qh.kit.tables import OUTBOX_TABLE, kit_table

log = structlog.get_logger("qh.outbox")


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


def _as_utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Outbox:
    """Write events with the change; relay them after commit until the bus has them."""

    def __init__(
        self,
        *,
        service: str,
        metadata: MetaData,
        session_maker: async_sessionmaker[AsyncSession],
        bus: EventBus,
        poll_seconds: float = 2.0,
        batch_size: int = 100,
        concurrency: int = 16,
        lease_seconds: float = 30.0,
        backoff_seconds: float = 0.5,
        backoff_max_seconds: float = 30.0,
    ) -> None:
        if concurrency < 1 or lease_seconds <= 0:
            raise ValueError("concurrency must be at least 1 and lease_seconds positive")
        self.table = kit_table(metadata, OUTBOX_TABLE)
        self.service = service
        self.source = f"qh/{service}"
        self.session_maker = session_maker
        self.bus = bus
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.lease_seconds = lease_seconds
        self.backoff_seconds = backoff_seconds
        self.backoff_max_seconds = backoff_max_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._stopping = False
        self._claiming = asyncio.Lock()
        self._slots = asyncio.Semaphore(concurrency)
        self._in_flight: dict[str, asyncio.Task[bool]] = {}
        self._backlog = False
        _listen_for_commits()

    @classmethod
    def from_settings(
        cls,
        settings: ServiceSettings,
        *,
        service: str,
        metadata: MetaData,
        session_maker: async_sessionmaker[AsyncSession],
        bus: EventBus,
    ) -> Outbox:
        return cls(
            service=service,
            metadata=metadata,
            session_maker=session_maker,
            bus=bus,
            poll_seconds=settings.outbox_poll_seconds,
            concurrency=settings.outbox_concurrency,
            lease_seconds=settings.outbox_lease_seconds,
            backoff_seconds=settings.event_backoff_seconds,
            backoff_max_seconds=settings.event_backoff_max_seconds,
        )

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
        """Publish what is due now and wait for every delivery in flight (this call's and
        the background relay's); returns how many events this call got onto the bus."""
        tasks = self._spawn(await self._claim(self.batch_size))
        results = await asyncio.gather(*tasks, return_exceptions=True)
        while self._in_flight:
            await asyncio.gather(*list(self._in_flight.values()), return_exceptions=True)
        return sum(result is True for result in results)

    async def pending(self) -> int:
        async with self.session_maker() as session:
            return int(await session.scalar(select(func.count()).select_from(self.table)) or 0)

    # --- relaying ------------------------------------------------------------------------

    async def _claim(self, limit: int) -> list[Row[Any]]:
        """Lease up to ``limit`` due rows, oldest first, in a short transaction of its own."""
        if limit <= 0:
            return []
        async with self._claiming:
            now = _now()
            async with self.session_maker() as session, session.begin():
                rows = (
                    await session.execute(
                        select(self.table)
                        .where(self.table.c.next_attempt_at <= now)
                        .order_by(self.table.c.created_at, self.table.c.id)
                        .limit(limit + len(self._in_flight))
                        .with_for_update(skip_locked=True)
                    )
                ).all()
                claimed = [row for row in rows if row.id not in self._in_flight][:limit]
                if claimed:
                    await session.execute(
                        update(self.table)
                        .where(self.table.c.id.in_([row.id for row in claimed]))
                        .values(next_attempt_at=now + timedelta(seconds=self.lease_seconds))
                    )
            return claimed

    def _spawn(self, rows: list[Row[Any]]) -> list[asyncio.Task[bool]]:
        tasks = []
        for row in rows:
            task = asyncio.create_task(self._publish(row), name=f"outbox-{self.service}-{row.id}")
            self._in_flight[row.id] = task
            task.add_done_callback(functools.partial(self._settled, row.id))
            tasks.append(task)
        return tasks

    def _settled(self, event_id: str, _task: object = None) -> None:
        self._in_flight.pop(event_id, None)
        if self._backlog:
            self._wake.set()

    def _cloud_event(self, row: Row[Any]) -> CloudEvent:
        return CloudEvent(
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

    async def _publish(self, row: Row[Any]) -> bool:
        """Hand one leased row to the bus; delete it once the bus has it, or schedule the
        next attempt. A cancelled publish leaves the row leased: it comes back later."""
        async with self._slots:
            try:
                await self.bus.publish(row.topic, self._cloud_event(row))
            except Exception as exc:
                attempts = row.attempts + 1
                delay = backoff(attempts, self.backoff_seconds, self.backoff_max_seconds)
                log.warning("outbox_publish_failed", topic=row.topic, id=row.id, error=str(exc))
                await self._write(
                    update(self.table)
                    .where(self.table.c.id == row.id)
                    .values(
                        attempts=attempts,
                        next_attempt_at=_now() + timedelta(seconds=delay),
                        last_error=str(exc)[:2000],
                    )
                )
                return False
        await self._write(delete(self.table).where(self.table.c.id == row.id))
        metrics().events_published.labels(self.service, row.topic).inc()
        return True

    async def _write(self, statement: Any) -> None:
        """Record an outcome; if that fails, the lease expires and the row is published
        again (a duplicate, which the consumers' inbox absorbs)."""
        try:
            async with self.session_maker() as session, session.begin():
                await session.execute(statement)
        except Exception:
            log.exception("outbox_update_failed", service=self.service)

    async def _renew_leases(self) -> None:
        """Keep the rows in flight leased for as long as their delivery lasts."""
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            ids = list(self._in_flight)
            if not ids:
                continue
            await self._write(
                update(self.table)
                .where(self.table.c.id.in_(ids))
                .values(next_attempt_at=_now() + timedelta(seconds=self.lease_seconds))
            )

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                free = min(self.concurrency - len(self._in_flight), self.batch_size)
                claimed = self._spawn(await self._claim(free)) if free > 0 else []
                self._backlog = free <= 0 or len(claimed) == free
                if self._backlog and len(self._in_flight) < self.concurrency:
                    continue
            except Exception:
                log.exception("outbox_relay_failed", service=self.service)
            if self._stopping:
                break
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_seconds):
                    await self._wake.wait()

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name=f"outbox-{self.service}")
            self._heartbeat = asyncio.create_task(
                self._renew_leases(), name=f"outbox-leases-{self.service}"
            )

    async def stop(self, grace_seconds: float = 5.0) -> None:
        """Stop relaying; give deliveries in flight ``grace_seconds`` to finish, then cancel
        them and hand their rows back (due now) for the next start."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        done, _ = await asyncio.wait({task}, timeout=grace_seconds)
        if not done:
            task.cancel()
        in_flight = dict(self._in_flight)
        if in_flight:
            _, unfinished = await asyncio.wait(in_flight.values(), timeout=grace_seconds)
            for pending in unfinished:
                pending.cancel()
            await asyncio.wait(in_flight.values(), timeout=grace_seconds)
        heartbeat, self._heartbeat = self._heartbeat, None
        if heartbeat is not None:
            heartbeat.cancel()
            await asyncio.wait({heartbeat}, timeout=grace_seconds)
        if not done:
            await asyncio.wait({task}, timeout=grace_seconds)
        leftover = [event_id for event_id, t in in_flight.items() if t.cancelled()]
        if leftover:
            await self._write(
                update(self.table)
                .where(self.table.c.id.in_(leftover))
                .values(next_attempt_at=_now())
            )


__all__ = ["Outbox"]
