"""The job seeker's whole journey through the public API, with every service running:
register, verify the e-mail from the mail, build the profile from a JSON Resume and a
LinkedIn archive, save a vacancy from a company's careers page and one from hh.ru, see how
well the profile matches, generate a resume (PDF) and a cover letter (DOCX), find both in
the documents and share one by a link anyone can open, hear of each step on the
notification WebSocket, and finally delete the account: every service forgets the user
(each service's database is read directly), while another user's data stays.

Runs in process on SQLite and on PostgreSQL (``journey_target`` in conftest.py), or against
a deployment when ``QH_E2E_BASE_URL`` is set (tests/e2e/README.md)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import json
import time
import uuid
import warnings
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import websockets
from journey_support import (
    HH_VACANCY_ID,
    HH_VACANCY_URL,
    JOB_PAGE,
    JOB_PAGE_PATH,
    KEPT_ON_PURPOSE,
    Target,
    dev_mailbox_token,
    hh_vacancy_json,
    json_resume,
    linkedin_archive,
    mailpit_token,
    rows_about,
)

PASSWORD = "Sibirskaya-Korona-2026"
T = TypeVar("T")

# The kinds the socket must bring, one per step that announces itself.
EXPECTED_LIVE = {"analysis_completed", "resume_ready", "cover_letter_ready", "document_shared"}


class Journey:
    """One user's calls, with a log of how long each step took."""

    def __init__(self, client: httpx.AsyncClient, target: Target) -> None:
        self.client, self.target = client, target
        self.headers: dict[str, str] = {}
        self.user_id: uuid.UUID | None = None
        self.timings: list[tuple[str, float]] = []
        self._started = time.monotonic()

    def step(self, name: str) -> None:
        now = time.monotonic()
        self.timings.append((name, now - self._started))
        self._started = now

    async def call(self, method: str, path: str, expect: int | tuple[int, ...], **kw: Any) -> Any:
        headers = {**self.headers, **kw.pop("headers", {})}
        response = await self.client.request(method, path, headers=headers, **kw)
        expected = (expect,) if isinstance(expect, int) else expect
        assert response.status_code in expected, (
            f"{method} {path}: {response.status_code} {response.text[:2000]}"
        )
        return response

    async def login(self, email: str) -> str:
        token = await self.call(
            "POST",
            "/api/v1/auth/token",
            200,
            data={"grant_type": "password", "username": email, "password": PASSWORD},
        )
        access: str = token.json()["access_token"]
        self.headers = {"Authorization": f"Bearer {access}"}
        return access


async def eventually(
    check: Callable[[], Awaitable[T | None]], what: str, timeout: float = 20.0
) -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def live_notifications(target: Target, token: str) -> AsyncIterator[list[dict[str, Any]]]:
    """The user's notification socket, its messages collected as they come."""
    received: list[dict[str, Any]] = []
    url = f"{target.ws_url}/api/v1/notifications/ws?token={token}"
    async with websockets.connect(url, open_timeout=10) as socket:
        ready = json.loads(await asyncio.wait_for(socket.recv(), 10))
        assert ready["type"] == "ready", ready

        async def collect() -> None:
            with contextlib.suppress(websockets.ConnectionClosed):
                async for message in socket:
                    received.append(json.loads(message))

        task = asyncio.create_task(collect())
        try:
            yield received
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def register(journey: Journey, email: str, full_name: str) -> uuid.UUID:
    registered = await journey.call(
        "POST",
        "/api/v1/auth/register",
        201,
        json={"email": email, "password": PASSWORD, "full_name": full_name},
    )
    assert registered.json()["email_verified"] is False
    journey.user_id = uuid.UUID(registered.json()["id"])
    return journey.user_id


async def verify_email(journey: Journey, email: str) -> None:
    target = journey.target

    async def from_mail() -> str | None:
        if target.mailpit_url:
            return await mailpit_token(target.mailpit_url, email)
        found = await dev_mailbox_token(journey.client, email)
        if found is False:
            return "no-mailbox"
        return found  # type: ignore[return-value]

    token = await eventually(from_mail, "the verification mail")
    if token == "no-mailbox":
        target.note(
            "e-mail verification not checked: the deployment has no dev mailbox "
            "(env=dev) and QH_E2E_MAILPIT_URL is not set"
        )
        return
    await journey.call("POST", "/api/v1/auth/email/verify", 204, json={"token": token})
    me = await journey.call("GET", "/api/v1/auth/me", 200)
    assert me.json()["email_verified"] is True
    # The mailed token is spent.
    await journey.call("POST", "/api/v1/auth/email/verify", 400, json={"token": token})


