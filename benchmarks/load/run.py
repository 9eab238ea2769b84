"""The job seeker journey under load: ``qh dev`` on PostgreSQL in one child process, the
load driver (``driver.py``) in another; throughput, per-route latency, errors and the
server's memory through the run.

    uv run python benchmarks/load/run.py [--users 50] [--seconds 60] [--pdf]

Each service gets a throwaway database on the local PostgreSQL (``--postgres``, default
``QH_TEST_POSTGRES_URL`` or ``postgresql://postgres@127.0.0.1:5432/postgres``), created
for the run and dropped after it (``--keep`` keeps them). The platform's data folder
(the dev mailbox, stored documents) is a temporary folder. Every setting is ``qh dev``'s
default (``--env NAME=VALUE`` changes one for a run); logs at WARNING go to
``server.log`` in that folder. Exits non-zero when any request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SERVICES = (
    "auth",
    "cover-letters",
    "doc-storage",
    "job-data",
    "notification",
    "resume-generation",
    "text-analysis",
    "user-data",
    "web",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def with_database(url: str, name: str, scheme: str | None = None) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}", scheme=scheme or parts.scheme))


def database_name(slug: str) -> str:
    return f"qh_load_{slug.replace('-', '_')}"


async def create_databases(postgres: str) -> dict[str, str]:
    connection = await asyncpg.connect(postgres)
    try:
        urls = {}
        for slug in SERVICES:
            name = database_name(slug)
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await connection.execute(f'CREATE DATABASE "{name}"')
            urls[slug] = with_database(postgres, name, "postgresql+asyncpg")
        return urls
    finally:
        await connection.close()


async def drop_databases(postgres: str) -> None:
    connection = await asyncpg.connect(postgres)
    try:
        for slug in SERVICES:
            await connection.execute(
                f'DROP DATABASE IF EXISTS "{database_name(slug)}" WITH (FORCE)'
            )
    finally:
        await connection.close()


async def backends(postgres: str) -> dict[str, int]:
    """Connections to each of the run's databases."""
    connection = await asyncpg.connect(postgres)
    try:
        rows = await connection.fetch(
            "SELECT datname, count(*) AS n FROM pg_stat_activity"
            " WHERE datname LIKE 'qh_load_%' GROUP BY datname"
        )
        return {row["datname"].removeprefix("qh_load_"): int(row["n"]) for row in rows}
    finally:
        await connection.close()


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Sampler(threading.Thread):
    """The server's RSS and PostgreSQL's connections to the run's databases, every second."""

    def __init__(self, pid: int, postgres: str) -> None:
        super().__init__(daemon=True)
        self.pid, self.postgres = pid, postgres
        self.samples: list[tuple[float, float, int]] = []
        self.connections: dict[str, int] = {}  # the most seen per database
        self.stop = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        while not self.stop.is_set():
            rss = rss_mib(self.pid)
            try:
                per_database = asyncio.run(backends(self.postgres))
            except Exception:  # a sample missed is not a reason to stop
                per_database = {}
            for name, count in per_database.items():
                self.connections[name] = max(count, self.connections.get(name, 0))
            connections = sum(per_database.values())
            if rss is not None:
                self.samples.append((time.monotonic() - started, rss, connections))
            self.stop.wait(1.0)


