"""Tokens of deleted and deactivated accounts stop working in every service.

Access tokens are verified locally, so a service would accept a deleted user's token
until it expires. Every service therefore follows ``user.deleted`` and
``user.deactivated``: the kit records the subject and the time in the service's own
``qh_revoked_subject`` table, in the same transaction as the inbox row (and as the
service's own handler of the topic, if it has one), and refuses (401) any token of that
subject issued at or before that time. Each replica reloads the table every few seconds,
so the replica that did not receive the event learns it too; rows older than any token
can live are purged.

A request that passed the token check just before the record can still be writing. The
kit fences such writes (the erasure fence): before a request's write transaction of a
user commits, :class:`~qh.kit.db.CommitHook` calls :func:`refused_at_commit`, and the
record takes the subject's lock first, before the service's own handler erases anything.
So a write either commits before the erasure (which then erases it) or is refused (401).
On PostgreSQL the lock is an advisory transaction lock per subject (:func:`subject_lock_key`),
exclusive for the record, shared for a write; on SQLite a write transaction already holds
the database's write lock, so the check inside it suffices.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import structlog
from sqlalchemy import (
    Column,
    DateTime,
    MetaData,
    String,
    Table,
    delete,
    func,
    literal,
    select,
    update,
)
from sqlalchemy import event as orm_event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from qh.contracts import USER_DEACTIVATED, USER_DELETED, Topic
from qh.kit.auth import Principal
from qh.kit.clock import as_utc, utc_now
from qh.kit.cloudevents import Event, EventStatus
from qh.kit.subscriptions import Handler, subscribe, subscription_of
from qh.kit.tables import REVOKED_TABLE, kit_table

log = structlog.get_logger("qh.revocation")

REVOKING_TOPICS: tuple[Topic[Any], ...] = (USER_DELETED, USER_DEACTIVATED)

REVOKED_DETAIL = "Invalid access token: the account was deleted or deactivated after it was issued"


def subject_lock_key(subject: UUID) -> int:
    """The PostgreSQL advisory lock key of ``subject`` (a signed 64-bit integer): both
    halves of the UUID folded together, so UUIDv7 subjects made in the same millisecond
    still get different keys. Two subjects that share a key only wait for each other."""
    raw = subject.bytes
    value = int.from_bytes(raw[:8], "big") ^ int.from_bytes(raw[8:], "big")
    return value - (1 << 64) if value >= 1 << 63 else value


def _postgres(session: AsyncSession) -> bool:
    return bool(session.get_bind().dialect.name == "postgresql")


async def hold_subject(session: AsyncSession, subject: UUID) -> None:
    """Wait for a revocation of ``subject`` being recorded (and the erasure in its
    transaction) to end, and keep the next one from starting until this transaction ends:
    the subject's shared lock on PostgreSQL, a separate statement, so the statements after
    it see what that revocation committed. For a subscriber that writes a user's data
    (a request's writes are fenced by the kit at commit). Nothing on SQLite, where the
    transaction's write lock serialises it with the record already."""
    if _postgres(session):
        await session.execute(select(func.pg_advisory_xact_lock_shared(subject_lock_key(subject))))


# The commit fence on PostgreSQL, one round trip: two statements in one simple-protocol
# message. The first takes the subject's shared lock if no revocation of the subject is
# being recorded (that transaction holds the lock exclusively); the second answers a row
# when the lock was busy or the subject was revoked at or after the token's ``iat``. The
# check is a statement of its own because a statement reads with the snapshot taken when
# it starts: a check in the locking statement would miss a revocation committed between
# that snapshot and the lock. The lock is tried, not waited for: the write may hold row
# locks the erasure is waiting for, so waiting would deadlock; a busy lock means the
# subject is being revoked right now, and the write is refused as it would be a moment
# later. Every value is formatted from a UUID, an integer or a float.
_POSTGRES_FENCE = (
    "SELECT set_config('qh.subject_free', pg_try_advisory_xact_lock_shared({key})::text, true);"
    " SELECT 1 WHERE current_setting('qh.subject_free') <> 'true' OR EXISTS ("
    "SELECT 1 FROM qh_revoked_subject WHERE subject = '{subject}'"
    " AND revoked_at >= to_timestamp({issued_at:.6f}))"
)

# The table as the fence reads it (the service's own is in its metadata, same columns).
_REVOKED = Table(
    REVOKED_TABLE,
    MetaData(),
    Column("subject", String(36), primary_key=True),
    Column("revoked_at", DateTime(timezone=True), nullable=False),
)


async def refused_at_commit(
    session: AsyncSession, connection: Connection, principal: Principal
) -> bool:
    """Whether the write transaction of ``principal`` on ``session`` (which has written,
    over ``connection``) must be rolled back: the subject was revoked at or after the
    token was issued, or is being revoked right now. Called by the kit's commit hook."""
    issued_at = float(principal.claims.get("iat", 0))
    if connection.dialect.name == "postgresql":
        driver: Any = connection.connection.driver_connection  # asyncpg's connection
        status: str = await driver.execute(
            _POSTGRES_FENCE.format(
                key=subject_lock_key(principal.id), subject=principal.id, issued_at=issued_at
            )
        )
        return status != "SELECT 0"
    found = await session.scalar(
        select(literal(1)).where(
            _REVOKED.c.subject == str(principal.id),
            _REVOKED.c.revoked_at >= datetime.fromtimestamp(issued_at, UTC),
        )
    )
    return found is not None


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
        """Refuse ``subject``'s tokens issued up to ``at``, in ``session``'s transaction.
        On PostgreSQL the subject's exclusive lock comes first: it waits for the writes
        of the subject about to commit, and refuses the others until this transaction
        ends (see the module's erasure fence)."""
        if _postgres(session):
            await session.execute(select(func.pg_advisory_xact_lock(subject_lock_key(subject))))
        key = str(subject)
        changed = await session.execute(
            update(self.table).where(self.table.c.subject == key).values(revoked_at=at)
        )
        if not changed.rowcount:  # type: ignore[attr-defined]
            await session.execute(self.table.insert().values(subject=key, revoked_at=at))
        # Refused here once the transaction committed, with the service's erasure: a token
        # refused earlier would tell its client the account is gone while its data is not.
        revoked_at = at.timestamp()

        def remember(_session: Any) -> None:
            self._revoked[subject] = max(self._revoked.get(subject, 0.0), revoked_at)

        orm_event.listen(session.sync_session, "after_commit", remember, once=True)

    async def recorded(self, session: AsyncSession, subject: UUID) -> bool:
        """Whether ``subject`` was revoked, as ``session`` reads the table now (after
        :func:`hold_subject`, a revocation committed while waiting included)."""
        found = await session.scalar(
            select(self.table.c.subject).where(self.table.c.subject == str(subject))
        )
        return found is not None

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

__all__ = [
    "REVOKED_DETAIL",
    "REVOKING_TOPICS",
    "Revocations",
    "hold_subject",
    "refused_at_commit",
    "subject_lock_key",
    "with_revocations",
]
