"""The embedded host: every installed service in one process, each its own Litestar app
mounted at its prefix (routes already carry it, so nothing is rewritten), sharing one
:class:`LocalRuntime`. The host itself answers ``/services`` (an index of the services and
their docs), ``/health/*`` and ``/metrics``; everything else goes to the service with the
longest matching prefix, so a service mounted at ``/`` (the web client) takes every path
no other service and no host route claims. Without one, ``/`` redirects to ``/services``."""

from __future__ import annotations

import asyncio
import contextlib
import html
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

import structlog
from litestar import Litestar, MediaType, Response, get
from litestar.response import Redirect
from litestar.types import Receive, Scope, Send
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from qh.kit.app import ServiceDefinition, readiness, service_context
from qh.kit.http import SecurityHeadersMiddleware
from qh.kit.observability import configure_logging, metrics
from qh.kit.problems import exception_handlers
from qh.kit.runtime import LocalRuntime

log = structlog.get_logger("qh.host")

ENTRY_POINT_GROUP = "qh.services"
INDEX_PATH = "/services"
HOST_PATHS = (INDEX_PATH, "/health/live", "/health/ready", "/metrics")


class UnknownService(LookupError):
    pass


def discover_services() -> dict[str, ServiceDefinition]:
    """Every installed service, by slug, from the ``qh.services`` entry points."""
    found: dict[str, ServiceDefinition] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        definition = entry.load()
        if not isinstance(definition, ServiceDefinition):
            raise TypeError(f"entry point {entry.name} is not a ServiceDefinition")
        found[definition.slug] = definition
    return dict(sorted(found.items()))


def service(slug: str) -> ServiceDefinition:
    """The installed service ``slug``. Only its own entry point is loaded when it is named
    after the slug (as every service's is), so ``qh serve <slug>`` imports no other
    service."""
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        if entry.name == slug:
            definition = entry.load()
            if isinstance(definition, ServiceDefinition) and definition.slug == slug:
                return definition
            break
    services = discover_services()
    if slug not in services:
        known = ", ".join(services) or "none installed"
        raise UnknownService(f"unknown service {slug!r} (installed: {known})")
    return services[slug]


@dataclass
class Mounted:
    definition: ServiceDefinition
    app: Litestar


class Platform:
    """The ASGI app of ``qh dev``: a prefix dispatcher with its own lifespan."""

    def __init__(
        self,
        definitions: Sequence[ServiceDefinition],
        *,
        environ: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> None:
        loaded = [
            (definition, definition.load_settings(environ, migrate_on_start=True, **overrides))
            for definition in definitions
        ]
        self.runtime = LocalRuntime.from_settings(loaded[0][1]) if loaded else LocalRuntime()
        self.runtime.hold()  # no delivery before every subscriber is attached
        self.mounted = [
            Mounted(definition, definition.create_app(settings, runtime=self.runtime))
            for definition, settings in loaded
        ]
        # Longest prefix first, so /api/v1/a/b wins over /api/v1/a and / comes last.
        self.mounted.sort(key=lambda m: len(m.definition.prefix), reverse=True)
        self._routes = [(_prefix_match(m.definition.prefix), m.app) for m in self.mounted]
        self.index = SecurityHeadersMiddleware(self._index_app())
        self._stack: contextlib.AsyncExitStack | None = None

    def service(self, slug: str) -> Mounted:
        for mounted in self.mounted:
            if mounted.definition.slug == slug:
                return mounted
        raise UnknownService(slug)

    def _index_app(self) -> Litestar:
        services = sorted(self.mounted, key=lambda m: m.definition.slug)

        @get("/", include_in_schema=False, sync_to_thread=False)
        def root() -> Redirect:
            return Redirect(INDEX_PATH, status_code=307)

        @get(INDEX_PATH, media_type=MediaType.HTML, include_in_schema=False, sync_to_thread=False)
        def index() -> str:
            rows = "\n".join(
                f"<tr><td><code>{html.escape(m.definition.slug)}</code></td>"
                f"<td>{html.escape(m.definition.title)}</td>"
                f"<td><a href='{m.definition.prefix}/docs'>{m.definition.prefix}/docs</a></td>"
                f"<td><a href='{m.definition.prefix}/openapi.json'>openapi.json</a></td></tr>"
                for m in services
            )
            return INDEX_PAGE.format(rows=rows, count=len(services))

        @get("/health/live", sync_to_thread=False)
        def live() -> dict[str, str]:
            return {"status": "ok"}

        @get("/health/ready")
        async def ready() -> Response[Any]:
            results = await asyncio.gather(*(readiness(service_context(m.app)) for m in services))
            checks = {m.definition.slug: r for m, r in zip(services, results, strict=True)}
            healthy = self._stack is not None and all(all(c.values()) for c in checks.values())
            body = {"status": "ok" if healthy else "unavailable", "services": checks}
            return Response(body, status_code=200 if healthy else 503)

        @get("/metrics", sync_to_thread=False)
        def metrics_endpoint() -> Response[bytes]:
            return Response(generate_latest(metrics().registry), media_type=CONTENT_TYPE_LATEST)

        return Litestar(
            route_handlers=[root, index, live, ready, metrics_endpoint],
            exception_handlers=exception_handlers,
            openapi_config=None,
            logging_config=None,
        )

    async def startup(self) -> None:
        stack = contextlib.AsyncExitStack()
        await stack.__aenter__()
        try:
            for mounted in sorted(self.mounted, key=lambda m: m.definition.slug):
                await stack.enter_async_context(mounted.app.lifespan())
                log.info(
                    "service_started",
                    service=mounted.definition.slug,
                    prefix=mounted.definition.prefix,
                )
        except BaseException:
            await stack.aclose()
            raise
        stack.push_async_callback(self.runtime.aclose)
        self.runtime.release()
        self._stack = stack

    async def shutdown(self) -> None:
        if self._stack is not None:
            stack, self._stack = self._stack, None
            await stack.aclose()

    async def __aenter__(self) -> Platform:
        await self.startup()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.shutdown()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        path: str = scope.get("path", "")
        if path not in HOST_PATHS:
            for matches, app in self._routes:
                if matches(path):
                    await app(scope, receive, send)
                    return
        await self.index(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:
                    log.exception("startup_failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return


def _prefix_match(prefix: str) -> Any:
    """Whether a path is the prefix itself or under it (``/`` takes every path)."""
    base = prefix.rstrip("/")
    under = base + "/"
    return lambda path: path == base or path.startswith(under)


def create_dev_app() -> Platform:
    """Factory for ``uvicorn --factory`` (used by ``qh dev --reload``); reads the environment."""
    configure_logging(
        os.environ.get("QH_LOG_LEVEL", "INFO"), os.environ.get("QH_LOG_FORMAT", "console")
    )
    return Platform(list(discover_services().values()))


INDEX_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>QH platform</title>
<style>body{{font:15px/1.5 system-ui,sans-serif;max-width:56rem;margin:3rem auto;padding:0 1rem;color:#1d2430}}
table{{border-collapse:collapse;width:100%}}td,th{{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #e3e6ea}}
code{{background:#f2f4f7;padding:.1rem .3rem;border-radius:4px}}</style></head>
<body><h1>QH platform</h1>
<p>{count} services running in one process. Each links to its interactive API docs.
The web client: <a href="/">/</a> (when installed) · Health: <a href="/health/ready">/health/ready</a> · Metrics: <a href="/metrics">/metrics</a></p>
<table><thead><tr><th>service</th><th>what it does</th><th>docs</th><th>schema</th></tr></thead>
<tbody>
{rows}
</tbody></table></body></html>
"""
