"""Live delivery: one Litestar channel per user (``user:<id>``), in memory in one process
or through Redis pub/sub across replicas; every socket of that user subscribes to it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend

from qh.notification.settings import NotificationSettings


def user_channel(user_id: UUID) -> str:
    return f"user:{user_id}"


class LiveHub:
    def __init__(self, settings: NotificationSettings) -> None:
        self.settings = settings
        self.channels: ChannelsPlugin | None = None

    def _backend(self) -> ChannelsBackend:
        if self.settings.live_backend == "redis":
            from litestar.channels.backends.redis import RedisChannelsPubSubBackend
            from redis.asyncio import Redis

            return RedisChannelsPubSubBackend(redis=Redis.from_url(self.settings.redis_url))
        return MemoryChannelsBackend()

    async def start(self) -> None:
        self.channels = ChannelsPlugin(
            backend=self._backend(),
            arbitrary_channels_allowed=True,
            subscriber_max_backlog=1000,
            subscriber_backlog_strategy="dropleft",
        )
        await self.channels.__aenter__()

    async def stop(self) -> None:
        if self.channels is not None:
            await self.channels.__aexit__(None, None, None)
            self.channels = None

    def publish(self, user_id: UUID, message: dict[str, Any]) -> None:
        """Queue ``message`` for every open socket of the user (no-op when stopped)."""
        if self.channels is not None:
            self.channels.publish(message, user_channel(user_id))
