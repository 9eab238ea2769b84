"""Logs, request ids, W3C trace context and Prometheus metrics.

One ASGI middleware per service binds the request id and ``traceparent`` to structlog's
context (so every log line and every outgoing call or event carries them) and records
request count and latency by route template and status.
"""

from __future__ import annotations

import logging
import random
import re
import secrets
import sys
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from functools import cache
from time import perf_counter
from typing import Any, Protocol

import structlog
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

from qh.kit.auth import AUTHORIZATION
from qh.kit.http import add_security_headers, may_be_cached

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,128}$")

# The current request's (request id, traceparent, service): one context variable, set and
# reset once per request.
_current: ContextVar[tuple[str, str, str] | None] = ContextVar("qh_request", default=None)


class _CurrentField:
    """One field of the current request's context, read like a context variable."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index

    def get(self) -> str | None:
        current = _current.get()
        return None if current is None else current[self.index]


current_request_id = _CurrentField(0)
current_traceparent = _CurrentField(1)
current_service = _CurrentField(2)

# Ids only need to be unique, not secret: a fast generator keeps them off the hot path.
_ids = random.Random(secrets.randbits(64))  # noqa: S311 - ids, not secrets


_draw = _ids.getrandbits


def _hex_id(bits: int) -> str:
    return _draw(bits).to_bytes(bits // 8, "little").hex()


def add_request_context(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: the request id, trace id and service of the current request."""
    current = _current.get()
    if current is not None:
        request_id, traceparent, service = current
        event.setdefault("request_id", request_id)
        event.setdefault("trace_id", traceparent[3:35])
        event.setdefault("service", service)
    return event


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    """Configure structlog and stdlib logging once for the process."""
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        add_request_context,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


# --- trace context -----------------------------------------------------------------------


def new_traceparent(parent: str | None = None) -> str:
    """A ``traceparent`` for a new span: same trace as ``parent`` if it is valid."""
    match = _TRACEPARENT.match(parent or "")
    trace_id = match.group(1) if match and match.group(1) != "0" * 32 else _hex_id(128)
    flags = match.group(3) if match else "01"
    return f"00-{trace_id}-{_hex_id(64)}-{flags}"


def trace_id(traceparent: str | None) -> str | None:
    match = _TRACEPARENT.match(traceparent or "")
    return match.group(1) if match else None


def outgoing_headers() -> dict[str, str]:
    """Headers that carry the current request id and trace to another service."""
    headers: dict[str, str] = {}
    if parent := current_traceparent.get():
        headers["traceparent"] = new_traceparent(parent)
    if request_id := current_request_id.get():
        headers["x-request-id"] = request_id
    return headers


# --- metrics -----------------------------------------------------------------------------


LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class RequestStats(Collector):
    """Request counts and latency histograms, kept in plain dicts and turned into
    Prometheus families when scraped: a request only adds to numbers (no locks, no label
    lookups), which matters on the path every request takes. Exposed as
    ``qh_http_requests_total{service,method,route,status}`` and
    ``qh_http_request_duration_seconds{service,method,route}``."""

    def __init__(self, buckets: Sequence[float]) -> None:
        self.buckets = tuple(buckets)
        self._bounds = [floatToGoString(b) for b in self.buckets] + ["+Inf"]
        # Per (service, method, route): the count per status, then per latency bucket a
        # count (not cumulative), then the sum of the latencies.
        self.series: dict[tuple[str, str, str], tuple[dict[int, int], list[float]]] = {}

    def observe(self, service: str, method: str, route: str, status: int, seconds: float) -> None:
        series = self.series.get((service, method, route))
        if series is None:
            series = self.series[(service, method, route)] = (
                {},
                [0.0] * (len(self.buckets) + 2),
            )
        statuses, latency = series
        statuses[status] = statuses.get(status, 0) + 1
        latency[bisect_left(self.buckets, seconds)] += 1
        latency[-1] += seconds

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "qh_http_requests",
            "HTTP requests handled",
            labels=["service", "method", "route", "status"],
        )
        latency = HistogramMetricFamily(
            "qh_http_request_duration_seconds",
            "HTTP request latency",
            labels=["service", "method", "route"],
        )
        for route_labels, (statuses, series) in list(self.series.items()):
            for status, total in list(statuses.items()):
                requests.add_metric([*route_labels, str(status)], total)
            cumulative, buckets = 0.0, []
            for bound, in_bucket in zip(self._bounds, series[:-1], strict=True):
                cumulative += in_bucket
                buckets.append((bound, cumulative))
            latency.add_metric(list(route_labels), buckets, series[-1])
        yield requests
        yield latency


