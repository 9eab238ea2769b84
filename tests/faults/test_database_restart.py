"""PostgreSQL restarted under load, the service left running.

``qh serve auth`` runs in a child process on a private PostgreSQL cluster (never the shared
server) while clients register accounts without pause. The cluster is stopped and started
again in the middle. While it is down the service says so: readiness is 503, requests get a
503 problem with ``Retry-After`` (never a 500). Once it is back the same process serves
again, without a restart. Afterwards every registration answered 201 is stored exactly
once and complete (the account, its verification token, its events relayed), and a
registration answered 503 left either nothing or a complete account, never part of one.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import pytest

CLIENTS = 8
BEFORE_OUTAGE = 1.0  # seconds of load before the server stops
OUTAGE = 2.5  # seconds the server stays down
AFTER_RECOVERY = 20  # registrations answered 201 after readiness is green again
RECOVERY_WITHIN = 30.0  # seconds from the server's start to the service's readiness


@dataclass
class Load:
    answers: dict[str, httpx.Response] = field(default_factory=dict)
    transport_errors: list[str] = field(default_factory=list)
    readiness: list[tuple[str, int]] = field(default_factory=list)
    phase: str = "before"
    created_after_recovery: int = 0

    def statuses(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for response in self.answers.values():
            counts[response.status_code] = counts.get(response.status_code, 0) + 1
        return counts


def environ(database_url: str) -> dict[str, str]:
    values = {
        **os.environ,
        "QH_AUTH_DATABASE_URL": database_url,
        "QH_AUTH_MIGRATE_ON_START": "true",
        "QH_LOG_LEVEL": "WARNING",
        "QH_AUTH_PASSWORD_HASH_MEMORY_KIB": "1024",
        "QH_AUTH_PASSWORD_HASH_TIME_COST": "1",
        "QH_AUTH_REGISTER_IP_MAX_ATTEMPTS": "100000",
        "QH_OUTBOX_POLL_SECONDS": "0.5",
        # A row whose delivery was cut by the outage is published again this soon.
        "QH_OUTBOX_LEASE_SECONDS": "2",
        "QH_EVENT_BACKOFF_SECONDS": "0.05",
        "QH_EVENT_BACKOFF_MAX_SECONDS": "0.5",
    }
    values.pop("QH_DATABASE_URL", None)
    return values


async def run_load(base_url: str, cluster: Any) -> Load:
    load = Load()
    stop = asyncio.Event()

    async def client_loop(client: httpx.AsyncClient, n: int) -> None:
        while not stop.is_set():
            email = f"fault-{n}-{uuid.uuid4().hex[:10]}@example.com"
            body = {"email": email, "password": f"Corr3ct-Horse-{uuid.uuid4()}", "full_name": "F"}
            try:
                response = await client.post("/api/v1/auth/register", json=body)
            except httpx.TransportError as exc:
                load.transport_errors.append(f"{email}: {exc!r}")
                continue
            load.answers[email] = response
            if response.status_code == 201 and load.phase == "recovered":
                load.created_after_recovery += 1
                if load.created_after_recovery >= AFTER_RECOVERY:
                    stop.set()
            elif response.status_code >= 500:
                # A client that honours Retry-After would wait; a short pause keeps the
                # load on without a busy loop.
                await asyncio.sleep(0.05)

    async def ready(client: httpx.AsyncClient) -> int:
        try:
            return (await client.get("/health/ready", timeout=5)).status_code
        except httpx.TransportError:
            return 0

    async def conductor(client: httpx.AsyncClient) -> None:
        try:
            await asyncio.sleep(BEFORE_OUTAGE)
            load.readiness.append(("before", await ready(client)))
            load.phase = "down"
            await asyncio.to_thread(cluster.stop, "fast")
            down_until = time.monotonic() + OUTAGE
            while time.monotonic() < down_until:
                load.readiness.append(("down", await ready(client)))
                await asyncio.sleep(0.25)
            load.phase = "restarting"
            await asyncio.to_thread(cluster.start)
            deadline = time.monotonic() + RECOVERY_WITHIN
            while (status := await ready(client)) != 200:
                load.readiness.append(("restarting", status))
                assert time.monotonic() < deadline, "readiness did not come back"
                await asyncio.sleep(0.2)
            load.readiness.append(("recovered", status))
            load.phase = "recovered"
            await asyncio.wait_for(stop.wait(), timeout=60)
        finally:
            stop.set()

    limits = httpx.Limits(max_connections=CLIENTS + 2)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as client:
        await asyncio.gather(conductor(client), *(client_loop(client, n) for n in range(CLIENTS)))
    return load


async def stored_accounts(url: str) -> tuple[dict[str, dict[str, Any]], int]:
    """Every account by e-mail (how many rows, whether complete) and the outbox's size."""
    connection = await asyncpg.connect(url)
    try:
        users = await connection.fetch(
            "SELECT u.email, count(*) OVER (PARTITION BY u.email) AS copies, "
            "u.password_hash IS NOT NULL AS has_password, "
            "(SELECT count(*) FROM auth_action_token t WHERE t.user_id = u.id) AS tokens "
            "FROM auth_user u"
        )
        pending = await connection.fetchval("SELECT count(*) FROM qh_outbox")
    finally:
        await connection.close()
    return {row["email"]: dict(row) for row in users}, int(pending)


