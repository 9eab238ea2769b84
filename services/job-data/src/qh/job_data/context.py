"""``JobDataContext``: the kit's context plus the hh.ru API client (one per process, so its
area dictionary is cached once) and the guarded fetcher used by ``POST /import``."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

import httpx
import structlog

from qh.job_data.parsing.hh import HHClient, HHSettings
from qh.job_data.settings import JobDataSettings
from qh.kit.context import ServiceContext
from qh.kit.fetch import Fetched, FetchSettings, Resolver, fetch
from qh.kit.runtime import Runtime, RuntimeCallError

if TYPE_CHECKING:
    from qh.kit.app import ServiceDefinition

log = structlog.get_logger("qh.job_data")

HH_TOKEN_SECRET = "job-data-hh-token"


class JobDataContext(ServiceContext[JobDataSettings]):
    """``hh_transport`` carries the calls to the hh.ru API and ``fetch_resolver`` resolves
    host names for page imports (tests pass a stub and a resolver without DNS)."""

    def __init__(
        self,
        definition: ServiceDefinition[JobDataSettings],
        settings: JobDataSettings,
        *,
        runtime: Runtime | None = None,
        hh_transport: httpx.AsyncBaseTransport | None = None,
        fetch_resolver: Resolver | None = None,
    ) -> None:
        super().__init__(definition, settings, runtime=runtime)
        self.hh_transport = hh_transport
        self.fetch_settings = FetchSettings(
            timeout_seconds=settings.fetch_timeout_seconds,
            max_bytes=settings.fetch_max_bytes,
            allow_private_networks=tuple(settings.fetch_allow_private_networks),
            resolver=fetch_resolver,
            **({"user_agent": settings.fetch_user_agent} if settings.fetch_user_agent else {}),
        )
        self._hh: HHClient | None = None
        self._hh_lock = asyncio.Lock()

    async def fetch(self, url: str, *, accept: Sequence[str]) -> Fetched:
        """GET a user's URL through the kit's SSRF guard with this service's limits."""
        return await fetch(url, settings=self.fetch_settings, accept=accept)

    async def hh(self) -> HHClient:
        """The hh.ru API client, made on first use with the application token (from the
        settings, else the Secrets port) and kept for the life of the process."""
        if self._hh is not None:
            return self._hh
        async with self._hh_lock:
            if self._hh is None:
                settings = self.settings
                self._hh = HHClient(
                    HHSettings(
                        base_url=settings.hh_base_url,
                        user_agent=settings.hh_user_agent,
                        token=settings.hh_token or await self._hh_token_secret(),
                        timeout_seconds=settings.hh_timeout_seconds,
                        areas_ttl_seconds=settings.hh_areas_ttl_seconds,
                    ),
                    transport=self.hh_transport,
                )
        return self._hh

    async def _hh_token_secret(self) -> str | None:
        try:
            return await self.runtime.secrets.get(HH_TOKEN_SECRET)
        except RuntimeCallError as exc:  # the API works without a token, only more limited
            log.warning("hh token secret unreadable; calling hh.ru anonymously", error=str(exc))
            return None

    async def _close_hh(self) -> None:
        if self._hh is not None:
            await self._hh.aclose()
            self._hh = None

    async def stop(self) -> None:
        await self._close_hh()
        await super().stop()

    async def aclose(self) -> None:
        await self._close_hh()
        await super().aclose()


__all__ = ["HH_TOKEN_SECRET", "JobDataContext"]
