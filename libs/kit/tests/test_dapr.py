"""The Dapr adapter's requests to the sidecar, checked at the transport."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from qh.contracts import USER_DELETED, UserDeleted
from qh.kit.cloudevents import make_cloudevent
from qh.kit.problems import ServiceUnavailable
from qh.kit.runtime import DaprRuntime, PublishError, SecretsError
from qh.kit.settings import ServiceSettings, load_settings


class Sidecar:
    """Records every request and answers like daprd would."""

    def __init__(self, answer: httpx.Response | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.answer is not None:
            return self.answer
        if request.url.path.startswith("/v1.0/publish/"):
            return httpx.Response(204)
        if request.url.path.startswith("/v1.0/secrets/"):
            key = request.url.path.rsplit("/", 1)[1]
            return httpx.Response(200, json={key: "s3cret"})
        if request.url.path.startswith("/v1.0/healthz"):
            return httpx.Response(204)
        return httpx.Response(200, json={"ok": True, "path": request.url.path})


def dapr(sidecar: Sidecar, **env: str) -> DaprRuntime:
    settings = load_settings(
        ServiceSettings, "user-data", {"QH_RUNTIME": "dapr", **env}, dotenv=None
    )
    return DaprRuntime(settings, transport=httpx.MockTransport(sidecar))


async def test_publish_posts_a_cloudevent_to_the_pubsub_component() -> None:
    sidecar = Sidecar()
    runtime = dapr(sidecar, QH_DAPR_PUBSUB="events", DAPR_HTTP_PORT="3601")
    user = "0190c6d2-7a1e-7000-8000-000000000001"
    event = make_cloudevent(
        USER_DELETED,
        UserDeleted(user_id=user),
        source="qh/auth",
        traceparent="00-" + "a" * 32 + "-" + "b" * 16 + "-01",
    )
    await runtime.bus.publish(USER_DELETED.name, event)
    (request,) = sidecar.requests
    assert request.method == "POST"
    assert str(request.url) == "http://127.0.0.1:3601/v1.0/publish/events/user.deleted.v1"
    assert request.headers["content-type"] == "application/cloudevents+json"
    assert request.headers["traceparent"] == event.traceparent
    body = json.loads(request.content)
    assert body["specversion"] == "1.0"
    assert body["id"] == event.id
    assert body["type"] == "user.deleted.v1"
    assert body["source"] == "qh/auth"
    assert body["datacontenttype"] == "application/json"
    assert body["data"] == {"user_id": user}
    await runtime.aclose()


async def test_publish_failure_raises() -> None:
    runtime = dapr(Sidecar(httpx.Response(500, json={"errorCode": "ERR_PUBSUB_PUBLISH_MESSAGE"})))
    event = make_cloudevent(
        USER_DELETED, UserDeleted(user_id="0190c6d2-7a1e-7000-8000-000000000001"), source="x"
    )
    with pytest.raises(PublishError, match="500"):
        await runtime.bus.publish(USER_DELETED.name, event)


async def test_invoke_goes_through_the_sidecar_with_the_api_token() -> None:
    sidecar = Sidecar()
    runtime = dapr(sidecar, QH_DAPR_API_TOKEN="tok")
    response = await runtime.invoker.invoke(
        "user-data",
        "GET",
        "/api/v1/profile/users/42/export",
        params={"format": "qh"},
        headers={"Authorization": "Bearer x"},
    )
    assert response.status_code == 200
    (request,) = sidecar.requests
    assert request.method == "GET"
    assert request.url.path == "/v1.0/invoke/user-data/method/api/v1/profile/users/42/export"
    assert request.url.params["format"] == "qh"
    assert request.headers["dapr-api-token"] == "tok"
    assert request.headers["authorization"] == "Bearer x"


async def test_invoke_posts_json() -> None:
    sidecar = Sidecar()
    runtime = dapr(sidecar)
    await runtime.invoker.invoke("text-analysis", "POST", "api/v1/analysis/match", json={"a": 1})
    (request,) = sidecar.requests
    assert request.url.path == "/v1.0/invoke/text-analysis/method/api/v1/analysis/match"
    assert json.loads(request.content) == {"a": 1}


async def test_unreachable_sidecar_is_a_503_problem() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    settings = load_settings(ServiceSettings, "auth", {}, dotenv=None)
    runtime = DaprRuntime(settings, transport=httpx.MockTransport(refuse))
    with pytest.raises(ServiceUnavailable):
        await runtime.invoker.invoke("user-data", "GET", "/x")
    assert await runtime.ready() is False


async def test_secrets_read_from_the_secret_store() -> None:
    sidecar = Sidecar()
    runtime = dapr(sidecar, QH_DAPR_SECRET_STORE="vault")
    assert await runtime.secrets.get("auth-key-encryption-key") == "s3cret"
    (request,) = sidecar.requests
    assert request.method == "GET"
    assert request.url.path == "/v1.0/secrets/vault/auth-key-encryption-key"


async def test_secret_errors_are_raised_not_swallowed() -> None:
    runtime = dapr(Sidecar(httpx.Response(500, json={"errorCode": "ERR_SECRET_STORE_NOT_FOUND"})))
    with pytest.raises(SecretsError):
        await runtime.secrets.get("x")
    missing = dapr(Sidecar(httpx.Response(204)))
    assert await missing.secrets.get("x") is None


async def test_ready_asks_the_sidecar_health() -> None:
    sidecar = Sidecar()
    assert await dapr(sidecar).ready() is True
    assert sidecar.requests[0].url.path == "/v1.0/healthz/outbound"


async def test_dapr_subscribe_lists_every_subscription(
    client: httpx.AsyncClient, demo: Any
) -> None:
    response = await client.get("/dapr/subscribe")
    assert response.status_code == 200
    listed = response.json()
    assert [entry for entry in listed if entry["topic"].startswith(demo.NOTED.name)] == [
        {
            "pubsubname": "pubsub",
            "topic": demo.NOTED.name,
            "route": f"/events/{demo.NOTED.name}",
            "deadLetterTopic": "demo.noted.v1.demo.deadletter",
        },
        {
            "pubsubname": "pubsub",
            "topic": "demo.noted.v1.demo.deadletter",
            "route": "/events/demo.noted.v1.demo.deadletter",
        },
    ]
    # Every dead-letter topic is this subscriber's own: <topic>.<slug>.deadletter.
    dead_letters = [entry["deadLetterTopic"] for entry in listed if "deadLetterTopic" in entry]
    assert dead_letters
    assert dead_letters == [f"{entry['topic']}.demo.deadletter" for entry in listed[::2]]


async def test_app_api_token_protects_event_routes(demo: Any, settings: Any, runtime: Any) -> None:
    from msgspec.structs import replace

    from qh.kit.testing import running

    app = demo.create_app(replace(settings, app_api_token="dapr-secret"), runtime=runtime)
    async with running(app) as client:
        refused = await client.post(f"/events/{demo.NOTED.name}", json={})
        assert refused.status_code == 401
        allowed = await client.post(
            f"/events/{demo.NOTED.name}", json={}, headers={"dapr-api-token": "dapr-secret"}
        )
        assert allowed.status_code == 422  # past the token check, refused as an invalid event
