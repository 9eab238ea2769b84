"""Live delivery across replicas: two processes' hubs on one Redis, a notification
published by one replica reaches a socket subscribed on the other. Needs the Redis of
the test machine (``QH_TEST_REDIS_URL``, default 127.0.0.1:6379): skipped without it
locally, failing under ``CI=true``."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest

from qh.kit.testing import under_ci
from qh.notification.app import service
from qh.notification.domain.live import LiveHub, user_channel

REDIS_URL = os.environ.get("QH_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


async def _redis_or_skip() -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    try:
        await asyncio.wait_for(client.ping(), 2)
    except Exception as exc:
        message = f"Redis at {REDIS_URL} is unreachable: {exc}"
        if under_ci():
            pytest.fail(f"{message} (CI=true: the Redis test must run)")
        pytest.skip(message)
    finally:
        await client.aclose()


async def test_a_notification_reaches_a_socket_on_another_replica() -> None:
    await _redis_or_skip()
    settings = service.load_settings(environ={}, live_backend="redis", redis_url=REDIS_URL)
    publisher, receiver = LiveHub(settings), LiveHub(settings)
    await publisher.start()
    await receiver.start()
    try:
        anna, bob = uuid.uuid4(), uuid.uuid4()
        assert receiver.channels is not None
        async with (
            receiver.channels.start_subscription([user_channel(anna)]) as annas,
            receiver.channels.start_subscription([user_channel(bob)]) as bobs,
        ):
            await asyncio.sleep(0.2)  # the subscription reaches Redis
            publisher.publish(anna, {"type": "notification", "title": "Resume ready"})

            async def first(subscriber: object) -> bytes:
                async for message in subscriber.iter_events():  # type: ignore[attr-defined]
                    return message  # type: ignore[no-any-return]
                raise AssertionError("the subscription ended")

            received = await asyncio.wait_for(first(annas), 5)
            assert b"Resume ready" in received
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(first(bobs), 0.5)
    finally:
        await publisher.stop()
        await receiver.stop()
