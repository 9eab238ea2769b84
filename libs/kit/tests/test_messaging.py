"""Outbox and inbox guarantees, and the local runtime's Dapr delivery rules."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest
from litestar import Litestar, Response, post
from litestar.params import JSONBody
from sqlalchemy import func, select

from qh.kit.app import service_context
from qh.kit.cloudevents import make_cloudevent
from qh.kit.outbox import Outbox
from qh.kit.runtime import LocalRuntime, Subscription
from qh.kit.testing import TokenFactory, running


async def count_notes(app: Litestar, text: str | None = None) -> int:
    Note = service_context(app).metadata.tables["demo_note"]
    context = service_context(app)
    async with context.session() as session:
        query = select(func.count()).select_from(Note)
        if text is not None:
            query = query.where(Note.c.text == text)
        return int(await session.scalar(query) or 0)


async def test_committed_event_is_relayed_and_processed_once(
    client: httpx.AsyncClient,
    app: Litestar,
    runtime: LocalRuntime,
    tokens: TokenFactory,
    inbound: Any,
) -> None:
    response = await client.post(
        "/api/v1/demo/notes", json={"text": "first"}, headers=tokens.headers()
    )
    assert response.status_code == 201
    await service_context(app).outbox.relay_once()
    await runtime.drain()
    assert len(inbound.processed) == 1
    assert await count_notes(app, "copy of first") == 1
    assert await service_context(app).outbox.pending() == 0


async def test_event_in_a_rolled_back_transaction_is_never_sent(
    client: httpx.AsyncClient,
    app: Litestar,
    runtime: LocalRuntime,
    tokens: TokenFactory,
    inbound: Any,
) -> None:
    response = await client.post(
        "/api/v1/demo/notes", json={"text": "rollback"}, headers=tokens.headers()
    )
    assert response.status_code == 404
    outbox = service_context(app).outbox
    assert await outbox.pending() == 0
    assert await outbox.relay_once() == 0
    await runtime.drain()
    assert inbound.attempts == 0
    assert await count_notes(app) == 0


async def test_committed_event_is_relayed_after_a_restart(
    demo: Any, settings: Any, tokens: TokenFactory, inbound: Any
) -> None:
    # First process: the change and its event commit, then it stops before relaying.
    first_runtime = LocalRuntime(max_attempts=2, backoff_seconds=0.01)
    first_runtime.attach("auth", _jwks(tokens))
    first = demo.create_app(settings, runtime=first_runtime)
    first_outbox = service_context(first).outbox
    first_outbox.wake = lambda: None  # type: ignore[method-assign]
    first_outbox.start = lambda: None  # type: ignore[method-assign]
    async with running(first, first_runtime) as client:
        response = await client.post(
            "/api/v1/demo/notes", json={"text": "survives"}, headers=tokens.headers()
        )
        assert response.status_code == 201
    assert inbound.attempts == 0
    await first_runtime.aclose()

    # Second process: the relay finds the row and delivers it.
    second_runtime = LocalRuntime(max_attempts=2, backoff_seconds=0.01)
    second_runtime.attach("auth", _jwks(tokens))
    second = demo.create_app(settings, runtime=second_runtime)
    assert await service_context(second).outbox.pending() == 1
    async with running(second, second_runtime):  # its relay starts with the app
        for _ in range(100):
            if await count_notes(second, "copy of survives"):
                break
            await anyio.sleep(0.05)
        await second_runtime.drain()
        assert await count_notes(second, "copy of survives") == 1
        # The row leaves the outbox once the relay has the delivery's answer.
        for _ in range(100):
            if await service_context(second).outbox.pending() == 0:
                break
            await anyio.sleep(0.05)
        assert await service_context(second).outbox.pending() == 0
    assert len(inbound.processed) == 1


async def test_two_failures_then_success_is_processed_once(
    client: httpx.AsyncClient,
    app: Litestar,
    runtime: LocalRuntime,
    tokens: TokenFactory,
    inbound: Any,
) -> None:
    inbound.fail_times = 2
    await client.post("/api/v1/demo/notes", json={"text": "flaky"}, headers=tokens.headers())
    await service_context(app).outbox.relay_once()
    await runtime.drain()
    assert inbound.attempts == 3
    assert len(inbound.processed) == 1
    assert await count_notes(app, "copy of flaky") == 1
    assert runtime.dead_letters == []


async def test_permanent_failure_goes_to_the_dead_letter_topic_with_the_reason(
    demo: Any,
    client: httpx.AsyncClient,
    app: Litestar,
    runtime: LocalRuntime,
    tokens: TokenFactory,
    inbound: Any,
) -> None:
    received: list[dict[str, Any]] = []

    @post("/dead", sync_to_thread=False)
    def dead(data: JSONBody[dict[str, Any]]) -> None:
        received.append(data)

    runtime.attach(
        "ops",
        Litestar([dead]),
        [Subscription(demo.NOTED.dead_letter_for("demo"), "/dead", "never")],
    )
    inbound.always_fail = True
    labels = {"service": "demo", "topic": demo.NOTED.name}
    dead_before = dead_lettered(labels)
    await client.post("/api/v1/demo/notes", json={"text": "doomed"}, headers=tokens.headers())
    await service_context(app).outbox.relay_once()
    await runtime.drain()
    assert inbound.attempts == runtime.max_attempts
    assert len(runtime.dead_letters) == 1
    letter = runtime.dead_letters[0]
    assert letter.topic == demo.NOTED.name
    assert "500" in letter.reason
    assert len(received) == 1
    assert received[0]["data"]["text"] == "doomed"
    assert "500" in received[0]["deadletterreason"]
    labels = {"service": "demo", "topic": demo.NOTED.name}
    assert dead_lettered(labels) == dead_before + 1
    assert await count_notes(app, "copy of doomed") == 0


async def test_duplicate_delivery_is_processed_once(
    demo: Any, client: httpx.AsyncClient, app: Litestar, tokens: TokenFactory, inbound: Any
) -> None:
    owner = tokens.claims()["sub"]
    event = make_cloudevent(
        demo.NOTED, demo.Noted(note_id=owner, owner_id=owner, text="twice"), source="qh/test"
    )
    body = {**__import__("msgspec").to_builtins(event)}
    first = await client.post(f"/events/{demo.NOTED.name}", json=body)
    second = await client.post(f"/events/{demo.NOTED.name}", json=body)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() == {"status": "SUCCESS"}
    assert len(inbound.processed) == 1
    assert await count_notes(app, "copy of twice") == 1


async def test_undecodable_event_is_refused_for_retry(
    demo: Any, client: httpx.AsyncClient, inbound: Any
) -> None:
    response = await client.post(
        f"/events/{demo.NOTED.name}",
        json={
            "id": "1",
            "source": "x",
            "type": demo.NOTED.name,
            "specversion": "1.0",
            "data": {"text": 5},
        },
    )
    assert response.status_code == 422
    assert response.json()["status"] == "RETRY"
    assert inbound.attempts == 0


async def test_404_from_a_subscriber_drops_the_event(demo: Any, tokens: TokenFactory) -> None:
    calls: list[int] = []

    @post("/gone", sync_to_thread=False)
    def gone(data: JSONBody[dict[str, Any]]) -> Response[None]:
        calls.append(1)
        return Response(None, status_code=404)

    runtime = LocalRuntime(max_attempts=3, backoff_seconds=0.01)
    runtime.attach(
        "ghost",
        Litestar([gone]),
        [Subscription(demo.NOTED.name, "/gone", demo.NOTED.dead_letter_for("ghost"))],
    )
    event = make_cloudevent(
        demo.NOTED,
        demo.Noted(note_id=tokens.claims()["sub"], owner_id=tokens.claims()["sub"], text="x"),
        source="t",
    )
    await runtime.publish(demo.NOTED.name, event)
    await runtime.drain()
    assert calls == [1]  # delivered once, not retried
    assert runtime.dead_letters == []


@pytest.mark.parametrize(
    ("answer", "expected_calls", "dead"), [("RETRY", 3, 1), ("DROP", 1, 0), ("SUCCESS", 1, 0)]
)
async def test_subscriber_status_body_is_honoured(
    demo: Any, answer: str, expected_calls: int, dead: int, tokens: TokenFactory
) -> None:
    calls: list[int] = []

    @post("/in", status_code=200, sync_to_thread=False)
    def handler(data: JSONBody[dict[str, Any]]) -> dict[str, str]:
        calls.append(1)
        return {"status": answer}

    runtime = LocalRuntime(max_attempts=3, backoff_seconds=0.01)
    runtime.attach(
        "svc",
        Litestar([handler]),
        [Subscription(demo.NOTED.name, "/in", demo.NOTED.dead_letter_for("svc"))],
    )
    sub = tokens.claims()["sub"]
    await runtime.publish(
        demo.NOTED.name,
        make_cloudevent(demo.NOTED, demo.Noted(note_id=sub, owner_id=sub, text="x"), source="t"),
    )
    await runtime.drain()
    assert len(calls) == expected_calls
    assert len(runtime.dead_letters) == dead


async def test_publish_failure_keeps_the_event_for_a_later_attempt(
    demo: Any, settings: Any, tokens: TokenFactory
) -> None:
    class DownBus:
        def __init__(self) -> None:
            self.fail = True
            self.published: list[str] = []

        async def publish(self, topic: str, event: Any) -> None:
            if self.fail:
                raise ConnectionError("sidecar down")
            self.published.append(event.id)

    runtime = LocalRuntime()
    runtime.attach("auth", _jwks(tokens))
    app = demo.create_app(settings, runtime=runtime)
    context = service_context(app)
    bus = DownBus()
    outbox = Outbox(
        service="demo",
        metadata=context.metadata,
        session_maker=context.session_maker,
        bus=bus,
        backoff_seconds=0,
    )
    async with context.session() as session, session.begin():
        sub = tokens.claims()["sub"]
        event_id = await outbox.add(
            session, demo.NOTED, demo.Noted(note_id=sub, owner_id=sub, text="later")
        )
    assert await outbox.relay_once() == 0
    assert await outbox.pending() == 1
    bus.fail = False
    assert await outbox.relay_once() == 1
    assert bus.published == [event_id]
    assert await outbox.pending() == 0
    await context.db.get_engine().dispose()


def dead_lettered(labels: dict[str, str]) -> float:
    from qh.kit.observability import metrics

    return metrics().registry.get_sample_value("qh_events_dead_lettered_total", labels) or 0.0


def _jwks(tokens: TokenFactory) -> Litestar:
    from qh.kit.testing import jwks_app

    return jwks_app(tokens)
