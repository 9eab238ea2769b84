"""Notifications: the inbox (mark one or all read), the channel preferences per kind with
quiet hours, and the live bell.

The bell's count is kept live by ``static/notifications.js`` over the notification
service's own WebSocket (``/api/v1/notifications/ws``). That socket needs an access
token; the page hands out the session's current one only on a ``POST`` carrying the CSRF
header (so no other site can get it), ``no-store``. The script keeps it in memory, sends
it as the socket's first message (never in the URL, so it is in no log or history) and
drops it; the socket closes when the token expires (4401) and the script asks for a fresh
one. The refresh token never leaves the server."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from litestar import MediaType, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest

from qh.kit.clock import utc_now
from qh.web.api import ApiError
from qh.web.context import WebContext
from qh.web.i18n import N_
from qh.web.pages.forms import FormData, text, values
from qh.web.web import NO_STORE, PageController, Visitor, visit

NOTIFICATIONS = "/api/v1/notifications"
SOCKET = f"{NOTIFICATIONS}/ws"
PAGE_SIZE = 50
CHANNELS = ("email", "sms", "push", "websocket")
CHANNEL_NAMES = {
    "email": N_("E-mail"),
    "sms": N_("SMS"),
    "push": N_("Push"),
    "websocket": N_("In the browser"),
}
# The kinds a person can switch (account e-mails are always sent and never listed).
KIND_NAMES = {
    "welcome": N_("Welcome"),
    "sign_in_alert": N_("Sign-in from a new device"),
    "resume_ready": N_("A resume is ready"),
    "cover_letter_ready": N_("A cover letter is ready"),
    "document_shared": N_("A document was shared"),
    "document_opened": N_("A shared document was opened"),
    "analysis_completed": N_("An analysis is done"),
}
LOCALES = ("ru", "en")
CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
PHONE = re.compile(r"\+[1-9]\d{6,14}")


def _safe_link(link: Any) -> str | None:
    """A notification's link, shown only when it is a web address or a path here."""
    if not isinstance(link, str) or not link:
        return None
    if link.startswith("/") and not link.startswith("//"):
        return link
    if link.startswith(("https://", "http://")):
        return link
    return None


async def inbox_page(
    visitor: Visitor, offset: int = 0, status: int = 200, **extra: Any
) -> Response[str]:
    page = await visitor.api.get_json(
        "notification",
        f"{NOTIFICATIONS}/",
        params={"limit": str(PAGE_SIZE), "offset": str(offset)},
    )
    items = [{**item, "link": _safe_link(item.get("link"))} for item in page["items"]]
    unread = sum(1 for item in items if not item.get("read_at"))
    return visitor.page(
        "notifications.html",
        status=status,
        items=items,
        total=page["total"],
        offset=offset,
        page_size=PAGE_SIZE,
        unread=unread,
        **extra,
    )


def _effective(prefs: dict[str, Any]) -> dict[str, dict[str, bool]]:
    """Every kind's channels as they apply: its own choice, else the channel's."""
    channels: dict[str, bool] = prefs.get("channels") or {}
    kinds: dict[str, dict[str, bool]] = prefs.get("kinds") or {}
    return {
        kind: {ch: bool(kinds.get(kind, {}).get(ch, channels.get(ch, False))) for ch in CHANNELS}
        for kind in KIND_NAMES
    }


def preferences_page(
    visitor: Visitor, prefs: dict[str, Any], status: int = 200, **extra: Any
) -> Response[str]:
    _ = visitor.gettext
    quiet = prefs.get("quiet_hours") or None
    return visitor.page(
        "notification_preferences.html",
        status=status,
        prefs=prefs,
        matrix=_effective(prefs),
        channels=[(ch, _(CHANNEL_NAMES[ch])) for ch in CHANNELS],
        kinds=[(kind, _(name)) for kind, name in KIND_NAMES.items()],
        quiet=quiet,
        **extra,
    )


