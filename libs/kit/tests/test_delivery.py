"""Delivery rules across subscribers: dead letters per subscriber, an outbox row kept until
every subscriber is done with it, and a slow subscriber that holds up nobody else."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar import Litestar, post
from litestar.params import JSONBody

from qh.kit.cloudevents import Event, EventStatus
from qh.kit.retry import backoff
from qh.kit.runtime import LocalRuntime, Subscription
from qh.kit.subscriptions import subscribe
from qh.kit.testing import TokenFactory, jwks_app, settings_for_tests


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [backoff(n, 0.5, 3.0) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert backoff(10_000, 0.5, 60.0) == 60.0
    assert backoff(1, 0.0, 60.0) == 0.0


@pytest.fixture
async def two_subscribers(
    demo: Any, qh_databases: Any, db_backend: str, tokens: TokenFactory
) -> AsyncIterator[tuple[LocalRuntime, dict[str, Litestar], list[str]]]:
    """Services ``steady`` and ``broken`` both consume demo.noted; ``broken`` always fails."""
    seen: list[str] = []

    @subscribe(demo.NOTED)
    async def steady(event: Event[Any]) -> EventStatus:
        seen.append(event.id)
        return EventStatus.SUCCESS

    @subscribe(demo.NOTED)
    async def broken(event: Event[Any]) -> EventStatus:
        raise RuntimeError("broken for good")

    runtime = LocalRuntime(max_attempts=3, backoff_seconds=0.01, backoff_max_seconds=0.02)
    runtime.attach("auth", jwks_app(tokens))
    apps: dict[str, Litestar] = {}
    for slug, handler in (("steady", steady), ("broken", broken)):
        definition = dataclasses.replace(
            demo.DEMO, slug=slug, prefix=f"/api/v1/{slug}", route_handlers=(), subscribers=[handler]
        )
        url = qh_databases.create(demo.DEMO, db_backend)
        apps[slug] = definition.create_app(settings_for_tests(definition, url), runtime=runtime)
    async with apps["steady"].lifespan(), apps["broken"].lifespan():
        yield runtime, apps, seen
    await runtime.aclose()


async def test_each_subscriber_has_its_own_dead_letter_topic(two_subscribers, demo) -> None:
    runtime, apps, seen = two_subscribers
    import httpx

    for slug, app in apps.items():
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            listed = (await client.get("/dapr/subscribe")).json()
        noted = next(entry for entry in listed if entry["topic"] == demo.NOTED.name)
        assert noted["deadLetterTopic"] == f"demo.noted.v1.{slug}.deadletter"
        assert {"topic": f"demo.noted.v1.{slug}.deadletter"}.items() <= next(
            e for e in listed if e["topic"] == noted["deadLetterTopic"]
        ).items()

    labels = {"service": "broken", "topic": demo.NOTED.name}
    other = {"service": "steady", "topic": demo.NOTED.name}
    broken_before, steady_before = dead_lettered(labels), dead_lettered(other)
    owner = TokenFactory().claims()["sub"]
    from qh.kit.cloudevents import make_cloudevent

    event = make_cloudevent(
        demo.NOTED, demo.Noted(note_id=owner, owner_id=owner, text="x"), source="t"
    )
    await runtime.publish(demo.NOTED.name, event)  # returns once both are done with it
    assert seen == [event.id]
    assert [(d.topic, d.subscriber) for d in runtime.dead_letters] == [(demo.NOTED.name, "broken")]
    # Only the failing subscriber's dead-letter route received it.
    assert dead_lettered(labels) == broken_before + 1
    assert dead_lettered(other) == steady_before


async def test_publish_returns_only_when_every_subscriber_is_done(demo, tokens) -> None:
    release = asyncio.Event()
    calls: list[str] = []

    @post("/slow")
    async def slow(data: JSONBody[dict[str, Any]]) -> dict[str, str]:
        calls.append("slow")
        await release.wait()
        return {"status": "SUCCESS"}

    @post("/fast", sync_to_thread=False)
    def fast(data: JSONBody[dict[str, Any]]) -> dict[str, str]:
        calls.append("fast")
        return {"status": "SUCCESS"}

    runtime = LocalRuntime(max_attempts=2, backoff_seconds=0.01)
    runtime.attach("slow", Litestar([slow]), [Subscription(demo.NOTED.name, "/slow", "")])
    runtime.attach("fast", Litestar([fast]), [Subscription("other.v1", "/fast", "")])
    sub = tokens.claims()["sub"]
    from qh.kit.cloudevents import make_cloudevent

    noted = make_cloudevent(demo.NOTED, demo.Noted(note_id=sub, owner_id=sub, text="x"), source="t")
    held = asyncio.create_task(runtime.publish(demo.NOTED.name, noted))
    await asyncio.sleep(0.05)
    assert not held.done()  # the outbox would still hold the row
    other = noted.__class__(id="2", source="t", type="other.v1", specversion="1.0")
    await asyncio.wait_for(runtime.publish("other.v1", other), 2)  # not held up by the slow one
    assert calls == ["slow", "fast"]
    release.set()
    await asyncio.wait_for(held, 2)
    await runtime.aclose()


async def test_the_outbox_keeps_a_row_until_delivery_ends_and_relays_others_meanwhile(
    demo, settings, tokens
) -> None:
    from qh.kit.outbox import Outbox

    class Bus:
        def __init__(self) -> None:
            self.gate = asyncio.Event()
            self.done: list[str] = []

        async def publish(self, topic: str, event: Any) -> None:
            if event.data["text"] == "slow":
                await self.gate.wait()
            self.done.append(event.data["text"])

    runtime = LocalRuntime()
    runtime.attach("auth", jwks_app(tokens))
    context = demo.DEMO.create_context(settings, runtime=runtime)
    bus = Bus()
    outbox = Outbox(
        service="demo",
        metadata=context.metadata,
        session_maker=context.session_maker,
        bus=bus,
        poll_seconds=0.05,
        lease_seconds=0.3,
    )
    sub = tokens.claims()["sub"]
    async with context.session() as session, session.begin():
        for text in ("slow", "fast"):
            await outbox.add(session, demo.NOTED, demo.Noted(note_id=sub, owner_id=sub, text=text))
    outbox.start()
    try:
        for _ in range(100):
            if bus.done == ["fast"]:
                break
            await asyncio.sleep(0.02)
        assert bus.done == ["fast"]
        await asyncio.sleep(0.5)  # longer than the lease: renewed, not published twice
        assert await outbox.pending() == 1
        bus.gate.set()
        for _ in range(100):
            if await outbox.pending() == 0:
                break
            await asyncio.sleep(0.02)
        assert await outbox.pending() == 0
        assert sorted(bus.done) == ["fast", "slow"]
    finally:
        await outbox.stop()
        await context.aclose()


def dead_lettered(labels: dict[str, str]) -> float:
    from qh.kit.observability import metrics

    return metrics().registry.get_sample_value("qh_events_dead_lettered_total", labels) or 0.0
