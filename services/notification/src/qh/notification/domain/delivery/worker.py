"""The delivery worker: sends what is due, records every attempt, retries what failed
for a passing reason.

Deliveries are rows (``notification_delivery``), so a retry survives a restart. A round
leases the due rows (``next_attempt_at`` pushed ``delivery_lease_seconds`` ahead, in a
short transaction, so no other replica takes them), sends them with no transaction open,
then records each outcome: ``sent``; a transient failure (5xx, 429, a timeout, an SMTP
4yz) is due again after ``qh.kit.retry.backoff`` until ``delivery_max_attempts``; a
permanent one (4xx, an SMTP 5yz, an invalid number) is ``failed`` at once and never
retried; a push token the provider calls dead is removed with its device.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

import structlog
from sqlalchemy import delete, select

from qh.kit.clock import utc_now
from qh.kit.retry import backoff
from qh.notification.db.models import Delivery, DeliveryAttempt, Device
from qh.notification.senders.base import Message, Outcome, SendResult

if TYPE_CHECKING:
    from qh.notification.context import NotificationContext

log = structlog.get_logger("qh.notification.delivery")
BATCH = 100


class DeliveryWorker:
    def __init__(self, context: NotificationContext) -> None:
        self.context = context
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self, *, now: datetime | None = None) -> int:
        """Send every delivery due at ``now``; the number attempted."""
        done = 0
        limit = asyncio.Semaphore(self.context.settings.delivery_concurrency)

        async def one(delivery_id: UUID, message: Message, channel: str) -> None:
            async with limit:
                await self._deliver(delivery_id, message, channel)

        while True:
            claimed = await self._claim(now or utc_now())
            if not claimed:
                return done

            await asyncio.gather(*(one(*item) for item in claimed))
            done += len(claimed)
            if len(claimed) < BATCH:
                return done

    async def _claim(self, now: datetime) -> list[tuple[UUID, Message, str]]:
        lease = now + timedelta(seconds=self.context.settings.delivery_lease_seconds)
        async with self.context.transaction() as session:
            rows = (
                await session.scalars(
                    select(Delivery)
                    .where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
                    .order_by(Delivery.next_attempt_at)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for row in rows:
                row.next_attempt_at = lease
            return [
                (
                    row.id,
                    Message(
                        channel=row.channel,
                        to=row.recipient,
                        subject=row.subject,
                        text=row.text,
                        html=row.html,
                        data=dict(row.data or {}),
                    ),
                    row.channel,
                )
                for row in rows
            ]

    async def _deliver(self, delivery_id: UUID, message: Message, channel: str) -> None:
        sender = self.context.senders.get(channel)
        if sender is None:
            result = SendResult(Outcome.PERMANENT, "none", error=f"no {channel} provider")
        else:
            try:
                result = await sender.send(message)
            except Exception as exc:  # a provider's bug must not stop the worker
                log.warning("send_crashed", channel=channel, exc_info=True)
                result = SendResult(Outcome.TRANSIENT, sender.provider, error=repr(exc)[:500])
        await self._record(delivery_id, result)

    async def _record(self, delivery_id: UUID, result: SendResult) -> None:
        settings = self.context.settings
        now = utc_now()
        outcome = self.context.metrics.counter(
            "notification_deliveries",
            "Delivery attempts by channel and outcome",
            ["channel", "outcome"],
        )
        async with self.context.transaction() as session:
            row = (
                await session.scalars(
                    select(Delivery).where(Delivery.id == delivery_id).with_for_update()
                )
            ).one_or_none()
            if row is None or row.status != "pending":
                return  # erased with its user meanwhile
            row.attempts += 1
            permanent = result.outcome in (Outcome.PERMANENT, Outcome.INVALID_RECIPIENT)
            session.add(
                DeliveryAttempt(
                    delivery_id=row.id,
                    number=row.attempts,
                    status="sent"
                    if result.outcome is Outcome.SENT
                    else ("permanent" if permanent else "transient"),
                    provider=result.provider,
                    provider_id=result.provider_id,
                    error=result.error,
                    at=now,
                )
            )
            row.provider, row.updated_at = result.provider, now
            if result.outcome is Outcome.SENT:
                row.status, row.provider_id, row.last_error = "sent", result.provider_id, None
            elif permanent:
                row.status, row.last_error = "failed", result.error
                if result.outcome is Outcome.INVALID_RECIPIENT and row.channel == "push":
                    await session.execute(
                        delete(Device).where(
                            Device.user_id == row.user_id, Device.token == row.recipient
                        )
                    )
            elif row.attempts >= settings.delivery_max_attempts:
                row.status, row.last_error = (
                    "failed",
                    f"gave up after {row.attempts} attempts: {result.error}",
                )
            else:
                row.last_error = result.error
                row.next_attempt_at = now + timedelta(
                    seconds=backoff(
                        row.attempts,
                        settings.delivery_backoff_seconds,
                        settings.delivery_backoff_max_seconds,
                    )
                )
            outcome.labels(self.context.slug, row.channel, str(result.outcome)).inc()
            log.info(
                "delivery_attempt",
                delivery=str(row.id),
                channel=row.channel,
                kind=row.kind,
                outcome=str(result.outcome),
                attempt=row.attempts,
                status=row.status,
                error=result.error,
            )

    # --- the background loop -------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="notification-delivery")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        poll = self.context.settings.delivery_poll_seconds
        while True:
            self._wake.clear()
            try:
                await self.run_once()
            except Exception:
                log.warning("delivery_round_failed", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=poll)
