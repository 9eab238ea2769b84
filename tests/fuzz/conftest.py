"""The platform the fuzzer runs against: every API service of ``qh dev`` in one process,
served by uvicorn on a free port of localhost from an event loop of its own (a blocking
portal), so the test can reach into the services (granting an admin, stubbing the
outside world) on the loop that owns their connections.

Nothing leaves the machine: hh.ru is answered by a stub transport with the recorded
fixtures of job-data's tests, page imports resolve every host name to a documentation
address the SSRF guard refuses, the LLM port is offline (no keys, no provider), social
sign-in has no client ids, and notification sends e-mail to the dev mailbox (files) with
SMS and push off."""

from __future__ import annotations

import dataclasses
import json
import re
import socket
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import uvicorn
from anyio.from_thread import BlockingPortal, start_blocking_portal

from qh.kit.app import service_context
from qh.kit.host import Platform, discover_services

# Every service with a JSON API; the web client serves HTML pages only.
SERVICES = (
    "auth",
    "user-data",
    "job-data",
    "text-analysis",
    "doc-storage",
    "resume-generation",
    "cover-letters",
    "notification",
)
PASSWORD = "Fuzz-Sibirskaya-Korona-2026"
HH_FIXTURES = Path(__file__).parents[2] / "services" / "job-data" / "tests" / "fixtures" / "hh"

