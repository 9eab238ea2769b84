"""Wire types of the inbox, preferences, devices and delivery log."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from qh.notification.domain.templates.defaults import ACCOUNT_KINDS, KINDS

Channel = Literal["email", "sms", "push", "websocket"]
CHANNEL_NAMES = ("email", "sms", "push", "websocket")
CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
PHONE = re.compile(r"\+[1-9]\d{6,14}")


class NotificationOut(msgspec.Struct, kw_only=True):
    id: UUID
    kind: str
    title: str
    body: str
    link: str | None
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class UnreadCount(msgspec.Struct):
    unread: int


class MarkedRead(msgspec.Struct):
    marked: int


class QuietHours(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``start`` to ``end`` in the user's time zone, ``HH:MM``; may pass midnight."""

    start: Annotated[str, msgspec.Meta(examples=["22:00"])]
    end: Annotated[str, msgspec.Meta(examples=["08:00"])]

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            if not CLOCK.fullmatch(getattr(self, name)):
                raise ValueError(f"quiet_hours.{name} must be a time as HH:MM (00:00 to 23:59)")
        if self.start == self.end:
            raise ValueError("quiet_hours.start and quiet_hours.end must differ")


class PreferencesIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    locale: Literal["ru", "en"] = "en"
    time_zone: Annotated[str, msgspec.Meta(max_length=64, examples=["Europe/Moscow"])] = "UTC"
    phone: Annotated[str, msgspec.Meta(max_length=16)] | None = None
    channels: dict[Channel, bool] = msgspec.field(default_factory=dict)
    kinds: dict[str, dict[Channel, bool]] = msgspec.field(default_factory=dict)
    quiet_hours: QuietHours | None = None

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"time_zone: {self.time_zone!r} is not an IANA time zone (e.g. Europe/Moscow)"
            ) from None
        if self.phone is not None and not PHONE.fullmatch(self.phone):
            raise ValueError("phone must be in E.164 form: + country code and number")
        for kind in self.kinds:
            if kind not in KINDS:
                raise ValueError(f"kinds: unknown kind {kind!r}; known: {', '.join(KINDS)}")
            if kind in ACCOUNT_KINDS:
                raise ValueError(f"kinds: {kind} e-mails are always sent")


class PreferencesOut(msgspec.Struct, kw_only=True):
    locale: str
    time_zone: str
    email: str | None
    phone: str | None
    channels: dict[str, bool]
    """Every channel, with the default where the user chose nothing."""
    kinds: dict[str, dict[str, bool]]
    quiet_hours: QuietHours | None


class DeviceIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    platform: Literal["android", "ios", "web"]
    token: Annotated[str, msgspec.Meta(min_length=8, max_length=4096, pattern=r"^\S+$")]


class DeviceOut(msgspec.Struct, kw_only=True):
    id: UUID
    platform: str
    created_at: datetime
    last_seen_at: datetime


class AttemptOut(msgspec.Struct, kw_only=True):
    number: int
    status: str
    provider: str
    provider_id: str | None
    error: str | None
    at: datetime


class DeliveryOut(msgspec.Struct, kw_only=True):
    id: UUID
    kind: str
    channel: str
    status: str
    attempts: list[AttemptOut]
    next_attempt_at: datetime | None
    provider: str | None
    provider_id: str | None
    last_error: str | None
    created_at: datetime
