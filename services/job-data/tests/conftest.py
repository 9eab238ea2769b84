"""Fixtures for the job-data tests: the app on a fresh migrated database, a stand-in auth,
a stub of the hh.ru API at the transport, a local job-page server, an event recorder, and
helpers to call the app as one user or another. Nothing reaches the internet."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar, post
from litestar.params import FromPath, JSONBody

from qh.contracts import VACANCY_CREATED, VACANCY_DELETED, VACANCY_UPDATED
from qh.job_data.app import service
from qh.kit.app import ServiceDefinition
from qh.kit.runtime import LocalRuntime, Subscription
from qh.kit.testing import TokenFactory, jwks_app, running, settings_for_tests

FIXTURES = Path(__file__).parent / "fixtures"
PREFIX = "/api/v1/vacancies"
LOOPBACK = ("127.0.0.1/32",)


def fixture_bytes(path: str) -> bytes:
    return (FIXTURES / path).read_bytes()


@pytest.fixture
def service_definition() -> ServiceDefinition:
    return service


# -- the hh.ru API, stubbed at the transport ----------------------------------------------


class HHStub:
    """Answers like the hh.ru API from the recorded fixtures; keeps every request.
    Vacancy ids ``403`` (refusal), ``429`` (captcha) and ``500`` (outage) misbehave."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.vacancies: dict[str, bytes] = {}
        for path in sorted((FIXTURES / "hh").glob("*.json")):
            data = json.loads(path.read_bytes())
            if isinstance(data, dict) and "name" in data and "id" in data:
                self.vacancies[str(data["id"])] = path.read_bytes()
        self.search_body = fixture_bytes("hh/search_python.json")
        self.transport = httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not request.headers.get("HH-User-Agent"):
            return httpx.Response(400, json={"errors": [{"type": "bad_user_agent"}]})
        path = request.url.path
        if path == "/areas":
            return httpx.Response(200, content=fixture_bytes("hh/areas.json"))
        if path == "/vacancies":
            return httpx.Response(200, content=self.search_body)
        vacancy_id = path.removeprefix("/vacancies/")
        if vacancy_id == "403":
            return httpx.Response(403, content=fixture_bytes("hh/forbidden.json"))
        if vacancy_id == "429":
            return httpx.Response(403, content=fixture_bytes("hh/captcha_required.json"))
        if vacancy_id == "500":
            return httpx.Response(502, text="Bad Gateway")
        if vacancy_id in self.vacancies:
            return httpx.Response(
                200,
                content=self.vacancies[vacancy_id],
                headers={"content-type": "application/json"},
            )
        return httpx.Response(404, json={"errors": [{"type": "not_found"}]})

    def paths(self) -> list[str]:
        return [request.url.path for request in self.requests]


# -- job pages on the loopback ------------------------------------------------------------


