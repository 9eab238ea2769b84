"""Throughput of an authenticated JSON GET through a kit-built app, against the same
handler in a bare Litestar app, measured in one run.

Three apps serve ``GET /api/v1/bench/items`` (ten small JSON objects):

- ``kit``: a service built by ``create_service_app``; the handler takes
  ``principal: Principal`` and the token is verified (cached after the first request),
  with request ids, trace context, metrics, problem handling and the database plugin;
- ``bare``: the same handler in a bare Litestar app, its ``principal`` dependency
  supplied by a provider that trusts a fixed user (Litestar's dependency injection is
  paid by both, so the ratio is the kit's own cost);
- ``bare-no-auth``: a bare app whose handler takes nothing, the floor of Litestar itself.

Two measurements, rounds alternating between the apps, medians reported (these machines
are noisy):

- ``asgi``: requests driven straight through ASGI (no sockets, no HTTP client): the
  frameworks' own cost per request, the harshest comparison;
- ``http``: each app served by uvicorn (one worker) and loaded by ``wrk`` over loopback,
  which is what a client of a service sees. Needs ``wrk`` (Debian package ``wrk``).

    uv run python benchmarks/kit_overhead.py [--requests 20000] [--rounds 5] [--seconds 5]

``--baseline-kit DIR`` adds a fourth app to the HTTP rounds: the kit app served with
``DIR`` (another version's ``libs/kit/src``, e.g. from ``git archive``) first on the
Python path, so two versions of the kit are compared in the same run, rounds alternating.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from litestar import Litestar, get
from litestar.di import NamedDependency, Provide
from loadgen import cpu_seconds, served, wrk
from sqlalchemy import MetaData, create_engine

from qh.kit.app import ServiceDefinition, create_service_app
from qh.kit.auth import Principal
from qh.kit.observability import configure_logging
from qh.kit.runtime import LocalRuntime
from qh.kit.settings import ServiceSettings, load_settings
from qh.kit.testing import TEST_ISSUER, TokenFactory, jwks_app

ITEMS = [
    {"id": i, "title": f"Vacancy {i}", "company": "QH", "remote": i % 2 == 0} for i in range(10)
]


@get("/api/v1/bench/items", sync_to_thread=False)
def no_auth_items() -> list[dict[str, Any]]:
    return ITEMS


@get("/api/v1/bench/items", sync_to_thread=False)
def bare_items(principal: NamedDependency[Principal]) -> list[dict[str, Any]]:
    return ITEMS


@get("/items", sync_to_thread=False)  # the kit mounts it under /api/v1/bench
def kit_items(principal: NamedDependency[Principal]) -> list[dict[str, Any]]:
    return ITEMS


FIXED_USER = Principal(
    id=uuid.UUID(int=1), roles=frozenset({"user"}), token="", claims={}, expires_at=0.0
)


def trusted_principal() -> Principal:
    return FIXED_USER


def bare_app(which: str) -> Litestar:
    if which == "bare-no-auth":
        return Litestar([no_auth_items], openapi_config=None, logging_config=None)
    return Litestar(
        [bare_items],
        dependencies={"principal": Provide(trusted_principal, sync_to_thread=False)},
        signature_namespace={"Principal": Principal},
        openapi_config=None,
        logging_config=None,
    )


def kit_app(data_dir: Path, tokens: TokenFactory) -> Litestar:
    metadata = MetaData()
    definition = ServiceDefinition(
        slug="bench",
        prefix="/api/v1/bench",
        title="Benchmark",
        description="",
        settings_class=ServiceSettings,
        metadata=lambda: metadata,
        migrations=data_dir,
        route_handlers=[kit_items],
    )
    settings = load_settings(
        ServiceSettings,
        "bench",
        {},
        dotenv=None,
        data_dir=str(data_dir),
        auth_issuer=TEST_ISSUER,
        log_level="WARNING",
    )
    configure_logging("WARNING", "json")
    runtime = LocalRuntime()
    runtime.attach("auth", jwks_app(tokens))
    context = definition.create_context(settings, runtime=runtime)
    engine = create_engine(f"sqlite:///{data_dir / 'bench.db'}")
    context.metadata.create_all(engine)
    engine.dispose()
    return create_service_app(context)


async def drive(app: Any, requests: int, headers: list[tuple[bytes, bytes]]) -> float:
    """Requests per second for ``requests`` sequential GETs."""
    scope_base = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/v1/bench/items",
        "raw_path": b"/api/v1/bench/items",
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    request_message = {"type": "http.request", "body": b"", "more_body": False}

    async def receive() -> dict[str, Any]:
        return request_message

    status = 0

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    start = time.perf_counter()
    for _ in range(requests):
        await app(dict(scope_base, state={}), receive, send)
    elapsed = time.perf_counter() - start
    if status != 200:
        raise SystemExit(f"the benchmark route answered {status}")
    return requests / elapsed


def serve(which: str, port: int, token_file: str) -> None:
    """Child process: serve one of the two apps with uvicorn."""
    import uvicorn

    tokens = TokenFactory(issuer=TEST_ISSUER)
    Path(token_file).write_text(tokens.issue(exp=int(time.time()) + 3600))
    app = kit_app(Path(tempfile.mkdtemp()), tokens) if which == "kit" else bare_app(which)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def wrk_rps(which: str, seconds: int, baseline_kit: str | None = None) -> tuple[float, float]:
    """Requests per second, and the server's CPU per request in microseconds."""
    previous = os.environ.get("PYTHONPATH")
    if which == BASELINE:
        assert baseline_kit is not None
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [baseline_kit, previous]))
    try:
        serving = "kit" if which == BASELINE else which
        with served(__file__, ["--serve", serving], "/api/v1/bench/items") as (url, token, pid):
            wrk(url, token, seconds=1, connections=32)  # warm-up
            before = cpu_seconds(pid)
            result = wrk(url, token, seconds=seconds, connections=32)
            cpu = cpu_seconds(pid) - before
            return result["rps"], 1e6 * cpu / max(result["requests"], 1.0)
    finally:
        if previous is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = previous


