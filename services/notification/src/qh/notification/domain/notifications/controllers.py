"""The caller's inbox, preferences, push devices and delivery log."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody

from qh.kit.auth import Caller
from qh.kit.pagination import Page, Paging
from qh.notification.domain.notifications.schemas import (
    DeliveryOut,
    DeviceIn,
    DeviceOut,
    MarkedRead,
    NotificationOut,
    PreferencesIn,
    PreferencesOut,
    UnreadCount,
)
from qh.notification.domain.notifications.services import NotificationService, to_out

Notifications = NamedDependency[NotificationService]


class InboxController(Controller):
    path = "/"
    tags = ["Inbox"]

    @get("/")
    async def list_notifications(
        self, principal: Caller, notifications: Notifications, page: Paging
    ) -> Page[NotificationOut]:
        """The caller's notifications, newest first."""
        items, total = await notifications.list_page(principal.id, page.limit, page.offset)
        return page.of([to_out(item) for item in items], total)

    @get("/unread-count")
    async def unread_count(self, principal: Caller, notifications: Notifications) -> UnreadCount:
        return UnreadCount(await notifications.unread(principal.id))

    @post("/{notification_id:uuid}/read", status_code=200)
    async def mark_read(
        self, notification_id: FromPath[UUID], principal: Caller, notifications: Notifications
    ) -> NotificationOut:
        """Mark one notification read (again is harmless); another user's is 404."""
        return to_out(await notifications.mark_read(principal.id, notification_id))

    @post("/read-all", status_code=200)
    async def mark_all_read(self, principal: Caller, notifications: Notifications) -> MarkedRead:
        return MarkedRead(await notifications.mark_all_read(principal.id))

    @get("/deliveries", tags=["Delivery log"])
    async def deliveries(
        self, principal: Caller, notifications: Notifications, page: Paging
    ) -> Page[DeliveryOut]:
        """Every message sent (or not) to the caller, with each attempt's outcome."""
        items, total = await notifications.deliveries(principal.id, page.limit, page.offset)
        return page.of(items, total)


class PreferencesController(Controller):
    path = "/"
    tags = ["Preferences"]

    @get("/preferences")
    async def get_preferences(
        self, principal: Caller, notifications: Notifications
    ) -> PreferencesOut:
        return await notifications.preferences(principal.id)

    @put("/preferences")
    async def put_preferences(
        self, data: JSONBody[PreferencesIn], principal: Caller, notifications: Notifications
    ) -> PreferencesOut:
        """Replace the caller's preferences: channels on or off (and per kind), language,
        IANA time zone, phone for SMS, quiet hours (SMS and push wait until they end)."""
        return await notifications.set_preferences(principal.id, data)

    @put(
        "/devices",
        status_code=200,
        tags=["Devices"],
        responses={201: ResponseSpec(data_container=DeviceOut, description="A new device")},
    )
    async def put_device(
        self, data: JSONBody[DeviceIn], principal: Caller, notifications: Notifications
    ) -> Response[DeviceOut]:
        """Register a push token (201 when new, 200 when known)."""
        device, created = await notifications.register_device(principal.id, data)
        out = DeviceOut(
            id=device.id,
            platform=device.platform,
            created_at=device.created_at,
            last_seen_at=device.last_seen_at,
        )
        return Response(out, status_code=201 if created else 200)

    @delete("/devices/{device_id:uuid}", status_code=204, tags=["Devices"])
    async def delete_device(
        self, device_id: FromPath[UUID], principal: Caller, notifications: Notifications
    ) -> None:
        await notifications.remove_device(principal.id, device_id)
