"""Metrics, request ids and W3C trace context through requests and events."""

from __future__ import annotations

from typing import Any

import httpx
from litestar import Litestar

from qh.kit.app import service_context
from qh.kit.observability import new_traceparent, trace_id
from qh.kit.runtime import LocalRuntime
from qh.kit.testing import TokenFactory, settings_for_tests

TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


async def test_metrics_count_requests_by_route_template_and_status(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    await client.get("/api/v1/demo/notes", headers=tokens.headers())
    await client.get("/api/v1/demo/no-such-route")
    text = (await client.get("/metrics")).text
    assert (
        'qh_http_requests_total{method="GET",route="/api/v1/demo/notes",service="demo",status="200"}'
        in text
    )
    assert 'route="<unmatched>",service="demo",status="404"' in text
    assert "qh_http_request_duration_seconds_bucket" in text


async def test_services_can_add_domain_counters(client: httpx.AsyncClient) -> None:
    from qh.kit.observability import metrics

    labels = {"kind": "round", "service": "demo"}
    before = metrics().registry.get_sample_value("qh_demo_widgets_total", labels) or 0.0
    metrics().counter("demo_widgets", "Widgets made", ["kind"]).labels("demo", "round").inc(2)
    exposed = (await client.get("/metrics")).text
    assert f'qh_demo_widgets_total{{kind="round",service="demo"}} {before + 2}' in exposed


async def test_incoming_trace_is_continued_and_carried_into_events(
    demo: Any,
    client: httpx.AsyncClient,
    app: Litestar,
    runtime: LocalRuntime,
    tokens: TokenFactory,
    inbound: Any,
) -> None:
    seen: list[str | None] = []
    original = runtime.publish

    async def spy(topic: str, event: Any) -> None:
        seen.append(event.traceparent)
        await original(topic, event)

    runtime.publish = spy  # type: ignore[method-assign]
    response = await client.post(
        "/api/v1/demo/notes",
        json={"text": "traced"},
        headers={**tokens.headers(), "traceparent": TRACE},
    )
    assert response.status_code == 201
    await service_context(app).outbox.relay_once()
    await runtime.drain()
    assert seen
    assert trace_id(seen[0]) == trace_id(TRACE)
    assert seen[0] != TRACE  # a new span of the same trace


def test_invalid_traceparent_starts_a_new_trace() -> None:
    fresh = new_traceparent("garbage")
    assert trace_id(fresh) is not None
    assert new_traceparent(TRACE).split("-")[1] == TRACE.split("-")[1]


async def test_readiness_reports_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": True, "runtime": True}


async def test_openapi_and_docs_are_public_under_the_prefix(client: httpx.AsyncClient) -> None:
    schema = await client.get("/api/v1/demo/openapi.json")
    assert schema.status_code == 200
    document = schema.json()
    assert "/api/v1/demo/notes" in document["paths"]
    assert not any(path.startswith(("/events", "/dapr", "/health")) for path in document["paths"])
    schemes = document["components"]["securitySchemes"]
    assert schemes["OAuth2Password"]["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"
    docs = await client.get("/api/v1/demo/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    # The prefix itself is the service's (most list their items at GET <prefix>/), not
    # the docs': the demo has no route there, so it is the usual 404 problem.
    root = await client.get("/api/v1/demo")
    assert root.status_code == 404
    assert root.headers["content-type"].startswith("application/problem+json")


def test_a_service_may_list_its_items_at_its_prefix(tmp_path: Any, demo: Any) -> None:
    import dataclasses

    from litestar import get

    @get("/", sync_to_thread=False)
    def list_root() -> list[str]:
        return []

    definition = dataclasses.replace(
        demo.DEMO, route_handlers=[*demo.DEMO.route_handlers, list_root]
    )
    settings = settings_for_tests(definition, f"sqlite+aiosqlite:///{tmp_path / 'root.db'}")
    document = definition.create_app(settings).openapi_schema.to_schema()
    assert "get" in document["paths"]["/api/v1/demo"]


def test_request_statistics_expose_cumulative_buckets_count_and_sum() -> None:
    from prometheus_client import CollectorRegistry, generate_latest

    from qh.kit.observability import LATENCY_BUCKETS, RequestStats

    stats = RequestStats(LATENCY_BUCKETS)
    registry = CollectorRegistry()
    registry.register(stats)
    for seconds in (0.004, 0.005, 0.2, 30.0):
        stats.observe("svc", "GET", "/api/v1/x/{id:uuid}", 200, seconds)
    stats.observe("svc", "GET", "/api/v1/x/{id:uuid}", 404, 0.001)
    labels = {"service": "svc", "method": "GET", "route": "/api/v1/x/{id:uuid}"}
    sample = registry.get_sample_value
    assert sample("qh_http_requests_total", {**labels, "status": "200"}) == 4
    assert sample("qh_http_requests_total", {**labels, "status": "404"}) == 1
    assert sample("qh_http_request_duration_seconds_bucket", {**labels, "le": "0.005"}) == 3
    assert sample("qh_http_request_duration_seconds_bucket", {**labels, "le": "0.25"}) == 4
    assert sample("qh_http_request_duration_seconds_bucket", {**labels, "le": "10.0"}) == 4
    assert sample("qh_http_request_duration_seconds_bucket", {**labels, "le": "+Inf"}) == 5
    assert sample("qh_http_request_duration_seconds_count", labels) == 5
    assert abs(sample("qh_http_request_duration_seconds_sum", labels) - 30.21) < 1e-9
    assert b"# TYPE qh_http_requests_total counter" in generate_latest(registry)