class Metrics:
    """Every metric of the process lives in one registry, labelled by service."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.http = RequestStats(LATENCY_BUCKETS)
        self.registry.register(self.http)
        self.events_published = Counter(
            "qh_events_published_total",
            "Events handed to the pub/sub",
            ["service", "topic"],
            registry=self.registry,
        )
        self.events_consumed = Counter(
            "qh_events_consumed_total",
            "Events delivered to a subscriber, by outcome",
            ["service", "topic", "status"],
            registry=self.registry,
        )
        self.events_dead_lettered = Counter(
            "qh_events_dead_lettered_total",
            "Events moved to a dead-letter topic",
            ["service", "topic"],
            registry=self.registry,
        )
        self._custom: dict[str, Counter] = {}

    def counter(self, name: str, documentation: str, labels: Sequence[str] = ()) -> Counter:
        """A domain counter exposed as ``qh_<name>_total``, created once, labelled by service."""
        if name not in self._custom:
            self._custom[name] = Counter(
                f"qh_{name}", documentation, ["service", *labels], registry=self.registry
            )
        return self._custom[name]


@cache
def metrics() -> Metrics:
    return Metrics()


# --- the middleware ----------------------------------------------------------------------


class ResponseHook(Protocol):
    """Something to run on a request's response messages before they leave, for the
    requests it :meth:`applies to <applies>` (the kit's commit of the request's session)."""

    def applies(self, scope: Scope) -> bool: ...

    async def __call__(self, message: Message, scope: Scope) -> None: ...


class ObservabilityMiddleware:
    """Request id, trace context, access log, request metrics and the security headers for
    one service, in the one send wrapper every response passes.

    It wraps the whole application (not only matched routes), so unknown routes and
    wrong methods are counted and answered with a request id too. ``hook`` (the commit of
    the request's session) runs on a response before the headers are added and the status
    is counted, so a response it turns into a 503 carries them and is counted as a 503.
    """

    def __init__(self, app: ASGIApp, service: str, hook: ResponseHook | None = None) -> None:
        self.app = app
        self.service = service
        self.hook = hook
        self.log = structlog.get_logger("qh.access")
        self.metrics = metrics()
        self.observe = self.metrics.http.observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            hook = self.hook
            if hook is not None:
                send = _hooked(hook, scope, send)
            await self.app(scope, receive, send)
            return
        incoming_id = traceparent_in = ""
        authorized = False
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming_id = value.decode("latin-1")
            elif name == b"traceparent":
                traceparent_in = value.decode("latin-1")
            elif name == b"authorization" and not authorized:
                authorized = True
                scope[AUTHORIZATION] = value  # type: ignore[literal-required]
        if traceparent_in:
            traceparent = new_traceparent(traceparent_in)
        else:  # one draw: trace id and span id
            ids = _draw(192).to_bytes(24, "little").hex()
            traceparent = f"00-{ids[:32]}-{ids[32:]}-01"
        # Without an id from the caller, the request is named by its span id.
        request_id = (
            incoming_id if incoming_id and _REQUEST_ID.match(incoming_id) else traceparent[36:52]
        )
        state = scope.setdefault("state", {})  # type: ignore[typeddict-item]
        state["request_id"] = request_id
        state["traceparent"] = traceparent
        context_token = _current.set((request_id, traceparent, self.service))
        status = 500
        id_header = (b"x-request-id", request_id.encode())
        hook = self.hook
        hooked = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, hooked
            if message["type"] == "http.response.start":
                if hook is not None and hook.applies(scope):
                    hooked = True
                    await hook(message, scope)
                status = message["status"]
                headers = add_security_headers(
                    message, cacheable=not authorized and may_be_cached(scope, False)
                )
                headers.append(id_header)
            elif hooked:
                await hook(message, scope)  # type: ignore[misc]
            await send(message)

        start = perf_counter()
        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = perf_counter() - start
            method: str = scope.get("method", "")  # type: ignore[assignment]
            route = scope.get("path_template") or "<unmatched>"
            self.observe(self.service, method, route, status, elapsed)
            if status >= 500:
                self.log.warning(
                    "request", method=method, path=scope["path"], status=status, ms=elapsed * 1e3
                )
            _current.reset(context_token)


def _hooked(hook: ResponseHook, scope: Scope, send: Send) -> Send:
    async def send_wrapper(message: Message) -> None:
        if hook.applies(scope):
            await hook(message, scope)
        await send(message)

    return send_wrapper