ENVIRON = {
    # Hashing at the OWASP cost makes every sign-in the fuzzer tries take a while.
    "QH_AUTH_PASSWORD_HASH_MEMORY_KIB": "1024",
    "QH_AUTH_PASSWORD_HASH_TIME_COST": "1",
    # The fuzzer registers and signs in far more often than a person.
    "QH_AUTH_REGISTER_IP_MAX_ATTEMPTS": "100000",
    "QH_AUTH_LOGIN_IP_MAX_FAILURES": "100000",
    "QH_AUTH_EMAILS_PER_HOUR": "100000",
    "QH_NOTIFICATION_RATE_LIMIT_PER_HOUR": "100000",
    # Never the real API (the stub transport below answers anyway).
    "QH_JOB_DATA_HH_BASE_URL": "https://hh.invalid",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _hh_stub() -> httpx.MockTransport:
    """hh.ru's API from job-data's recorded answers; unknown vacancies are 404."""
    vacancies: dict[str, bytes] = {}
    for path in sorted(HH_FIXTURES.glob("*.json")):
        data = json.loads(path.read_bytes())
        if isinstance(data, dict) and "name" in data and "id" in data:
            vacancies[str(data["id"])] = path.read_bytes()
    areas = (HH_FIXTURES / "areas.json").read_bytes()
    search = (HH_FIXTURES / "search_python.json").read_bytes()
    headers = {"content-type": "application/json"}

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/areas":
            return httpx.Response(200, content=areas, headers=headers)
        if path == "/vacancies":
            return httpx.Response(200, content=search, headers=headers)
        found = vacancies.get(path.removeprefix("/vacancies/"))
        if found is not None:
            return httpx.Response(200, content=found, headers=headers)
        return httpx.Response(404, json={"errors": [{"type": "not_found"}]})

    return httpx.MockTransport(handle)


async def _offline_resolver(host: str, port: int) -> Sequence[str]:
    """Every host is TEST-NET-1, which the fetcher refuses as not public."""
    return ["192.0.2.1"]


def _admin_operations(platform: Platform) -> set[str]:
    """``"METHOD /path"`` of every operation behind ``requires_role("admin", ...)``, read
    from the handlers' guards (the documents do not say which routes need a role)."""
    found: set[str] = set()
    for mounted in platform.mounted:
        for route in mounted.app.routes:
            path = re.sub(r"\{(\w+):[^}]+\}", r"{\1}", route.path)
            for handler in getattr(route, "route_handlers", ()):
                for resolved in handler.resolve_guards():
                    guard = getattr(resolved, "func", resolved)
                    cells = getattr(guard, "__closure__", None) or ()
                    roles = [cell.cell_contents for cell in cells]
                    if "requires_role" in guard.__qualname__ and any(
                        isinstance(r, tuple) and "admin" in r for r in roles
                    ):
                        found.update(f"{method} {path}" for method in handler.http_methods)
    return found


def _session() -> requests.Session:
    """Keep-alive without a cookie jar: each request carries only what the case says."""
    session = requests.Session()
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    return session


# Access tokens live ten minutes; a deep run signs in again well before that.
TOKEN_REFRESH_SECONDS = 300.0


@dataclass
class Account:
    email: str
    user_id: str
    token: str
    issued: float = field(default_factory=time.monotonic)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Site:
    """The running platform: its base URL, an ordinary user and an admin."""

    base: str
    platform: Platform
    portal: BlockingPortal
    admin: Account
    _user: Account | None = None
    _serial: int = 0
    suspect: bool = False
    """Set after a request that may have ended a session, so the next use checks."""
    admin_operations: set[str] = field(default_factory=set)
    session: requests.Session = field(default_factory=lambda: _session())
    """One keep-alive connection pool for every request the fuzzer sends."""

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, self.base + path, timeout=30, **kwargs)

    def register(self) -> Account:
        """A new verified-or-not ordinary account, signed in."""
        self._serial += 1
        email = f"fuzz.user{self._serial}.{int(time.time() * 1000)}@example.ru"
        response = self.request(
            "POST",
            "/api/v1/auth/register",
            json={"email": email, "password": PASSWORD, "full_name": "Анна Иванова"},
        )
        assert response.status_code == 201, response.text
        return Account(email, response.json()["id"], self.sign_in(email))

    def sign_in(self, email: str) -> str:
        response = self.request(
            "POST",
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": email, "password": PASSWORD},
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    @property
    def user(self) -> Account:
        """The ordinary user, replaced by a new one once its token stops working (the
        fuzzer may delete the account, sign it out or change its password)."""
        self.recheck()
        if self._user is None:
            self._user = self.register()
        return self._user

    def recheck(self) -> None:
        """After a request that may have ended a session, replace whoever it ended; sign
        in again before a token expires."""
        now = time.monotonic()
        for account in (self._user, self.admin):
            if account is not None and now - account.issued > TOKEN_REFRESH_SECONDS:
                account.issued = now
                self.suspect = True
                try:
                    account.token = self.sign_in(account.email)
                except AssertionError:  # deleted, or its password changed
                    account.token = ""
        if not self.suspect:
            return
        self.suspect = False
        if self._user is not None and not self.works(self._user):
            self._user = None
        if not self.works(self.admin):
            self.admin = self.portal.call(_grant_admin, self.platform)
            self.admin.token = self.sign_in(self.admin.email)

    def works(self, account: Account) -> bool:
        return self.request("GET", "/api/v1/auth/me", headers=account.headers).status_code == 200

    def admin_account(self) -> Account:
        """The admin, replaced like the user when its token stops working."""
        self.recheck()
        return self.admin


async def _grant_admin(platform: Platform) -> Account:
    from qh.auth.domain.accounts.admin import AdminService

    context = service_context(platform.service("auth").app)
    email = f"fuzz.admin.{time.time_ns()}@example.ru"
    async with context.transaction() as session:
        admin: AdminService = await context.provide("admin", session)
        user, _ = await admin.grant_admin(email, PASSWORD)
    return Account(email, str(user.id), "")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    found = discover_services()
    missing = set(SERVICES) - set(found)
    if missing:
        pytest.fail(f"services not installed in the workspace: {sorted(missing)}")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    platform = Platform(
        [found[slug] for slug in SERVICES],
        environ=ENVIRON,
        data_dir=str(tmp_path_factory.mktemp("qh-fuzz")),
        public_base_url=base,
        event_backoff_seconds=0.01,
        outbox_poll_seconds=0.1,
        log_format="console",
        log_level="ERROR",
    )
    job_data = service_context(platform.service("job-data").app)
    job_data.hh_transport = _hh_stub()  # type: ignore[attr-defined]
    job_data.fetch_settings = dataclasses.replace(  # type: ignore[attr-defined]
        job_data.fetch_settings,  # type: ignore[attr-defined]
        resolver=_offline_resolver,
    )
    server = uvicorn.Server(
        uvicorn.Config(platform, host="127.0.0.1", port=port, log_level="critical", lifespan="on")
    )
    with ExitStack() as stack:
        portal = stack.enter_context(start_blocking_portal())
        served = portal.start_task_soon(server.serve)
        deadline = time.monotonic() + 60
        while not server.started:
            assert not served.done(), "the platform did not start"
            assert time.monotonic() < deadline, "the platform took over 60 s to start"
            time.sleep(0.05)
        try:
            admin = portal.call(_grant_admin, platform)
            site = Site(
                base=base,
                platform=platform,
                portal=portal,
                admin=admin,
                admin_operations=_admin_operations(platform),
            )
            assert "GET /api/v1/notifications/templates" in site.admin_operations
            site.admin.token = site.sign_in(admin.email)
            yield site
        finally:
            server.should_exit = True
            served.result(timeout=30)
