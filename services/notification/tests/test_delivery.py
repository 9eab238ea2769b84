"""The delivery log: transient failures are retried with backoff, permanent ones never,
a dead push token goes with its device; templates are validated at save time."""

from __future__ import annotations

import uuid

from notification_helpers import context_of, count, deliver, settle

from qh.contracts import RESUME_GENERATED, ResumeGenerated
from qh.notification.db import models
from qh.notification.senders import Outcome, SendResult


class Scripted:
    def __init__(self, channel: str, outcomes: list[Outcome]) -> None:
        self.channel, self.provider = channel, "stub"
        self.outcomes = outcomes
        self.sent: list[str] = []

    async def send(self, message):  # type: ignore[no-untyped-def]
        outcome = self.outcomes.pop(0) if self.outcomes else Outcome.SENT
        self.sent.append(message.to)
        return SendResult(
            outcome,
            "stub",
            provider_id="p1" if outcome is Outcome.SENT else None,
            error=None if outcome is Outcome.SENT else f"{outcome}",
        )

    async def aclose(self) -> None:
        return None


async def test_transient_is_retried_permanent_is_not_and_dead_tokens_go(app, client, anna) -> None:
    context = context_of(app)
    push = Scripted("push", [Outcome.TRANSIENT, Outcome.SENT, Outcome.INVALID_RECIPIENT])
    context.senders["push"] = push
    await anna.put("/devices", json={"platform": "android", "token": "good-token-1"})
    await deliver(
        client, RESUME_GENERATED, ResumeGenerated(user_id=anna.id, resume_id=uuid.uuid4())
    )
    await settle(app, lambda: len(push.sent) >= 2)
    await settle(app)  # the second attempt is recorded after the sender returned
    log = (await anna.get("/deliveries")).json()["items"]
    assert log[0]["status"] == "sent"
    assert [a["status"] for a in log[0]["attempts"]] == ["transient", "sent"]
    assert log[0]["provider_id"] == "p1"

    await deliver(
        client, RESUME_GENERATED, ResumeGenerated(user_id=anna.id, resume_id=uuid.uuid4())
    )
    await settle(app, lambda: len(push.sent) >= 3)
    await settle(app)
    log = (await anna.get("/deliveries")).json()["items"]
    assert log[0]["status"] == "failed"
    assert [a["status"] for a in log[0]["attempts"]] == ["permanent"]
    assert await count(app, models.Device, user_id=anna.id) == 0  # pruned
    await context.worker.run_once()
    assert len(push.sent) == 3  # never retried


async def test_templates_admin_validates_by_rendering(client, admin, anna) -> None:
    assert (await anna.get("/templates")).status_code == 403
    listed = (await admin.get("/templates", params={"limit": 100})).json()
    assert listed["total"] == 72  # 9 kinds × 4 channels × 2 languages
    broken = await admin.put(
        "/templates/resume_ready.email.en", json={"subject": "Ready", "text": "{{ nope }} {% if %}"}
    )
    assert broken.status_code == 422
    assert broken.json()["errors"][0]["field"] == "text"
    unknown = await admin.put(
        "/templates/resume_ready.email.en", json={"subject": "Ready", "text": "Hi {{ salary }}"}
    )
    assert unknown.status_code == 422
    assert "salary" in unknown.text
    long_sms = await admin.put("/templates/resume_ready.sms.ru", json={"text": "Резюме " * 40})
    assert long_sms.status_code == 422
    assert "two SMS segments" in long_sms.text
    saved = await admin.put(
        "/templates/resume_ready.inbox.en",
        json={"subject": "Done: {{ title }}", "text": "Open {{ url }}"},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["custom"] is True
    await deliver(
        client,
        RESUME_GENERATED,
        ResumeGenerated(user_id=anna.id, resume_id=uuid.uuid4(), title="CV"),
    )
    assert (await anna.get("/")).json()["items"][0]["title"] == "Done: CV"
    assert (await admin.delete("/templates/resume_ready.inbox.en")).status_code == 204
    assert (await admin.delete("/templates/resume_ready.inbox.en")).status_code == 404
    assert (await admin.put("/templates/nope.email.en", json={"text": "x"})).status_code == 404


async def test_registering_a_device_answers_as_documented(client, anna) -> None:
    """A new push token is a 201 and a known one a 200, both declared with the device's
    schema in the OpenAPI document."""
    body = {"platform": "ios", "token": "device-token-documented"}
    first = await anna.put("/devices", json=body)
    again = await anna.put("/devices", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    document = (await client.get("/api/v1/notifications/openapi.json")).json()
    responses = document["paths"]["/api/v1/notifications/devices"]["put"]["responses"]
    for status in ("200", "201"):
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/DeviceOut"}, status
