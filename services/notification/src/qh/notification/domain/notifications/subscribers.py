"""The events a user hears about, each turned into an :class:`Intent`. Every handler runs
in one transaction with its ``qh_inbox`` row, so a redelivered event sends nothing twice."""

from __future__ import annotations

import re

from qh.contracts import (
    ANALYSIS_COMPLETED,
    AUTH_EMAIL_VERIFICATION_REQUESTED,
    AUTH_PASSWORD_RESET_REQUESTED,
    AUTH_SIGNED_IN,
    COVER_LETTER_GENERATED,
    DOCUMENT_ACCESSED,
    DOCUMENT_SHARED,
    RESUME_GENERATED,
    USER_DELETED,
    USER_REGISTERED,
    AnalysisCompleted,
    CoverLetterGenerated,
    DocumentAccessed,
    DocumentShared,
    EmailVerificationRequested,
    PasswordResetRequested,
    ResumeGenerated,
    SignedIn,
    UserDeleted,
    UserRegistered,
)
from qh.kit.cloudevents import Event
from qh.kit.subscriptions import subscribe
from qh.notification.domain.notifications.services import Intent, NotificationService
from qh.notification.domain.notifications.timefmt import format_moment
from qh.notification.settings import NotificationSettings


@subscribe(USER_REGISTERED)
async def on_user_registered(
    event: Event[UserRegistered], notifications: NotificationService, settings: NotificationSettings
) -> None:
    data = event.data
    await notifications.notify(
        Intent(
            user_id=data.user_id,
            kind="welcome",
            variables={"name": data.full_name or "", "url": f"{settings.links_base}/"},
            link=f"{settings.links_base}/",
            email=data.email,
            name=data.full_name,
            locale=data.locale,
        )
    )


@subscribe(AUTH_EMAIL_VERIFICATION_REQUESTED)
async def on_email_verification_requested(
    event: Event[EmailVerificationRequested], notifications: NotificationService
) -> None:
    data = event.data
    locale, zone = await notifications.locale_and_zone(data.user_id, data.locale)
    await notifications.notify(
        Intent(
            user_id=data.user_id,
            kind="email_verification",
            variables={
                "name": data.full_name or "",
                "url": data.verify_url,
                "expires_at": format_moment(data.expires_at, locale, zone),
            },
            email=data.email,
            name=data.full_name,
            locale=data.locale,
        )
    )


@subscribe(AUTH_PASSWORD_RESET_REQUESTED)
async def on_password_reset_requested(
    event: Event[PasswordResetRequested], notifications: NotificationService
) -> None:
    data = event.data
    locale, zone = await notifications.locale_and_zone(data.user_id, data.locale)
    await notifications.notify(
        Intent(
            user_id=data.user_id,
            kind="password_reset",
            variables={
                "name": data.full_name or "",
                "url": data.reset_url,
                "expires_at": format_moment(data.expires_at, locale, zone),
            },
            email=data.email,
            name=data.full_name,
            locale=data.locale,
        )
    )


