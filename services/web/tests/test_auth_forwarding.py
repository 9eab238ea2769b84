"""What auth sees of a person who signs in or up through the web client: their own address
(not the web server's) in its per-address limits and its records, and their language in
their e-mails. Auth and the web client run in one process as ``qh dev`` runs them, on
SQLite and on PostgreSQL; each browser comes from an address of its own."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from qh.contracts import AUTH_EMAIL_VERIFICATION_REQUESTED, AUTH_SIGNED_IN, USER_REGISTERED
from qh.kit.app import service_context
from qh.kit.host import Platform, discover_services
from qh.kit.runtime import Subscription
from qh.kit.testing import DatabaseFactory, asgi_body

BASE = "https://testserver"  # as conftest: the cookies are Secure
PASSWORD = "Violet-Harbour-Lantern-42"
TOKEN = "/api/v1/auth/token"
SECRET = "platform-secret-for-tests"
LIMIT = 5  # failed sign-ins per address before it is locked (QH_AUTH_LOGIN_IP_MAX_FAILURES)
ADDRESS_A, ADDRESS_B, ADDRESS_C = "203.0.113.10", "198.51.100.20", "192.0.2.30"
TOPICS = (USER_REGISTERED, AUTH_EMAIL_VERIFICATION_REQUESTED, AUTH_SIGNED_IN)


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """One browser tab: keeps its cookies and the CSRF token of the last form it saw."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.token = ""

    def _read(self, response: httpx.Response) -> httpx.Response:
        if found := _CSRF.search(response.text):
            self.token = found.group(1)
        return response

    async def get(self, path: str) -> httpx.Response:
        return self._read(await self.client.get(path))

    async def post(self, path: str, data: dict[str, str]) -> httpx.Response:
        if not self.token:
            await self.get("/signin")
        return self._read(await self.client.post(path, data={"csrf_token": self.token, **data}))

    async def sign_up(self, email: str, name: str = "Анна Иванова") -> None:
        await self.get("/signup")
        response = await self.post(
            "/signup", {"email": email, "password": PASSWORD, "full_name": name}
        )
        assert response.status_code == 303, response.text


class Events:
    """Every event auth published on ``TOPICS``, as a subscriber of the runtime gets it."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = await asgi_body(receive)
        self.received.append(json.loads(body))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b'{"status": "SUCCESS"}'})

    async def wait_for(self, topic: str, match: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The payload of the first ``topic`` event ``match`` accepts (5 s at most)."""
        async with asyncio.timeout(5):
            while True:
                for event in self.received:
                    if event["type"] == topic and match(event["data"]):
                        return dict(event["data"])
                await asyncio.sleep(0.02)


async def start_platform(
    tmp_path: Path, databases: dict[str, str], **settings: Any
) -> AsyncIterator[tuple[Platform, Events]]:
    """The services ``databases`` names, with an extra subscriber that records events."""
    found = discover_services()
    environ = {
        f"QH_{slug.upper().replace('-', '_')}_DATABASE_URL": url for slug, url in databases.items()
    }
    host = Platform(
        [found[slug] for slug in databases],
        environ=environ,
        data_dir=str(tmp_path),
        public_base_url=BASE,
        event_backoff_seconds=0.01,
        outbox_poll_seconds=0.1,
        log_format="console",
        log_level="WARNING",
        password_hash_memory_kib=1024,
        password_hash_time_cost=1,
        login_ip_max_failures=LIMIT,
        **settings,
    )
    events = Events()
    async with host:
        host.runtime.attach(
            "events",
            events,
            [Subscription(t.name, f"/events/{t.name}", "") for t in TOPICS],
        )
        yield host, events
        await host.runtime.drain()


@pytest.fixture
async def platform(
    db_backend: str, qh_databases: DatabaseFactory, tmp_path: Path
) -> AsyncIterator[tuple[Platform, Events]]:
    """Auth and the web client, which holds the platform client's secret (as auth does)."""
    found = discover_services()
    databases = {slug: qh_databases.create(found[slug], db_backend) for slug in ("auth", "web")}
    async for running in start_platform(tmp_path, databases, platform_client_secret=SECRET):
        yield running


