"""Notification service benchmarks: events per second through the pipeline to the inbox,
and live WebSocket fan-out latency to 100 and 1 000 connected clients.

    uv run python benchmarks/notifications.py                 # SQLite
    uv run python benchmarks/notifications.py --postgres postgresql://postgres@127.0.0.1:5432/postgres

**Pipeline.** The real notification app runs in this process on a fresh migrated database,
attached to a ``LocalRuntime`` as the kit attaches it. N CloudEvents (``resume.generated``
and ``analysis.completed`` in turn, for 500 users without an address on file, so each
becomes one inbox row and a live message, no e-mail) are published through the runtime,
which posts each to the service's subscription route over ASGI and returns once the
subscriber acknowledged it (its ``qh_inbox`` row, the inbox row and the commit). Timed from
the first publish until ``SELECT count(*)`` sees all N inbox rows. At most ``concurrency``
events are in flight, as a Dapr sidecar delivers several at once. PostgreSQL (a fresh
database, dropped after) with ``--postgres`` or ``QH_TEST_POSTGRES_URL``.

**Fan-out.** The service runs under uvicorn on 127.0.0.1 in a child process (one worker,
SQLite, uvicorn's defaults as ``qh serve`` uses them, the in-memory live backend); this
process opens N WebSocket clients (``websockets``, ``?token=`` with a test token the
child's stand-in auth knows) and waits for each one's ``ready``. Then events are posted to
the child's subscription route over HTTP, as Dapr posts them; the latency of one delivery
is from just before the POST to the moment the client has the message (one clock: the
clients and the publisher share this process).

- *one user, N sockets*: every client is a socket of the same user; each round is one
  event, which every socket receives (the pure fan-out of one notification).
- *N users, one socket each*: each round posts one event per user at once (16 POSTs in
  flight), each received by that user's socket only (a burst: the pipeline and the hub).

Each round waits at most ``--round-timeout`` seconds; a message not received by then is
counted as lost. An event the service refuses (an error answer, or no answer in 30 s) is
counted apart with its answer, as Dapr would post it again; ``--server-log FILE`` keeps
the server's output. The clients share the machine with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

USERS = 500
EVENTS_ROUTE = "/events/{topic}"
WS_PATH = "/api/v1/notifications/ws"


def machine() -> str:
    cpu = platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 2**20:.0f} GiB"
                break
    load = ", load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    return (
        f"{os.cpu_count()} cores, {cpu}{memory}, {platform.system()} {platform.release()}, "
        f"CPython {platform.python_version()}{load}"
    )


def raise_open_files(needed: int) -> int:
    """Lift the soft open-file limit toward ``needed`` (within the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return int(soft)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def event_for(index: int, user_id: uuid.UUID) -> tuple[Any, Any]:
    """The ``index``-th event of the pipeline run: topic and payload, two kinds in turn."""
    from qh.contracts import (
        ANALYSIS_COMPLETED,
        RESUME_GENERATED,
        AnalysisCompleted,
        ResumeGenerated,
    )

    if index % 2:
        return ANALYSIS_COMPLETED, AnalysisCompleted(
            analysis_id=uuid.uuid4(), user_id=user_id, kind="match", score=0.73
        )
    return RESUME_GENERATED, ResumeGenerated(
        user_id=user_id, resume_id=uuid.uuid4(), title=f"Инженер данных {index}"
    )


# --- events per second to the inbox (in process, LocalRuntime) -----------------------------


class Database:
    """A fresh database with the notification migrations: a SQLite file, or a PostgreSQL
    database made for the run and dropped after it."""

    def __init__(self, backend: str, workdir: str, postgres: str | None) -> None:
        from qh.kit import db
        from qh.kit.testing import pg_execute, sqlalchemy_url, with_database
        from qh.notification.app import service

        self.backend, self.postgres, self.name = backend, postgres, ""
        if backend == "sqlite":
            self.url = f"sqlite+aiosqlite:///{workdir}/notification-{uuid.uuid4().hex[:8]}.db"
        else:
            assert postgres
            self.name = f"qh_bench_notification_{uuid.uuid4().hex[:8]}"
            pg_execute(postgres, f'CREATE DATABASE "{self.name}"')
            self.url = sqlalchemy_url(with_database(postgres, self.name))
        db.upgrade(service.migrations, self.url)

    def drop(self) -> None:
        if self.name and self.postgres:
            from qh.kit.testing import pg_execute

            pg_execute(self.postgres, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


async def pipeline_run(url: str, workdir: str, events: int, concurrency: int) -> dict[str, Any]:
    from sqlalchemy import func, select

    from qh.kit.app import service_context
    from qh.kit.cloudevents import make_cloudevent
    from qh.kit.runtime import LocalRuntime
    from qh.notification.app import service
    from qh.notification.db.models import Notification

    settings = service.load_settings(
        environ={},
        env="test",
        database_url=url,
        data_dir=workdir,
        public_base_url="http://bench",
        log_level="WARNING",
        email_provider="none",
        outbox_poll_seconds=60.0,
    )
    runtime = LocalRuntime(max_attempts=3, backoff_seconds=0.05, backoff_max_seconds=0.2)
    app = service.create_app(settings, runtime=runtime)
    users = [uuid.uuid4() for _ in range(USERS)]
    context = service_context(app)

    async def inbox_rows() -> int:
        async with context.session() as session:
            return int(await session.scalar(select(func.count()).select_from(Notification)) or 0)

    async def publish_all(count: int, offset: int) -> list[float]:
        gate = asyncio.Semaphore(concurrency)
        latencies: list[float] = []

        async def one(index: int) -> None:
            topic, payload = event_for(index, users[index % USERS])
            event = make_cloudevent(topic, payload, source="qh/bench")
            async with gate:
                started = time.perf_counter()
                await runtime.publish(topic.name, event)
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(one(offset + i) for i in range(count)))
        return latencies

    async with app.lifespan():
        warm_up = min(100, events)
        await publish_all(warm_up, 0)
        assert await inbox_rows() == warm_up
        started = time.perf_counter()
        latencies = await publish_all(events, warm_up)
        deadline = time.monotonic() + 60
        while (rows := await inbox_rows()) < warm_up + events:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {rows - warm_up} of {events} inbox rows after 60 s")
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - started
    await runtime.aclose()
    if runtime.dead_letters:
        raise RuntimeError(f"{len(runtime.dead_letters)} events dead-lettered")
    return {
        "events": events,
        "concurrency": concurrency,
        "seconds": elapsed,
        "per_second": events / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


def pipeline(args: argparse.Namespace, workdir: str) -> list[dict[str, Any]]:
    backends = ["sqlite"] + (["postgresql"] if args.postgres else [])
    rows = []
    for backend in backends:
        for concurrency in args.concurrency:
            database = Database(backend, workdir, args.postgres)
            try:
                result = asyncio.run(pipeline_run(database.url, workdir, args.events, concurrency))
            finally:
                database.drop()
            result["database"] = backend
            rows.append(result)
            print(
                f"pipeline {backend:10s} in flight {concurrency:3d}: {args.events} events in "
                f"{result['seconds']:.2f} s = {result['per_second']:.0f} events/s "
                f"(one event acknowledged: p50 {result['p50_ms']:.1f} ms, "
                f"p99 {result['p99_ms']:.1f} ms)",
                flush=True,
            )
    return rows


# --- WebSocket fan-out (uvicorn in a child process) ----------------------------------------


def serve(port: int, workdir: str, jwks_file: str, open_files: int) -> None:
    """The child: the notification service under uvicorn, SQLite, a stand-in auth."""
    import uvicorn
    from litestar import Litestar, get

    from qh.kit.context import JWKS_PATH
    from qh.kit.runtime import LocalRuntime
    from qh.kit.testing import TEST_ISSUER
    from qh.notification.app import service

    raise_open_files(open_files)
    jwks = json.loads(Path(jwks_file).read_text())

    @get(JWKS_PATH, sync_to_thread=False)
    def keys() -> dict[str, Any]:
        return jwks  # type: ignore[no-any-return]

    runtime = LocalRuntime()
    runtime.attach("auth", Litestar([keys], openapi_config=None, logging_config=None))
    settings = service.load_settings(
        environ={},
        env="test",
        data_dir=workdir,
        database_url=f"sqlite+aiosqlite:///{workdir}/notification-live.db",
        migrate_on_start=True,
        auth_issuer=TEST_ISSUER,
        public_base_url="http://bench",
        log_level="WARNING",
        email_provider="none",
        outbox_poll_seconds=60.0,
    )
    app = service.create_app(settings, runtime=runtime)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


class Child:
    def __init__(
        self, workdir: str, jwks_file: Path, open_files: int, log: str | None = None
    ) -> None:
        self.port = free_port()
        self.log = open(log, "ab") if log else None  # noqa: SIM115 - kept open for the child
        self.process = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--serve",
                str(self.port),
                workdir,
                str(jwks_file),
                str(open_files),
            ],
            stdout=self.log or subprocess.DEVNULL,
            stderr=self.log,
        )

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.log is not None:
            self.log.close()


