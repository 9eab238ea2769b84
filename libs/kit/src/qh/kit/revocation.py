"""Tokens of deleted and deactivated accounts stop working in every service.

Access tokens are verified locally, so a service would accept a deleted user's token
until it expires. Every service therefore follows ``user.deleted`` and
``user.deactivated``: the kit records the subject and the time in the service's own
``qh_revoked_subject`` table, in the same transaction as the inbox row (and as the
service's own handler of the topic, if it has one), and refuses (401) any token of that
subject issued at or before that time. Each replica reloads the table every few seconds,
so the replica that did not receive the event learns it too; rows older than any token
can live are purged.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import structlog
from sqlalchemy import MetaData, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from qh.contracts import USER_DEACTIVATED, USER_DELETED, Topic
from qh.kit.auth import Principal
from qh.kit.clock import as_utc, utc_now
from qh.kit.cloudevents import Event, EventStatus
from qh.kit.subscriptions import Handler, subscribe, subscription_of
from qh.kit.tables import REVOKED_TABLE, kit_table

log = structlog.get_logger("qh.revocation")

REVOKING_TOPICS: tuple[Topic[Any], ...] = (USER_DELETED, USER_DEACTIVATED)


class Revocations:
    """The subjects whose earlier tokens are refused, kept in memory for the check."""

    def __init__(
        self,
        metadata: MetaData,
        session_maker: async_sessionmaker[AsyncSession],
        *,
        refresh_seconds: float = 5.0,
        keep_seconds: float = 24 * 3600.0,
    ) -> None:
        self.table = kit_table(metadata, REVOKED_TABLE)
        self.session_maker = session_maker
        self.refresh_seconds = refresh_seconds
        self.keep_seconds = keep_seconds
        self._revoked: dict[UUID, float] = {}
        self._task: asyncio.Task[None] | None = None

    def is_revoked(self, principal: Principal) -> bool:
        if not self._revoked:
            return False
        revoked_at = self._revoked.get(principal.id)
        return revoked_at is not None and float(principal.claims.get("iat", 0)) <= revoked_at

    async def record(self, session: AsyncSession, subject: UUID, at: datetime) -> None:
        """Refuse ``subject``'s tokens issued up to ``at``, in ``session``'s transaction."""
        key = str(subject)
        changed = await session.execute(
            update(self.table).where(self.table.c.subject == key).values(revoked_at=at)
        )
        if not changed.rowcount:  # type: ignore[attr-defined]
            await session.execute(self.table.insert().values(subject=key, revoked_at=at))
        self._revoked[subject] = max(self._revoked.get(subject, 0.0), at.timestamp())

    async def refresh(self) -> None:
        """Reload the table (what other replicas recorded), purging rows past any token."""
        horizon = utc_now() - timedelta(seconds=self.keep_seconds)
        async with self.session_maker() as session:
            rows = (await session.execute(select(self.table))).all()
        fresh: dict[UUID, float] = {}
        stale = False
        for subject, revoked_at in rows:
            at = as_utc(revoked_at)
            if at < horizon:
                stale = True
                continue
            fresh[UUID(subject)] = at.timestamp()
        self._revoked = fresh
        if stale:
            async with self.session_maker() as session, session.begin():
                await session.execute(delete(self.table).where(self.table.c.revoked_at < horizon))

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.refresh_seconds)
            try:
                await self.refresh()
            except Exception:
                log.exception("revocations_refresh_failed")

    async def start(self) -> None:
        await self.refresh()
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="revocations")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _event_time(event: Event[Any]) -> datetime:
    try:
        return as_utc(datetime.fromisoformat(event.time)) if event.time else utc_now()
    except ValueError:
        return utc_now()


def _revoking_handler(topic: Topic[Any], own: Handler | None) -> Handler:
    async def revoke(event: Event[Any], session: AsyncSession, context: Any) -> EventStatus:
        await context.revocations.record(session, event.data.user_id, _event_time(event))
        if own is None:
            return EventStatus.SUCCESS
        return await context.call(own, session, event=event) or EventStatus.SUCCESS  # type: ignore[no-any-return]

    revoke.__name__ = getattr(own, "__name__", f"revoke_on_{topic.base.replace('.', '_')}")
    revoke.__doc__ = getattr(own, "__doc__", None)
    return subscribe(topic)(revoke)


def with_revocations(subscribers: Sequence[Handler]) -> list[Handler]:
    """The service's subscribers, each revoking topic handled once: the kit's recording
    first, then the service's own handler of that topic in the same transaction (a topic
    has one subscription per app)."""
    by_topic: dict[str, Handler] = {}
    others: list[Handler] = []
    for handler in subscribers:
        topic = subscription_of(handler).topic
        if any(topic.name == revoking.name for revoking in REVOKING_TOPICS):
            by_topic[topic.name] = handler
        else:
            others.append(handler)
    return [
        *others,
        *(_revoking_handler(topic, by_topic.get(topic.name)) for topic in REVOKING_TOPICS),
    ]


RevocationCheck = Callable[[Principal], bool]

__all__ = ["REVOKING_TOPICS", "Revocations", "with_revocations"]
