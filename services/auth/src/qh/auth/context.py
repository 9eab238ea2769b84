"""``AuthContext``: the auth service's parts besides the kit's, built once per app, per
command or per test: the password hasher, the signing key ring, the login throttle, the
housekeeping job and the transport to the social login providers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from qh.auth.housekeeping import Housekeeping
from qh.auth.keys import KeyRing
from qh.auth.passwords import BreachedPasswords, PasswordHasher, PasswordPolicy
from qh.auth.settings import AuthSettings
from qh.auth.throttle import LoginThrottle
from qh.kit.context import ServiceContext
from qh.kit.runtime import Runtime

if TYPE_CHECKING:
    from qh.kit.app import ServiceDefinition


class AuthContext(ServiceContext[AuthSettings]):
    """``oauth_transport`` carries the calls to the social login providers (tests pass a
    transport to a local stub provider)."""

    def __init__(
        self,
        definition: ServiceDefinition[AuthSettings],
        settings: AuthSettings,
        *,
        runtime: Runtime | None = None,
        oauth_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(definition, settings, runtime=runtime)
        self.oauth_transport = oauth_transport
        self.hasher = PasswordHasher(settings)
        self.passwords = PasswordPolicy(settings, BreachedPasswords(settings))
        self.keys = KeyRing(settings, self.session_maker)
        self.throttle = LoginThrottle(settings, self.transaction)
        self.housekeeping = Housekeeping(settings, self.transaction)

    async def load_jwks(self) -> dict[str, Any]:
        # The service verifies its own tokens from its key ring, never by calling itself.
        return await self.keys.jwks()

    async def start(self) -> None:
        await super().start()
        await self.keys.start(self.runtime.secrets)
        await self.hasher.warm_up()
        self.housekeeping.start()

    async def stop(self) -> None:
        await self.housekeeping.stop()
        await super().stop()


__all__ = ["AuthContext"]
