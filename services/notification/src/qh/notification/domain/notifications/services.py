"""The inbox, preferences, devices and the planning of deliveries for one event."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

import uuid_utils
from sqlalchemy import delete, func, select, update
from sqlalchemy import event as orm_event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from qh.kit.clock import as_utc, utc_now
from qh.kit.problems import NotFound
from qh.kit.revocation import hold_subject
from qh.notification.db.models import (
    Delivery,
    DeliveryAttempt,
    Device,
    Notification,
    Preference,
    Template,
)
from qh.notification.domain.notifications.quiet import quiet_until
from qh.notification.domain.notifications.schemas import (
    CHANNEL_NAMES,
    AttemptOut,
    DeliveryOut,
    DeviceIn,
    NotificationOut,
    PreferencesIn,
    PreferencesOut,
    QuietHours,
)
from qh.notification.domain.templates.defaults import ACCOUNT_KINDS, SECURITY_KINDS
from qh.notification.domain.templates.services import TemplateService

if TYPE_CHECKING:
    from qh.notification.context import NotificationContext

# What a user gets when they chose nothing: SMS costs money and needs a number they give.
DEFAULT_CHANNELS = {"email": True, "sms": False, "push": True, "websocket": True}
INTERRUPTING = frozenset({"sms", "push"})


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def to_out(item: Notification) -> NotificationOut:
    return NotificationOut(
        id=item.id,
        kind=item.kind,
        title=item.title,
        body=item.body,
        link=item.link,
        data=item.data or {},
        created_at=as_utc(item.created_at),
        read_at=as_utc(item.read_at) if item.read_at else None,
    )


@dataclass
class Intent:
    """What one event asks to tell a user."""

    user_id: UUID
    kind: str
    variables: dict[str, Any]
    link: str | None = None
    email: str | None = None
    """The address to write to (account e-mails carry it); else the one on file."""
    name: str | None = None
    locale: str | None = None
    """The event's locale, used until the user chose one."""
    data: dict[str, Any] = field(default_factory=dict)