class Clients:
    """N open sockets; each records when each message arrived, by the resume id it names."""

    def __init__(self) -> None:
        self.sockets: list[Any] = []
        self.readers: list[asyncio.Task[None]] = []
        self.received: dict[str, list[float]] = {}

    async def open(self, base: str, tokens: list[str], parallel: int = 50) -> None:
        import websockets

        gate = asyncio.Semaphore(parallel)

        async def connect(token: str) -> Any:
            async with gate:
                ws = await websockets.connect(
                    f"{base}?token={token}",
                    ping_interval=None,
                    max_queue=None,
                    open_timeout=30,
                )
                ready = json.loads(await asyncio.wait_for(ws.recv(), 30))
                assert ready["type"] == "ready", ready
                return ws

        self.sockets = list(await asyncio.gather(*(connect(t) for t in tokens)))
        self.readers = [asyncio.create_task(self._read(ws)) for ws in self.sockets]

    async def _read(self, ws: Any) -> None:
        with contextlib.suppress(Exception):
            async for raw in ws:
                at = time.perf_counter()
                message = json.loads(raw)
                if message.get("type") == "notification":
                    key = message["data"]["resume_id"]
                    self.received.setdefault(key, []).append(at)

    async def close(self) -> None:
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)


async def post_event(client: httpx.AsyncClient, user_id: uuid.UUID, resume_id: str) -> str:
    """One ``resume.generated`` CloudEvent posted to the subscription route, as Dapr does;
    ``""`` when the service took it, else what it answered (Dapr would post it again)."""
    import msgspec

    from qh.contracts import RESUME_GENERATED, ResumeGenerated
    from qh.kit.cloudevents import make_cloudevent

    payload = ResumeGenerated(user_id=user_id, resume_id=uuid.UUID(resume_id), title="Бенчмарк")
    event = make_cloudevent(RESUME_GENERATED, payload, source="qh/bench")
    try:
        response = await client.post(
            EVENTS_ROUTE.format(topic=RESUME_GENERATED.name),
            content=msgspec.json.encode(event),
            headers={"content-type": "application/cloudevents+json"},
        )
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__} {exc}"
    if response.status_code == 200 and response.json().get("status") == "SUCCESS":
        return ""
    return f"{response.status_code} {response.text[:200]}"