async def build_profile(journey: Journey) -> None:
    resume = json_resume()
    imported = await journey.call(
        "POST", "/api/v1/profile/me/import?format=jsonresume", 200, json=resume
    )
    assert imported.json()["imported"]["experience"] == len(resume["work"])
    merged = await journey.call(
        "POST",
        "/api/v1/profile/me/import?format=linkedin&mode=merge",
        200,
        content=linkedin_archive(),
        headers={"Content-Type": "application/zip"},
    )
    assert merged.json()["format"] == "linkedin"
    profile = (await journey.call("GET", "/api/v1/profile/me/export?format=qh", 200)).json()
    assert profile["personal"]["full_name"] == resume["basics"]["name"]
    companies = {job["company"] for job in profile["experience"]}
    assert {"Pied Piper", "Raviga Capital"} <= companies, companies
    skills = {skill["name"] for skill in profile["skills"]}
    assert {"Python", "PostgreSQL"} <= skills, skills


async def save_vacancies(journey: Journey) -> tuple[str, str]:
    """The careers page's vacancy and hh.ru's; their ids."""
    local = journey.target.local
    if local is not None:
        page = await journey.call(
            "POST", "/api/v1/vacancies/import", 201, json={"url": local.job_page_url}
        )
        assert page.json()["source"]["kind"] == "jsonld"
        assert page.json()["source"]["url"] == local.job_page_url
        hh = await journey.call(
            "POST", "/api/v1/vacancies/import", 201, json={"url": HH_VACANCY_URL}
        )
        assert hh.json()["source"]["kind"] == "hh"
        assert hh.json()["source"]["external_id"] == HH_VACANCY_ID
        # The page was fetched from the stub, and hh.ru read through its API (the stub).
        assert JOB_PAGE_PATH in local.stub_hits
        assert f"/hh/vacancies/{HH_VACANCY_ID}" in local.stub_hits
    else:
        journey.target.note(
            "vacancies saved through POST /parse + POST / (the careers page and the hh.ru "
            "API are stubs on this machine, which the deployment cannot and must not fetch)"
        )
        saved = []
        for content, content_type, url in (
            (JOB_PAGE.decode(), "text/html", "https://careers.example.com/backend-python"),
            (hh_vacancy_json(), "application/json", HH_VACANCY_URL),
        ):
            parsed = await journey.call(
                "POST",
                "/api/v1/vacancies/parse",
                200,
                json={"content": content, "content_type": content_type, "url": url},
            )
            body = {k: v for k, v in parsed.json().items() if v is not None}
            saved.append(await journey.call("POST", "/api/v1/vacancies/", 201, json=body))
        page, hh = saved
    # Only the loopback stub is allowed (in process); every other private address and the
    # cloud metadata address stay refused, and nothing is saved.
    for unsafe in ("http://10.0.0.1/jobs/1", "http://169.254.169.254/latest/meta-data/"):
        refused = await journey.call("POST", "/api/v1/vacancies/import", 400, json={"url": unsafe})
        assert refused.json()["type"].endswith("unsafe-url"), refused.text
    assert page.json()["title"] == "Backend Python Developer"
    assert page.json()["company"] == "Northwind Analytics"
    assert hh.json()["title"] == "Python-разработчик (Senior)"
    listed = (await journey.call("GET", "/api/v1/vacancies/", 200)).json()
    assert listed["total"] == 2
    return page.json()["id"], hh.json()["id"]


async def match(journey: Journey, vacancy_id: str) -> float:
    """How well the profile fits the vacancy; the score."""
    result = await journey.call(
        "POST",
        "/api/v1/analysis/match",
        (200, 201),
        json={"resume": {"profile": "me"}, "vacancy": {"vacancy_id": vacancy_id}},
    )
    body = result.json()
    assert 0 < body["score"] <= 100, body
    matched = {str(m.get("term", m)).casefold() for m in body["matched"]}
    assert "python" in " ".join(matched), body["matched"]
    stored = (await journey.call("GET", "/api/v1/analysis/", 200)).json()
    assert stored["total"] >= 1
    return float(body["score"])


