"""``WS /ws``: the caller's notifications as they happen, one JSON message each.

The access token comes as ``?token=`` (checked before the handshake completes: a bad one
is refused with 403) or, for clients that cannot put it in the URL, as the first message
(``{"token": "..."}`` or the bare token) within ten seconds (a bad one closes the socket
with 4401). The socket is closed with 4401 when the token expires; the client reconnects
with a fresh one."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import msgspec
from litestar import WebSocket, websocket
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect

from qh.kit.auth import InvalidToken, Principal
from qh.notification.context import NotificationContext
from qh.notification.domain.live import user_channel

FIRST_MESSAGE_SECONDS = 10.0
UNAUTHORIZED = 4401


async def _principal(context: NotificationContext, token: str) -> Principal | None:
    try:
        principal = await context.verifier.verify(token)
    except InvalidToken:
        return None
    if context.revocations.is_revoked(principal):
        return None
    return principal


def _token_of(message: str) -> str:
    message = message.strip()
    if message.startswith("{"):
        try:
            value = msgspec.json.decode(message)
        except msgspec.DecodeError:
            return ""
        return str(value.get("token", "")) if isinstance(value, dict) else ""
    return message


@websocket("/ws", opt={"exclude_from_auth": True})
async def live(
    socket: WebSocket[Any, Any, Any], context: NamedDependency[NotificationContext]
) -> None:
    token = socket.query_params.get("token")
    if token is not None:
        principal = await _principal(context, token)
        if principal is None:
            await socket.close(code=UNAUTHORIZED, reason="invalid or expired access token")
            return
        await socket.accept()
    else:
        await socket.accept()
        try:
            first = await asyncio.wait_for(socket.receive_text(), FIRST_MESSAGE_SECONDS)
        except (TimeoutError, WebSocketDisconnect):
            await _close(socket, "send the access token first")
            return
        principal = await _principal(context, _token_of(first))
        if principal is None:
            await _close(socket, "invalid or expired access token")
            return
    hub = context.live.channels
    if hub is None:
        await _close(socket, "not running", code=1011)
        return
    async with hub.start_subscription([user_channel(principal.id)]) as subscriber:
        await socket.send_json({"type": "ready", "user_id": str(principal.id)})

        async def forward() -> None:
            async for message in subscriber.iter_events():
                await socket.send_text(message.decode())

        async def listen() -> None:
            with contextlib.suppress(WebSocketDisconnect):
                while True:
                    await socket.receive_data(mode="text")

        tasks = [asyncio.create_task(forward()), asyncio.create_task(listen())]
        remaining = max(0.0, principal.expires_at - time.time())
        done, pending = await asyncio.wait(
            tasks, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
        )
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                await task
        if not done:
            await _close(socket, "access token expired")


async def _close(socket: WebSocket[Any, Any, Any], reason: str, code: int = UNAUTHORIZED) -> None:
    with contextlib.suppress(Exception):
        await socket.close(code=code, reason=reason)
