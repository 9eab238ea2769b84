"""auth.signed_in: a security e-mail for a sign-in from a new device only, in the user's
language, also in the inbox, not silenced by the kind's e-mail preference, and sent once
however often the event is redelivered."""

from __future__ import annotations

from datetime import UTC, datetime

from notification_helpers import cloud_event, context_of, count, deliver, settle

from qh.contracts import AUTH_SIGNED_IN, SignedIn
from qh.notification.db import models
from qh.notification.domain.notifications.subscribers import describe_browser

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def signed_in(user_id, *, new_device: bool = True, locale: str = "ru") -> SignedIn:
    return SignedIn(
        user_id=user_id,
        email="anna@example.ru",
        full_name="Анна",
        locale=locale,  # type: ignore[arg-type]
        at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        ip="203.0.113.7",
        user_agent=FIREFOX,
        new_device=new_device,
    )


async def test_a_new_device_gets_a_russian_alert_by_mail_and_in_the_inbox(
    app, client, anna
) -> None:
    await deliver(client, AUTH_SIGNED_IN, signed_in(anna.id))
    await settle(app)
    [mail] = context_of(app).mailbox.list()
    assert mail["to"] == "anna@example.ru"
    assert mail["subject"] == "Новый вход в аккаунт QH"
    text = mail["text"]
    assert "Здравствуйте, Анна!" in text
    assert "Когда: 1 декабря 2026, 09:30 (UTC)" in text
    assert "Откуда (IP): 203.0.113.7" in text
    assert "Браузер: Firefox, Linux" in text
    assert "«Забыли пароль?»" in text  # auth has no tokenless reset page to link to
    inbox = (await anna.get("/")).json()
    assert inbox["total"] == 1
    assert inbox["items"][0]["kind"] == "sign_in_alert"
    assert inbox["items"][0]["title"] == "Новый вход в аккаунт QH"
    assert "IP 203.0.113.7" in inbox["items"][0]["body"]


async def test_english_alert_in_the_users_time_zone(app, client, anna) -> None:
    put = await anna.put("/preferences", json={"locale": "en", "time_zone": "Europe/Moscow"})
    assert put.status_code == 200, put.text
    await deliver(client, AUTH_SIGNED_IN, signed_in(anna.id, locale="ru"))
    await settle(app)
    [mail] = context_of(app).mailbox.list()
    assert mail["subject"] == "New sign-in to your QH account"
    assert "When: 1 December 2026, 12:30 (Europe/Moscow)" in mail["text"]
    assert "Where (IP): 203.0.113.7" in mail["text"]
    assert "Browser: Firefox, Linux" in mail["text"]
    assert 'choose "Forgot password?"' in mail["text"]
    assert "Firefox, Linux" in mail["html"]


async def test_a_known_device_sends_nothing(app, client, anna) -> None:
    await deliver(client, AUTH_SIGNED_IN, signed_in(anna.id, new_device=False))
    await settle(app)
    assert context_of(app).mailbox.list() == []
    assert (await anna.get("/")).json()["total"] == 0
    assert await count(app, models.Delivery, user_id=anna.id) == 0


async def test_a_redelivered_event_sends_nothing_twice(app, client, anna) -> None:
    body = cloud_event(AUTH_SIGNED_IN, signed_in(anna.id))
    await deliver(client, AUTH_SIGNED_IN, body)
    await deliver(client, AUTH_SIGNED_IN, body)  # the same CloudEvent again
    await settle(app)
    assert len(context_of(app).mailbox.list()) == 1
    assert (await anna.get("/")).json()["total"] == 1
    assert await count(app, models.Delivery, user_id=anna.id, channel="email") == 1


async def test_the_kinds_email_preference_does_not_silence_it(app, client, anna) -> None:
    put = await anna.put(
        "/preferences",
        json={
            "locale": "en",
            "time_zone": "UTC",
            "channels": {"email": False},
            "kinds": {"sign_in_alert": {"email": False}},
        },
    )
    assert put.status_code == 200, put.text
    await deliver(client, AUTH_SIGNED_IN, signed_in(anna.id))
    await settle(app)
    [mail] = context_of(app).mailbox.list()
    assert mail["subject"] == "New sign-in to your QH account"


def test_browsers_are_named_for_people() -> None:
    assert describe_browser(FIREFOX) == "Firefox, Linux"
    assert (
        describe_browser(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
        )
        == "Edge, Windows"
    )
    assert describe_browser("curl/8.5.0") == "curl/8.5.0"
    assert describe_browser(None) == ""
