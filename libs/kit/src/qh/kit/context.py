"""``ServiceContext``: what a running service holds, built before its app.

The kit builds one context per service from its settings: the database config and
session maker, the Dapr runtime, the outbox and inbox, the token verifier. The Litestar
app is made from the context (``create_service_app``), and so are a subscriber's, a CLI
command's and a test's service objects, through the service's *providers*: plain
functions whose parameters name what they need (``db_session``, ``context``,
``settings``, another provider), so the same function gives ``AccountService`` to a
request, a subscriber, a command and a test.

A service that holds more than the kit's parts (a key ring, a hasher) subclasses
``ServiceContext`` with typed attributes, and overrides :meth:`ServiceContext.start` and
:meth:`ServiceContext.stop` for what it runs in the background.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from qh.kit.auth import TokenVerifier
from qh.kit.db import KitAlchemyConfig, alchemy_config, serialise_sqlite_writes
from qh.kit.inbox import Inbox
from qh.kit.observability import Metrics, metrics
from qh.kit.outbox import Outbox
from qh.kit.problems import ServiceUnavailable
from qh.kit.reads import Reads
from qh.kit.revocation import Revocations, with_revocations
from qh.kit.runtime import Runtime, build_runtime
from qh.kit.settings import ServiceSettings
from qh.kit.subscriptions import Handler
from qh.kit.tables import add_messaging_tables

if TYPE_CHECKING:
    from qh.kit.app import ServiceDefinition

S = TypeVar("S", bound=ServiceSettings)
T = TypeVar("T")

# The auth service's JWKS, fetched through the Invoker by every other service.
AUTH_APP_ID = "auth"
AUTH_PREFIX = "/api/v1/auth"
JWKS_PATH = f"{AUTH_PREFIX}/.well-known/jwks.json"
TOKEN_PATH = f"{AUTH_PREFIX}/token"

# Parameter names every provider, subscriber and command can ask for.
SESSION_NAMES = frozenset({"db_session", "session"})


class ServiceContext(Generic[S]):
    """Settings, sessions, runtime, outbox, inbox and verifier of one service.

    A plain class (not a dataclass or Struct): Litestar passes it to handlers as the
    ``context`` dependency without trying to validate its fields.
    """

    def __init__(
        self,
        definition: ServiceDefinition[S],
        settings: S,
        *,
        runtime: Runtime | None = None,
    ) -> None:
        self.definition = definition
        self.settings: S = settings
        self.runtime: Runtime = runtime or build_runtime(settings)
        self.metadata: MetaData = definition.metadata()
        add_messaging_tables(self.metadata)
        self.db: KitAlchemyConfig = alchemy_config(settings)
        serialise_sqlite_writes(self.db.get_engine())
        self.session_maker: async_sessionmaker[AsyncSession] = self.db.create_session_maker()  # type: ignore[assignment]
        # Hot one-statement reads on the same pool, without a session (qh.kit.reads).
        self.reads = Reads(self.db.reading_engine)
        self.metrics: Metrics = metrics()
        self.outbox = Outbox.from_settings(
            settings,
            service=definition.slug,
            metadata=self.metadata,
            session_maker=self.session_maker,
            bus=self.runtime.bus,
        )
        self.inbox = Inbox(
            service=definition.slug, metadata=self.metadata, session_maker=self.session_maker
        )
        self.verifier = TokenVerifier(
            issuer=settings.resolved_auth_issuer,
            audience=settings.auth_audience,
            jwks_loader=self.load_jwks,
            cache_seconds=settings.jwks_cache_seconds,
            min_refetch_seconds=settings.jwks_min_refetch_seconds,
        )
        self.revocations = Revocations(self.metadata, self.session_maker)
        # The service's subscribers, with the kit's own handling of account deletion and
        # deactivation merged in (one subscription per topic).
        self.subscribers: list[Handler] = with_revocations(definition.subscribers)
        self._signatures: dict[Callable[..., Any], tuple[inspect.Parameter, ...]] = {}

    @property
    def slug(self) -> str:
        return self.definition.slug

    @property
    def providers(self) -> Mapping[str, Callable[..., Any]]:
        return self.definition.providers

    async def load_jwks(self) -> dict[str, Any]:
        """The signing keys, from the auth service through the Invoker."""
        response = await self.runtime.invoker.invoke(AUTH_APP_ID, "GET", JWKS_PATH)
        if response.status_code != 200:
            raise ServiceUnavailable("the signing keys could not be fetched")
        return response.json()  # type: ignore[no-any-return]

    # --- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        """Start the service's own background work (override and call ``super()``)."""

    async def stop(self) -> None:
        """Stop what :meth:`start` started (override and call ``super()``)."""

    async def aclose(self) -> None:
        """Release the database connections (a command or test that is done)."""
        await self.db.get_engine().dispose()

    async def __aenter__(self) -> ServiceContext[S]:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # --- sessions ------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session of its own, outside any request: the caller commits."""
        async with self.session_maker() as session:
            yield session

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A transaction of its own, committed on leaving the block (rolled back on an
        error). For work that must stand whatever the request does (a failed-login
        counter), or that must not hold a transaction open (password hashing) — never
        while the request's own session has written (on SQLite that would wait for
        itself)."""
        async with self.session_maker() as session, session.begin():
            yield session

    # --- providers -----------------------------------------------------------------------

    def _parameters(self, function: Callable[..., Any]) -> tuple[inspect.Parameter, ...]:
        parameters = self._signatures.get(function)
        if parameters is None:
            parameters = tuple(inspect.signature(function).parameters.values())
            self._signatures[function] = parameters
        return parameters

    async def call(
        self,
        function: Callable[..., T] | Callable[..., Awaitable[T]],
        session: AsyncSession,
        **given: Any,
    ) -> T:
        """Call ``function`` with its parameters filled by name: ``db_session`` (or
        ``session``), ``context``, ``settings``, anything in ``given``, and the service's
        providers (built on the same session)."""
        built: dict[str, Any] = dict(given)
        kwargs: dict[str, Any] = {}
        for parameter in self._parameters(function):
            kwargs[parameter.name] = await self._argument(parameter, session, built)
        result = function(**kwargs)
        if inspect.isawaitable(result):
            return await result  # type: ignore[no-any-return]
        return result

    async def _argument(
        self, parameter: inspect.Parameter, session: AsyncSession, built: dict[str, Any]
    ) -> Any:
        name = parameter.name
        if name in built:
            return built[name]
        if name in SESSION_NAMES:
            return session
        if name == "context":
            return self
        if name == "settings":
            return self.settings
        provider = self.providers.get(name)
        if provider is not None:
            built[name] = await self.call(provider, session, **built)
            return built[name]
        if parameter.default is not inspect.Parameter.empty:
            return parameter.default
        raise TypeError(f"nothing provides {name!r} in service {self.slug!r}")

    async def provide(self, name: str, session: AsyncSession) -> Any:
        """The provider ``name``'s object on ``session`` (commands and tests)."""
        if name not in self.providers:
            raise KeyError(f"service {self.slug!r} has no provider {name!r}")
        return await self.call(self.providers[name], session)


async def readiness(context: ServiceContext[Any]) -> dict[str, bool]:
    """The database answers and the runtime (the sidecar) is up."""
    from sqlalchemy import text

    database = True
    try:
        async with context.session_maker() as session:
            await asyncio.wait_for(session.execute(text("SELECT 1")), timeout=3)
    except Exception:
        database = False
    try:
        sidecar = await asyncio.wait_for(context.runtime.ready(), timeout=3)
    except Exception:
        sidecar = False
    return {"database": database, "runtime": sidecar}


__all__ = [
    "AUTH_APP_ID",
    "JWKS_PATH",
    "TOKEN_PATH",
    "ServiceContext",
    "readiness",
]
