"""Events through a failing subscriber and a process that dies at the worst moments.

auth, user-data and notification run in one process as ``qh dev`` runs them (SQLite in a
temporary folder). ``tests/platform/test_crash_delivery.py`` SIGKILLs ``qh dev`` at a
random moment and proves no event is *lost*; these tests stop the process at the two
moments that matter, deterministically, and prove no event is lost *or processed twice*:

- killed between the commit and the relay: the events are committed in auth's outbox and
  never published; the next process publishes every one.
- killed between the delivery and the outbox's bookkeeping: every subscriber processed the
  event, but the row was never deleted; the next process publishes it again, and the
  consumers' inbox absorbs the repeat (one profile, one welcome notification per account).

and that a subscriber that raises (after writing) is retried until it recovers, its failed
attempts leave nothing behind, and one that never recovers is dead-lettered for that
subscriber alone after the maximum number of attempts, while the other subscriber of the
same topic processes the event once.
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import structlog

from qh.kit.app import service_context
from qh.kit.host import Platform, discover_services
from qh.kit.outbox import Outbox
from qh.notification.domain.notifications.services import Intent, NotificationService

BASE = "http://testserver"
MAX_ATTEMPTS = 4
FLAKY_FAILURES = 2  # attempts a flaky subscriber fails before it recovers
ENVIRON = {
    # Cheap password hashes: the registrations are not what is tested.
    "QH_AUTH_PASSWORD_HASH_MEMORY_KIB": "1024",
    "QH_AUTH_PASSWORD_HASH_TIME_COST": "1",
    "QH_AUTH_REGISTER_IP_MAX_ATTEMPTS": "1000",
}


def platform(data_dir: Path, lease_seconds: float) -> Platform:
    services = discover_services()
    missing = {"auth", "user-data", "notification"} - set(services)
    if missing:
        pytest.fail(f"services not installed in the workspace: {sorted(missing)}")
    return Platform(
        [services["auth"], services["user-data"], services["notification"]],
        environ=ENVIRON,
        data_dir=str(data_dir),
        public_base_url=BASE,
        event_max_attempts=MAX_ATTEMPTS,
        event_backoff_seconds=0.02,
        event_backoff_max_seconds=0.1,
        outbox_poll_seconds=0.1,
        outbox_lease_seconds=lease_seconds,
    )


def auth_outbox(host: Platform) -> Outbox:
    return service_context(host.service("auth").app).outbox


class Stores:
    """Reads the three services' SQLite files as a person inspecting them would."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def rows(self, service: str, query: str) -> list[tuple[Any, ...]]:
        path = self.data_dir / f"{service.replace('-', '_')}.db"
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10) as connection:
            return connection.execute(query).fetchall()

    def users(self) -> dict[str, str]:
        """e-mail → user id (hex, as the other services store it)."""
        return {
            email: uuid.UUID(str(user_id)).hex
            for email, user_id in self.rows("auth", "SELECT email, id FROM auth_user")
        }

    def outbox_rows(self) -> list[tuple[Any, ...]]:
        return self.rows(
            "auth", "SELECT topic, attempts, next_attempt_at, last_error FROM qh_outbox"
        )

    def outbox(self) -> int:
        return int(self.rows("auth", "SELECT count(*) FROM qh_outbox")[0][0])

    def profiles(self) -> Counter[str]:
        return Counter(
            uuid.UUID(str(row[0])).hex
            for row in self.rows("user-data", "SELECT user_id FROM profile")
        )

    def welcomes(self) -> Counter[str]:
        rows = self.rows("notification", "SELECT user_id FROM notification WHERE kind = 'welcome'")
        return Counter(uuid.UUID(str(row[0])).hex for row in rows)


async def register(client: httpx.AsyncClient, emails: Iterable[str]) -> None:
    async def one(email: str) -> None:
        body = {"email": email, "password": f"Corr3ct-Horse-{uuid.uuid4()}", "full_name": "E"}
        response = await client.post("/api/v1/auth/register", json=body)
        assert response.status_code == 201, response.text

    async with anyio.create_task_group() as group:
        for email in emails:
            group.start_soon(one, email)


async def until(check: Any, within: float = 30.0, explain: Any = None) -> None:
    deadline = anyio.current_time() + within
    while anyio.current_time() < deadline:
        if check():
            return
        await anyio.sleep(0.05)  # the stores are files: nothing to wait on but time
    assert check(), f"not reached in {within}s: {explain() if explain else ''}"


@pytest.fixture(autouse=True)
def plain_logs() -> Iterator[None]:
    """Logs as ``qh dev`` writes them (tracebacks as plain text): structlog's default in a
    test process renders every traceback with its locals, slowly enough, while the failing
    subscriber's transaction is still open, to stall the other deliveries."""
    saved = structlog.get_config()
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        cache_logger_on_first_use=False,
    )
    try:
        yield
    finally:
        structlog.configure(**saved)


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Any]:
    """``running(prepare)``: a platform on the test's data folder, started; ``prepare`` is
    given it before the start (to break something)."""
    hosts: list[Platform] = []

    def start(prepare: Any = None, lease_seconds: float = 1.0) -> Any:
        host = platform(tmp_path, lease_seconds)
        if prepare is not None:
            prepare(host)
        hosts.append(host)
        return host

    yield start
    for host in hosts:
        if host._stack is not None:
            await host.__aexit__(None, None, None)


