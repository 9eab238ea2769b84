"""Each provider against a real local server: SMTP (aiosmtpd, plain and STARTTLS with a
self-signed certificate) and stub HTTP servers for SendGrid, Twilio and FCM: success,
permanent 4xx, transient 5xx and a timeout."""

from __future__ import annotations

import json
import ssl
from email import message_from_bytes
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from notification_helpers import StubProvider, free_socket, serve

from qh.notification.senders import Message, Outcome
from qh.notification.senders.email import SendGridSender, SmtpSender
from qh.notification.senders.push import FcmSender
from qh.notification.senders.sms import TwilioSender

MAIL = Message(
    channel="email",
    to="anna@example.ru",
    subject="Подтвердите адрес",
    text="Здравствуйте! https://qh.example/verify",
    html="<p>Здравствуйте!</p>",
)


class Inbox:
    def __init__(self, refuse: int | None = None) -> None:
        self.messages: list[bytes] = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]
        if self.refuse:
            return f"{self.refuse} mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(envelope.content)
        return "250 Message accepted"


def smtp_controller(handler: Inbox, tls: ssl.SSLContext | None = None) -> Controller:
    port = free_socket().getsockname()[1]
    kwargs: dict[str, Any] = {"hostname": "127.0.0.1", "port": port}
    if tls is not None:
        kwargs.update(tls_context=tls, require_starttls=True)
    controller = Controller(handler, **kwargs)
    controller.start()
    return controller


async def test_smtp_plain_delivers_text_and_html_parts() -> None:
    inbox = Inbox()
    controller = smtp_controller(inbox)
    try:
        sender = SmtpSender(
            host="127.0.0.1", port=controller.port, security="none", sender="QH <no-reply@qh.local>"
        )
        result = await sender.send(MAIL)
    finally:
        controller.stop()
    assert result.outcome is Outcome.SENT
    assert result.provider_id
    mail = message_from_bytes(inbox.messages[0])
    assert mail.is_multipart()
    parts = {part.get_content_type(): part for part in mail.walk()}
    assert "Здравствуйте!" in parts["text/plain"].get_payload(decode=True).decode()
    assert "<p>Здравствуйте!</p>" in parts["text/html"].get_payload(decode=True).decode()


async def test_smtp_starttls_with_a_self_signed_certificate(tmp_path) -> None:
    authority = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_tls)
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    inbox = Inbox()
    controller = smtp_controller(inbox, server_tls)
    try:
        trusted = SmtpSender(
            host="127.0.0.1",
            port=controller.port,
            security="starttls",
            sender="no-reply@qh.local",
            ca_file=str(ca_file),
        )
        assert (await trusted.send(MAIL)).outcome is Outcome.SENT
        untrusted = SmtpSender(
            host="127.0.0.1", port=controller.port, security="starttls", sender="no-reply@qh.local"
        )
        refused = await untrusted.send(MAIL)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    assert refused.outcome is Outcome.TRANSIENT  # a certificate problem is not the mail's fault


@pytest.mark.parametrize(("code", "outcome"), [(550, Outcome.PERMANENT), (451, Outcome.TRANSIENT)])
async def test_smtp_refusals_follow_smtp_codes(code: int, outcome: Outcome) -> None:
    controller = smtp_controller(Inbox(refuse=code))
    try:
        sender = SmtpSender(
            host="127.0.0.1", port=controller.port, security="none", sender="no-reply@qh.local"
        )
        result = await sender.send(MAIL)
    finally:
        controller.stop()
    assert result.outcome is outcome
    assert str(code) in (result.error or "")


async def test_smtp_server_down_is_transient() -> None:
    port = free_socket().getsockname()[1]
    sender = SmtpSender(
        host="127.0.0.1", port=port, security="none", sender="a@qh.local", timeout=1
    )
    assert (await sender.send(MAIL)).outcome is Outcome.TRANSIENT


SCRIPT = [
    ((202, {}), Outcome.SENT),
    ((400, {"errors": [{"message": "bad"}]}), Outcome.PERMANENT),
    ((503, {}), Outcome.TRANSIENT),
    ("timeout", Outcome.TRANSIENT),
]


