"""What the job seeker's journey (``test_journey.py``) runs against.

In process: every installed service in one :class:`Platform`, as ``qh dev`` runs them,
served by uvicorn on a free port of the loopback (so the journey speaks real HTTP and a
real WebSocket), each service on its own database (SQLite files or PostgreSQL databases),
beside two stub servers on the loopback: a company's careers page with a schema.org
JobPosting, and the hh.ru API answering from job-data's recorded fixtures. job-data is the
only service told to fetch from the loopback (``fetch_allow_private_networks``, refused by
its settings unless ``env`` is ``test``); every other address stays refused.

Against a deployment (``QH_E2E_BASE_URL``): the same journey over HTTP, without the stubs
(the deployment can neither reach them nor, rightly, fetch from private addresses) and
without looking into the databases; what is left out is said in :attr:`Target.notes`.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import socket
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import uvicorn
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from qh.kit.host import Platform

ROOT = Path(__file__).resolve().parents[2]
JOB_DATA_FIXTURES = ROOT / "services" / "job-data" / "tests" / "fixtures"
JSON_RESUME = ROOT / "services" / "user-data" / "tests" / "fixtures" / "jsonresume"
HH_VACANCY_ID = "117205741"  # job-data's recorded "Python-разработчик (Senior)"
HH_VACANCY_URL = f"https://hh.ru/vacancy/{HH_VACANCY_ID}?from=main"
JOB_PAGE_PATH = "/careers/backend-python-developer"

SERVICES = (
    "auth",
    "user-data",
    "job-data",
    "text-analysis",
    "doc-storage",
    "resume-generation",
    "cover-letters",
    "notification",
    "web",
)

# Tables that keep a deleted user's id on purpose: the kit's list of revoked subjects, so
# a token issued before the deletion is refused until it expires (docs/platform.md).
KEPT_ON_PURPOSE = frozenset({"qh_revoked_subject"})


# -- what the journey runs against ---------------------------------------------------------


@dataclass
class InProcess:
    """What only a platform in this process offers: the stubs and the databases."""

    job_page_url: str
    stub_hits: list[str]  # every path the stub server was asked for
    databases: dict[str, str]  # service slug -> SQLAlchemy URL
    data_dir: Path


@dataclass
class Target:
    base_url: str
    backend: str  # sqlite, postgres or external
    local: InProcess | None = None
    mailpit_url: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ws_url(self) -> str:
        split = urlsplit(self.base_url)
        scheme = "wss" if split.scheme == "https" else "ws"
        return f"{scheme}://{split.netloc}{split.path.rstrip('/')}"

    def note(self, message: str) -> None:
        self.notes.append(message)


# -- the platform on a free port -----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serve_platform(
    definitions: list[Any],
    *,
    data_dir: Path,
    databases: Mapping[str, str],
    hh_base_url: str,
) -> Iterator[str]:
    """Every service in one Platform served by uvicorn in a thread; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environ = {
        f"QH_{slug.upper().replace('-', '_')}_DATABASE_URL": url for slug, url in databases.items()
    }
    environ["QH_ENV"] = "dev"  # as qh dev: the dev mailbox is on
    environ["QH_JOB_DATA_ENV"] = "test"  # the one service allowed to fetch from the loopback
    environ["QH_JOB_DATA_HH_BASE_URL"] = hh_base_url
    platform = Platform(
        definitions,
        environ=environ,
        data_dir=str(data_dir),
        public_base_url=base,
        event_backoff_seconds=0.01,
        event_backoff_max_seconds=0.05,
        outbox_poll_seconds=0.2,
        log_format="console",
        log_level="WARNING",
        # Read by job-data alone (its settings refuse it outside env=test).
        fetch_allow_private_networks=("127.0.0.1/32",),
    )
    server = uvicorn.Server(
        uvicorn.Config(
            platform,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
            ws="websockets-sansio",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        assert thread.is_alive(), "the platform did not start"
        assert time.monotonic() < deadline, "the platform took over 120 s to start"
        time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=60)


# -- the stub servers ----------------------------------------------------------------------


JOB_POSTING = {
    "@context": "https://schema.org/",
    "@type": "JobPosting",
    "title": "Backend Python Developer",
    "datePosted": "2026-11-20",
    "employmentType": "FULL_TIME",
    "hiringOrganization": {"@type": "Organization", "name": "Northwind Analytics"},
    "jobLocation": {
        "@type": "Place",
        "address": {
            "@type": "PostalAddress",
            "addressLocality": "Berlin",
            "addressCountry": "DE",
        },
    },
    "baseSalary": {
        "@type": "MonetaryAmount",
        "currency": "EUR",
        "value": {"@type": "QuantitativeValue", "minValue": 70000, "maxValue": 90000},
    },
    "description": (
        "<p>We build data pipelines and APIs for logistics companies.</p>"
        "<h3>Responsibilities</h3><ul><li>Design and build REST APIs in Python</li>"
        "<li>Own PostgreSQL schemas and migrations</li>"
        "<li>Review code and mentor engineers</li></ul>"
        "<h3>Requirements</h3><ul><li>3+ years of Python</li><li>PostgreSQL, Docker</li>"
        "<li>English B2</li></ul>"
    ),
}

JOB_PAGE = (
    "<!doctype html><html lang=en><head><meta charset=utf-8>"
    "<title>Backend Python Developer - Northwind Analytics</title>"
    f'<script type="application/ld+json">{json.dumps(JOB_POSTING)}</script>'
    "</head><body><h1>Backend Python Developer</h1>"
    f"{JOB_POSTING['description']}</body></html>"
).encode()


class StubServer:
    """On the loopback: the careers page at :data:`JOB_PAGE_PATH` and, under ``/hh``, the
    hh.ru API answering from job-data's recorded fixtures. Keeps every path asked for."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hh_vacancies: dict[str, bytes] = {}
        for path in sorted((JOB_DATA_FIXTURES / "hh").glob("*.json")):
            data = json.loads(path.read_bytes())
            if isinstance(data, dict) and "name" in data and "id" in data:
                hh_vacancies[str(data["id"])] = path.read_bytes()
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def answer(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                hits.append(path)
                if path == JOB_PAGE_PATH:
                    self.answer(200, "text/html; charset=utf-8", JOB_PAGE)
                elif path.startswith("/hh/vacancies/") and self.headers.get("HH-User-Agent"):
                    body = hh_vacancies.get(path.removeprefix("/hh/vacancies/"))
                    if body is None:
                        self.answer(404, "application/json", b'{"errors":[{"type":"not_found"}]}')
                    else:
                        self.answer(200, "application/json", body)
                else:
                    self.answer(404, "text/plain", b"not here")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    @contextlib.contextmanager
    def running(self) -> Iterator[StubServer]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()


# -- what the job seeker brings ------------------------------------------------------------


def json_resume() -> dict[str, Any]:
    """The JSON Resume project's sample (Richard Hendriks), with its MIT licence beside it."""
    data: dict[str, Any] = json.loads((JSON_RESUME / "sample.resume.json").read_text("utf-8"))
    return data


def linkedin_archive() -> bytes:
    """A LinkedIn data export ("Get a copy of your data"), as LinkedIn names its files."""
    files = {
        "Profile.csv": (
            "First Name,Last Name,Maiden Name,Address,Birth Date,Headline,Summary,Industry,"
            "Zip Code,Geo Location,Twitter Handles,Websites,Instant Messengers\n"
            "Richard,Hendriks,,,,Backend Python engineer,"
            '"Builds compression services in Python.",Software Development,,'
            '"San Francisco, California, United States",,,\n'
        ),
        "Positions.csv": (
            "Company Name,Title,Description,Location,Started On,Finished On\n"
            'Raviga Capital,Python Developer,"Built REST APIs in Python on PostgreSQL, '
            'deployed with Docker","San Francisco, CA",Mar 2012,Nov 2013\n'
        ),
        "Skills.csv": "Name\nPython\nPostgreSQL\nDocker\nREST APIs\n",
        "Languages.csv": "Name,Proficiency\nEnglish,Native or bilingual proficiency\n",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(
                f"Basic_LinkedInDataExport_11-30-2026/{name}", ("\ufeff" + content).encode()
            )
    return buffer.getvalue()


def hh_vacancy_json() -> str:
    return (JOB_DATA_FIXTURES / "hh" / "python_developer.json").read_text("utf-8")


# -- mail ----------------------------------------------------------------------------------


LINK = re.compile(r"https?://[^\s\"'<>]+")


def verification_token(links: list[str]) -> str | None:
    """The token of the verification link among a mail's links (auth's own page or the
    front end's, whichever the deployment e-mails)."""
    for link in links:
        if "verify-email" in link:
            token = parse_qs(urlsplit(link.replace("&amp;", "&")).query).get("token")
            if token:
                return token[0]
    return None


async def dev_mailbox_token(client: httpx.AsyncClient, email: str) -> str | bool | None:
    """The verification token from ``qh dev``'s mailbox; False when there is no mailbox."""
    listed = await client.get("/api/v1/notifications/dev/mailbox/")
    if listed.status_code == 404:
        return False
    assert listed.status_code == 200, listed.text
    for mail in listed.json():
        if mail["to"] == email:
            token = verification_token(list(mail["links"]))
            if token:
                return token
    return None


async def mailpit_token(
    mailpit_url: str, email: str, transport: httpx.AsyncBaseTransport | None = None
) -> str | None:
    """The verification token from Mailpit's API (compose and the kind cluster)."""
    async with httpx.AsyncClient(base_url=mailpit_url, timeout=10, transport=transport) as mailpit:
        found = await mailpit.get("/api/v1/search", params={"query": f'to:"{email}"'})
        assert found.status_code == 200, found.text
        for message in found.json().get("messages", []):
            full = await mailpit.get(f"/api/v1/message/{message['ID']}")
            assert full.status_code == 200, full.text
            body = full.json()
            token = verification_token(LINK.findall(f"{body.get('Text')} {body.get('HTML')}"))
            if token:
                return token
    return None


# -- the databases, read directly ----------------------------------------------------------


def _needles(user_id: uuid.UUID, strings: list[str]) -> tuple[list[str], bytes]:
    return [str(user_id), user_id.hex, *(s.casefold() for s in strings)], user_id.bytes


def _holds(value: Any, needles: list[str], raw_id: bytes) -> bool:
    if value is None or isinstance(value, (int, float, bool)):
        return False
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        if data == raw_id or raw_id in data:
            return True
        value = data.decode("utf-8", errors="ignore")
    elif not isinstance(value, str):
        value = json.dumps(value, default=str) if isinstance(value, (dict, list)) else str(value)
    folded = value.casefold()
    return any(needle in folded for needle in needles)


async def rows_about(
    databases: Mapping[str, str], user_id: uuid.UUID, strings: list[str]
) -> dict[str, dict[str, list[str]]]:
    """Every table of every service's database, read row by row: the rows that mention the
    user (their id in any spelling, or any of ``strings``), by service and table, each
    shortened to what a failure message needs."""
    needles, raw_id = _needles(user_id, strings)
    found: dict[str, dict[str, list[str]]] = {}
    for slug, url in databases.items():
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
                for table in sorted(tables):
                    if table == "alembic_version":
                        continue
                    result = await connection.execute(text(f'SELECT * FROM "{table}"'))
                    hits = [
                        repr(tuple(row))[:300]
                        for row in result
                        if any(_holds(v, needles, raw_id) for v in row)
                    ]
                    if hits:
                        found.setdefault(slug, {})[table] = hits
        finally:
            await engine.dispose()
    return found
