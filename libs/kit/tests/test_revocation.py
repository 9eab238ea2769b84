"""A deleted or deactivated account's tokens are refused by every service, from the
moment the service hears of it, across a restart, and only those issued before."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import msgspec
from litestar import Litestar

from qh.contracts import USER_DEACTIVATED, USER_DELETED, UserDeactivated, UserDeleted
from qh.kit.cloudevents import CLOUDEVENTS_JSON, make_cloudevent
from qh.kit.runtime import LocalRuntime
from qh.kit.testing import TokenFactory, running


async def _deliver(client: httpx.AsyncClient, topic: Any, payload: Any) -> httpx.Response:
    event = make_cloudevent(topic, payload, source="qh/auth")
    return await client.post(
        f"/events/{topic.name}",
        content=msgspec.json.encode(event),
        headers={"content-type": CLOUDEVENTS_JSON},
    )


async def test_a_deleted_users_earlier_token_is_refused(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    user = uuid.uuid4()
    earlier = tokens.headers(user, iat=int(time.time()) - 5)
    other = tokens.headers()
    assert (await client.get("/api/v1/demo/notes", headers=earlier)).status_code == 200

    answer = await _deliver(client, USER_DELETED, UserDeleted(user_id=user))
    assert answer.status_code == 200

    refused = await client.post("/api/v1/demo/notes", json={"text": "x"}, headers=earlier)
    assert refused.status_code == 401
    assert "deleted or deactivated" in refused.json()["detail"]
    assert (await client.get("/api/v1/demo/notes", headers=other)).status_code == 200


async def test_deactivation_refuses_earlier_tokens_but_not_later_ones(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    user = uuid.uuid4()
    before = tokens.headers(user, iat=int(time.time()) - 5)
    await _deliver(client, USER_DEACTIVATED, UserDeactivated(user_id=user))
    assert (await client.get("/api/v1/demo/notes", headers=before)).status_code == 401
    # Reactivated later: a token issued after the deactivation works.
    after = tokens.headers(user, iat=int(time.time()) + 2)
    assert (await client.get("/api/v1/demo/notes", headers=after)).status_code == 200


async def test_the_refusal_survives_a_restart(
    app: Litestar, runtime: LocalRuntime, tokens: TokenFactory, demo: Any
) -> None:
    user = uuid.uuid4()
    earlier = tokens.headers(user, iat=int(time.time()) - 5)
    async with running(app, runtime) as client:
        await _deliver(client, USER_DELETED, UserDeleted(user_id=user))
    restarted = demo.DEMO.create_app(app.state.qh.settings, runtime=runtime)
    async with running(restarted, runtime) as client:
        assert (await client.get("/api/v1/demo/notes", headers=earlier)).status_code == 401


async def test_a_service_handler_of_the_topic_still_runs_once(app: Litestar) -> None:
    topics = [handler.__qh_subscription__.topic.name for handler in app.state.qh.subscribers]
    assert topics.count(USER_DELETED.name) == 1
    assert topics.count(USER_DEACTIVATED.name) == 1