async def test_sendgrid_success_4xx_5xx_and_timeout() -> None:
    stub = StubProvider()
    async with serve(stub, lifespan="off") as address:
        sender = SendGridSender(
            base_url=f"http://{address}",
            api_key="SG.key",
            sender="QH <no-reply@qh.local>",
            timeout=0.5,
        )
        for reply, outcome in SCRIPT:
            stub.replies.append(reply)
            assert (await sender.send(MAIL)).outcome is outcome, reply
        await sender.aclose()
    first = stub.requests[0]
    assert first["path"] == "/v3/mail/send"
    assert first["headers"]["authorization"] == "Bearer SG.key"
    body = json.loads(first["body"])
    assert body["personalizations"][0]["to"] == [{"email": "anna@example.ru"}]
    assert [c["type"] for c in body["content"]] == ["text/plain", "text/html"]


async def test_twilio_success_invalid_number_5xx_and_timeout() -> None:
    stub = StubProvider()
    sms = Message(channel="sms", to="+79001234567", text="Резюме готово.")
    async with serve(stub, lifespan="off") as address:
        sender = TwilioSender(
            base_url=f"http://{address}",
            account_sid="AC1",
            auth_token="tok",
            sender="+15550001111",
            timeout=0.5,
        )
        stub.replies = [(201, {"sid": "SM1"})]
        sent = await sender.send(sms)
        assert (sent.outcome, sent.provider_id) == (Outcome.SENT, "SM1")
        stub.replies = [(400, {"code": 21211, "message": "Invalid 'To' Phone Number"})]
        invalid = await sender.send(sms)
        assert invalid.outcome is Outcome.INVALID_RECIPIENT
        assert "21211" in (invalid.error or "")
        stub.replies = [(500, {})]
        assert (await sender.send(sms)).outcome is Outcome.TRANSIENT
        stub.replies = ["timeout"]
        assert (await sender.send(sms)).outcome is Outcome.TRANSIENT
        await sender.aclose()
    first = stub.requests[0]
    assert first["path"] == "/2010-04-01/Accounts/AC1/Messages.json"
    assert first["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert b"To=%2B79001234567" in first["body"]


async def test_fcm_success_unregistered_5xx_and_timeout() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    stub = StubProvider()
    push = Message(
        channel="push",
        to="device-token",
        subject="QH",
        text="Резюме готово.",
        data={"kind": "resume_ready"},
    )
    async with serve(stub, lifespan="off") as address:
        sender = FcmSender(
            base_url=f"http://{address}",
            service_account={
                "project_id": "qh-test",
                "client_email": "fcm@qh-test.iam.gserviceaccount.com",
                "private_key": pem,
                "token_uri": f"http://{address}/token",
            },
            timeout=0.5,
        )
        stub.replies = [
            (200, {"access_token": "ya29.x", "expires_in": 3600}),
            (200, {"name": "projects/qh-test/messages/1"}),
        ]
        sent = await sender.send(push)
        assert (sent.outcome, sent.provider_id) == (Outcome.SENT, "projects/qh-test/messages/1")
        unregistered = {
            "error": {
                "code": 404,
                "status": "NOT_FOUND",
                "message": "Requested entity was not found.",
                "details": [{"errorCode": "UNREGISTERED"}],
            }
        }
        stub.replies = [(404, unregistered)]
        assert (await sender.send(push)).outcome is Outcome.INVALID_RECIPIENT
        stub.replies = [(503, {"error": {"status": "UNAVAILABLE"}})]
        assert (await sender.send(push)).outcome is Outcome.TRANSIENT
        stub.replies = ["timeout"]
        assert (await sender.send(push)).outcome is Outcome.TRANSIENT
        await sender.aclose()
    token_request, send_request = stub.requests[0], stub.requests[1]
    assert token_request["path"] == "/token"
    assert (
        b"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer" in token_request["body"]
    )
    assert send_request["path"] == "/v1/projects/qh-test/messages:send"
    assert send_request["headers"]["authorization"] == "Bearer ya29.x"
    assert json.loads(send_request["body"])["message"]["token"] == "device-token"