@pytest.mark.postgres
def test_postgres_restart_under_load_loses_nothing_and_needs_no_service_restart(
    private_postgres: Any, serve: Callable[..., Any]
) -> None:
    cluster = private_postgres
    cluster.create_database("qh_auth")
    child = serve("auth", environ(cluster.database_url("qh_auth")))
    pid = child.process.pid
    started = time.monotonic()
    load = asyncio.run(run_load(child.base_url, cluster))
    print(
        f"answers {load.statuses()} in {time.monotonic() - started:.1f}s; "
        f"transport errors {len(load.transport_errors)}; readiness {load.readiness}"
    )

    # The same process served before, during and after the outage.
    assert child.process.poll() is None, child.log()
    assert child.process.pid == pid
    assert not load.transport_errors, load.transport_errors[:5]

    # Readiness was green, went red while the database was down, and green again.
    assert ("before", 200) in load.readiness
    down = [status for phase, status in load.readiness if phase == "down"]
    assert down, load.readiness
    assert all(status == 503 for status in down), load.readiness
    assert load.readiness[-1] == ("recovered", 200)

    # Only 201 and 503: the outage is never a 500, and a 503 says when to come back.
    statuses = load.statuses()
    assert set(statuses) <= {201, 503}, (statuses, child.log())
    assert statuses.get(503), f"no request met the outage: {statuses}"
    for email, response in load.answers.items():
        if response.status_code == 503:
            assert response.headers.get("retry-after", "").isdigit(), (email, response.headers)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.json()["status"] == 503

    # The outbox drains (the relay survived the outage), then the data is checked.
    url = cluster.database_url("qh_auth", driver="")
    deadline = time.monotonic() + 30
    accounts, pending = asyncio.run(stored_accounts(url))
    while pending and time.monotonic() < deadline:
        time.sleep(0.25)
        accounts, pending = asyncio.run(stored_accounts(url))
    assert pending == 0, f"{pending} events stayed in the outbox after the recovery"

    created = {email for email, r in load.answers.items() if r.status_code == 201}
    refused = {email for email, r in load.answers.items() if r.status_code == 503}
    lost = created - set(accounts)
    assert not lost, f"{len(lost)} accounts answered 201 are missing"
    for email in created | (refused & set(accounts)):
        account = accounts[email]
        assert account["copies"] == 1, account
        assert account["has_password"], (email, account)
        assert account["tokens"] == 1, (email, account)
    # Anything else stored was a request in flight: none of the loads' e-mails is unknown.
    assert set(accounts) <= created | refused
    print(f"accounts: {len(created)} created, {len(refused & set(accounts))} of 503s stored")
