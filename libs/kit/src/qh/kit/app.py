"""``create_service_app``: one Litestar app for one service, with everything every service
needs (docs, health, metrics, logs, problems, auth, events) and nothing it must repeat."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import inspect
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Annotated, Any, Generic, TypeVar

import structlog
from advanced_alchemy.extensions.litestar import SQLAlchemyPlugin
from litestar import Litestar, Request, Response, Router, get
from litestar.di import Dependency, Provide
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
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
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncSession

from qh.kit.auth import Principal, provide_principal
from qh.kit.body import strict_json_bodies
from qh.kit.context import TOKEN_PATH, ServiceContext, readiness
from qh.kit.db import CommitHook
from qh.kit.guard import RouteGuard
from qh.kit.http import OfflineSwaggerRenderPlugin, docs_assets_route
from qh.kit.links import declare_links
from qh.kit.observability import ObservabilityMiddleware
from qh.kit.pagination import PageParams, provide_page
from qh.kit.problems import Unauthorized, exception_handlers, problem_responses
from qh.kit.runtime import Runtime
from qh.kit.settings import ServiceSettings, load_settings
from qh.kit.subscriptions import (
    Handler,
    dead_letter_route,
    subscription_of,
    subscription_route,
)

S = TypeVar("S", bound=ServiceSettings)

log = structlog.get_logger("qh.app")

OPERATIONAL_PATHS = ["^/health/", "^/metrics$", "^/dapr/", "^/events/"]


@dataclass(frozen=True)
class ServiceDefinition(Generic[S]):
    """Everything the kit needs to know about one service.

    Each service exposes one of these as its ``qh.services`` entry point, so a new service
    needs no change to the command or the embedded host. Routes declare paths relative
    to the service; the kit mounts them under ``prefix``.
    """

    slug: str
    prefix: str
    title: str
    description: str
    settings_class: type[S]
    metadata: Callable[[], MetaData]
    migrations: Path
    route_handlers: Sequence[ControllerRouterHandler] = ()
    subscribers: Sequence[Handler] = ()
    providers: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    context_class: type[ServiceContext[Any]] = ServiceContext
    tags: Sequence[Tag] = ()
    signature_namespace: Mapping[str, Any] = field(default_factory=dict)
    configure_app: Callable[[Litestar, Any], None] | None = None
    public_routes: bool = False
    cli: Any = None

    @property
    def package(self) -> str:
        return self.slug.replace("-", "_")

    def load_settings(self, environ: Mapping[str, str] | None = None, **overrides: Any) -> S:
        return load_settings(self.settings_class, self.slug, environ, **overrides)

    def create_context(
        self, settings: S | None = None, *, runtime: Runtime | None = None, **extras: Any
    ) -> ServiceContext[S]:
        """The service's context (no app): what commands and tests work with."""
        return self.context_class(self, settings or self.load_settings(), runtime=runtime, **extras)

    def create_app(
        self, settings: S | None = None, *, runtime: Runtime | None = None, **extras: Any
    ) -> Litestar:
        return create_service_app(self.create_context(settings, runtime=runtime, **extras))

    @contextlib.asynccontextmanager
    async def command_context(
        self, settings: S | None = None, **extras: Any
    ) -> AsyncIterator[ServiceContext[S]]:
        """A context for a command: the environment's settings, connections closed after."""
        context = self.create_context(settings, **extras)
        try:
            yield context
        finally:
            await context.aclose()


class _DocsRouter(Router):
    """Serves a service's docs under its prefix (``/docs``, ``/openapi.json``). Litestar
    also registers a catch-all ``{path:str}`` page under the docs path, and the UI at the
    docs path itself; under a service prefix the first would answer unknown API routes and
    the second would take ``GET <prefix>/``, where most services list their items. Both are
    left out: unknown routes get the usual 404 problem and the prefix is the service's."""

    def register(self, value: Any) -> list[Any]:
        paths = set(getattr(value, "paths", ()))
        if any("{path:str}" in path for path in paths):
            return []
        if "/" in paths:
            if paths == {"/"}:
                return []
            value.paths = paths - {"/"}
        return super().register(value)  # type: ignore[no-any-return]


