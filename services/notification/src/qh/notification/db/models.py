"""The inbox, each user's preferences and devices, templates an admin changed, and the
delivery log (one row per message to send, one per attempt).

Every table but the templates carries the user's id, so every query filters by it, and
``user.deleted`` erases by it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from advanced_alchemy.base import UUIDv7PrimaryKey
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from qh.kit.db import declarative_base
from qh.kit.tables import add_messaging_tables

if TYPE_CHECKING:
    from sqlalchemy.orm import DeclarativeBase as Base
else:
    Base = declarative_base()
add_messaging_tables(Base.metadata)


class Notification(UUIDv7PrimaryKey, Base):
    """One message in the user's inbox (the web client's list)."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_created", "user_id", "created_at"),)

    user_id: Mapped[UUID]
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(2000))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    read_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class Preference(Base):
    """What one user wants: channels per kind, locale, time zone, quiet hours, and the
    addresses the service knows (the e-mail from auth's events, a phone the user gave)."""

    __tablename__ = "notification_preference"

    user_id: Mapped[UUID] = mapped_column(primary_key=True)
    locale: Mapped[str] = mapped_column(String(5), default="en")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    email: Mapped[str | None] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(200))
    """The name to greet with (from auth's events)."""
    phone: Mapped[str | None] = mapped_column(String(20))
    channels: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    """Channel on or off for every kind: ``{"sms": false}``."""
    kinds: Mapped[dict[str, dict[str, bool]]] = mapped_column(JSON, default=dict)
    """Per kind, overriding ``channels``: ``{"document_opened": {"email": false}}``."""
    quiet_start: Mapped[str | None] = mapped_column(String(5))
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class Device(UUIDv7PrimaryKey, Base):
    """A push token registered by one of the user's apps."""

    __tablename__ = "notification_device"

    user_id: Mapped[UUID] = mapped_column(index=True)
    platform: Mapped[str] = mapped_column(String(10))
    token: Mapped[str] = mapped_column(String(4096))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class Template(Base):
    """An admin's version of a message; without one the built-in default is used."""

    __tablename__ = "notification_template"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    """``<kind>.<channel>.<locale>``: ``email_verification.email.ru``."""
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    locale: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    updated_by: Mapped[UUID | None]


class Delivery(UUIDv7PrimaryKey, Base):
    """One message to send on one channel to one address, and where it stands."""

    __tablename__ = "notification_delivery"
    __table_args__ = (Index("ix_notification_delivery_due", "status", "next_attempt_at"),)

    user_id: Mapped[UUID] = mapped_column(index=True)
    notification_id: Mapped[UUID | None]
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(4096))
    subject: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20))
    """``pending`` → ``sent`` | ``failed`` (permanent, or out of attempts); or, never
    tried, ``rate_limited`` | ``no_provider``."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    provider: Mapped[str | None] = mapped_column(String(20))
    provider_id: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class DeliveryAttempt(UUIDv7PrimaryKey, Base):
    """One try of a delivery: what the provider answered."""

    __tablename__ = "notification_delivery_attempt"

    delivery_id: Mapped[UUID] = mapped_column(
        ForeignKey("notification_delivery.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    """``sent``, ``transient`` (retried) or ``permanent`` (not retried)."""
    provider: Mapped[str] = mapped_column(String(20))
    provider_id: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
