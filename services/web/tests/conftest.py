"""The web client with the platform's real services in one process (as ``qh dev`` runs
them), and a browser-like client that keeps cookies and reads each form's CSRF token."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from qh.kit.app import ServiceDefinition
from qh.kit.host import Platform, discover_services
from qh.web.app import service

BASE = "https://testserver"  # the cookies are Secure
PASSWORD = "Violet-Harbour-Lantern-42"
SERVICES = ("auth", "user-data", "job-data", "text-analysis", "doc-storage", "web")
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def service_definition() -> ServiceDefinition:
    return service


class Browser:
    """An httpx client that behaves like a browser with one tab."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.token = ""

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        response = await self.client.get(path, **kwargs)
        found = _TOKEN.search(response.text)
        if found:
            self.token = found.group(1)
        return response

    async def post(
        self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kwargs: Any
    ) -> httpx.Response:
        form = dict(data or {})
        if csrf:
            if not self.token:
                await self.get("/signin")
            form.setdefault("csrf_token", self.token)
        response = await self.client.post(path, data=form, **kwargs)
        found = _TOKEN.search(response.text)
        if found:
            self.token = found.group(1)
        return response

    async def follow(self, response: httpx.Response) -> httpx.Response:
        assert response.status_code == 303, response.text
        return await self.get(response.headers["location"])

    async def sign_up(self, email: str, name: str = "Анна Иванова") -> httpx.Response:
        await self.get("/signup")
        response = await self.post(
            "/signup", {"email": email, "password": PASSWORD, "full_name": name}
        )
        assert response.status_code == 303, response.text
        return response


@pytest.fixture(scope="module")
async def platform(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    """The platform, one for the module (a module may define its own): each test signs up
    users with e-mails of its own, so what one test leaves does not touch the next."""
    found = discover_services()
    host = Platform(
        [found[slug] for slug in SERVICES],
        environ={},
        data_dir=str(tmp_path_factory.mktemp("qh")),
        public_base_url=BASE,
        event_backoff_seconds=0.01,
        outbox_poll_seconds=0.1,
        log_format="console",
        log_level="WARNING",
    )
    async with host:
        yield host
        await host.runtime.drain()


def new_browser(host: Platform, lang: str = "en") -> Browser:
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=host),
        base_url=BASE,
        headers={"Accept-Language": lang},
        timeout=30,
    )
    return Browser(client)


@pytest.fixture
async def browser(platform: Platform) -> AsyncIterator[Browser]:
    b = new_browser(platform)
    async with b.client:
        yield b


@pytest.fixture
async def other(platform: Platform) -> AsyncIterator[Browser]:
    b = new_browser(platform, "ru")
    async with b.client:
        yield b


@pytest.fixture
def password() -> str:
    return PASSWORD