def client_for(host: Platform) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=host), base_url=BASE)


async def test_killed_between_commit_and_relay_then_after_delivery_nothing_lost_or_doubled(
    tmp_path: Path, running: Any
) -> None:
    stores = Stores(tmp_path)
    first = [f"commit-{n}@example.com" for n in range(5)]

    # 1. The process dies after its commits, before its relay published anything.
    def no_relay(host: Platform) -> None:
        outbox = auth_outbox(host)
        outbox.start = lambda: None  # type: ignore[method-assign]
        outbox.wake = lambda: None  # type: ignore[method-assign]

    host = running(no_relay)
    async with host, client_for(host) as client:
        await register(client, first)
    assert stores.outbox() >= len(first)
    assert not stores.profiles()
    assert not stores.welcomes()

    # 2. The next process delivers everything, then dies before deleting its outbox rows
    #    (as if killed the moment every subscriber had answered).
    second = [f"delivered-{n}@example.com" for n in range(5)]

    def keep_rows(host: Platform) -> None:
        outbox = auth_outbox(host)
        write = outbox._write

        async def no_delete(statement: Any) -> None:
            if statement.is_delete:
                return
            await write(statement)

        outbox._write = no_delete  # type: ignore[method-assign]

    host = running(keep_rows)
    async with host, client_for(host) as client:
        await register(client, second)
        ids = stores.users()
        await until(lambda: set(stores.profiles()) >= set(ids.values()))
        await until(lambda: set(stores.welcomes()) >= set(ids.values()))
        await host.runtime.drain()
    assert stores.outbox() >= len(first) + len(second), "the rows should have outlived it"

    # 3. A normal start: every row is published again, and absorbed by the inboxes.
    host = running()
    async with host:
        await until(lambda: stores.outbox() == 0, explain=stores.outbox_rows)
        await host.runtime.drain()

    ids = stores.users()
    assert set(ids) == set(first) | set(second)
    profiles, welcomes = stores.profiles(), stores.welcomes()
    for email, user_id in ids.items():
        assert profiles[user_id] == 1, (email, profiles[user_id])
        assert welcomes[user_id] == 1, (email, welcomes[user_id])
    assert not host.runtime.dead_letters


async def test_a_failing_subscriber_is_retried_then_dead_lettered_alone(
    tmp_path: Path, running: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """notification's welcome subscriber writes its rows, then raises: for every account
    on its first FLAKY_FAILURES attempts, and always for one poisoned account."""
    stores = Stores(tmp_path)
    attempts: Counter[str] = Counter()
    notify = NotificationService.notify

    async def flaky(self: NotificationService, intent: Intent) -> Any:
        result = await notify(self, intent)
        if intent.kind != "welcome":
            return result
        await self.session.flush()  # the writes are in the transaction when it fails
        attempts[str(intent.email)] += 1
        poisoned = str(intent.email).startswith("poison")
        if poisoned or attempts[str(intent.email)] <= FLAKY_FAILURES:
            raise RuntimeError("the welcome subscriber failed after writing")
        return result

    monkeypatch.setattr(NotificationService, "notify", flaky)
    emails = [f"flaky-{n}@example.com" for n in range(4)] + ["poison@example.com"]
    # A lease longer than the test: every attempt counted here is one of the runtime's
    # retries, none a second publication of a row whose lease ran out on a busy machine.
    host = running(lease_seconds=60.0)
    async with host, client_for(host) as client:
        await register(client, emails)
        await until(lambda: stores.outbox() == 0, explain=stores.outbox_rows)
        await host.runtime.drain()
        dead = list(host.runtime.dead_letters)

    ids = stores.users()
    profiles, welcomes = stores.profiles(), stores.welcomes()
    # user-data, the other subscriber of user.registered, processed every event once.
    assert all(profiles[user_id] == 1 for user_id in ids.values()), profiles
    # The flaky subscriber: delivered once per account after its failures, nothing left
    # over from a failed attempt.
    for email in emails[:-1]:
        assert attempts[email] == FLAKY_FAILURES + 1, (email, attempts[email])
        assert welcomes[ids[email]] == 1, (email, welcomes[ids[email]])
    # The poisoned account: MAX_ATTEMPTS tries, then its subscriber's dead-letter topic,
    # with nothing written by any attempt.
    assert attempts["poison@example.com"] == MAX_ATTEMPTS
    assert welcomes[ids["poison@example.com"]] == 0
    assert len(dead) == 1, dead
    assert dead[0].topic == "user.registered.v1"
    assert dead[0].subscriber == "notification"
    assert dead[0].event.data["email"] == "poison@example.com"
