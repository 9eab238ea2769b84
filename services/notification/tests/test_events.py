"""Events become messages: in the user's language, once per event, by their preferences,
outside their quiet hours; user.deleted erases everything."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from notification_helpers import cloud_event, context_of, count, deliver, settle

from qh.contracts import (
    ANALYSIS_COMPLETED,
    AUTH_EMAIL_VERIFICATION_REQUESTED,
    AUTH_PASSWORD_RESET_REQUESTED,
    AUTH_SIGNED_IN,
    DOCUMENT_ACCESSED,
    RESUME_GENERATED,
    USER_DEACTIVATED,
    USER_DELETED,
    USER_REGISTERED,
    AnalysisCompleted,
    DocumentAccessed,
    EmailVerificationRequested,
    PasswordResetRequested,
    ResumeGenerated,
    SignedIn,
    UserDeactivated,
    UserDeleted,
    UserRegistered,
)
from qh.notification.db import models


def verification(user_id: uuid.UUID, locale: str = "ru") -> EmailVerificationRequested:
    return EmailVerificationRequested(
        user_id=user_id,
        email="anna@example.ru",
        full_name="Анна",
        locale=locale,  # type: ignore[arg-type]
        verify_url="http://testserver/api/v1/auth/verify-email?token=abc",
        expires_at=datetime(2026, 11, 29, 9, tzinfo=UTC),
    )


async def test_verification_mail_in_the_users_language_lands_in_the_dev_mailbox(
    app, client, anna
) -> None:
    await deliver(client, AUTH_EMAIL_VERIFICATION_REQUESTED, verification(anna.id, "ru"))
    await settle(app)
    listed = (await client.get("/api/v1/notifications/dev/mailbox/")).json()
    assert len(listed) == 1
    assert listed[0]["to"] == "anna@example.ru"
    assert listed[0]["subject"] == "Подтвердите адрес электронной почты"
    mail = (await client.get(f"/api/v1/notifications/dev/mailbox/{listed[0]['id']}")).json()
    assert "Здравствуйте, Анна!" in mail["text"]
    assert "29 ноября 2026, 09:00 (UTC)" in mail["text"]
    assert mail["links"] == ["http://testserver/api/v1/auth/verify-email?token=abc"]
    assert 'href="http://testserver/api/v1/auth/verify-email?token=abc"' in mail["html"]
    # An account e-mail carries a secret link: never in the inbox.
    assert (await anna.get("/")).json()["total"] == 0
    assert (await client.get("/api/v1/notifications/dev/mailbox/nope")).status_code == 404


async def test_english_reset_mail_and_html_escaping(app, client, anna) -> None:
    await deliver(
        client,
        AUTH_PASSWORD_RESET_REQUESTED,
        PasswordResetRequested(
            user_id=anna.id,
            email="anna@example.com",
            full_name="<b>Anna</b>",
            locale="en",
            reset_url="http://testserver/reset?token=x",
            expires_at=datetime(2026, 11, 29, 9, tzinfo=UTC),
        ),
    )
    await settle(app)
    mail = context_of(app).mailbox.list()[0]
    assert mail["subject"] == "Reset your QH password"
    assert "Hello <b>Anna</b>," in mail["text"]
    assert "&lt;b&gt;Anna&lt;/b&gt;" in mail["html"]
    assert "<b>Anna" not in mail["html"]
    assert "29 November 2026, 09:00 (UTC)" in mail["text"]


async def test_a_redelivered_event_sends_nothing_twice(app, client, anna) -> None:
    body = cloud_event(
        USER_REGISTERED,
        UserRegistered(user_id=anna.id, email="anna@example.ru", full_name="Анна", locale="ru"),
    )
    await deliver(client, USER_REGISTERED, body)
    await deliver(client, USER_REGISTERED, body)  # the same CloudEvent again
    await settle(app)
    assert len(context_of(app).mailbox.list()) == 1
    inbox = (await anna.get("/")).json()
    assert inbox["total"] == 1
    assert inbox["items"][0]["title"] == "Добро пожаловать в QH"
    assert await count(app, models.Delivery, user_id=anna.id) == 1


async def test_inbox_read_marks_and_ownership(app, client, anna, tokens) -> None:
    from notification_helpers import User

    await deliver(client, USER_REGISTERED, UserRegistered(user_id=anna.id, email="a@example.com"))
    for title in ("Senior analyst", "Data engineer"):
        await deliver(
            client,
            RESUME_GENERATED,
            ResumeGenerated(user_id=anna.id, resume_id=uuid.uuid4(), title=title),
        )
    page = (await anna.get("/", params={"limit": 2})).json()
    assert page["total"] == 3
    assert len(page["items"]) == 2
    assert page["items"][0]["title"] == "Your resume is ready: Data engineer"
    assert page["items"][0]["link"].startswith("http://testserver/resumes/")
    assert (await anna.get("/unread-count")).json() == {"unread": 3}
    first = page["items"][0]["id"]
    bob = User(client, tokens)
    assert (await bob.post(f"/{first}/read")).status_code == 404
    read = await anna.post(f"/{first}/read")
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    assert (await anna.get("/unread-count")).json() == {"unread": 2}
    assert (await anna.post("/read-all")).json() == {"marked": 2}
    assert (await anna.get("/unread-count")).json() == {"unread": 0}
    assert (await bob.get("/")).json()["total"] == 0


async def test_preferences_turn_channels_off_per_kind(app, client, anna) -> None:
    await deliver(client, USER_REGISTERED, UserRegistered(user_id=anna.id, email="a@example.com"))
    await settle(app)
    put = await anna.put(
        "/preferences",
        json={
            "locale": "ru",
            "time_zone": "Europe/Moscow",
            "kinds": {"resume_ready": {"email": False}},
        },
    )
    assert put.status_code == 200, put.text
    assert put.json()["email"] == "a@example.com"
    await deliver(
        client, RESUME_GENERATED, ResumeGenerated(user_id=anna.id, resume_id=uuid.uuid4())
    )
    await settle(app)
    assert len(context_of(app).mailbox.list()) == 1  # only the welcome
    inbox = (await anna.get("/")).json()
    assert inbox["items"][0]["title"] == "Резюме готово"  # the chosen language


async def test_bad_preferences_are_422_in_words(anna) -> None:
    for body, words in (
        ({"time_zone": "Mars/Olympus"}, "IANA"),
        ({"quiet_hours": {"start": "25:00", "end": "07:00"}}, "HH:MM"),
        ({"phone": "8-900-000"}, "E.164"),
        ({"kinds": {"email_verification": {"email": False}}}, "always sent"),
        ({"channels": {"fax": True}}, "channels"),
    ):
        response = await anna.put("/preferences", json=body)
        assert response.status_code == 422, (body, response.text)
        assert words in response.text


async def test_quiet_hours_hold_push_until_they_end(app, client, anna, tokens) -> None:
    from qh.notification.domain.notifications.quiet import quiet_until

    await anna.put("/devices", json={"platform": "android", "token": "device-token-1"})
    moscow_now = datetime.now(UTC) + timedelta(hours=3)
    start = (moscow_now - timedelta(hours=1)).strftime("%H:%M")
    end = (moscow_now + timedelta(hours=2)).strftime("%H:%M")
    await anna.put(
        "/preferences",
        json={"time_zone": "Europe/Moscow", "quiet_hours": {"start": start, "end": end}},
    )
    context = context_of(app)

    class Push:
        channel, provider = "push", "fcm"
        sent: list[str] = []

        async def send(self, message):  # type: ignore[no-untyped-def]
            from qh.notification.senders import Outcome, SendResult

            self.sent.append(message.to)
            return SendResult(Outcome.SENT, "fcm", provider_id="m1")

        async def aclose(self) -> None:
            return None

    push = Push()
    context.senders["push"] = push
    await deliver(
        client, RESUME_GENERATED, ResumeGenerated(user_id=anna.id, resume_id=uuid.uuid4())
    )
    await settle(app)
    assert push.sent == []  # held
    async with context.session() as session:
        from sqlalchemy import select

        row = (await session.scalars(select(models.Delivery))).one()
    expected = quiet_until(datetime.now(UTC), "Europe/Moscow", start, end)
    assert row.status == "pending"
    assert abs((row.next_attempt_at.replace(tzinfo=UTC) - expected).total_seconds()) < 120
    await context.worker.run_once(now=expected + timedelta(seconds=1))
    assert push.sent == ["device-token-1"]


async def test_rate_limit_per_user_and_channel(database_url, runtime, tmp_path, tokens) -> None:
    from notification_helpers import User, make_app

    from qh.kit.testing import running

    app = make_app(database_url, runtime, tmp_path, rate_limit_per_hour=2)
    async with running(app, runtime) as client:
        anna = User(client, tokens)
        await deliver(
            client, USER_REGISTERED, UserRegistered(user_id=anna.id, email="a@example.com")
        )
        for _ in range(3):
            await deliver(
                client, RESUME_GENERATED, ResumeGenerated(user_id=anna.id, resume_id=uuid.uuid4())
            )
        await settle(app)
        assert len(context_of(app).mailbox.list()) == 2
        log = (await anna.get("/deliveries")).json()
        assert [d["status"] for d in log["items"]].count("rate_limited") == 2
        assert (await anna.get("/")).json()["total"] == 4  # the inbox keeps everything


async def test_user_deleted_erases_inbox_devices_and_preferences(app, client, anna) -> None:
    await deliver(client, USER_REGISTERED, UserRegistered(user_id=anna.id, email="a@example.com"))
    await anna.put("/devices", json={"platform": "ios", "token": "device-token-2"})
    await settle(app)
    await deliver(client, USER_DELETED, UserDeleted(user_id=anna.id))
    for model in (models.Notification, models.Device, models.Preference, models.Delivery):
        assert await count(app, model, user_id=anna.id) == 0


async def test_an_event_heard_after_the_erasure_brings_nothing_back(app, client, anna) -> None:
    """Each service's events travel on their own: a share link opened just before the
    account was deleted may be announced after user.deleted erased the user here. It must
    not recreate an inbox row, a delivery or the preferences (with the address)."""
    await deliver(client, USER_REGISTERED, UserRegistered(user_id=anna.id, email="a@example.com"))
    await settle(app)
    await deliver(client, USER_DELETED, UserDeleted(user_id=anna.id))
    now = datetime.now(UTC)
    await deliver(
        client,
        DOCUMENT_ACCESSED,
        DocumentAccessed(
            document_id=uuid.uuid4(), owner_id=anna.id, share_id=uuid.uuid4(), accessed_at=now
        ),
    )
    await deliver(
        client,
        AUTH_SIGNED_IN,
        SignedIn(user_id=anna.id, email="a@example.com", at=now, new_device=True),
    )
    await settle(app)
    for model in (models.Notification, models.Preference, models.Delivery):
        assert await count(app, model, user_id=anna.id) == 0, model


async def test_a_deactivated_user_still_hears_of_their_documents(app, client, anna) -> None:
    """Deactivation revokes tokens too, but keeps the account (it may be reactivated): the
    user's notifications still come."""
    await deliver(client, USER_REGISTERED, UserRegistered(user_id=anna.id, email="a@example.com"))
    await deliver(client, USER_DEACTIVATED, UserDeactivated(user_id=anna.id))
    await deliver(
        client, RESUME_GENERATED, ResumeGenerated(user_id=anna.id, resume_id=uuid.uuid4())
    )
    await settle(app)
    assert await count(app, models.Notification, user_id=anna.id, kind="resume_ready") == 1


async def test_a_match_score_is_told_as_the_api_gives_it(app, client, anna) -> None:
    """text-analysis scores a match 0-100 (``POST /match`` and ``analysis.completed``)."""
    await deliver(
        client,
        ANALYSIS_COMPLETED,
        AnalysisCompleted(analysis_id=uuid.uuid4(), user_id=anna.id, kind="match", score=72.5),
    )
    inbox = (await anna.get("/")).json()["items"]
    assert [n["kind"] for n in inbox] == ["analysis_completed"]
    assert "72%" in inbox[0]["title"] + inbox[0]["body"], inbox[0]
    assert "7250%" not in inbox[0]["title"] + inbox[0]["body"]