async def resume_pdf(journey: Journey, vacancy_id: str) -> tuple[str, str, bytes]:
    """A resume tailored to the vacancy, exported as PDF: (resume id, document id, bytes)."""
    created = await journey.call(
        "POST",
        "/api/v1/resumes/",
        201,
        json={"vacancy_id": vacancy_id, "template": "classic", "language": "en", "ai": "offline"},
    )
    resume_id = created.json()["id"]
    preview = await journey.call("GET", f"/api/v1/resumes/{resume_id}/preview", 200)
    assert "Hendriks" in preview.text
    exported = await journey.call("GET", f"/api/v1/resumes/{resume_id}/export?format=pdf", 200)
    assert exported.headers["content-type"].startswith("application/pdf")
    assert exported.content.startswith(b"%PDF-")
    assert "attachment" in exported.headers["content-disposition"]
    return resume_id, exported.headers["QH-Document-Id"], exported.content


async def letter_docx(journey: Journey, vacancy_id: str, resume_id: str) -> tuple[str, bytes]:
    """A cover letter for the vacancy, exported as DOCX: (document id, bytes)."""
    created = await journey.call(
        "POST",
        "/api/v1/cover-letters/",
        201,
        json={"vacancy_id": vacancy_id, "resume_id": resume_id, "language": "en"},
    )
    letter = created.json()
    exported = await journey.call(
        "GET", f"/api/v1/cover-letters/{letter['id']}/export?format=docx", 200
    )
    assert exported.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    with zipfile.ZipFile(io.BytesIO(exported.content)) as docx:
        document = docx.read("word/document.xml").decode()
    assert "Northwind Analytics" in document
    return exported.headers["QH-Document-Id"], exported.content


async def documents_and_share(
    journey: Journey, resume_doc: str, resume_bytes: bytes, letter_doc: str, letter_bytes: bytes
) -> None:
    listed = (await journey.call("GET", "/api/v1/documents/", 200)).json()
    by_id = {d["id"]: d for d in listed["items"]}
    assert {resume_doc, letter_doc} <= set(by_id), listed
    assert by_id[resume_doc]["sha256"] == hashlib.sha256(resume_bytes).hexdigest()
    assert by_id[letter_doc]["sha256"] == hashlib.sha256(letter_bytes).hexdigest()
    stored = await journey.call("GET", f"/api/v1/documents/{letter_doc}/content", 200)
    assert stored.content == letter_bytes

    share = (
        await journey.call(
            "POST", f"/api/v1/documents/{resume_doc}/share", 201, json={"expires_in": 3600}
        )
    ).json()
    url = share["url"]
    if journey.target.local is not None:
        assert url.startswith(journey.target.base_url), url
    else:  # the deployment's public address may differ from the one this run reaches it by
        url = journey.target.base_url + httpx.URL(url).raw_path.decode()
    async with httpx.AsyncClient(timeout=30) as anyone:  # no token, no cookies
        shared = await anyone.get(url)
    assert shared.status_code == 200, shared.text[:500]
    assert shared.content == resume_bytes
    links = (await journey.call("GET", f"/api/v1/documents/{resume_doc}/shares", 200)).json()
    assert links["items"][0]["access_count"] == 1
    if journey.target.local is not None:  # doc-storage's local store keeps them by owner
        assert stored_files(journey.target, journey.user_id), "no stored files found"


def stored_files(target: Target, user_id: uuid.UUID | None) -> list[Path]:
    """The files doc-storage keeps for the user (``qh dev`` stores them in the data folder,
    keyed ``<owner>/<document>/<random>``)."""
    assert target.local is not None
    assert user_id is not None
    folder = target.local.data_dir / "documents"
    return [p for p in folder.rglob("*") if p.is_file() and str(user_id) in str(p)]