class PageServer:
    """Serves job pages at ``http://127.0.0.1:<port>/...`` and counts every request."""

    ROUTES: dict[str, tuple[str, bytes]] = {
        "/jobs/workable": (
            "text/html; charset=utf-8",
            fixture_bytes("jsonld/workable_marketing.html"),
        ),
        "/jobs/greenhouse": (
            "text/html; charset=utf-8",
            fixture_bytes("jsonld/greenhouse_backend.html"),
        ),
        "/jobs/careers": ("text/html; charset=utf-8", fixture_bytes("html/careers_page_ru.html")),
        "/empty": ("text/html", b"<html><head></head><body></body></html>"),
        "/file.pdf": ("application/pdf", b"%PDF-1.7 not a vacancy"),
    }
    REDIRECTS: dict[str, str] = {
        "/to-metadata": "http://169.254.169.254/latest/meta-data/",
        "/to-private": "http://10.0.0.1/jobs/1",
    }

    def __init__(self) -> None:
        self.hits: list[str] = []
        pages = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                pages.hits.append(self.path)
                if path in pages.REDIRECTS:
                    self.send_response(302)
                    self.send_header("Location", pages.REDIRECTS[path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if path.rstrip("/") not in pages.ROUTES:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                content_type, body = pages.ROUTES[path.rstrip("/")]
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture(scope="session")
def pages() -> Iterator[PageServer]:
    server = PageServer()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


# -- events -------------------------------------------------------------------------------


class Recorder:
    """A stand-in consumer of the vacancy events: keeps every one it is given."""

    TOPICS = (VACANCY_CREATED, VACANCY_UPDATED, VACANCY_DELETED)

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

        @post("/events/{topic:str}", status_code=200, sync_to_thread=False)
        def receive(topic: FromPath[str], data: JSONBody[dict[str, Any]]) -> dict[str, str]:
            self.events.append(data)
            return {"status": "SUCCESS"}

        self.app = Litestar([receive], openapi_config=None, logging_config=None)

    def subscriptions(self) -> list[Subscription]:
        return [
            Subscription(topic.name, f"/events/{topic.name}", topic.dead_letter_for("recorder"))
            for topic in self.TOPICS
        ]


def make_runtime(tokens: TokenFactory, recorder: Recorder) -> LocalRuntime:
    runtime = LocalRuntime(max_attempts=4, backoff_seconds=0.01, backoff_max_seconds=0.02)
    runtime.attach("auth", jwks_app(tokens))
    runtime.attach("recorder", recorder.app, recorder.subscriptions())
    return runtime


def make_app(
    url: str, runtime: LocalRuntime, hh: HHStub, *, resolver: Any = None, **settings: Any
) -> Litestar:
    return service.create_app(
        settings_for_tests(service, url, **settings),
        runtime=runtime,
        hh_transport=hh.transport,
        fetch_resolver=resolver,
    )


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def runtime(tokens: TokenFactory, recorder: Recorder) -> LocalRuntime:
    return make_runtime(tokens, recorder)


@pytest.fixture
def hh() -> HHStub:
    return HHStub()


# -- one running app per backend, shared by most tests ------------------------------------


class Shared:
    def __init__(
        self,
        app: Litestar,
        runtime: LocalRuntime,
        recorder: Recorder,
        tokens: TokenFactory,
        hh: HHStub,
    ) -> None:
        self.app, self.runtime, self.recorder, self.tokens, self.hh = (
            app,
            runtime,
            recorder,
            tokens,
            hh,
        )
        self.client: httpx.AsyncClient

    async def published(self, user: User) -> list[dict[str, Any]]:
        """Relay the outbox; every vacancy event about ``user`` so far, as CloudEvents."""
        await self.app.state.qh.outbox.relay_once()
        await self.runtime.drain()
        return [e for e in self.recorder.events if e["data"]["user_id"] == str(user.id)]


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    """One event loop for the whole session, so the shared app can outlive a test."""
    return "asyncio"


@pytest.fixture(
    scope="package", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def shared_backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        request.getfixturevalue("qh_postgres_url")
    return str(request.param)


@pytest.fixture(scope="package")
async def shared(
    shared_backend: str, qh_databases: Any, pages: PageServer
) -> AsyncIterator[Shared]:
    tokens, recorder, hh = TokenFactory(), Recorder(), HHStub()
    runtime = make_runtime(tokens, recorder)
    url = qh_databases.create(service, shared_backend)
    # Only these tests reach the loopback (the local page server); every other private
    # address, and the cloud metadata ones, stay refused.
    app = make_app(url, runtime, hh, fetch_allow_private_networks=LOOPBACK)
    state = Shared(app, runtime, recorder, tokens, hh)
    async with running(app, runtime) as client:
        state.client = client
        yield state


@pytest.fixture
def client(shared: Shared) -> httpx.AsyncClient:
    return shared.client


class User:
    """One caller: ``await alice.get("/")`` sends her token to ``/api/v1/vacancies/``."""

    def __init__(self, client: httpx.AsyncClient, tokens: TokenFactory) -> None:
        self.id = uuid.uuid4()
        self.client = client
        self.headers = tokens.headers(self.id, ("user",))

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return await self.client.request(method, PREFIX + path, headers=headers, **kwargs)

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", path, **kwargs)

    async def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PATCH", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", path, **kwargs)


@pytest.fixture
def alice(shared: Shared) -> User:
    return User(shared.client, shared.tokens)


@pytest.fixture
def bob(shared: Shared) -> User:
    return User(shared.client, shared.tokens)


def fields_of(response: httpx.Response) -> dict[str, str]:
    """The 422 problem's field errors as {field: message}."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return {e["field"]: e["message"] for e in response.json()["errors"]}


@pytest.fixture
def jd() -> Any:
    """This module's helpers (tests cannot import conftest under importlib mode)."""
    import sys

    return sys.modules[__name__]