def _openapi(
    definition: ServiceDefinition[Any], settings: ServiceSettings, tags: Sequence[Tag]
) -> OpenAPIConfig:
    try:
        version = importlib_metadata.version(f"qh-{definition.slug}")
    except importlib_metadata.PackageNotFoundError:
        version = "0.0.0"
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
            OfflineSwaggerRenderPlugin(
                definition.prefix,
                path="/docs",
                init_oauth={"usePkceWithAuthorizationCodeGrant": True},
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
                    description=f"An access token from POST {TOKEN_PATH}",
                ),
                "OAuth2Password": SecurityScheme(
                    type="oauth2",
                    description="Log in with e-mail and password; Swagger fetches the token",
                    flows=OAuthFlows(password=OAuthFlow(token_url=TOKEN_PATH, scopes={})),
                ),
            }
        ),
        security=[{"BearerToken": []}, {"OAuth2Password": []}],
    )


NAMED_ANY: Any = Annotated[Any, Dependency(kind="named")]


def _named_dependencies(provider: Callable[..., Any]) -> Callable[..., Any]:
    """``provider`` as Litestar sees it: every parameter a named dependency, so a
    provider is a plain function that the kit can also call outside a request."""
    signature = inspect.signature(provider)
    parameters = [
        parameter.replace(annotation=NAMED_ANY) for parameter in signature.parameters.values()
    ]

    if inspect.iscoroutinefunction(provider):

        async def provide_async(**kwargs: Any) -> Any:
            return await provider(**kwargs)

        wrapper: Callable[..., Any] = provide_async
    else:

        def provide(**kwargs: Any) -> Any:
            return provider(**kwargs)

        wrapper = provide
    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=parameters, return_annotation=Any
    )
    wrapper.__annotations__ = {
        **{parameter.name: NAMED_ANY for parameter in parameters},
        "return": Any,
    }
    wrapper.__name__ = getattr(provider, "__name__", "provider")
    return wrapper