class NotificationPages(PageController):
    path = "/notifications"
    tags = ["Pages: notifications"]

    @get("/")
    async def inbox(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        offset: FromQuery[int] = 0,
    ) -> Response[str]:
        """The inbox, newest first, fifty at a time."""
        visitor = await visit(request, context)
        return await inbox_page(visitor, max(0, min(offset, 100_000)))

    @post("/{notification_id:uuid}/read")
    async def mark_read(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        notification_id: FromPath[UUID],
        data: FormData,
    ) -> Response[str]:
        visitor = await visit(request, context)
        await visitor.api.call("notification", "POST", f"{NOTIFICATIONS}/{notification_id}/read")
        return visitor.redirect(_back(data))

    @post("/read-all")
    async def mark_all_read(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        visitor = await visit(request, context)
        await visitor.api.call("notification", "POST", f"{NOTIFICATIONS}/read-all")
        return visitor.redirect("/notifications?marked=1")

    @get("/unread", media_type=MediaType.JSON)
    async def unread(
        self, request: HTMXRequest, context: NamedDependency[WebContext]
    ) -> Response[dict[str, int]]:
        """The bell's count (read by the script when its socket is ready)."""
        visitor = await visit(request, context)
        body = await visitor.api.get_json("notification", f"{NOTIFICATIONS}/unread-count")
        return Response({"unread": int(body["unread"])}, headers=NO_STORE)

    @post("/live", media_type=MediaType.JSON, status_code=200)
    async def live(
        self, request: HTMXRequest, context: NamedDependency[WebContext]
    ) -> Response[dict[str, Any]]:
        """A short-lived pass for the notification socket: the session's current access
        token and when it expires (a POST with the CSRF header, so only this site's own
        pages get it)."""
        visitor = await visit(request, context)
        assert visitor.signed is not None
        token = await context.sessions.access(visitor.signed)
        expires_in = max(0, int((visitor.signed.access_expires_at - utc_now()).total_seconds()))
        return Response(
            {"token": token, "expires_in": expires_in, "socket": SOCKET},
            headers={**NO_STORE, "Pragma": "no-cache"},
        )

    @get("/preferences")
    async def preferences(
        self, request: HTMXRequest, context: NamedDependency[WebContext]
    ) -> Response[str]:
        visitor = await visit(request, context)
        prefs = await visitor.api.get_json("notification", f"{NOTIFICATIONS}/preferences")
        saved = request.query_params.get("saved") == "1"
        notice = visitor.gettext("Your preferences are saved.") if saved else None
        return preferences_page(visitor, prefs, notice=notice)

    @post("/preferences")
    async def save_preferences(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        visitor = await visit(request, context)
        _ = visitor.gettext
        current = await visitor.api.get_json("notification", f"{NOTIFICATIONS}/preferences")
        chosen = set(await values(request, "on"))
        channels = {ch: f"all.{ch}" in chosen for ch in CHANNELS}
        kinds: dict[str, dict[str, bool]] = {}
        for kind in KIND_NAMES:
            # Stored only where the kind differs from the channel's own switch.
            differs = {
                ch: f"{kind}.{ch}" in chosen
                for ch in CHANNELS
                if (f"{kind}.{ch}" in chosen) != channels[ch]
            }
            if differs:
                kinds[kind] = differs
        # Kinds this page does not know are kept as they were.
        for kind, chans in (current.get("kinds") or {}).items():
            if kind not in KIND_NAMES:
                kinds[kind] = chans
        locale = text(data, "locale")
        time_zone = text(data, "time_zone") or "UTC"
        phone = text(data, "phone").replace(" ", "").replace("-", "") or None
        quiet_on = text(data, "quiet") == "on"
        start, end = text(data, "quiet_start"), text(data, "quiet_end")
        errors: dict[str, str] = {}
        if locale not in LOCALES:
            errors["locale"] = _("Choose a language.")
        if phone is not None and not PHONE.fullmatch(phone):
            errors["phone"] = _("Write the number in international format, e.g. +79161234567.")
        if quiet_on:
            if not CLOCK.fullmatch(start):
                errors["quiet_start"] = _("Enter a time as HH:MM.")
            if not CLOCK.fullmatch(end):
                errors["quiet_end"] = _("Enter a time as HH:MM.")
            if not errors.get("quiet_start") and not errors.get("quiet_end") and start == end:
                errors["quiet_end"] = _("The end must differ from the start.")
        if channels["sms"] and phone is None and not errors.get("phone"):
            errors["phone"] = _("Enter a phone number to get SMS.")
        payload: dict[str, Any] = {
            "locale": locale if locale in LOCALES else current.get("locale", "en"),
            "time_zone": time_zone,
            "phone": phone,
            "channels": channels,
            "kinds": kinds,
            "quiet_hours": {"start": start, "end": end} if quiet_on else None,
        }
        shown = {
            **current,
            "locale": payload["locale"],
            "time_zone": time_zone,
            "phone": text(data, "phone") or None,
            "channels": channels,
            "kinds": kinds,
            "quiet_hours": {"start": start, "end": end} if quiet_on else None,
        }
        if errors:
            return preferences_page(visitor, shown, status=422, errors=errors)
        try:
            await visitor.api.call(
                "notification", "PUT", f"{NOTIFICATIONS}/preferences", json=payload
            )
        except ApiError as error:
            if error.status != 422:
                raise
            return preferences_page(
                visitor, shown, status=422, errors=_preference_errors(visitor, error)
            )
        return visitor.redirect("/notifications/preferences?saved=1")


def _preference_errors(visitor: Visitor, error: ApiError) -> dict[str, str]:
    """The service's refusals, beside the field they are about."""
    _ = visitor.gettext
    said = " ".join([error.detail, *(e["message"] for e in error.errors)])
    found: dict[str, str] = {}
    if "time_zone" in said or "time zone" in said:
        found["time_zone"] = _("Unknown time zone: use a name such as Europe/Moscow.")
    if "phone" in said:
        found["phone"] = _("Write the number in international format, e.g. +79161234567.")
    if "quiet_hours" in said:
        found["quiet_end"] = _("Enter a time as HH:MM.")
    if not found:
        found["form"] = visitor.error_text(error)
    return found


def _back(data: dict[str, Any]) -> str:
    offset = text(data, "offset")
    return f"/notifications?offset={int(offset)}" if offset.isdigit() else "/notifications"


__all__ = ["NotificationPages"]