async def erase(journey: Journey, user_id: uuid.UUID, email: str, other_id: uuid.UUID) -> None:
    await journey.call("DELETE", "/api/v1/auth/me", 204)
    refused = await journey.client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": PASSWORD},
    )
    assert refused.status_code == 401

    # Every service refuses the deleted user's still unexpired token once it heard.
    paths = [
        "/api/v1/auth/me",
        "/api/v1/profile/me",
        "/api/v1/vacancies/",
        "/api/v1/analysis/",
        "/api/v1/documents/",
        "/api/v1/resumes/",
        "/api/v1/cover-letters/",
        "/api/v1/notifications/",
    ]

    async def all_refuse() -> bool:
        answers = [
            (await journey.client.get(path, headers=journey.headers)).status_code for path in paths
        ]
        return all(status == 401 for status in answers)

    await eventually(all_refuse, "every service refusing the deleted user's token")

    local = journey.target.local
    if local is None:
        journey.target.note(
            "erasure checked through the API only (401 everywhere); the databases of an "
            "external deployment are not read"
        )
        return

    names = ["Hendriks", email]

    async def nothing_left() -> dict[str, dict[str, list[str]]] | None:
        left = await rows_about(local.databases, user_id, names)
        leftovers = {
            slug: {t: n for t, n in tables.items() if t not in KEPT_ON_PURPOSE}
            for slug, tables in left.items()
        }
        leftovers = {slug: tables for slug, tables in leftovers.items() if tables}
        nothing_left.last = leftovers  # type: ignore[attr-defined]
        return None if leftovers else {"ok": {}}

    try:
        await eventually(nothing_left, "erasure in every service", timeout=15)
    except AssertionError:
        pytest.fail(f"rows about the deleted user remain: {nothing_left.last}")  # type: ignore[attr-defined]
    # The revocation of their tokens is kept, in every service that checks tokens.
    kept = await rows_about(local.databases, user_id, [])
    assert {slug for slug, tables in kept.items() if "qh_revoked_subject" in tables} >= {
        "user-data",
        "job-data",
        "doc-storage",
    }, kept
    # The other user is untouched, and the scan does find what is there.
    theirs = await rows_about(local.databases, other_id, [])
    assert "auth_user" in theirs.get("auth", {}), theirs
    assert "vacancy" in theirs.get("job-data", {}), theirs
    assert "profile" in theirs.get("user-data", {}), theirs
    # The stored files went with the documents.
    leftover_files = stored_files(journey.target, user_id)
    assert not leftover_files, leftover_files


async def test_the_job_seekers_journey(journey_target: Target) -> None:
    target = journey_target
    async with httpx.AsyncClient(base_url=target.base_url, timeout=60) as client:
        journey = Journey(client, target)
        try:
            await walk(journey)
        finally:
            report = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in journey.timings)
            print(f"\njourney on {target.backend}: {report}")
    for note in target.notes:
        warnings.warn(f"journey on {target.backend}: {note}", stacklevel=1)


async def walk(journey: Journey) -> None:
    run = uuid.uuid4().hex[:8]
    email = f"richard.{run}@example.com"
    user_id = await register(journey, email, "Richard Hendriks")
    token = await journey.login(email)
    journey.step("register + sign in")
    await verify_email(journey, email)
    journey.step("verify e-mail")

    # Another user, whose data must outlive Richard's account.
    other = Journey(journey.client, journey.target)
    other_email = f"monica.{run}@example.com"
    other_id = await register(other, other_email, "Monica Hall")
    await other.login(other_email)
    await other.call("GET", "/api/v1/profile/me", 200)
    await other.call(
        "POST", "/api/v1/vacancies/", 201, json={"title": "Investor", "company": "Raviga"}
    )
    journey.step("another user")

    async with live_notifications(journey.target, token) as live:
        await build_profile(journey)
        journey.step("profile")
        page_vacancy, hh_vacancy = await save_vacancies(journey)
        journey.step("vacancies")
        score = await match(journey, hh_vacancy)
        journey.step("match")
        resume_id, resume_doc, pdf = await resume_pdf(journey, hh_vacancy)
        journey.step("resume PDF")
        letter_doc, docx = await letter_docx(journey, page_vacancy, resume_id)
        journey.step("cover letter DOCX")
        await documents_and_share(journey, resume_doc, pdf, letter_doc, docx)
        journey.step("documents + share")

        async def heard() -> bool:
            return {m.get("kind") for m in live} >= EXPECTED_LIVE

        await eventually(heard, f"live notifications {sorted(EXPECTED_LIVE)}")
        journey.step("notifications")
    assert all(m["type"] == "notification" for m in live), live
    told = next(m for m in live if m["kind"] == "analysis_completed")
    assert f"{round(score)}%" in told["title"] + told["body"], (score, told)
    inbox = (await journey.call("GET", "/api/v1/notifications/", 200)).json()
    assert {n["kind"] for n in inbox["items"]} >= EXPECTED_LIVE, inbox

    await erase(journey, user_id, email, other_id)
    journey.step("erasure")
