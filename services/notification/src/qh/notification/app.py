"""The notification service: its :class:`ServiceDefinition`, the ``qh.services`` entry point."""

from __future__ import annotations

from pathlib import Path

from litestar.openapi.spec import Tag

from qh.kit.app import ServiceDefinition
from qh.notification.context import NotificationContext
from qh.notification.db.models import Base
from qh.notification.domain.devmail import DevMailboxController
from qh.notification.domain.live_routes import live
from qh.notification.domain.notifications.controllers import (
    InboxController,
    PreferencesController,
)
from qh.notification.domain.notifications.services import (
    NotificationService,
    provide_notifications,
)
from qh.notification.domain.notifications.subscribers import SUBSCRIBERS
from qh.notification.domain.templates.controllers import TemplateController
from qh.notification.domain.templates.services import TemplateService, provide_templates
from qh.notification.settings import NotificationSettings

DESCRIPTION = """What the platform tells its users: the account e-mails auth asks for
(verification, password reset), a welcome, a resume or cover letter ready, a share link
made or opened, an analysis done. Each event becomes an inbox entry (`GET /`), a live
message on `WS /ws`, and e-mail, SMS (Twilio) or push (FCM) by the user's preferences,
in their language (ru, en) and outside their quiet hours. Every send is logged with each
attempt; transient failures are retried with backoff, permanent ones never. Templates
per kind, channel and locale are Jinja2 in a sandbox, changed by admins."""

TAGS = [
    Tag(name="Inbox", description="The caller's notifications and read marks"),
    Tag(name="Preferences", description="Channels, language, time zone, quiet hours"),
    Tag(name="Devices", description="Push tokens of the caller's apps"),
    Tag(name="Delivery log", description="Every message and attempt"),
    Tag(name="Templates", description="Admin: messages per kind, channel and locale"),
]

service: ServiceDefinition[NotificationSettings] = ServiceDefinition(
    slug="notification",
    prefix="/api/v1/notifications",
    title="QH notification",
    description=DESCRIPTION,
    settings_class=NotificationSettings,
    metadata=lambda: Base.metadata,
    migrations=Path(__file__).parent / "db" / "migrations",
    route_handlers=[
        InboxController,
        PreferencesController,
        TemplateController,
        DevMailboxController,
        live,
    ],
    subscribers=SUBSCRIBERS,
    providers={"notifications": provide_notifications, "templates": provide_templates},
    context_class=NotificationContext,
    tags=TAGS,
    signature_namespace={
        "NotificationService": NotificationService,
        "TemplateService": TemplateService,
    },
)

__all__ = ["service"]