APPS = ("kit", "bare", "bare-no-auth")
BASELINE = "kit-baseline"


def print_medians(
    label: str, results: dict[str, list[float]], unit: str, digits: int
) -> dict[str, float]:
    """One line per app: the median of its rounds, then the rounds; the medians."""
    medians = {name: statistics.median(values) for name, values in results.items()}
    for name, values in results.items():
        rounds = ", ".join(f"{value:.{digits}f}" for value in values)
        print(f"[{label}] {name:13} {medians[name]:8.{digits}f} {unit}  (rounds: {rounds})")
    return medians


def report(label: str, results: dict[str, list[float]]) -> None:
    medians = print_medians(label, results, "req/s", 0)
    print(
        f"[{label}] ratio kit / bare (same handler): {medians['kit'] / medians['bare']:.2f}  (target >= 0.81 over HTTP)"
    )
    print(
        f"[{label}] ratio kit / bare-no-auth:        {medians['kit'] / medians['bare-no-auth']:.2f}"
    )
    if BASELINE in medians:
        print(
            f"[{label}] ratio kit-baseline / bare:       "
            f"{medians[BASELINE] / medians['bare']:.2f}  (the --baseline-kit version)"
        )


async def main(requests: int, rounds: int, seconds: int, baseline_kit: str | None) -> None:
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}"
    )
    tokens = TokenFactory(issuer=TEST_ISSUER)
    token = tokens.issue()
    auth = [(b"authorization", f"Bearer {token}".encode()), (b"host", b"bench")]
    with tempfile.TemporaryDirectory() as tmp:
        apps = {"kit": kit_app(Path(tmp), tokens), **{name: bare_app(name) for name in APPS[1:]}}
        results: dict[str, list[float]] = {name: [] for name in APPS}
        async with contextlib.AsyncExitStack() as stack:
            for app in apps.values():
                await stack.enter_async_context(app.lifespan())
                await drive(app, 200, auth)  # warm-up: JWKS fetch, first verification
            for _ in range(rounds):
                for name, app in apps.items():
                    results[name].append(await drive(app, requests, auth))
    report(f"asgi, {requests} requests x {rounds} rounds", results)
    if shutil.which("wrk") is None:
        print("[http] skipped: wrk is not installed (apt-get install wrk)")
        return
    served_apps = (*APPS, BASELINE) if baseline_kit else APPS
    http: dict[str, list[float]] = {name: [] for name in served_apps}
    cpu: dict[str, list[float]] = {name: [] for name in served_apps}
    for _ in range(rounds):
        for name in served_apps:
            rps, cpu_us = wrk_rps(name, seconds, baseline_kit)
            http[name].append(rps)
            cpu[name].append(cpu_us)
    report(f"http, uvicorn + wrk -c32, {seconds}s x {rounds} rounds", http)
    # The server's own CPU per request (its threads' schedstat over the wrk run): what the
    # load of the machine, wrk included, moves least.
    label = "http, server CPU per request"
    medians = print_medians(label, cpu, "us", 1)
    print(
        f"[{label}] ratio bare / kit (same handler): {medians['bare'] / medians['kit']:.2f}"
        "  (the kit's share of the bare app's throughput on a server-bound core)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--baseline-kit", help="another kit's src folder, compared over HTTP")
    parser.add_argument("--serve", choices=APPS, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--token-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.token_file)
    else:
        asyncio.run(main(args.requests, args.rounds, args.seconds, args.baseline_kit))