def wait_ready(base_url: str, child: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise SystemExit(f"the platform stopped while starting; see {log}")
        try:
            with urllib.request.urlopen(f"{base_url}/health/ready", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the platform was not ready in 180 s; see {log}")


def drive(
    base_url: str, users: int, seconds: float, pdf: bool, out: Path, journeys: int = 0
) -> dict[str, Any]:
    command = [
        sys.executable,
        str(HERE / "driver.py"),
        "--base-url",
        base_url,
        "--users",
        str(users),
        "--seconds",
        str(seconds),
        "--journeys",
        str(journeys),
        "--out",
        str(out),
    ]
    subprocess.run([*command, *(["--pdf"] if pdf else [])], check=True)
    return json.loads(out.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def table(result: dict[str, Any]) -> str:
    lines = [
        "| route | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | statuses |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for route, row in result["routes"].items():
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(row["statuses"].items()))
        lines.append(
            f"| `{route}` | {row['count']} | {row['per_second']:.1f} | {row['p50_ms']:.0f} "
            f"| {row['p95_ms']:.0f} | {row['p99_ms']:.0f} | {row['max_ms']:.0f} | {statuses} |"
        )
    lines.append(
        f"| **all** | {result['requests']} | {result['requests_per_second']:.1f} "
        f"| {result['all_p50_ms']:.0f} | {result['all_p95_ms']:.0f} | {result['all_p99_ms']:.0f} "
        "| | |"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--pdf", action="store_true", help="each journey also exports a PDF")
    parser.add_argument(
        "--warmup", type=int, default=2, help="journeys of 2 users before the run, not counted"
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "QH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases and data folder")
    parser.add_argument("--out", help="write the JSON result here")
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="extra server setting"
    )
    args = parser.parse_args()

    urls = asyncio.run(create_databases(args.postgres))
    data_dir = Path(tempfile.mkdtemp(prefix="qh-load-"))
    log = data_dir / "server.log"
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "QH_LOG_LEVEL": "WARNING",
        "QH_LOG_FORMAT": "json",
    }
    for slug, url in urls.items():
        env[f"QH_{slug.upper().replace('-', '_')}_DATABASE_URL"] = url
    for item in args.env:
        name, _, value = item.partition("=")
        env[name] = value
    qh = Path(sys.executable).with_name("qh")
    server_command = [str(qh), "dev", "--port", str(port), "--data-dir", str(data_dir / "data")]
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            server_command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    failed = False
    try:
        wait_ready(base_url, server, log)
        print(f"platform ready at {base_url} (pid {server.pid}); log {log}", flush=True)
        if args.warmup > 0:
            warm = drive(base_url, 2, 600, args.pdf, data_dir / "warmup.json", args.warmup)
            print(f"warm-up: {warm['journeys']} journeys, {warm['errors']} errors", flush=True)
        sampler = Sampler(server.pid, args.postgres)
        load_before = os.getloadavg()
        cpu_before = cpu_seconds(server.pid)
        sampler.start()
        started = time.monotonic()
        result = drive(base_url, args.users, args.seconds, args.pdf, data_dir / "result.json")
        wall = time.monotonic() - started
        sampler.stop.set()
        sampler.join()
        cpu = cpu_seconds(server.pid) - cpu_before
        result["server_cpu_share"] = cpu / wall
        result["server_cpu_seconds"] = cpu
        result["server_cpu_ms_per_request"] = 1000 * cpu / max(1, result["requests"])
        result["load_average_before"] = load_before
        result["load_average_after"] = os.getloadavg()
        samples = sampler.samples
        result["rss_mib"] = {
            "start": samples[0][1],
            "middle": samples[len(samples) // 2][1],
            "end": samples[-1][1],
            "max": max(s[1] for s in samples),
        }
        result["postgres_connections_max"] = max(s[2] for s in samples)
        result["postgres_connections_max_per_database"] = sampler.connections
        result["rss_samples"] = [[round(t, 1), round(r, 1), c] for t, r, c in samples]
        result["pdf"] = args.pdf
        failed = result["errors"] > 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        if not args.keep:
            asyncio.run(drop_databases(args.postgres))

    print(table(result))
    print(
        f"\n{result['users']} users, {result['elapsed']:.1f} s: {result['journeys']} journeys "
        f"({result['journeys_per_second']:.2f}/s), {result['requests_per_second']:.1f} req/s, "
        f"{result['errors']} errors; server CPU {result['server_cpu_share']:.2f} cores "
        f"({result['server_cpu_ms_per_request']:.1f} ms a request); "
        f"RSS start/middle/end/max {result['rss_mib']['start']:.0f} / "
        f"{result['rss_mib']['middle']:.0f} / {result['rss_mib']['end']:.0f} / "
        f"{result['rss_mib']['max']:.0f} MiB; PostgreSQL connections at most "
        f"{result['postgres_connections_max']}; load average "
        f"{result['load_average_before'][0]:.1f} → {result['load_average_after'][0]:.1f}"
    )
    print(
        "PostgreSQL connections, the most per database:",
        result["postgres_connections_max_per_database"],
    )
    for sample in result["error_samples"][:10]:
        print("error:", json.dumps(sample, ensure_ascii=False)[:400])
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    if failed:
        print(f"server log: {log}")
        sys.exit(1)
    if not args.keep:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