async def wait_for(clients: Clients, expected: dict[str, int], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(len(clients.received.get(k, ())) >= n for k, n in expected.items()):
            return
        await asyncio.sleep(0.002)


async def publish_round(
    http: httpx.AsyncClient,
    targets: list[tuple[uuid.UUID, int]],
    sent: dict[str, float],
    expected: dict[str, int],
    refused: list[str],
) -> None:
    """One event per ``(user, sockets)`` target, 16 POSTs in flight; notes when each went
    (an event the service refused is expected nowhere and its answer kept)."""
    gate = asyncio.Semaphore(16)

    async def publish(user_id: uuid.UUID, copies: int) -> None:
        resume_id = str(uuid.uuid4())
        async with gate:
            sent[resume_id] = time.perf_counter()
            expected[resume_id] = copies
            answer = await post_event(http, user_id, resume_id)
        if answer:
            expected[resume_id] = 0
            refused.append(answer)

    await asyncio.gather(*(publish(user, copies) for user, copies in targets))


async def fanout(
    n: int, shape: str, rounds: int, round_timeout: float, tokens: Any, address: str
) -> dict[str, Any]:
    base = f"ws://{address}{WS_PATH}"
    if shape == "one user":
        owner = uuid.uuid4()
        token = tokens.issue(owner)
        users = [owner] * n
        socket_tokens = [token] * n
    else:
        users = [uuid.uuid4() for _ in range(n)]
        socket_tokens = [tokens.issue(user) for user in users]
    clients = Clients()
    connect_started = time.perf_counter()
    await clients.open(base, socket_tokens)
    connect_seconds = time.perf_counter() - connect_started
    latencies: list[float] = []
    lasts: list[float] = []
    lost = 0
    expected_total = 0
    refused: list[str] = []
    limits = httpx.Limits(max_connections=16)
    async with httpx.AsyncClient(base_url=f"http://{address}", timeout=30, limits=limits) as http:
        for _ in range(rounds):
            sent: dict[str, float] = {}
            expected: dict[str, int] = {}
            if shape == "one user":
                await publish_round(http, [(users[0], n)], sent, expected, refused)
            else:
                targets = [(user, 1) for user in users]
                await publish_round(http, targets, sent, expected, refused)
            await wait_for(clients, expected, round_timeout)
            round_last = 0.0
            for resume_id, copies in expected.items():
                arrivals = clients.received.pop(resume_id, [])
                expected_total += copies
                lost += max(0, copies - len(arrivals))
                for at in arrivals:
                    latency = at - sent[resume_id]
                    latencies.append(latency)
                    round_last = max(round_last, latency)
            lasts.append(round_last)
            await asyncio.sleep(0.2)
    await clients.close()
    return {
        "clients": n,
        "shape": shape,
        "rounds": rounds,
        "connect_seconds": connect_seconds,
        "deliveries": len(latencies),
        "lost": lost,
        "expected": expected_total,
        "refused": refused,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99_ms": percentile(latencies, 0.99) * 1000 if latencies else float("nan"),
        "last_ms": statistics.median(lasts) * 1000,
    }


async def fanout_all(args: argparse.Namespace, workdir: str) -> list[dict[str, Any]]:
    from qh.kit.testing import TokenFactory

    open_files = max(args.clients) * 2 + 256
    raise_open_files(open_files)
    tokens = TokenFactory()
    jwks_file = Path(workdir) / "jwks.json"
    jwks_file.write_text(json.dumps(tokens.jwks()))
    child = Child(workdir, jwks_file, open_files, args.server_log)
    rows = []
    try:
        address = f"127.0.0.1:{child.port}"
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            for _ in range(150):
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get("/health/ready")).status_code == 200:
                        break
                await asyncio.sleep(0.2)
            else:
                raise RuntimeError("the service did not start")
        for n in args.clients:
            for shape in ("one user", "one socket per user"):
                rounds = args.rounds if shape == "one user" else args.burst_rounds
                result = await fanout(n, shape, rounds, args.round_timeout, tokens, address)
                result["server_rss_mib"] = child.rss_mib()
                rows.append(result)
                print(
                    f"fan-out {n:5d} clients, {shape:19s}: {result['deliveries']} deliveries "
                    f"in {rounds} rounds, publish → receive p50 {result['p50_ms']:.1f} ms, "
                    f"p99 {result['p99_ms']:.1f} ms, last socket of a round (median) "
                    f"{result['last_ms']:.1f} ms, lost {result['lost']}/{result['expected']}; "
                    f"{n} sockets opened in {result['connect_seconds']:.1f} s; "
                    f"server RSS {result['server_rss_mib']:.0f} MiB",
                    flush=True,
                )
                if result["refused"]:
                    print(
                        f"  {len(result['refused'])} events refused by the service (not counted "
                        f"above), e.g. {result['refused'][0]}",
                        flush=True,
                    )
    finally:
        child.close()
    return rows


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        port, workdir, jwks_file, open_files = sys.argv[2:6]
        serve(int(port), workdir, jwks_file, int(open_files))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("QH_TEST_POSTGRES_URL"),
        help="PostgreSQL server for the pipeline run (default: $QH_TEST_POSTGRES_URL)",
    )
    parser.add_argument("--events", type=int, default=2000, help="events per pipeline run")
    parser.add_argument(
        "--concurrency",
        type=lambda text: [int(x) for x in text.split(",")],
        default=[1, 16],
        help="events in flight, comma-separated (default 1,16)",
    )
    parser.add_argument(
        "--clients",
        type=lambda text: [int(x) for x in text.split(",")],
        default=[100, 1000],
        help="WebSocket clients, comma-separated (default 100,1000)",
    )
    parser.add_argument("--rounds", type=int, default=20, help="one-user fan-out rounds")
    parser.add_argument("--burst-rounds", type=int, default=3, help="per-user burst rounds")
    parser.add_argument("--round-timeout", type=float, default=30.0)
    parser.add_argument("--server-log", help="append the fan-out server's output to this file")
    parser.add_argument("--skip-pipeline", action="store_true")
    parser.add_argument("--skip-fanout", action="store_true")
    args = parser.parse_args()
    print(f"machine: {machine()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="qh-bench-notification-") as workdir:
        if not args.skip_pipeline:
            pipeline(args, workdir)
        if not args.skip_fanout:
            asyncio.run(fanout_all(args, workdir))
    print(f"done; load average now {'{:.2f} {:.2f} {:.2f}'.format(*os.getloadavg())}")


if __name__ == "__main__":
    main()
