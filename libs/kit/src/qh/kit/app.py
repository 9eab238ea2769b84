"""``create_service_app``: one Litestar app for one service, with everything every service
needs (docs, health, metrics, logs, problems, auth, events) and nothing it must repeat."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import structlog
from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig, SQLAlchemyPlugin
from litestar import Litestar, Request, Response, Router, get
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import (
    Components,
    OAuthFlow,
    OAuthFlows,
    SecurityScheme,
    Server,
    Tag,
)
from litestar.types import ControllerRouterHandler
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from qh.kit.auth import (
    BearerAuthMiddleware,
    JwksLoader,
    Principal,
    TokenVerifier,
    provide_principal,
)
from qh.kit.db import alchemy_config
from qh.kit.messaging import (
    Handler,
    Inbox,
    Outbox,
    add_messaging_tables,
    dead_letter_route,
    subscription_of,
    subscription_route,
)
from qh.kit.observability import ObservabilityMiddleware, metrics
from qh.kit.problems import ServiceUnavailable, Unauthorized, exception_handlers
from qh.kit.runtime import Runtime, build_runtime
from qh.kit.settings import ServiceSettings, load_settings

log = structlog.get_logger("qh.app")

OPERATIONAL_PATHS = ["^/health/", "^/metrics$", "^/dapr/", "^/events/"]


@dataclass(frozen=True)
class ServiceDefinition:
    """Everything the ``qh`` command needs to know about one service.

    Each service exposes one of these as its ``qh.services`` entry point, so a new service
    needs no change to the command or the embedded host.
    """

    slug: str
    prefix: str
    title: str
    description: str
    settings_class: type[ServiceSettings]
    app_factory: Callable[..., Litestar]
    metadata: Callable[[], MetaData]
    migrations: Path
    cli: Any = None

    @property
    def package(self) -> str:
        return self.slug.replace("-", "_")

    def load_settings(
        self, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> ServiceSettings:
        return load_settings(self.settings_class, self.slug, environ, **overrides)

    def create_app(
        self, settings: ServiceSettings | None = None, *, runtime: Runtime | None = None
    ) -> Litestar:
        return self.app_factory(settings or self.load_settings(), runtime=runtime)


@dataclass
class ServiceContext:
    """What a running service holds: available as ``app.state.qh`` and the ``context``
    dependency, and to subscribers that ask for ``context``."""

    definition: ServiceDefinition
    settings: ServiceSettings
    runtime: Runtime
    db: SQLAlchemyAsyncConfig
    metadata: MetaData
    verifier: TokenVerifier
    outbox: Outbox = field(init=False)
    inbox: Inbox = field(init=False)

    def __post_init__(self) -> None:
        self.session_maker: async_sessionmaker[AsyncSession] = self.db.create_session_maker()  # type: ignore[assignment]
        self.outbox = Outbox(
            service=self.definition.slug,
            metadata=self.metadata,
            session_maker=self.session_maker,
            bus=self.runtime.bus,
            poll_seconds=self.settings.outbox_poll_seconds,
        )
        self.inbox = Inbox(
            service=self.definition.slug, metadata=self.metadata, session_maker=self.session_maker
        )

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session outside a request (CLI commands, background work)."""
        async with self.session_maker() as session:
            yield session


class _DocsRouter(Router):
    """Serves a service's docs at its prefix. Litestar also registers a catch-all
    ``{path:str}`` page under the docs path; under a service prefix that would answer
    unknown API routes, so it is left out and they get the usual 404 problem."""

    def register(self, value: Any) -> list[Any]:
        if any("{path:str}" in path for path in getattr(value, "paths", ())):
            return []
        return super().register(value)  # type: ignore[no-any-return]


def _openapi(
    definition: ServiceDefinition, settings: ServiceSettings, tags: Sequence[Tag]
) -> OpenAPIConfig:
    try:
        version = importlib_metadata.version(f"qh-{definition.slug}")
    except importlib_metadata.PackageNotFoundError:
        version = "0.0.0"
    token_url = "/api/v1/auth/token"
    return OpenAPIConfig(
        title=definition.title,
        version=version,
        description=definition.description,
        path=definition.prefix,
        openapi_router=_DocsRouter(
            definition.prefix,
            route_handlers=[],
            include_in_schema=False,
            opt={"exclude_from_auth": True},
        ),
        render_plugins=[
            SwaggerRenderPlugin(
                path="/docs", init_oauth={"usePkceWithAuthorizationCodeGrant": True}
            )
        ],
        servers=[Server(url="/")],
        tags=list(tags) or None,
        use_handler_docstrings=True,
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="JWT",
                    description="An access token from POST /api/v1/auth/token",
                ),
                "OAuth2Password": SecurityScheme(
                    type="oauth2",
                    description="Log in with e-mail and password; Swagger fetches the token",
                    flows=OAuthFlows(password=OAuthFlow(token_url=token_url, scopes={})),
                ),
            }
        ),
        security=[{"BearerToken": []}, {"OAuth2Password": []}],
    )