def client_from(host: Platform, address: str, lang: str = "en") -> httpx.AsyncClient:
    """An HTTP client whose requests reach the platform from ``address``."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=host, client=(address, 50000)),
        base_url=BASE,
        headers={"Accept-Language": lang},
        timeout=30,
    )


async def sign_in(browser: Browser, email: str, password: str = PASSWORD) -> httpx.Response:
    await browser.get("/signin")
    return await browser.post("/signin", {"email": email, "password": password})


async def test_failed_web_sign_ins_lock_their_own_address_not_every_web_user(
    platform: tuple[Platform, Events],
) -> None:
    host, events = platform
    async with client_from(host, ADDRESS_A) as a, client_from(host, ADDRESS_B) as b:
        mallory, bob = Browser(a), Browser(b)
        await bob.sign_up("bob@example.com", "Bob Example")
        await bob.post("/signout", {})
        # Failed sign-ins from A, each for another account, so only the address's budget
        # is spent, never an account's.
        for i in range(LIMIT):
            failed = await sign_in(mallory, f"nobody{i}@example.com", "Wrong-Password-123")
            assert failed.status_code == 401, failed.text
        locked = await sign_in(mallory, "bob@example.com")
        assert locked.status_code == 429, locked.text

        # Bob, through the same web server from B, is not locked out.
        signed_in = await sign_in(bob, "bob@example.com")
        assert signed_in.status_code == 303, signed_in.text
        assert signed_in.headers["location"] == "/profile"

    # The sign-in alert names Bob's address, not the web server's.
    alert = await events.wait_for(AUTH_SIGNED_IN.name, lambda d: d["email"] == "bob@example.com")
    assert alert["ip"] == ADDRESS_B


async def test_registrations_through_the_web_count_per_browser_address(
    db_backend: str, qh_databases: DatabaseFactory, tmp_path: Path
) -> None:
    found = discover_services()
    databases = {slug: qh_databases.create(found[slug], db_backend) for slug in ("auth", "web")}
    async for host, _ in start_platform(
        tmp_path,
        databases,
        platform_client_secret=SECRET,
        register_ip_max_attempts=2,
    ):
        async with client_from(host, ADDRESS_A) as a, client_from(host, ADDRESS_B) as b:
            first, second = Browser(a), Browser(b)
            for i in range(2):
                await first.sign_up(f"first{i}@example.com")
                await first.post("/signout", {})
            await first.get("/signup")
            refused = await first.post(
                "/signup", {"email": "first9@example.com", "password": PASSWORD}
            )
            assert refused.status_code == 429, refused.text
            # Another browser through the same web server still signs up.
            await second.sign_up("second@example.com")


async def test_a_forged_forwarded_address_sent_to_auth_directly_is_not_believed(
    platform: tuple[Platform, Events],
) -> None:
    host, _ = platform
    async with client_from(host, ADDRESS_C) as direct, client_from(host, ADDRESS_A) as a:
        # Each attempt claims another address; all of them are counted as C's.
        for i in range(LIMIT):
            response = await direct.post(
                TOKEN,
                data={
                    "grant_type": "password",
                    "username": f"nobody{i}@example.com",
                    "password": "Wrong-Password-123",
                },
                headers={"X-Forwarded-For": f"203.0.113.{100 + i}"},
            )
            assert response.status_code == 401, response.text
        # A user's own token does not make the claim believable either.
        user = Browser(a)
        await user.sign_up("ann@example.com")
        pair = await direct.post(
            TOKEN,
            data={"grant_type": "password", "username": "ann@example.com", "password": PASSWORD},
            headers={"X-Forwarded-For": ADDRESS_A},
        )
        assert pair.status_code == 429, pair.text
        assert int(pair.headers["retry-after"]) >= 1
        with_user_token = await direct.post(
            TOKEN,
            data={"grant_type": "password", "username": "ann@example.com", "password": PASSWORD},
            headers={
                "X-Forwarded-For": ADDRESS_A,
                "Authorization": f"Bearer {await access_token_of(direct, 'ann@example.com')}",
            },
        )
        assert with_user_token.status_code == 429, with_user_token.text

        # The address C claimed to be is not locked: its web sign-ins go through.
        await user.post("/signout", {})
        assert (await sign_in(user, "ann@example.com")).status_code == 303


async def access_token_of(client: httpx.AsyncClient, email: str) -> str:
    """A user's access token, got from an address of its own (not the locked one)."""
    transport = httpx.ASGITransport(app=client._transport.app, client=("192.0.2.200", 1))  # type: ignore[attr-defined]
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as other:
        response = await other.post(
            TOKEN, data={"grant_type": "password", "username": email, "password": PASSWORD}
        )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def test_web_sign_in_without_the_platform_secret_still_works(
    db_backend: str, qh_databases: DatabaseFactory, tmp_path: Path
) -> None:
    """Outside ``qh dev`` without the secret the web client cannot say whose address it
    is: its sign-ins count as its own address (as before), and nothing else changes."""
    found = discover_services()
    databases = {slug: qh_databases.create(found[slug], db_backend) for slug in ("auth", "web")}
    async for host, events in start_platform(tmp_path, databases, env="test"):
        async with client_from(host, ADDRESS_A) as a:
            browser = Browser(a)
            await browser.sign_up("solo@example.com")
        alert = await events.wait_for(
            AUTH_SIGNED_IN.name, lambda d: d["email"] == "solo@example.com"
        )
        assert alert["ip"] != ADDRESS_A


