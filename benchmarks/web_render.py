"""Server-side render time of each web page with the APIs stubbed.

The web app runs alone on a local runtime whose "other services" are one stub app that
answers every public API call at once with a canned body, so the time measured is the
web client's own work per page: session look-up, the request to the stub through the
Invoker (ASGI, no sockets), the template, the response. Target: p50 < 50 ms per page.

    uv run python benchmarks/web_render.py [--rounds 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from typing import Any

import httpx
from litestar import Litestar, Request, route

from qh.kit.clock import utc_now
from qh.kit.runtime import LocalRuntime
from qh.kit.testing import running, settings_for_tests
from qh.web.app import service
from qh.web.sessions import SESSION_COOKIE, TokenPair

NOW = utc_now().isoformat()
VACANCY_ID = str(uuid.uuid4())
DOCUMENT_ID = str(uuid.uuid4())
ITEM_ID = str(uuid.uuid4())
RESUME_ID = str(uuid.uuid4())
LETTER_ID = str(uuid.uuid4())
TEXT = "Senior Python developer. Python, PostgreSQL, Docker, Kubernetes. " * 20
EXPERIENCE = {
    "id": ITEM_ID,
    "order": 0,
    "position": "Python developer",
    "company": "ACME",
    "start_date": "2018-03",
    "end_date": None,
    "description": "Built services.",
    "highlights": ["Cut costs by 30%"],
    "skills": ["Python", "Docker"],
}
VACANCY = {
    "id": VACANCY_ID,
    "status": "saved",
    "notes": None,
    "title": "Senior Python developer",
    "company": "Example Soft",
    "location": {"city": "Москва"},
    "work_format": ["remote"],
    "salary": {"min": 250000, "max": 350000, "currency": "RUB"},
    "experience": {"min_years": 5},
    "description_text": TEXT,
    "requirements": {
        "skills": [{"name": n, "canonical": n, "required": True} for n in ("Python", "Docker")],
        "languages": [{"code": "en", "level": "B2"}],
    },
    "responsibilities": ["Build services"] * 5,
    "benefits": ["Remote work"] * 3,
    "source": {"kind": "text", "url": None},
    "created_at": NOW,
    "updated_at": NOW,
}


JOB = {
    "company": "ACME",
    "position": "Python developer",
    "start_date": "2018-03",
    "description": "Built services in Python.",
    "highlights": ["Cut costs by 30%", "Led four people", "Moved to Kubernetes"],
    "skills": ["Python", "Docker"],
}
RESUME = {
    "id": RESUME_ID,
    "title": "Ada Lovelace — Senior Python developer",
    "template": "modern",
    "language": "en",
    "page_size": "A4",
    "show_photo": False,
    "vacancy_id": VACANCY_ID,
    "vacancy_title": "Senior Python developer",
    "version": 3,
    "content": {
        "basics": {"name": "Ada Lovelace", "headline": "Python developer", "email": "a@b.c"},
        "summary": "Python developer with eight years of experience. " * 3,
        "experience": [JOB] * 4,
        "education": [{"institution": "MSU", "degree": "MSc"}],
        "skills": [{"name": n, "required": n == "Python"} for n in ("Python", "Docker", "Go")],
        "languages": [{"name": "English", "level": "C1"}],
    },
    "proposals": [
        {
            "id": "p1",
            "field": "summary",
            "current": "Python developer.",
            "proposed": "Python developer with PostgreSQL and Docker.",
            "provider": "offline",
            "model": "extractive",
            "status": "pending",
            "removed_claims": [],
        }
    ],
    "generation": {"provider": "offline", "model": "", "tailored_to": VACANCY_ID},
    "document_id": None,
    "created_at": NOW,
    "updated_at": NOW,
}
TEMPLATES = [
    {"name": n, "title": n.title(), "description": "A design.", "one_page": n == "compact"}
    for n in ("classic", "compact", "modern")
]
LETTER = {
    "id": LETTER_ID,
    "title": "Senior Python developer — Example Soft",
    "language": "en",
    "requested_tone": "formal",
    "vacancy_id": VACANCY_ID,
    "vacancy_title": "Senior Python developer",
    "company": "Example Soft",
    "version": 4,
    "text": TEXT,
    "words": 160,
    "generation": {"removed_claims": []},
    "tone": {
        "sentiment": {"label": "positive", "score": 0.4},
        "formality_label": "formal",
        "issues": [
            {
                "start": i * 60,
                "end": i * 60 + 6,
                "text": "Senior",
                "kind": "cliche",
                "suggestion": "Say what you did",
            }
            for i in range(10)
        ],
    },
    "updated_at": NOW,
}


def canned(method: str, path: str) -> Any:
    if path == "/api/v1/resumes/templates":
        return TEMPLATES
    if path.rstrip("/") == "/api/v1/resumes":
        summary = {**RESUME, "pending_proposals": 1}
        return {"items": [summary] * 10, "total": 10, "limit": 100, "offset": 0}
    if path.startswith("/api/v1/resumes/"):
        return RESUME
    if path.rstrip("/") == "/api/v1/cover-letters":
        return {"items": [LETTER] * 10, "total": 10, "limit": 100, "offset": 0}
    if path.startswith("/api/v1/cover-letters/") and path.endswith("/versions"):
        versions = [
            {"version": v, "reason": "edited", "requested_tone": "formal", "text": TEXT,
             "created_at": NOW}
            for v in range(4, 0, -1)
        ]  # fmt: skip
        return {"items": versions, "total": 4, "limit": 100, "offset": 0}
    if path.startswith("/api/v1/cover-letters/"):
        return LETTER
    if path.endswith("/auth/me"):
        return {
            "id": str(uuid.uuid4()),
            "email": "ada@example.com",
            "email_verified": True,
            "created_at": NOW,
        }
    if path.endswith("/auth/mfa"):
        return {"enabled": False, "recovery_codes_left": 0}
    if path == "/api/v1/profile/me":
        return {
            "full_name": "Ada",
            "headline": "Dev",
            "updated_at": NOW,
            "desired_salary": {"amount": 250000, "currency": "RUB"},
        }
    if path.startswith("/api/v1/profile/me/experience/"):
        return EXPERIENCE
    if path.startswith("/api/v1/profile/me/"):
        return {"items": [EXPERIENCE] * 5, "total": 5, "limit": 100, "offset": 0}
    if path.rstrip("/") == "/api/v1/vacancies":
        items = [dict(VACANCY, status=s) for s in ("saved", "applied", "interview") * 10]
        return {"items": items, "total": len(items), "limit": 100, "offset": 0}
    if path.startswith("/api/v1/vacancies/"):
        return VACANCY
    if path.endswith("/analysis/match"):
        return {
            "id": None,
            "score": 72.5,
            "breakdown": {
                k: 60.0
                for k in (
                    "skills",
                    "title",
                    "experience",
                    "languages",
                    "education",
                    "keywords",
                    "semantic",
                )
            },
            "weights": {},
            "matched": [{"term": "Python", "required": True}] * 5,
            "missing": [{"term": "Kubernetes", "required": True, "partial": False}],
            "highlights": [
                {
                    "side": side,
                    "start": i * 60,
                    "end": i * 60 + 6,
                    "text": "Senior",
                    "kind": "match",
                }
                for side in ("resume", "vacancy")
                for i in range(20)
            ],
            "recommendations": [{"message": "Mention Kubernetes"}] * 3,
            "language": "en",
            "vacancy_language": "en",
            "texts": {"resume": TEXT, "vacancy": TEXT},
        }
    if path.rstrip("/") == "/api/v1/documents":
        doc = {
            "id": DOCUMENT_ID,
            "title": "CV",
            "version": 2,
            "size": 20480,
            "updated_at": NOW,
            "created_at": NOW,
        }
        return {"items": [doc] * 10, "total": 10, "limit": 100, "offset": 0}
    if path.endswith("/versions"):
        return [
            {
                "version": v,
                "size": 20480,
                "content_type": "application/pdf",
                "filename": "cv.pdf",
                "created_at": NOW,
            }
            for v in (1, 2)
        ]
    if path.endswith("/shares"):
        return [
            {
                "id": str(uuid.uuid4()),
                "created_at": NOW,
                "expires_at": NOW,
                "active": True,
                "revoked_at": None,
                "access_count": 3,
                "last_access_at": NOW,
            }
        ]
    if path.startswith("/api/v1/documents/"):
        return {
            "id": DOCUMENT_ID,
            "title": "CV",
            "version": 2,
            "size": 20480,
            "updated_at": NOW,
            "created_at": NOW,
        }
    return {}


@route("/{path:path}", http_method=["GET", "POST", "PATCH"], sync_to_thread=False)
def stub(request: Request[Any, Any, Any], path: str) -> Any:
    return canned(request.method, request.url.path)


PAGES = [
    ("GET", "/"),
    ("GET", "/account"),
    ("GET", "/profile"),
    ("GET", "/profile/experience"),
    ("GET", f"/profile/experience/{ITEM_ID}"),
    ("GET", "/profile/import"),
    ("GET", "/vacancies"),
    ("GET", f"/vacancies/{VACANCY_ID}"),
    ("POST", f"/vacancies/{VACANCY_ID}/match"),
    ("GET", "/review"),
    ("GET", "/documents"),
    ("GET", f"/documents/{DOCUMENT_ID}"),
    ("GET", "/resumes"),
    ("GET", f"/resumes/{RESUME_ID}"),
    ("POST", f"/resumes/{RESUME_ID}/preview"),
    ("GET", "/cover-letters"),
    ("GET", f"/cover-letters/{LETTER_ID}"),
]
# What the resume editor sends on each change (the live preview).
FORMS = {
    f"/resumes/{RESUME_ID}/preview": {
        "name": "Ada King",
        "headline": "Lead Python developer",
        "summary": "Writes the first programs. " * 5,
        **{f"job{i}_position": "Python developer" for i in range(4)},
        **{f"job{i}_company": "ACME" for i in range(4)},
        **{f"job{i}_highlights": "Cut costs by 30%\nLed four people" for i in range(4)},
        "skills": "Python\nDocker\nGo",
    }
}


async def main(rounds: int) -> None:
    folder = tempfile.mkdtemp()
    runtime = LocalRuntime()
    stub_app = Litestar([stub], openapi_config=None, logging_config=None)
    for slug in (
        "auth",
        "user-data",
        "job-data",
        "text-analysis",
        "doc-storage",
        "resume-generation",
        "cover-letters",
    ):
        runtime.attach(slug, stub_app)
    settings = settings_for_tests(
        service, f"sqlite+aiosqlite:///{folder}/web.db", data_dir=folder, migrate_on_start=True
    )
    app = service.create_app(settings, runtime=runtime)
    async with running(app, runtime) as _:
        context = app.state.qh
        cookie = await context.sessions.create(
            TokenPair("access", "refresh", 3600), uuid.uuid4(), "ada@example.com"
        )
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://web"
        ) as client:
            client.cookies.set(SESSION_COOKIE, cookie)
            first = await client.get("/account")
            token = first.text.split('name="csrf_token" value="')[1].split('"')[0]
            print(f"{'page':44} {'p50 ms':>8} {'p95 ms':>8}")
            for method, path in PAGES:
                timings = []
                for i in range(rounds + 10):
                    started = time.perf_counter()
                    if method == "GET":
                        response = await client.get(path)
                    else:
                        response = await client.post(
                            path,
                            data={"csrf_token": token, **FORMS.get(path, {})},
                            headers={"HX-Request": "true"},
                        )
                    elapsed = (time.perf_counter() - started) * 1000
                    assert response.status_code == 200, (
                        path,
                        response.status_code,
                        response.text[:300],
                    )
                    if i >= 10:
                        timings.append(elapsed)
                timings.sort()
                p50 = statistics.median(timings)
                p95 = timings[int(len(timings) * 0.95) - 1]
                print(f"{method + ' ' + path[:38]:44} {p50:8.2f} {p95:8.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    asyncio.run(main(parser.parse_args().rounds))
