"""WS /ws over a real server (uvicorn on the loopback, `websockets` clients): every socket
of a user receives, another user's does not, a bad or expired token is refused."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import pytest
import websockets
from notification_helpers import deliver, serve

from qh.contracts import RESUME_GENERATED, ResumeGenerated

WS = "/api/v1/notifications/ws"


async def _ready(socket) -> dict:  # type: ignore[no-untyped-def]
    message = json.loads(await asyncio.wait_for(socket.recv(), 5))
    assert message["type"] == "ready"
    return message


async def test_every_socket_of_the_user_receives_and_no_one_else(app, tokens) -> None:
    anna, bob = uuid.uuid4(), uuid.uuid4()
    async with serve(app) as address:
        base = f"ws://{address}{WS}"
        async with (
            websockets.connect(f"{base}?token={tokens.issue(anna)}") as phone,
            websockets.connect(base) as laptop,
            websockets.connect(f"{base}?token={tokens.issue(bob)}") as other,
        ):
            await _ready(phone)
            await laptop.send(json.dumps({"token": tokens.issue(anna)}))  # the first message
            await _ready(laptop)
            await _ready(other)
            import httpx

            async with httpx.AsyncClient(base_url=f"http://{address}") as client:
                await deliver(
                    client,
                    RESUME_GENERATED,
                    ResumeGenerated(user_id=anna, resume_id=uuid.uuid4(), title="Data engineer"),
                )
            for socket in (phone, laptop):
                message = json.loads(await asyncio.wait_for(socket.recv(), 5))
                assert message["type"] == "notification"
                assert message["title"] == "Your resume is ready: Data engineer"
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(other.recv(), 0.5)


async def test_a_bad_or_expired_token_is_refused(app, tokens) -> None:
    async with serve(app) as address:
        base = f"ws://{address}{WS}"
        for token in ("not-a-token", tokens.issue(uuid.uuid4(), exp=int(time.time()) - 3600)):
            with pytest.raises(websockets.InvalidStatus) as refused:
                async with websockets.connect(f"{base}?token={token}"):
                    pass
            assert refused.value.response.status_code == 403
        async with websockets.connect(base) as socket:
            await socket.send("not-a-token")
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), 5)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 4401


async def test_the_socket_closes_when_its_token_expires(app, tokens) -> None:
    async with serve(app) as address:
        # exp 1 s ahead (the verifier's leeway is 10 s, so it is still accepted)
        token = tokens.issue(uuid.uuid4(), exp=int(time.time()) + 1)
        async with websockets.connect(f"ws://{address}{WS}?token={token}") as socket:
            await _ready(socket)
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), 5)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 4401