async def test_qh_dev_forwards_without_configuration(
    db_backend: str, qh_databases: DatabaseFactory, tmp_path: Path
) -> None:
    """Under ``qh dev`` (env dev, one data folder) auth and the web client share a secret
    made in the data folder, so the visitor's address reaches auth with nothing set."""
    found = discover_services()
    databases = {slug: qh_databases.create(found[slug], db_backend) for slug in ("auth", "web")}
    async for host, events in start_platform(tmp_path, databases, env="dev"):
        async with client_from(host, ADDRESS_A) as a:
            await Browser(a).sign_up("dev@example.com")
        alert = await events.wait_for(
            AUTH_SIGNED_IN.name, lambda d: d["email"] == "dev@example.com"
        )
        assert alert["ip"] == ADDRESS_A
    secret = tmp_path / "platform-client.secret"
    assert secret.stat().st_mode & 0o777 == 0o600
    assert len(secret.read_text().strip()) >= 40


@pytest.mark.parametrize(
    ("accept_language", "switch_to", "expected"),
    [("ru-RU,ru;q=0.9,en;q=0.5", None, "ru"), ("en-GB,en;q=0.9", "ru", "ru"), ("ru", "en", "en")],
)
async def test_a_web_sign_up_gets_e_mails_in_the_language_chosen_there(
    platform: tuple[Platform, Events],
    accept_language: str,
    switch_to: str | None,
    expected: str,
) -> None:
    host, events = platform
    async with client_from(host, ADDRESS_A, accept_language) as client:
        browser = Browser(client)
        if switch_to is not None:  # the switch in the header
            await browser.get("/")
            switched = await browser.post("/language", {"lang": switch_to, "next": "/"})
            assert switched.status_code == 303, switched.text
        await browser.sign_up("lang@example.com", "Lang Person")
        me = await browser.get("/account")
        assert me.status_code == 200

    registered = await events.wait_for(
        USER_REGISTERED.name, lambda d: d["email"] == "lang@example.com"
    )
    verification = await events.wait_for(
        AUTH_EMAIL_VERIFICATION_REQUESTED.name, lambda d: d["email"] == "lang@example.com"
    )
    alert = await events.wait_for(AUTH_SIGNED_IN.name, lambda d: d["email"] == "lang@example.com")
    assert registered["locale"] == expected
    assert verification["locale"] == expected
    assert alert["locale"] == expected


async def test_a_russian_web_sign_up_is_mailed_in_russian(
    db_backend: str, qh_databases: DatabaseFactory, tmp_path: Path
) -> None:
    """End to end: the notification service writes the verification e-mail (into its dev
    mailbox) in the language the person used on the site."""
    found = discover_services()
    slugs = ("auth", "notification", "web")
    databases = {slug: qh_databases.create(found[slug], db_backend) for slug in slugs}
    async for host, _ in start_platform(tmp_path, databases, platform_client_secret=SECRET):
        mailbox = service_context(host.service("notification").app).mailbox  # type: ignore[attr-defined]
        async with client_from(host, ADDRESS_A, "ru-RU,ru;q=0.9") as ru:
            await Browser(ru).sign_up("ivan@example.com", "Иван Петров")
        async with client_from(host, ADDRESS_B, "en-US,en;q=0.9") as en:
            await Browser(en).sign_up("ada@example.com", "Ada Lovelace")

        ivan = await subjects_to(mailbox, "ivan@example.com", VERIFY_RU)
        ada = await subjects_to(mailbox, "ada@example.com", VERIFY_EN)
        # Every message to each (the verification and the new sign-in alert) in their own
        # language.
        assert all(CYRILLIC.search(subject) for subject in ivan), ivan
        assert not any(CYRILLIC.search(subject) for subject in ada), ada


VERIFY_RU = "Подтвердите адрес электронной почты"
VERIFY_EN = "Confirm your e-mail address"
CYRILLIC = re.compile("[а-яА-ЯёЁ]")


async def subjects_to(mailbox: Any, address: str, expected: str) -> list[str]:
    """The subjects of the dev mailbox's messages to ``address``, once ``expected`` is
    among them (10 s at most)."""
    async with asyncio.timeout(10):
        while True:
            subjects = [
                str(mail["subject"]) for mail in mailbox.list() if address in str(mail.get("to"))
            ]
            if expected in subjects:
                return subjects
            await asyncio.sleep(0.05)
