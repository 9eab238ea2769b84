"""The web client's own access token as a platform service (auth's ``client_credentials``
grant, role ``service``), sent with the calls it makes to auth for a visitor (sign-in,
its second step, sign-up) together with the visitor's address in ``X-Forwarded-For``.

Auth believes that address only from a caller with such a token, so its per-address limits
and its sign-in records see the browser and not this server. The platform client's secret
is ``QH_PLATFORM_CLIENT_SECRET`` or the secret ``auth-platform-client-secret``; under
``qh dev`` with neither, the one auth and this client keep in the shared data folder.
Without it, or while auth refuses it, the calls go without both, and every web sign-in
counts as this server's."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import structlog

from qh.kit.dev_secret import dev_secret
from qh.kit.problems import Problem
from qh.web.sessions import TOKEN_PATH, form

if TYPE_CHECKING:
    from qh.web.context import WebContext

log = structlog.get_logger("qh.web.service_token")

# Renewed this long before it expires; after a failure, asked for again this much later
# (a missing secret or a refusal must not cost every sign-in a call to auth).
MARGIN_SECONDS = 30.0
RETRY_SECONDS = 60.0


class ServiceToken:
    """One token per process, renewed shortly before it expires, one renewal at a time."""

    def __init__(self, context: WebContext) -> None:
        self.context = context
        self._token: str | None = None
        self._valid_until = 0.0
        self._next_attempt = 0.0
        self._lock = asyncio.Lock()
        self._told_no_secret = False

    async def get(self) -> str | None:
        """The token, or ``None`` when this client cannot get one now."""
        if self._token is not None and time.monotonic() < self._valid_until:
            return self._token
        async with self._lock:
            now = time.monotonic()
            if self._token is not None and now < self._valid_until:
                return self._token
            self._token = None
            if now < self._next_attempt:
                return None
            self._next_attempt = now + RETRY_SECONDS
            token, lifetime = await self._fetch()
            if token is not None:
                self._token = token
                self._valid_until = time.monotonic() + max(lifetime - MARGIN_SECONDS, 1.0)
            return token

    async def _fetch(self) -> tuple[str | None, float]:
        settings = self.context.settings
        secret = settings.platform_client_secret or await self.context.runtime.secrets.get(
            settings.platform_client_secret_name
        )
        if not secret and settings.env == "dev":
            secret = dev_secret(Path(settings.data_dir))
        if not secret:
            if not self._told_no_secret:  # once: qh dev usually runs without it
                self._told_no_secret = True
                log.warning(
                    "client_address_not_forwarded",
                    reason=f"no platform client secret ({settings.platform_client_secret_name!r})",
                    effect="auth counts every web sign-in as this server's address",
                )
            return None, 0.0
        try:
            response = await self.context.runtime.invoker.invoke(
                "auth",
                "POST",
                TOKEN_PATH,
                content=form(
                    grant_type="client_credentials",
                    client_id=settings.platform_client_id,
                    client_secret=secret,
                ),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                timeout=settings.api_timeout_seconds,
            )
            if response.status_code != 200:
                raise ValueError(f"auth answered {response.status_code}")
            body = response.json()
            return str(body["access_token"]), float(body["expires_in"])
        except (httpx.HTTPError, Problem, OSError, ValueError, KeyError, TypeError) as exc:
            log.warning(
                "client_address_not_forwarded",
                reason=f"no service token from auth: {type(exc).__name__}: {exc}",
                effect="auth counts every web sign-in as this server's address",
            )
            return None, 0.0


__all__ = ["ServiceToken"]