# Order matters: Edge and Opera say "Chrome", Chrome says "Safari".
_BROWSERS = (
    ("Edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("Opera", re.compile(r"\b(OPR|Opera)/")),
    ("Yandex Browser", re.compile(r"\bYaBrowser/")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Firefox", re.compile(r"\b(Firefox|FxiOS)/")),
    ("Chrome", re.compile(r"\b(Chrome|CriOS|Chromium)/")),
    ("Safari", re.compile(r"\bSafari/")),
)
_SYSTEMS = (
    ("Android", re.compile(r"Android")),
    ("iOS", re.compile(r"iPhone|iPad|iPod")),
    ("Windows", re.compile(r"Windows")),
    ("macOS", re.compile(r"Mac OS X|Macintosh")),
    ("Linux", re.compile(r"Linux|X11")),
)


def describe_browser(user_agent: str | None) -> str:
    """``Firefox, Linux`` for a person; an unrecognised user agent as it is (shortened)."""
    if not user_agent:
        return ""
    browser = next((name for name, rx in _BROWSERS if rx.search(user_agent)), None)
    system = next((name for name, rx in _SYSTEMS if rx.search(user_agent)), None)
    if browser is None and system is None:
        return user_agent.strip()[:120]
    return ", ".join(part for part in (browser, system) if part)


@subscribe(AUTH_SIGNED_IN)
async def on_signed_in(event: Event[SignedIn], notifications: NotificationService) -> None:
    """A security e-mail (and an inbox entry) for a sign-in from a new device only."""
    data = event.data
    if not data.new_device:
        return
    locale, zone = await notifications.locale_and_zone(data.user_id, data.locale)
    await notifications.notify(
        Intent(
            user_id=data.user_id,
            kind="sign_in_alert",
            variables={
                "name": data.full_name or "",
                "at": format_moment(data.at, locale, zone),
                "ip": data.ip or "",
                "browser": describe_browser(data.user_agent),
                # auth has no page that starts a reset without a token: the text explains
                "url": "",
            },
            email=data.email,
            name=data.full_name,
            locale=data.locale,
            data={"ip": data.ip, "at": data.at.isoformat()},
        )
    )


@subscribe(RESUME_GENERATED)
async def on_resume_generated(
    event: Event[ResumeGenerated],
    notifications: NotificationService,
    settings: NotificationSettings,
) -> None:
    data = event.data
    url = f"{settings.links_base}/resumes/{data.resume_id}"
    await notifications.notify(
        Intent(
            user_id=data.user_id,
            kind="resume_ready",
            variables={"name": "", "title": data.title or "", "url": url},
            link=url,
            data={"resume_id": str(data.resume_id)},
        )
    )


@subscribe(COVER_LETTER_GENERATED)
async def on_cover_letter_generated(
    event: Event[CoverLetterGenerated],
    notifications: NotificationService,
    settings: NotificationSettings,
) -> None:
    data = event.data
    url = f"{settings.links_base}/cover-letters/{data.letter_id}"
    await notifications.notify(
        Intent(
            user_id=data.user_id,
            kind="cover_letter_ready",
            variables={"name": "", "title": data.title or "", "url": url},
            link=url,
            data={"letter_id": str(data.letter_id)},
        )
    )


@subscribe(DOCUMENT_SHARED)
async def on_document_shared(
    event: Event[DocumentShared], notifications: NotificationService, settings: NotificationSettings
) -> None:
    data = event.data
    locale, zone = await notifications.locale_and_zone(data.owner_id, "en")
    url = f"{settings.links_base}/documents/{data.document_id}"
    await notifications.notify(
        Intent(
            user_id=data.owner_id,
            kind="document_shared",
            variables={
                "name": "",
                "title": "",
                "url": url,
                "expires_at": format_moment(data.expires_at, locale, zone),
            },
            link=url,
            data={"document_id": str(data.document_id), "share_id": str(data.share_id)},
        )
    )


@subscribe(DOCUMENT_ACCESSED)
async def on_document_accessed(
    event: Event[DocumentAccessed],
    notifications: NotificationService,
    settings: NotificationSettings,
) -> None:
    data = event.data
    locale, zone = await notifications.locale_and_zone(data.owner_id, "en")
    url = f"{settings.links_base}/documents/{data.document_id}"
    await notifications.notify(
        Intent(
            user_id=data.owner_id,
            kind="document_opened",
            variables={
                "name": "",
                "title": data.title or "",
                "url": url,
                "accessed_at": format_moment(data.accessed_at, locale, zone),
            },
            link=url,
            data={"document_id": str(data.document_id), "share_id": str(data.share_id)},
        )
    )


@subscribe(ANALYSIS_COMPLETED)
async def on_analysis_completed(
    event: Event[AnalysisCompleted],
    notifications: NotificationService,
    settings: NotificationSettings,
) -> None:
    data = event.data
    url = f"{settings.links_base}/analysis/{data.analysis_id}"
    # text-analysis's match score is 0-100, as its API answers it.
    score = f"{round(data.score)}%" if data.score is not None else ""
    await notifications.notify(
        Intent(
            user_id=data.user_id,
            kind="analysis_completed",
            variables={"name": "", "analysis": data.kind, "score": score, "url": url},
            link=url,
            data={"analysis_id": str(data.analysis_id), "analysis": data.kind},
        )
    )


@subscribe(USER_DELETED)
async def on_user_deleted(event: Event[UserDeleted], notifications: NotificationService) -> None:
    """The user's inbox, deliveries, devices and preferences."""
    await notifications.erase(event.data.user_id)


SUBSCRIBERS = [
    on_user_registered,
    on_email_verification_requested,
    on_password_reset_requested,
    on_signed_in,
    on_resume_generated,
    on_cover_letter_generated,
    on_document_shared,
    on_document_accessed,
    on_analysis_completed,
    on_user_deleted,
]