def create_service_app(
    settings: ServiceSettings,
    *,
    definition: ServiceDefinition,
    route_handlers: Sequence[ControllerRouterHandler],
    subscribers: Sequence[Handler] = (),
    runtime: Runtime | None = None,
    dependencies: Mapping[str, Any] | None = None,
    jwks_loader: JwksLoader | None = None,
    lifespan: Sequence[Callable[[Litestar], contextlib.AbstractAsyncContextManager[Any]]] = (),
    tags: Sequence[Tag] = (),
    signature_namespace: Mapping[str, Any] | None = None,
    debug: bool = False,
) -> Litestar:
    """Build the Litestar app of one service from its settings, routes and subscribers."""
    runtime = runtime or build_runtime(settings)
    metadata = definition.metadata()
    add_messaging_tables(metadata)
    db = alchemy_config(settings)

    async def load_jwks() -> dict[str, Any]:
        response = await runtime.invoker.invoke("auth", "GET", "/api/v1/auth/.well-known/jwks.json")
        if response.status_code != 200:
            raise ServiceUnavailable("the signing keys could not be fetched")
        return response.json()  # type: ignore[no-any-return]

    verifier = TokenVerifier(
        issuer=settings.resolved_auth_issuer,
        audience=settings.auth_audience,
        jwks_loader=jwks_loader or load_jwks,
        cache_seconds=settings.jwks_cache_seconds,
        min_refetch_seconds=settings.jwks_min_refetch_seconds,
    )
    context = ServiceContext(definition, settings, runtime, db, metadata, verifier)
    specs = [subscription_of(handler) for handler in subscribers]
    event_routes = [
        route
        for spec in specs
        for route in (
            subscription_route(spec, inbox=context.inbox, context=context, service=definition.slug),
            dead_letter_route(spec, service=definition.slug),
        )
    ]
    subscriptions = [subscription for spec in specs for subscription in spec.subscriptions()]

    @get(
        "/dapr/subscribe",
        include_in_schema=False,
        opt={"exclude_from_auth": True},
        sync_to_thread=False,
    )
    def dapr_subscribe() -> list[dict[str, str]]:
        return [
            {
                "pubsubname": settings.dapr_pubsub,
                "topic": subscription.topic,
                "route": subscription.route,
                **(
                    {"deadLetterTopic": subscription.dead_letter_topic}
                    if subscription.dead_letter_topic
                    else {}
                ),
            }
            for subscription in subscriptions
        ]

    @get(
        "/health/live",
        include_in_schema=False,
        opt={"exclude_from_auth": True},
        sync_to_thread=False,
    )
    def live() -> dict[str, str]:
        return {"status": "ok", "service": definition.slug}

    @get("/health/ready", include_in_schema=False, opt={"exclude_from_auth": True})
    async def ready() -> Response[Any]:
        checks = await readiness(context)
        healthy = all(checks.values())
        body = {
            "status": "ok" if healthy else "unavailable",
            "service": definition.slug,
            "checks": checks,
        }
        return Response(body, status_code=200 if healthy else 503)

    @get("/metrics", include_in_schema=False, opt={"exclude_from_auth": True}, sync_to_thread=False)
    def metrics_endpoint() -> Response[bytes]:
        return Response(generate_latest(metrics().registry), media_type=CONTENT_TYPE_LATEST)

    @contextlib.asynccontextmanager
    async def run_service(app: Litestar) -> AsyncIterator[None]:
        if settings.migrate_on_start:
            from qh.kit.db import upgrade

            await asyncio.to_thread(upgrade, definition.migrations, settings.resolved_database_url)
        runtime.attach(definition.slug, app, subscriptions)
        context.outbox.start()
        try:
            yield
        finally:
            await context.outbox.stop()
            await db.get_engine().dispose()

    async def check_app_token(request: Request[Any, Any, Any]) -> None:
        expected = settings.app_api_token or ""
        presented = request.headers.get("dapr-api-token", "")
        if request.route_handler.opt.get("dapr_route") and not hmac.compare_digest(
            presented, expected
        ):
            raise Unauthorized("Missing or wrong dapr-api-token")

    all_dependencies: dict[str, Any] = {
        "principal": Provide(provide_principal, sync_to_thread=False),
        "context": Provide(lambda: context, sync_to_thread=False),
        "settings": Provide(lambda: settings, sync_to_thread=False),
        "outbox": Provide(lambda: context.outbox, sync_to_thread=False),
    }
    all_dependencies.update(dependencies or {})

    app = Litestar(
        route_handlers=[
            *route_handlers,
            *event_routes,
            dapr_subscribe,
            live,
            ready,
            metrics_endpoint,
        ],
        plugins=[SQLAlchemyPlugin(config=db)],
        middleware=[
            DefineMiddleware(
                BearerAuthMiddleware,
                verifier=context.verifier,
                exclude=OPERATIONAL_PATHS,
            )
        ],
        before_request=check_app_token if settings.app_api_token else None,
        dependencies=all_dependencies,
        exception_handlers=exception_handlers,
        openapi_config=_openapi(definition, settings, tags),
        lifespan=[run_service, *lifespan],
        request_max_body_size=settings.max_body_size,
        signature_namespace={
            "Principal": Principal,
            "ServiceContext": ServiceContext,
            **(signature_namespace or {}),
        },
        debug=debug,
        logging_config=None,
    )
    app.state.qh = context
    app.asgi_handler = ObservabilityMiddleware(app.asgi_handler, definition.slug)
    return app


async def readiness(context: ServiceContext) -> dict[str, bool]:
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


def service_context(app: Litestar) -> ServiceContext:
    return app.state.qh  # type: ignore[no-any-return]


__all__ = ["ServiceContext", "ServiceDefinition", "create_service_app", "service_context"]
