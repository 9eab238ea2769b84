"""``GET /api/v1/profile/me/export`` of a full profile against a minimal Litestar + asyncpg
endpoint that reads one row, both on PostgreSQL, measured in one run.

The full profile has personal data and 10 items in each of the seven sections. Each app is
served by uvicorn (one worker, its own process) and loaded by ``wrk`` over loopback; rounds
alternate between the two apps and medians are reported (these machines are noisy).
The user-data app is the real one: bearer-token auth, routing, the request's database
session (a GET reads outside a transaction: one statement, one round trip), the export
(served from the per-revision export row while the profile does not change).

    uv run python benchmarks/profile_export.py \
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres] [--rounds 3] [--seconds 5]

Needs ``wrk`` (Debian package ``wrk``). ``--baseline-path DIR[:DIR]`` adds a third app to
the rounds: user-data served with those folders first on the Python path (another
version's ``libs/kit/src``, say, from ``git archive``), to compare two versions in one run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from litestar import Litestar, get
from loadgen import served, wrk

from qh.kit.db import upgrade
from qh.kit.runtime import LocalRuntime
from qh.kit.testing import (
    TokenFactory,
    admin_url,
    jwks_app,
    sqlalchemy_url,
    with_database,
)
from qh.user_data.app import service

PATH = "/api/v1/profile/me/export"
DATABASE = "qh_bench_user_data"


def user_data_app(database_url: str, tokens: TokenFactory) -> Litestar:
    settings = service.load_settings(
        environ={},
        database_url=database_url,
        public_base_url="http://testserver",
        log_level="WARNING",
    )
    runtime = LocalRuntime()
    runtime.attach("auth", jwks_app(tokens))
    return service.create_app(settings, runtime=runtime)


def minimal_app(dsn: str) -> Litestar:
    """A bare Litestar endpoint reading one row with asyncpg: the ceiling to compare with."""
    pool: dict[str, asyncpg.Pool] = {}

    async def connect(app: Litestar) -> None:
        pool["pool"] = await asyncpg.create_pool(dsn, min_size=4, max_size=10)

    async def disconnect(app: Litestar) -> None:
        await pool["pool"].close()

    @get(PATH)
    async def one_row(user: str) -> dict[str, Any]:
        row = await pool["pool"].fetchrow(
            "SELECT id, user_id, full_name, headline, email, phone, revision FROM profile WHERE user_id = $1",
            uuid.UUID(user),
        )
        return dict(row) if row else {}

    return Litestar(
        [one_row],
        on_startup=[connect],
        on_shutdown=[disconnect],
        openapi_config=None,
        logging_config=None,
    )


async def fill_profile(database_url: str, user_id: uuid.UUID) -> int:
    """Personal data and 10 items in every section, through the API. Returns the size of the
    QH export in bytes."""
    tokens = TokenFactory(issuer="http://testserver/api/v1/auth")
    app = user_data_app(database_url, tokens)
    headers = tokens.headers(user_id)
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers=headers
        ) as client:

            async def call(method: str, path: str, body: dict[str, Any]) -> None:
                r = await client.request(method, "/api/v1/profile" + path, json=body)
                assert r.status_code in (200, 201), r.text

            await call(
                "PUT",
                "/me",
                {
                    "full_name": "Иван Петров",
                    "headline": "Python-разработчик",
                    "email": "ivan.petrov@example.ru",
                    "phone": "+79161234567",
                    "location": {"city": "Москва", "country_code": "RU"},
                    "links": [{"network": "GitHub", "url": "https://github.com/ivan"}],
                    "summary": "Пишу бэкенд на Python шесть лет. " * 10,
                    "desired_salary": {"amount": 350000, "currency": "RUB"},
                    "resume_languages": ["ru", "en"],
                },
            )
            for i in range(10):
                year = 2010 + i
                await call(
                    "POST",
                    "/me/education",
                    {
                        "institution": f"Университет {i}",
                        "degree": "Магистр",
                        "field": "Информатика",
                        "start_date": str(year),
                        "end_date": str(year + 1),
                        "courses": ["Базы данных"],
                    },
                )
                await call(
                    "POST",
                    "/me/experience",
                    {
                        "company": f"Компания {i}",
                        "position": "Разработчик",
                        "start_date": f"{year}-02",
                        "end_date": f"{year + 1}-01",
                        "description": "Разрабатывал сервисы. " * 5,
                        "highlights": ["Ускорил выдачу", "Внедрил тесты"],
                        "skills": ["Python", "PostgreSQL"],
                    },
                )
                await call(
                    "POST",
                    "/me/skills",
                    {"name": f"Навык {i}", "level": "advanced", "years": i, "keywords": ["a", "b"]},
                )
                await call("POST", "/me/languages", {"name": f"Язык {i}", "level": "B2"})
                await call("POST", "/me/achievements", {"title": f"Награда {i}", "date": str(year)})
                await call(
                    "POST",
                    "/me/certificates",
                    {
                        "name": f"Сертификат {i}",
                        "issuer": "Яндекс",
                        "date": str(year),
                        "url": "https://example.com/c",
                    },
                )
                await call(
                    "POST",
                    "/me/projects",
                    {
                        "name": f"Проект {i}",
                        "description": "Описание проекта",
                        "url": "https://github.com/ivan/p",
                        "keywords": ["Rust"],
                    },
                )
            r = await client.get(PATH)
            assert r.status_code == 200
            document = r.json()
            assert all(
                len(document[s]) == 10
                for s in (
                    "education",
                    "experience",
                    "skills",
                    "languages",
                    "achievements",
                    "certificates",
                    "projects",
                )
            )
            return len(r.content)


def serve(which: str, port: int, database_url: str, token_file: str, user_id: str) -> None:
    """Child process: serve one of the two apps with uvicorn."""
    import uvicorn

    if which == "minimal":
        app = minimal_app(admin_url(database_url))
        Path(token_file).write_text("-")
    else:
        tokens = TokenFactory(issuer="http://testserver/api/v1/auth")
        Path(token_file).write_text(tokens.issue(user_id, exp=int(time.time()) + 3600))
        app = user_data_app(database_url, tokens)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def run_wrk(
    which: str,
    seconds: int,
    connections: int,
    database_url: str,
    user_id: str,
    python_path: str | None = None,
) -> dict[str, float]:
    path = PATH + (f"?user={user_id}" if which == "minimal" else "")
    arguments = ["--serve", which, "--database-url", database_url, "--user", user_id]
    previous = os.environ.get("PYTHONPATH")
    if python_path:
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [python_path, previous]))
    try:
        with served(__file__, arguments, path) as (url, token, _pid):
            return wrk(url, token, seconds=seconds, connections=connections)
    finally:
        if previous is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = previous


async def recreate_database(postgres: str) -> str:
    connection = await asyncpg.connect(admin_url(postgres))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await connection.close()
    return sqlalchemy_url(with_database(postgres, DATABASE))


def summary(label: str, runs: list[dict[str, float]]) -> dict[str, float]:
    median = {key: statistics.median(run[key] for run in runs) for key in ("rps", "p50", "p99")}
    rounds = ", ".join(f"{run['rps']:.0f}" for run in runs)
    print(
        f"{label:<34} {median['rps']:8.0f} req/s   p50 {median['p50']:6.2f} ms   p99 {median['p99']:6.2f} ms"
        f"   (rounds: {rounds})"
    )
    return median


def main(postgres: str, rounds: int, seconds: int, connections: int, baseline: str | None) -> None:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    print(
        f"machine: {os.cpu_count()} cores, {cpu}, {platform.python_implementation()} {platform.python_version()}"
    )
    database_url = asyncio.run(recreate_database(postgres))
    upgrade(service.migrations, database_url)
    user_id = uuid.uuid4()
    size = asyncio.run(fill_profile(database_url, user_id))
    print(
        f"profile: 10 items in each of 7 sections, QH export {size} bytes; wrk -t1 -c{connections}, "
        f"{seconds}s x {rounds} rounds, uvicorn 1 worker each, PostgreSQL on the same machine"
    )
    export_runs, minimal_runs, baseline_runs = [], [], []
    for _ in range(rounds):
        minimal_runs.append(run_wrk("minimal", seconds, connections, database_url, str(user_id)))
        export_runs.append(run_wrk("user-data", seconds, connections, database_url, str(user_id)))
        if baseline:
            baseline_runs.append(
                run_wrk("user-data", seconds, connections, database_url, str(user_id), baseline)
            )
    minimal = summary("minimal Litestar + asyncpg, 1 row", minimal_runs)
    export = summary("user-data GET /me/export (full)", export_runs)
    print(f"ratio export/minimal: {export['rps'] / minimal['rps']:.2f} (target >= 0.5)")
    if baseline:
        before = summary("user-data, --baseline-path", baseline_runs)
        print(f"ratio baseline export/minimal: {before['rps'] / minimal['rps']:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "QH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--baseline-path", help="folders to serve a baseline user-data from")
    parser.add_argument("--serve", choices=["minimal", "user-data"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--token-file", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--user", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.database_url, args.token_file, args.user)
    else:
        main(args.postgres, args.rounds, args.seconds, args.connections, args.baseline_path)