def _declare_problems(app: Litestar) -> None:
    """Every operation documents the problem responses it can give (RFC 9457 bodies),
    instead of Litestar's default validation body."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if not isinstance(handler, HTTPRouteHandler) or not handler.resolve_include_in_schema():
                continue
            statuses = {400, 422, 500, 503}
            if not handler.opt.get("exclude_from_auth"):
                statuses |= {401, 403}
            if "{" in handler.paths.copy().pop():
                statuses.add(404)
            if {"data", "body"} & set(handler.parsed_fn_signature.parameters):
                statuses |= {409, 413, 415}
            declared = dict(handler.responses or {})
            for status in sorted(statuses):
                declared.setdefault(status, problem_responses(status)[status])
            handler.responses = declared


def _resolve_dependencies_in_order(app: Litestar) -> None:
    """Resolve each handler's dependencies one after the other. Litestar resolves the
    dependencies that do not depend on each other (``principal`` and a service's
    ``profiles``, say) in an anyio task group, a task each: several tasks per request for
    providers that return at once, and a request's session shared between concurrent
    tasks. In order, each dependency still comes after the ones it takes."""
    for route in app.routes:
        models = [model for _, model in getattr(route, "route_handler_map", {}).values()]
        if (model := getattr(route, "handler_parameter_model", None)) is not None:
            models.append(model)
        for model in models:
            model.dependency_batches = [
                {dependency} for batch in model.dependency_batches for dependency in batch
            ]


def create_service_app(context: ServiceContext[Any]) -> Litestar:
    """Build the Litestar app of one service from its context."""
    definition, settings, runtime = context.definition, context.settings, context.runtime
    specs = [subscription_of(handler) for handler in context.subscribers]
    event_routes = [
        route
        for spec in specs
        for route in (
            subscription_route(spec, inbox=context.inbox, context=context, service=definition.slug),
            dead_letter_route(spec, service=definition.slug),
        )
    ]
    subscriptions = [
        subscription for spec in specs for subscription in spec.subscriptions(definition.slug)
    ]

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
        return Response(generate_latest(context.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @contextlib.asynccontextmanager
    async def run_service(app: Litestar) -> AsyncIterator[None]:
        if settings.migrate_on_start:
            from qh.kit.db import upgrade

            await asyncio.to_thread(upgrade, definition.migrations, settings.resolved_database_url)
        runtime.attach(definition.slug, app, subscriptions)
        await context.revocations.start()
        await context.start()
        context.outbox.start()
        try:
            yield
        finally:
            await context.outbox.stop()
            await context.stop()
            await context.revocations.stop()
            await context.aclose()

    async def check_app_token(request: Request[Any, Any, Any]) -> None:
        expected = settings.app_api_token or ""
        presented = request.headers.get("dapr-api-token", "")
        if request.route_handler.opt.get("dapr_route") and not hmac.compare_digest(
            presented, expected
        ):
            raise Unauthorized("Missing or wrong dapr-api-token")

    dependencies: dict[str, Any] = {
        "principal": Provide(provide_principal, sync_to_thread=False),
        "context": Provide(lambda: context, sync_to_thread=False),
        "settings": Provide(lambda: settings, sync_to_thread=False),
        "outbox": Provide(lambda: context.outbox, sync_to_thread=False),
        "page": Provide(provide_page, sync_to_thread=False),
    }
    for name, provider in definition.providers.items():
        dependencies[name] = Provide(_named_dependencies(provider), sync_to_thread=False)

    service_router = Router(
        definition.prefix,
        route_handlers=list(definition.route_handlers),
        opt={"exclude_from_auth": True} if definition.public_routes else {},
    )
    app = Litestar(
        route_handlers=[
            service_router,
            *event_routes,
            dapr_subscribe,
            live,
            ready,
            metrics_endpoint,
            docs_assets_route(definition.prefix),
        ],
        plugins=[SQLAlchemyPlugin(config=context.db)],
        before_request=check_app_token if settings.app_api_token else None,
        dependencies=dependencies,
        exception_handlers=exception_handlers,
        openapi_config=_openapi(definition, settings, definition.tags),
        lifespan=[run_service],
        request_max_body_size=settings.max_body_size,
        signature_namespace={
            "Principal": Principal,
            "ServiceContext": ServiceContext,
            "AsyncSession": AsyncSession,
            "PageParams": PageParams,
            type(context).__name__: type(context),
            **definition.signature_namespace,
        },
        debug=False,
        logging_config=None,
    )
    app.state.qh = context
    RouteGuard(context.verifier, OPERATIONAL_PATHS, context.revocations).install(app)
    _declare_problems(app)
    _resolve_dependencies_in_order(app)
    strict_json_bodies(app)
    declare_links(app, definition.prefix)
    if definition.configure_app is not None:
        definition.configure_app(app, context)
    # The session's commit runs in the kit's one send wrapper, before the response's headers
    # are added and its status counted, instead of as a hook Litestar calls on every message.
    commit = context.db.before_send_handler
    hook = commit if isinstance(commit, CommitHook) else None
    if hook is not None:
        app.before_send = [h for h in app.before_send if h is not hook]
    app.asgi_handler = ObservabilityMiddleware(app.asgi_handler, definition.slug, hook)
    return app


def service_context(app: Litestar) -> ServiceContext[Any]:
    """The context an app was built from."""
    return app.state.qh  # type: ignore[no-any-return]


__all__ = [
    "ServiceContext",
    "ServiceDefinition",
    "create_service_app",
    "readiness",
    "service_context",
]
