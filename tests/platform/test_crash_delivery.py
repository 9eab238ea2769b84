"""``qh dev`` killed with SIGKILL in the middle of registrations loses no event: after a
restart on the same data, every account that got a 201 has its profile, with its e-mail.

The outbox keeps an event until every subscriber acknowledged it (or it was
dead-lettered), so whatever was in flight when the process died is delivered again after
the restart; the consumer's inbox makes the repeats harmless.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from qh.kit.testing import pg_execute, sqlalchemy_url, with_database

USERS = 60
KILL_AFTER = 20  # registrations answered 201 before the process is killed
CONCURRENCY = 12
POSTGRES_URL = os.environ.get("QH_TEST_POSTGRES_URL")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Dev:
    """One ``qh dev`` child on a data folder; started again on the same folder."""

    def __init__(self, workdir: Path, environ: dict[str, str]) -> None:
        self.workdir = workdir
        self.data = workdir / "data"
        self.environ = environ
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.runs = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return "\n".join(
            (self.workdir / f"qh-dev-{n}.log").read_text(errors="replace")[-4000:]
            for n in range(1, self.runs + 1)
        )

    def start(self) -> None:
        self.runs += 1
        self.port = free_port()  # the killed server's port lingers in TIME_WAIT
        qh = Path(sys.executable).with_name("qh")
        with (self.workdir / f"qh-dev-{self.runs}.log").open("w") as log:
            self.process = subprocess.Popen(
                [str(qh), "dev", "--port", str(self.port), "--data-dir", str(self.data)],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
                env=self.environ,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log()
            try:
                if httpx.get(f"{self.base_url}/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.25)
        raise AssertionError("qh dev did not become ready:\n" + self.log())

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)


class Store:
    """Reads the two databases that matter here: auth's outbox and user-data's profiles."""

    def __init__(self, data: Path, postgres: dict[str, str] | None) -> None:
        self.data = data
        self.postgres = postgres

    def _rows(self, service: str, query: str) -> list[tuple[Any, ...]]:
        if self.postgres is None:
            path = self.data / f"{service.replace('-', '_')}.db"
            if not path.exists():
                return []
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10) as connection:
                return connection.execute(query).fetchall()
        return asyncio.run(_pg_rows(self.postgres[service], query))

    def outbox(self, service: str) -> int:
        return int(self._rows(service, "SELECT count(*) FROM qh_outbox")[0][0])

    def profile_emails(self) -> set[str]:
        rows = self._rows("user-data", "SELECT email FROM profile WHERE email IS NOT NULL")
        return {row[0] for row in rows}


async def _pg_rows(url: str, query: str) -> list[tuple[Any, ...]]:
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return [tuple(row) for row in await connection.fetch(query)]
    finally:
        await connection.close()


async def register_until_killed(dev: Dev) -> tuple[set[str], int]:
    """Register USERS accounts, CONCURRENCY at a time; SIGKILL the process once KILL_AFTER
    of them were answered 201. Returns the e-mails answered 201 and how many were sent."""
    registered: set[str] = set()
    sent = 0
    killed = asyncio.Event()
    slots = asyncio.Semaphore(CONCURRENCY)

    async def register(client: httpx.AsyncClient, n: int) -> None:
        nonlocal sent
        async with slots:
            if killed.is_set():
                return
            email = f"crash-{n}-{uuid.uuid4().hex[:8]}@example.com"
            body = {
                "email": email,
                "password": f"Corr3ct-Horse-{uuid.uuid4()}",
                "full_name": f"User {n}",
            }
            sent += 1
            try:
                response = await client.post("/api/v1/auth/register", json=body)
            except httpx.TransportError:
                return
            if response.status_code == 201:
                registered.add(email)
                if len(registered) >= KILL_AFTER and not killed.is_set():
                    killed.set()
                    dev.kill()

    async with httpx.AsyncClient(base_url=dev.base_url, timeout=30) as client:
        await asyncio.gather(*(register(client, n) for n in range(USERS)))
    if not killed.is_set():
        dev.kill()
    return registered, sent


@pytest.fixture
def postgres_databases() -> Iterator[dict[str, str]]:
    if not POSTGRES_URL:
        pytest.skip("QH_TEST_POSTGRES_URL is not set")
    names = {
        slug: f"qh_crash_{slug.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
        for slug in ("auth", "user-data")
    }
    pg_execute(POSTGRES_URL, *(f'CREATE DATABASE "{name}"' for name in names.values()))
    try:
        yield {
            slug: sqlalchemy_url(with_database(POSTGRES_URL, name)) for slug, name in names.items()
        }
    finally:
        pg_execute(
            POSTGRES_URL, *(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in names.values())
        )


def run_crash_and_restart(tmp_path: Path, postgres: dict[str, str] | None) -> None:
    environ = {
        **os.environ,
        "QH_LOG_LEVEL": "WARNING",
        # Cheap password hashes, so many registrations are in flight when the kill comes.
        "QH_AUTH_PASSWORD_HASH_MEMORY_KIB": "1024",
        "QH_AUTH_PASSWORD_HASH_TIME_COST": "1",
        # What the killed process had leased comes back soon after the restart.
        "QH_OUTBOX_LEASE_SECONDS": "3",
        "QH_EVENT_BACKOFF_SECONDS": "0.05",
    }
    environ.pop("QH_DATABASE_URL", None)
    for slug, url in (postgres or {}).items():
        environ[f"QH_{slug.upper().replace('-', '_')}_DATABASE_URL"] = url
    dev = Dev(tmp_path, environ)
    store = Store(dev.data, postgres)
    try:
        dev.start()
        registered, sent = asyncio.run(register_until_killed(dev))
        assert len(registered) >= KILL_AFTER, dev.log()
        before = store.profile_emails() & registered
        print(f"registered {len(registered)} of {sent} sent; profiles at the kill: {len(before)}")

        dev.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if store.outbox("auth") == 0 and registered <= store.profile_emails():
                break
            time.sleep(0.5)
        missing = registered - store.profile_emails()
        print(f"profiles after the restart: {len(registered) - len(missing)}")
        assert not missing, f"{len(missing)} of {len(registered)} registrations lost their event"
        assert store.outbox("auth") == 0
    finally:
        dev.stop()


def test_sigkill_during_registrations_loses_no_event_sqlite(tmp_path: Path) -> None:
    run_crash_and_restart(tmp_path, None)


@pytest.mark.postgres
def test_sigkill_during_registrations_loses_no_event_postgres(
    tmp_path: Path, postgres_databases: dict[str, str]
) -> None:
    run_crash_and_restart(tmp_path, postgres_databases)