class NotificationService:
    def __init__(self, session: AsyncSession, context: NotificationContext) -> None:
        self.session = session
        self.context = context
        self.settings = context.settings
        self.templates = TemplateService(session)

    # --- preferences -----------------------------------------------------------------

    async def _preference_row(self, user_id: UUID, *, lock: bool = False) -> Preference | None:
        query = select(Preference).where(Preference.user_id == user_id)
        if lock:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def _erased(self, user_id: UUID) -> bool:
        """Whether ``user_id`` was deleted and erased here: their tokens are revoked (the
        kit's ``qh_revoked_subject``) and their preferences row, which every account has
        from its first event, is gone. Events travel on their own, so one about an action
        just before the deletion (a share link opened) may come after ``user.deleted``; it
        must not bring the user back. A deactivated account keeps its row and still hears.
        An event is no request, so the kit's fence of a request's commit does not cover it:
        the check first waits for an erasure in progress and keeps the next one waiting
        until this transaction ends (the subject's lock), so the two never overlap."""
        await hold_subject(self.session, user_id)
        if not await self.context.revocations.recorded(self.session, user_id):
            return False
        return await self._preference_row(user_id) is None

    async def _ensure_preference(self, user_id: UUID, locale: str | None) -> Preference:
        """The user's row, created if missing (two events of a new user may race)."""
        insert = (
            pg_insert if self.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        )
        await self.session.execute(
            insert(Preference)
            .values(
                user_id=user_id,
                locale=locale or "en",
                time_zone="UTC",
                channels={},
                kinds={},
                updated_at=utc_now(),
            )
            .on_conflict_do_nothing(index_elements=["user_id"])
        )
        row = await self._preference_row(user_id, lock=True)
        assert row is not None
        return row

    async def locale_and_zone(self, user_id: UUID, fallback: str) -> tuple[str, str]:
        """The user's language (the event's until they have a row) and time zone."""
        row = await self._preference_row(user_id)
        return (row.locale, row.time_zone) if row is not None else (fallback, "UTC")

    async def preferences(self, user_id: UUID) -> PreferencesOut:
        row = await self._preference_row(user_id)
        if row is None:
            return PreferencesOut(
                locale="en",
                time_zone="UTC",
                email=None,
                phone=None,
                channels=dict(DEFAULT_CHANNELS),
                kinds={},
                quiet_hours=None,
            )
        return self._preferences_out(row)

    def _preferences_out(self, row: Preference) -> PreferencesOut:
        quiet = (
            QuietHours(start=row.quiet_start, end=row.quiet_end)
            if row.quiet_start and row.quiet_end
            else None
        )
        return PreferencesOut(
            locale=row.locale,
            time_zone=row.time_zone,
            email=row.email,
            phone=row.phone,
            channels={**DEFAULT_CHANNELS, **(row.channels or {})},
            kinds=row.kinds or {},
            quiet_hours=quiet,
        )

    async def set_preferences(self, user_id: UUID, data: PreferencesIn) -> PreferencesOut:
        row = await self._ensure_preference(user_id, data.locale)
        row.locale = data.locale
        row.time_zone = data.time_zone
        row.phone = data.phone
        row.channels = {str(k): v for k, v in data.channels.items()}
        row.kinds = {
            kind: {str(k): v for k, v in chans.items()} for kind, chans in data.kinds.items()
        }
        row.quiet_start = data.quiet_hours.start if data.quiet_hours else None
        row.quiet_end = data.quiet_hours.end if data.quiet_hours else None
        row.updated_at = utc_now()
        await self.session.flush()
        return self._preferences_out(row)

    @staticmethod
    def wants(row: Preference | None, kind: str, channel: str) -> bool:
        if kind in ACCOUNT_KINDS:
            return channel == "email"
        if kind in SECURITY_KINDS and channel == "email":
            return True
        if row is None:
            return DEFAULT_CHANNELS[channel]
        per_kind = (row.kinds or {}).get(kind, {})
        if channel in per_kind:
            return bool(per_kind[channel])
        return bool({**DEFAULT_CHANNELS, **(row.channels or {})}[channel])

    # --- devices ---------------------------------------------------------------------

    async def register_device(self, user_id: UUID, data: DeviceIn) -> tuple[Device, bool]:
        """A token belongs to the last user who registered it (a shared phone)."""
        digest = token_hash(data.token)
        now = utc_now()
        device = (
            await self.session.scalars(
                select(Device).where(Device.token_hash == digest).with_for_update()
            )
        ).one_or_none()
        if device is None:
            device = Device(
                user_id=user_id,
                platform=data.platform,
                token=data.token,
                token_hash=digest,
                created_at=now,
                last_seen_at=now,
            )
            self.session.add(device)
            await self.session.flush()
            return device, True
        device.user_id, device.platform, device.last_seen_at = user_id, data.platform, now
        await self.session.flush()
        return device, False

    async def remove_device(self, user_id: UUID, device_id: UUID) -> None:
        result = await self.session.execute(
            delete(Device).where(Device.id == device_id, Device.user_id == user_id)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            raise NotFound("No such device")

    # --- the inbox -------------------------------------------------------------------

    async def list_page(
        self, user_id: UUID, limit: int, offset: int
    ) -> tuple[Sequence[Notification], int]:
        items = (
            await self.session.scalars(
                select(Notification)
                .where(Notification.user_id == user_id)
                .order_by(Notification.created_at.desc(), Notification.id.desc())
                .limit(limit)
                .offset(offset)
            )
        ).all()
        total = await self.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.user_id == user_id)
        )
        return items, int(total or 0)

    async def mark_read(self, user_id: UUID, notification_id: UUID) -> Notification:
        item = (
            await self.session.scalars(
                select(Notification)
                .where(Notification.id == notification_id, Notification.user_id == user_id)
                .with_for_update()
            )
        ).one_or_none()
        if item is None:
            raise NotFound("No such notification")
        if item.read_at is None:
            item.read_at = utc_now()
            await self.session.flush()
        return item

    async def mark_all_read(self, user_id: UUID) -> int:
        result = await self.session.execute(
            update(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .values(read_at=utc_now())
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def unread(self, user_id: UUID) -> int:
        count = await self.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        return int(count or 0)

    # --- the delivery log ------------------------------------------------------------

    async def deliveries(
        self, user_id: UUID, limit: int, offset: int
    ) -> tuple[list[DeliveryOut], int]:
        rows = (
            await self.session.scalars(
                select(Delivery)
                .where(Delivery.user_id == user_id)
                .order_by(Delivery.created_at.desc(), Delivery.id.desc())
                .limit(limit)
                .offset(offset)
            )
        ).all()
        total = await self.session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.user_id == user_id)
        )
        attempts: dict[UUID, list[AttemptOut]] = {row.id: [] for row in rows}
        if rows:
            for attempt in await self.session.scalars(
                select(DeliveryAttempt)
                .where(DeliveryAttempt.delivery_id.in_(list(attempts)))
                .order_by(DeliveryAttempt.number)
            ):
                attempts[attempt.delivery_id].append(
                    AttemptOut(
                        number=attempt.number,
                        status=attempt.status,
                        provider=attempt.provider,
                        provider_id=attempt.provider_id,
                        error=attempt.error,
                        at=as_utc(attempt.at),
                    )
                )
        out = [
            DeliveryOut(
                id=row.id,
                kind=row.kind,
                channel=row.channel,
                status=row.status,
                attempts=attempts[row.id],
                next_attempt_at=as_utc(row.next_attempt_at) if row.status == "pending" else None,
                provider=row.provider,
                provider_id=row.provider_id,
                last_error=row.last_error,
                created_at=as_utc(row.created_at),
            )
            for row in rows
        ]
        return out, int(total or 0)

    # --- one event becomes messages --------------------------------------------------

    async def notify(self, intent: Intent) -> Notification | None:
        """Plan everything ``intent`` becomes, in the caller's transaction: the inbox row,
        one delivery per channel and address, and (once committed) the live message.
        Nothing for a user this service already erased (below)."""
        if await self._erased(intent.user_id):
            return None
        now = utc_now()
        if intent.email:
            row: Preference | None = await self._ensure_preference(intent.user_id, intent.locale)
            assert row is not None
            if row.email != intent.email:
                row.email = intent.email
            if intent.name and row.name != intent.name:
                row.name = intent.name
        else:
            row = await self._preference_row(intent.user_id)
        locale = row.locale if row is not None else (intent.locale or "en")
        variables = dict(intent.variables)
        if not variables.get("name"):
            variables["name"] = (row.name if row is not None else None) or ""
        account = intent.kind in ACCOUNT_KINDS

        notification = None
        if not account:
            rendered = await self.templates.render(intent.kind, "inbox", locale, variables)
            notification = Notification(
                id=UUID(str(uuid_utils.uuid7())),
                user_id=intent.user_id,
                kind=intent.kind,
                title=(rendered.subject or "")[:300],
                body=rendered.text,
                link=intent.link,
                data=intent.data,
                created_at=now,
            )
            self.session.add(notification)

        for channel in ("email", "sms", "push"):
            sender = self.context.senders.get(channel)
            if sender is None or not self.wants(row, intent.kind, channel):
                continue
            recipients = await self._recipients(channel, intent, row)
            if not recipients:
                continue
            rendered = await self.templates.render(intent.kind, channel, locale, variables)
            status, due = await self._admission(intent, channel, row, now)
            for recipient in recipients:
                self.session.add(
                    Delivery(
                        user_id=intent.user_id,
                        notification_id=notification.id if notification else None,
                        kind=intent.kind,
                        channel=channel,
                        recipient=recipient,
                        subject=rendered.subject,
                        text=rendered.text,
                        html=rendered.html,
                        data={
                            "kind": intent.kind,
                            **({"link": intent.link} if intent.link else {}),
                        },
                        status=status,
                        attempts=0,
                        next_attempt_at=due,
                        provider=sender.provider,
                        created_at=now,
                        updated_at=now,
                    )
                )
        await self.session.flush()

        live = notification is not None and self.wants(row, intent.kind, "websocket")
        message = (
            {"type": "notification", **_wire(to_out(notification))}
            if live and notification
            else None
        )
        worker, hub, user_id = self.context.worker, self.context.live, intent.user_id

        def after_commit(_session: Any) -> None:
            worker.wake()
            if message is not None:
                hub.publish(user_id, message)

        orm_event.listen(self.session.sync_session, "after_commit", after_commit, once=True)
        return notification

    async def _recipients(self, channel: str, intent: Intent, row: Preference | None) -> list[str]:
        if channel == "email":
            address = intent.email or (row.email if row else None)
            return [address] if address else []
        if channel == "sms":
            return [row.phone] if row is not None and row.phone else []
        tokens = await self.session.scalars(
            select(Device.token).where(Device.user_id == intent.user_id).order_by(Device.created_at)
        )
        return list(tokens)

    async def _admission(
        self, intent: Intent, channel: str, row: Preference | None, now: datetime
    ) -> tuple[str, datetime]:
        """``pending`` when it may go (at once, or after quiet hours), else ``rate_limited``."""
        if intent.kind in ACCOUNT_KINDS or (intent.kind in SECURITY_KINDS and channel == "email"):
            return "pending", now
        sent_lately = await self.session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(
                Delivery.user_id == intent.user_id,
                Delivery.channel == channel,
                Delivery.created_at > now - timedelta(hours=1),
                Delivery.status.in_(("pending", "sent", "failed")),
            )
        )
        if int(sent_lately or 0) >= self.settings.rate_limit_per_hour:
            return "rate_limited", now
        if channel in INTERRUPTING and row is not None and row.quiet_start and row.quiet_end:
            until = quiet_until(now, row.time_zone, row.quiet_start, row.quiet_end)
            if until is not None:
                return "pending", until
        return "pending", now

    async def erase(self, user_id: UUID) -> None:
        """Everything the service keeps about the user (``user.deleted``)."""
        deliveries = select(Delivery.id).where(Delivery.user_id == user_id)
        await self.session.execute(
            delete(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(deliveries))
        )
        for model in (Delivery, Notification, Device, Preference):
            await self.session.execute(delete(model).where(model.user_id == user_id))  # type: ignore[attr-defined]
        await self.session.execute(
            update(Template).where(Template.updated_by == user_id).values(updated_by=None)
        )


def _wire(out: NotificationOut) -> dict[str, Any]:
    import msgspec

    return msgspec.to_builtins(out)  # type: ignore[no-any-return]


def provide_notifications(
    db_session: AsyncSession, context: NotificationContext
) -> NotificationService:
    return NotificationService(db_session, context)


__all__ = ["CHANNEL_NAMES", "Intent", "NotificationService", "provide_notifications"]
