"""The load driver: N virtual job seekers, each going through the journey again and again
against a running platform until the time is up; per-route latencies and every failure
written as JSON.

Run by ``benchmarks/load/run.py`` in its own process (the platform runs in another);
alone: ``uv run python benchmarks/load/driver.py --base-url http://127.0.0.1:8000``.

One journey: register, sign in, personal data, profile items (2 jobs, education, 5
skills, 2 languages), a vacancy pasted as text (``POST /parse``, then saved), a match of
the profile against it, a resume tailored to it (offline writer), its HTML preview and
Markdown export (and PDF with ``--pdf``), the profile's QH export, the documents and
notifications lists. E-mail verification is left out: signing in does not need it.

Each journey comes from an address of its own in 198.18.0.0/15 (the range set aside for
benchmarks), sent as ``X-Forwarded-For`` (uvicorn trusts it from 127.0.0.1, as behind the
ingress): the auth service's per-address limits see many users, not one machine.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import random
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from qh.kit.testing.samples import PROFILE_EN, PROFILE_RU

VACANCIES = Path(__file__).resolve().parent.parent / "data" / "vacancy_skills.json"
PASSWORD = "Sibirskaya-Korona-2026"


class Failure(Exception):
    """A response the journey cannot go on from (counted once, as an error)."""


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    errors: list[dict[str, Any]] = field(default_factory=list)
    journeys: int = 0
    journeys_cut: int = 0
    first_start: float = 0.0
    last_end: float = 0.0


class User:
    """One virtual job seeker: a new account per journey."""

    def __init__(self, client: httpx.AsyncClient, stats: Stats, deadline: float, pdf: bool):
        self.client = client
        self.stats = stats
        self.deadline = deadline
        self.pdf = pdf
        self.headers: dict[str, str] = {}

    async def call(
        self, route: str, method: str, url: str, expect: tuple[int, ...] = (200,), **kwargs: Any
    ) -> httpx.Response:
        if time.monotonic() >= self.deadline:
            raise TimeoutError  # time is up: the journey stops here, not an error
        started = time.monotonic()
        try:
            response = await self.client.request(method, url, headers=self.headers, **kwargs)
        except httpx.HTTPError as exc:
            elapsed = time.monotonic() - started
            self.stats.statuses[route][0] += 1
            self.stats.errors.append(
                {"route": route, "status": None, "error": repr(exc), "seconds": elapsed}
            )
            raise Failure(route) from exc
        elapsed = time.monotonic() - started
        self.stats.last_end = max(self.stats.last_end, time.monotonic())
        self.stats.latencies[route].append(elapsed)
        self.stats.statuses[route][response.status_code] += 1
        if response.status_code not in expect:
            self.stats.errors.append(
                {
                    "route": route,
                    "status": response.status_code,
                    "error": response.text[:500],
                    "seconds": elapsed,
                }
            )
            raise Failure(route)
        return response

    async def journey(self, vacancy: dict[str, Any]) -> None:
        language = vacancy["language"]
        profile = PROFILE_RU if language == "ru" else PROFILE_EN
        email = f"load-{uuid.uuid4().hex[:16]}@example.org"
        address = ipaddress.IPv4Address("198.18.0.0") + random.randrange(1, 2**17 - 1)
        self.headers = {"X-Forwarded-For": str(address)}
        await self.call(
            "POST /auth/register",
            "POST",
            "/api/v1/auth/register",
            expect=(201,),
            json={
                "email": email,
                "password": PASSWORD,
                "full_name": profile["personal"]["full_name"],
            },
        )
        token = await self.call(
            "POST /auth/token",
            "POST",
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": email, "password": PASSWORD},
        )
        self.headers["Authorization"] = f"Bearer {token.json()['access_token']}"

        personal = {**profile["personal"], "email": email}
        await self.call("PUT /profile/me", "PUT", "/api/v1/profile/me", json=personal)
        for section in ("experience", "education", "skills", "languages"):
            for item in profile[section]:
                await self.call(
                    "POST /profile/me/{section}",
                    "POST",
                    f"/api/v1/profile/me/{section}",
                    expect=(201,),
                    json=item,
                )

        parsed = await self.call(
            "POST /vacancies/parse",
            "POST",
            "/api/v1/vacancies/parse",
            json={"content": vacancy["text"], "content_type": "text/plain"},
        )
        saved = await self.call(
            "POST /vacancies/", "POST", "/api/v1/vacancies/", expect=(201,), json=parsed.json()
        )
        vacancy_id = saved.json()["id"]

        await self.call(
            "POST /analysis/match",
            "POST",
            "/api/v1/analysis/match",
            json={"resume": {"profile": "me"}, "vacancy": {"vacancy_id": vacancy_id}},
        )
        resume = await self.call(
            "POST /resumes/",
            "POST",
            "/api/v1/resumes/",
            expect=(201,),
            json={
                "vacancy_id": vacancy_id,
                "template": "classic",
                "language": language,
                "ai": "offline",
            },
        )
        resume_id = resume.json()["id"]
        await self.call("GET /resumes/{id}/preview", "GET", f"/api/v1/resumes/{resume_id}/preview")
        await self.call(
            "GET /resumes/{id}/export?format=md",
            "GET",
            f"/api/v1/resumes/{resume_id}/export",
            params={"format": "md"},
        )
        if self.pdf:
            await self.call(
                "GET /resumes/{id}/export?format=pdf",
                "GET",
                f"/api/v1/resumes/{resume_id}/export",
                params={"format": "pdf"},
            )
        await self.call(
            "GET /profile/me/export?format=qh",
            "GET",
            "/api/v1/profile/me/export",
            params={"format": "qh"},
        )
        await self.call("GET /documents/", "GET", "/api/v1/documents/")
        await self.call("GET /notifications/", "GET", "/api/v1/notifications/")

    async def run(self, vacancies: list[dict[str, Any]], seed: int, journeys: int) -> None:
        pick = random.Random(seed)
        done = 0
        while time.monotonic() < self.deadline and (journeys == 0 or done < journeys):
            done += 1
            try:
                await self.journey(pick.choice(vacancies))
            except TimeoutError:
                self.stats.journeys_cut += 1
                return
            except Failure:
                continue
            self.stats.journeys += 1


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(stats: Stats, users: int, seconds: float) -> dict[str, Any]:
    elapsed = stats.last_end - stats.first_start
    routes = {}
    for route, values in stats.latencies.items():
        routes[route] = {
            "count": len(values),
            "per_second": len(values) / elapsed,
            "p50_ms": percentile(values, 0.50) * 1000,
            "p95_ms": percentile(values, 0.95) * 1000,
            "p99_ms": percentile(values, 0.99) * 1000,
            "max_ms": max(values) * 1000,
            "statuses": {str(k): v for k, v in stats.statuses[route].items()},
        }
    requests = sum(len(v) for v in stats.latencies.values())
    every = [x for v in stats.latencies.values() for x in v]
    return {
        "users": users,
        "seconds": seconds,
        "elapsed": elapsed,
        "requests": requests,
        "requests_per_second": requests / elapsed,
        "journeys": stats.journeys,
        "journeys_per_second": stats.journeys / elapsed,
        "journeys_cut_at_deadline": stats.journeys_cut,
        "all_p50_ms": percentile(every, 0.5) * 1000,
        "all_p95_ms": percentile(every, 0.95) * 1000,
        "all_p99_ms": percentile(every, 0.99) * 1000,
        "errors": len(stats.errors),
        "error_samples": stats.errors[:50],
        "routes": routes,
    }


async def drive(
    base_url: str, users: int, seconds: float, timeout: float, pdf: bool, journeys: int
) -> Stats:
    data = json.loads(VACANCIES.read_text(encoding="utf-8"))["vacancies"]
    vacancies = [{"language": v["language"], "text": v["text"]} for v in data]
    stats = Stats()
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(
        base_url=base_url, timeout=httpx.Timeout(timeout), limits=limits
    ) as client:
        stats.first_start = time.monotonic()
        deadline = stats.first_start + seconds
        virtual = [User(client, stats, deadline, pdf) for _ in range(users)]
        await asyncio.gather(
            *(user.run(vacancies, seed, journeys) for seed, user in enumerate(virtual))
        )
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--timeout", type=float, default=60.0, help="per request")
    parser.add_argument("--pdf", action="store_true", help="also export each resume as PDF")
    parser.add_argument(
        "--journeys", type=int, default=0, help="stop each user after this many (0: no limit)"
    )
    parser.add_argument("--out", help="write the JSON summary here (default: stdout)")
    args = parser.parse_args()
    stats = asyncio.run(
        drive(args.base_url, args.users, args.seconds, args.timeout, args.pdf, args.journeys)
    )
    result = summary(stats, args.users, args.seconds)
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
